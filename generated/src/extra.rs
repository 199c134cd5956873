//! [`Extra`]: the keys of an object that its shape does not list.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::LazyLock;

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};
use serde_json::{Map, Value};

/// The keys of a JSON object that its payload shape does not list, kept as received so that
/// re-encoding is lossless: a map from key to raw JSON.
///
/// Reads like a [`serde_json::Map`] (it dereferences to one), but takes one pointer instead
/// of a map's three words, since almost every object of a real delivery has no such key and
/// a decoded order holds a few hundred objects. The map is allocated on the first mutable use
/// (`insert`, through `DerefMut`).
///
/// ```
/// use commerce_webhooks::Extra;
/// use serde_json::json;
///
/// let mut extra = Extra::new();
/// assert!(extra.is_empty());
/// extra.insert("gift".into(), json!(true));
/// assert_eq!(extra["gift"], json!(true));
/// assert_eq!(extra.iter().count(), 1);
/// ```
#[derive(Clone, Default)]
pub struct Extra(Option<Box<Map<String, Value>>>);

/// What an `Extra` without keys dereferences to.
static EMPTY: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);

impl Extra {
    /// No keys (allocates nothing).
    pub const fn new() -> Self {
        Self(None)
    }

    /// The keys as a map (empty when there are none).
    pub fn into_map(self) -> Map<String, Value> {
        self.0.map(|map| *map).unwrap_or_default()
    }
}

impl Deref for Extra {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Map<String, Value> {
        self.0.as_deref().unwrap_or(&EMPTY)
    }
}

/// Mutable access allocates the map if there is none yet.
impl DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut Map<String, Value> {
        self.0.get_or_insert_with(Box::default)
    }
}

impl From<Map<String, Value>> for Extra {
    fn from(map: Map<String, Value>) -> Self {
        Self((!map.is_empty()).then(|| Box::new(map)))
    }
}

impl From<Extra> for Map<String, Value> {
    fn from(extra: Extra) -> Self {
        extra.into_map()
    }
}

impl<'a> IntoIterator for &'a Extra {
    type Item = (&'a String, &'a Value);
    type IntoIter = serde_json::map::Iter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Equal when the keys and values are, whether or not a map was ever allocated.
impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Extra {}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// As the JSON object of the keys.
impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Map::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extra_is_a_map_whether_or_not_one_was_allocated() {
        assert_eq!(std::mem::size_of::<Extra>(), std::mem::size_of::<usize>());
        let empty = Extra::new();
        assert!(empty.is_empty() && empty.get("a").is_none() && (&empty).into_iter().next().is_none());
        assert_eq!(empty, Extra::from(Map::new()));
        // A map emptied after allocation equals one never allocated.
        let mut emptied = Extra::new();
        emptied.insert("a".into(), json!(1));
        assert_ne!(emptied, empty);
        emptied.remove("a");
        assert_eq!(emptied, empty);

        let mut extra = Extra::new();
        assert_eq!(extra.insert("b".into(), json!([1])), None);
        assert_eq!(extra.insert("b".into(), json!(null)), Some(json!([1])));
        extra.insert("a".into(), json!({"x": 1}));
        assert_eq!(serde_json::to_value(&extra).unwrap(), json!({"a": {"x": 1}, "b": null}));
        let back: Extra = serde_json::from_value(json!({"a": {"x": 1}, "b": null})).unwrap();
        assert_eq!(back, extra);
        assert_eq!(format!("{extra:?}"), format!("{:?}", extra.clone().into_map()));
        assert_eq!(Map::from(extra).len(), 2);
    }
}
