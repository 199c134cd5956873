//! JSON paths in decode errors, without a second, path-tracking decode.
//!
//! Generated visitors wrap an error from a field's value with the field's key
//! ([`at_key`]), and arrays and maps wrap their elements' errors with the index or key, so by
//! the time an error leaves the body the path is written into its message, ahead of the
//! original text and behind a marker. [`split`] takes it out again. Nothing of this runs
//! unless decoding fails.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Starts and ends the path inside an error message.
const MARK: char = '\u{1f}';

/// Prefixes `prefix` (a key or `[index]`) to the path already in `error`.
fn wrap<E: de::Error>(prefix: &str, error: E) -> E {
    let text = without_position(&error.to_string()).to_owned();
    let (inner, message) = split(&text);
    let path = match inner {
        "" => prefix.to_owned(),
        inner if inner.starts_with('[') => format!("{prefix}{inner}"),
        inner => format!("{prefix}.{inner}"),
    };
    E::custom(format_args!("{MARK}{path}{MARK}{message}"))
}

/// Puts `key` in front of the path of an error from that key's value.
pub fn at_key<E: de::Error>(key: &str, error: E) -> E {
    wrap(key, error)
}

/// Puts `[index]` in front of the path of an error from that array element.
pub fn at_index<E: de::Error>(index: usize, error: E) -> E {
    wrap(&format!("[{index}]"), error)
}

/// Splits a message into (path, message); the path is empty when the error has none.
pub fn split(text: &str) -> (&str, &str) {
    text.strip_prefix(MARK).and_then(|rest| rest.split_once(MARK)).unwrap_or(("", text))
}

/// serde_json appends " at line 1 column 5" to data errors; the path says more.
pub fn without_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => &message[..at],
        _ => message,
    }
}

/// Deserializes a `T` as it is (nested shapes track their own keys).
pub struct Plain<T>(PhantomData<fn() -> T>);

impl<T> Plain<T> {
    /// The seed.
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Default for Plain<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Clone for Plain<T> {
    fn clone(&self) -> Self {
        Self::new()
    }
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Plain<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::deserialize(deserializer)
    }
}

/// `null` or a value of the inner seed.
#[derive(Clone)]
pub struct Nullable<S>(pub S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("null or a value")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(deserializer).map(Some)
    }
}

/// An array whose element errors carry their index.
#[derive(Clone)]
pub struct List<S>(pub S);

impl<'de, S: DeserializeSeed<'de> + Clone> DeserializeSeed<'de> for List<S> {
    type Value = Vec<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, S: DeserializeSeed<'de> + Clone> Visitor<'de> for List<S> {
    type Value = Vec<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element_seed(self.0.clone()).map_err(|e| at_index(items.len(), e))? {
            items.push(item);
        }
        Ok(items)
    }
}

/// An object with arbitrary keys whose value errors carry their key.
#[derive(Clone)]
pub struct Map<S>(pub S);

impl<'de, S: DeserializeSeed<'de> + Clone> DeserializeSeed<'de> for Map<S> {
    type Value = std::collections::BTreeMap<String, S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, S: DeserializeSeed<'de> + Clone> Visitor<'de> for Map<S> {
    type Value = std::collections::BTreeMap<String, S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = std::collections::BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self.0.clone()).map_err(|e| at_key(&key, e))?;
            entries.insert(key, value);
        }
        Ok(entries)
    }
}

/// A type with a seed that decodes it with paths in its errors: what fills a generic shape's
/// `P`, so that `Webhook<[EntityWriteResult]>` names `data.payload[3].entity`, not `data.payload`.
pub trait Seeded<'de>: Sized {
    /// The seed.
    type Seed: DeserializeSeed<'de, Value = Self> + Clone;
    /// A new seed.
    fn seed() -> Self::Seed;
}

/// Types that decode as they are (shapes track their own keys).
#[macro_export]
#[doc(hidden)]
macro_rules! seeded_as_is {
    ($($ty:ty),* $(,)?) => {$(
        impl<'de> $crate::wire::Seeded<'de> for $ty {
            type Seed = $crate::wire::Plain<$ty>;
            fn seed() -> Self::Seed {
                $crate::wire::Plain::new()
            }
        }
    )*};
}

seeded_as_is!(
    String,
    bool,
    i64,
    u64,
    serde_json::Number,
    serde_json::Value,
    crate::Money,
    crate::Timestamp,
    crate::StringOrNumber,
);

impl<'de, T: Seeded<'de>> Seeded<'de> for Vec<T> {
    type Seed = List<T::Seed>;
    fn seed() -> Self::Seed {
        List(T::seed())
    }
}

impl<'de, T: Seeded<'de>> Seeded<'de> for std::collections::BTreeMap<String, T> {
    type Seed = Map<T::Seed>;
    fn seed() -> Self::Seed {
        Map(T::seed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_compose_from_the_inside_out() {
        let error = serde_json::Error::custom("bad");
        let error = at_key("amount", error);
        let error = at_key("shop_money", error);
        let error = at_index(3, error);
        let error = at_key("line_items", error);
        assert_eq!(split(&error.to_string()), ("line_items[3].shop_money.amount", "bad"));
        assert_eq!(split("plain"), ("", "plain"));
    }

    use serde::de::Error as _;
}
