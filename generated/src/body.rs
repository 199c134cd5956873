//! Reads fields of a raw JSON body by their paths, as text, without decoding the rest into
//! values (the walk of [`crate::wire::topic_in_body`], extended: several paths in one walk,
//! integers count as text, and a key repeated along a path is reported instead of silently
//! picking one).
//!
//! [`DeliveryBody`] gathers every body field receiving a delivery reads (the fields the
//! signature covers, the topic, the delivery id, the store id) into one walk over the bytes,
//! done the first time one of them is asked for.

use std::cell::OnceCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::verify::{ECWID_CREATED, ECWID_ID, SHOPWARE_TIMESTAMP};
use crate::{DeliveryFacts, Location, SignatureScheme};

/// What is at a path of a JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// Nothing: a key is missing or a value along the path is not an object.
    Absent,
    /// A string.
    Text(String),
    /// An integer, written in decimal.
    Integer(String),
    /// Something else (a float, a boolean, null, an object, an array).
    NotText,
    /// A key along the path occurs more than once in its object.
    Duplicate,
}

/// Reads the value at `path` (e.g. `["source", "eventId"]`) of `body`. Fails only when the
/// body is not JSON.
pub(crate) fn find(body: &[u8], path: &[&str]) -> Result<Found, serde_json::Error> {
    let [found] = find_all(body, [Some(path)])?;
    Ok(found)
}

/// Reads the values at several paths of `body` in one walk: the result's `i`th value is what
/// [`find`] says of `paths[i]` alone (a `None` path is not looked for, and is
/// [`Found::Absent`]). Everything off the paths is skipped with [`IgnoredAny`]. Fails only
/// when the body is not JSON.
pub(crate) fn find_all<const N: usize>(
    body: &[u8],
    paths: [Option<&[&str]>; N],
) -> Result<[Found; N], serde_json::Error> {
    let mut found = std::array::from_fn(|_| Found::Absent);
    let walk = Walk {
        paths: &paths.map(Option::unwrap_or_default),
        depth: 0,
        active: paths.map(|path| path.is_some()),
        found: &mut found,
    };
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    walk.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(found)
}

/// The walk at one value of the body, `depth` keys down: `active[i]` when the first `depth`
/// keys of `paths[i]` are the keys that led here. Each active path that ends here takes the
/// value into `found[i]`; a longer one finds the value's key, or stays [`Found::Absent`].
struct Walk<'w, const N: usize> {
    paths: &'w [&'w [&'w str]; N],
    depth: usize,
    active: [bool; N],
    found: &'w mut [Found; N],
}

impl<const N: usize> Walk<'_, N> {
    /// Which active paths end at this value.
    fn ending(&self) -> [bool; N] {
        std::array::from_fn(|i| self.active[i] && self.paths[i].len() == self.depth)
    }

    /// Gives this value, as `value` makes it, to every active path that ends here.
    fn take(self, value: impl Fn() -> Found) {
        let ending = self.ending();
        for (found, ends) in self.found.iter_mut().zip(ending) {
            if ends {
                *found = value();
            }
        }
    }
}

impl<'de, const N: usize> DeserializeSeed<'de> for Walk<'_, N> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, const N: usize> Visitor<'de> for Walk<'_, N> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        self.take(|| Found::Text(value.to_owned()));
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<(), E> {
        self.take(|| Found::Integer(value.to_string()));
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<(), E> {
        self.take(|| Found::Integer(value.to_string()));
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.take(|| Found::NotText);
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.take(|| Found::NotText);
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.take(|| Found::NotText);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.take(|| Found::NotText);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ending = self.ending();
        let Walk { paths, depth, active, found } = self;
        for (found, ends) in found.iter_mut().zip(ending) {
            if ends {
                *found = Found::NotText;
            }
        }
        let deeper: [bool; N] = std::array::from_fn(|i| active[i] && !ending[i]);
        if !deeper.contains(&true) {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        // Which paths already took a value under this object: a second one is a duplicate.
        let mut seen = [false; N];
        while let Some(key) = map.next_key::<crate::wire::Key<'de>>()? {
            let next: [bool; N] = std::array::from_fn(|i| deeper[i] && paths[i].get(depth) == Some(&key.as_str()));
            if !next.contains(&true) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            map.next_value_seed(Walk { paths, depth: depth + 1, active: next, found: &mut *found })?;
            for ((found, seen), next) in found.iter_mut().zip(&mut seen).zip(next) {
                if next && *seen {
                    *found = Found::Duplicate;
                }
                *seen |= next;
            }
        }
        Ok(())
    }
}

/// A body field receiving a delivery may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// Ecwid's signed `eventCreated`.
    EcwidCreated,
    /// Ecwid's signed `eventId`.
    EcwidId,
    /// The topic, where [`DeliveryFacts::topic`] is in the body.
    Topic,
    /// The delivery id, where [`DeliveryFacts::delivery_id`] is in the body.
    DeliveryId,
    /// The store id, where [`DeliveryFacts::store_id`] is in the body.
    StoreId,
    /// Shopware's signed body `timestamp`.
    ShopwareTimestamp,
}

/// A delivery's raw body and the body fields receiving it reads, all read in one walk the
/// first time one of them is asked for: before the signature check only when the scheme signs
/// body fields (Ecwid, which walked the body there already), otherwise after it.
pub(crate) struct DeliveryBody<'b> {
    raw: &'b [u8],
    /// By [`Field`]; `None` where the platform does not read that field from the body.
    paths: [Option<&'static [&'static str]>; 6],
    found: OnceCell<Result<[Found; 6], serde_json::Error>>,
}

impl<'b> DeliveryBody<'b> {
    /// The body fields `facts` says a delivery is read by.
    pub(crate) fn new(facts: &DeliveryFacts, raw: &'b [u8]) -> Self {
        let ecwid = facts.scheme == SignatureScheme::EcwidCreatedDotId;
        let shopware = facts.scheme == SignatureScheme::HmacSha256HexBody;
        let in_body = |location| match location {
            Location::Body(_, path) => Some(path),
            Location::Header(_) => None,
        };
        let paths = [
            ecwid.then_some(&[ECWID_CREATED][..]),
            ecwid.then_some(&[ECWID_ID][..]),
            in_body(facts.topic),
            in_body(facts.delivery_id),
            in_body(facts.store_id),
            shopware.then_some(&[SHOPWARE_TIMESTAMP][..]),
        ];
        Self { raw, paths, found: OnceCell::new() }
    }

    /// The body as received.
    pub(crate) fn raw(&self) -> &'b [u8] {
        self.raw
    }

    /// What is at `field` ([`Found::Absent`] when the platform does not read it from the
    /// body), exactly what [`find`] says of its path alone. When the body is not JSON, the
    /// path is read again alone so the error is the same as well (the walk for every field
    /// reads more values, and may stop earlier).
    pub(crate) fn get(&self, field: Field) -> Result<Found, serde_json::Error> {
        let Some(path) = self.paths[field as usize] else { return Ok(Found::Absent) };
        match self.found.get_or_init(|| find_all(self.raw, self.paths)) {
            Ok(found) => Ok(found[field as usize].clone()),
            Err(_) => find(self.raw, path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{find, find_all, Found};

    #[test]
    fn reads_strings_and_integers_as_text() {
        let body = br#"{"a":{"b":"x\u0041"},"n":-12,"u":1700000000,"f":1.5,"o":{},"t":true}"#;
        assert_eq!(find(body, &["a", "b"]).unwrap(), Found::Text("xA".into()));
        assert_eq!(find(body, &["n"]).unwrap(), Found::Integer("-12".into()));
        assert_eq!(find(body, &["u"]).unwrap(), Found::Integer("1700000000".into()));
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

    #[test]
    fn reads_several_paths_in_one_walk() {
        let body = br#"{"data":{"event":"e","payload":{}},"source":{"shopId":"s","eventId":7},"id":1,"id":2}"#;
        let found = find_all(
            body,
            [
                Some(&["data", "event"][..]),
                Some(&["source", "eventId"]),
                None,
                Some(&["source", "shopId"]),
                Some(&["source", "eventId"]),
                Some(&["id"]),
                Some(&["data"]),
                Some(&["data", "payload", "x"]),
            ],
        )
        .unwrap();
        let text = |s: &str| Found::Text(s.into());
        assert_eq!(
            found,
            [
                text("e"),
                Found::Integer("7".into()),
                Found::Absent,
                text("s"),
                Found::Integer("7".into()),
                Found::Duplicate,
                Found::NotText,
                Found::Absent
            ]
        );
    }

    /// Every path of `find_all` reads what `find` reads of it alone, on random bodies full of
    /// repeated keys, nesting and odd values, some of them broken; and the walk for all paths
    /// fails only on bodies that are not JSON.
    #[test]
    fn several_paths_read_what_each_path_reads_alone() {
        const SCALARS: &[&str] =
            &["1", "-2", "1.5", "1e999", "true", "null", "\"x\"", "\"\\u0041\"", "\"\\ud800\"", "\"\u{e9}\""];
        const DAMAGE: &[&[u8]] = &[b"{", b"}", b"]", b",", b":", b"\"", b"\xff", b"\"\xff\":1,", b"1e999"];
        const PATHS: [&[&str]; 8] =
            [&[], &["a"], &["b"], &["a", "b"], &["a", "c"], &["b", "a"], &["a", "b", "c"], &["a"]];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        fn value(out: &mut Vec<u8>, depth: usize, next: &mut dyn FnMut(usize) -> usize) {
            match next(if depth > 3 { 2 } else { 5 }) {
                0 | 1 => out.extend_from_slice(SCALARS[next(SCALARS.len())].as_bytes()),
                2 => {
                    out.push(b'[');
                    for i in 0..next(3) {
                        out.extend_from_slice(if i == 0 { b"" } else { b"," });
                        value(out, depth + 1, next);
                    }
                    out.push(b']');
                }
                _ => {
                    out.push(b'{');
                    for i in 0..next(4) {
                        out.extend_from_slice(if i == 0 { b"" } else { b"," });
                        out.extend_from_slice([&b"\"a\":"[..], b"\"b\":", b"\"c\":", b"\"\\u0061\":"][next(4)]);
                        value(out, depth + 1, next);
                    }
                    out.push(b'}');
                }
            }
        }
        let (mut texts, mut duplicates, mut broken) = (0, 0, 0);
        for _ in 0..100_000 {
            let mut body = Vec::new();
            value(&mut body, 0, &mut next);
            if next(4) == 0 {
                let at = next(body.len() + 1);
                body.splice(at..at, DAMAGE[next(DAMAGE.len())].iter().copied());
            }
            let alone: Vec<_> = PATHS.iter().map(|path| find(&body, path).ok()).collect();
            match find_all(&body, PATHS.map(Some)) {
                Ok(found) => {
                    for (found, alone) in found.iter().zip(&alone) {
                        assert_eq!(Some(found), alone.as_ref(), "{}", String::from_utf8_lossy(&body));
                    }
                    texts += found.iter().filter(|found| matches!(found, Found::Text(_) | Found::Integer(_))).count();
                    duplicates += usize::from(found[3] == Found::Duplicate);
                }
                Err(_) => {
                    broken += 1;
                    let lossy = String::from_utf8_lossy(&body);
                    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err(), "{lossy}");
                }
            }
        }
        assert!(texts > 500 && duplicates > 500 && broken > 500, "{texts} {duplicates} {broken}");
    }
}
