//! Serde and `Display` through a type's wire name, shared by the generated enums.
//!
//! Not part of the public API: generated code calls [`wire_name_impls!`](crate::wire_name_impls).

// Re-exported so the macro works in crates that do not depend on serde themselves.
pub use serde;
pub use serde_json;

pub use crate::decode::{decode, decode_boxed, decode_nullable, decode_nullable_shape, decode_shape, topic_in_body};
pub use crate::tolerate::{
    deserialize, no_strict_field, read_strict, require, shape_into, strict_field, strict_nullable, strict_value,
    Decode, Placeholder, Shape,
};
pub use crate::visit::{Failed, MapIn, Scalar, SeqIn, Sink};

/// Implements `Display`, `Serialize` and `Deserialize` for a type with `as_str(&self) -> &str`
/// and a `FromStr` implementation: the serde form is the wire name, so the serde path and
/// `FromStr` always agree on unknown names.
#[doc(hidden)]
#[macro_export]
macro_rules! wire_name_impls {
    ($ty:ty, $expecting:literal) => {
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::wire::serde::Serialize for $ty {
            fn serialize<S: $crate::wire::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::wire::serde::Deserialize<'de> for $ty {
            fn deserialize<D: $crate::wire::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl $crate::wire::serde::de::Visitor<'_> for Visitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: $crate::wire::serde::de::Error>(
                        self,
                        value: &str,
                    ) -> ::std::result::Result<$ty, E> {
                        value.parse().map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

/// An object key, borrowed from the input when it has no escapes.
pub struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> Key<'de> {
    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as an owned string (for the `extra` map).
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> serde::de::Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, value: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(value.into()))
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Key<'de>, E> {
                Ok(Key(value.to_owned().into()))
            }
            fn visit_string<E: serde::de::Error>(self, value: String) -> Result<Key<'de>, E> {
                Ok(Key(value.into()))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}
