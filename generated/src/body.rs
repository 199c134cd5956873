//! Reads one field of a raw JSON body by its path, as text, without decoding the rest into
//! values (the same walk as [`crate::wire::topic_in_body`], which it extends: integers count
//! as text, and a key repeated along the path is reported instead of silently picking one).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// What is at a path of a JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// Nothing: a key is missing or a value along the path is not an object.
    Absent,
    /// A string, or an integer written in decimal.
    Text(String),
    /// Something else (a float, a boolean, null, an object, an array).
    NotText,
    /// A key along the path occurs more than once in its object.
    Duplicate,
}

/// Reads the value at `path` (e.g. `["source", "eventId"]`) of `body`. Fails only when the
/// body is not JSON.
pub(crate) fn find(body: &[u8], path: &[&str]) -> Result<Found, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let found = PathSeed { path }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(found)
}

struct PathSeed<'p> {
    path: &'p [&'p str],
}

impl<'de> DeserializeSeed<'de> for PathSeed<'_> {
    type Value = Found;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Found, D::Error> {
        deserializer.deserialize_any(PathVisitor { path: self.path })
    }
}

/// At `path` empty, the value itself is wanted; otherwise an object to walk into.
struct PathVisitor<'p> {
    path: &'p [&'p str],
}

impl PathVisitor<'_> {
    fn scalar(&self, text: Option<String>) -> Found {
        match (self.path.is_empty(), text) {
            (true, Some(text)) => Found::Text(text),
            (true, None) => Found::NotText,
            (false, _) => Found::Absent,
        }
    }
}

impl<'de> Visitor<'de> for PathVisitor<'_> {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Found, E> {
        Ok(self.scalar(Some(value.to_owned())))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Found, E> {
        Ok(self.scalar(Some(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Found, E> {
        Ok(self.scalar(Some(value.to_string())))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Found, E> {
        Ok(self.scalar(Some(value.to_string())))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Found, E> {
        Ok(self.scalar(None))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Found, E> {
        Ok(self.scalar(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Found, E> {
        Ok(self.scalar(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Found, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.scalar(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
        let Some((first, rest)) = self.path.split_first() else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Found::NotText);
        };
        let mut found: Option<Found> = None;
        while let Some(key) = map.next_key::<crate::wire::Key<'de>>()? {
            if key.as_str() == *first {
                let value = map.next_value_seed(PathSeed { path: rest })?;
                found = Some(if found.is_some() { Found::Duplicate } else { value });
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found.unwrap_or(Found::Absent))
    }
}

#[cfg(test)]
mod tests {
    use super::{find, Found};

    #[test]
    fn reads_strings_and_integers_as_text() {
        let body = br#"{"a":{"b":"x\u0041"},"n":-12,"u":1700000000,"f":1.5,"o":{},"t":true}"#;
        assert_eq!(find(body, &["a", "b"]).unwrap(), Found::Text("xA".into()));
        assert_eq!(find(body, &["n"]).unwrap(), Found::Text("-12".into()));
        assert_eq!(find(body, &["u"]).unwrap(), Found::Text("1700000000".into()));
        assert_eq!(find(body, &["f"]).unwrap(), Found::NotText);
        assert_eq!(find(body, &["o"]).unwrap(), Found::NotText);
        assert_eq!(find(body, &["t"]).unwrap(), Found::NotText);
        assert_eq!(find(body, &["missing"]).unwrap(), Found::Absent);
        assert_eq!(find(body, &["n", "deeper"]).unwrap(), Found::Absent);
    }

    #[test]
    fn reports_duplicates_along_the_path() {
        assert_eq!(find(br#"{"id":"a","id":"b"}"#, &["id"]).unwrap(), Found::Duplicate);
        assert_eq!(find(br#"{"s":{"id":1},"s":{"x":1}}"#, &["s", "id"]).unwrap(), Found::Duplicate);
        assert_eq!(find(br#"{"s":{"id":"a","id":"a"}}"#, &["s", "id"]).unwrap(), Found::Duplicate);
        assert_eq!(find(br#"{"id":"a","x":{"id":"b"}}"#, &["id"]).unwrap(), Found::Text("a".into()));
    }

    #[test]
    fn fails_only_on_invalid_json() {
        assert!(find(br#"{"id":"a""#, &["id"]).is_err());
        assert!(find(br#"{"id":"a"} trailing"#, &["id"]).is_err());
        assert_eq!(find(b"[1,2]", &["id"]).unwrap(), Found::Absent);
        assert_eq!(find(b"\"x\"", &[]).unwrap(), Found::Text("x".into()));
    }
}
