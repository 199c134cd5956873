//! The value types generated payloads are built from: a tri-state for fields that may be
//! absent or `null`, and exact-text types for money, timestamps and mixed string/number values.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};
use serde_json::Number;

/// A field that may be missing, `null`, or hold a value: three different things on the wire,
/// kept apart so that re-encoding gives back what was received.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Field<T> {
    /// The key was not in the object.
    #[default]
    Absent,
    /// The key was there with `null`.
    Null,
    /// The key was there with a value.
    Value(T),
}

impl<T> Field<T> {
    /// The value, if there is one.
    pub fn as_ref(&self) -> Option<&T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null => None,
        }
    }

    /// The value, if there is one.
    pub fn into_option(self) -> Option<T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null => None,
        }
    }

    /// Whether the key was missing.
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    /// Whether the key was there with `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// A present key: `None` is `null`.
    pub fn present(value: Option<T>) -> Self {
        value.map_or(Self::Null, Self::Value)
    }
}

/// Serializes `Null` as `null` and a value as itself; the containing struct leaves out
/// `Absent` fields.
impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(value) => value.serialize(serializer),
            Self::Absent | Self::Null => serializer.serialize_none(),
        }
    }
}

/// Deserializes a present key: `null` gives `Null`. (A missing key never reaches here; the
/// containing struct starts every field at `Absent`.)
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(Self::present)
    }
}

/// A string or a number, kept as received (BigCommerce's `store_id` comes as both).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StringOrNumber {
    /// A JSON string.
    String(String),
    /// A JSON number, exactly as parsed (`1` and `1.0` differ).
    Number(Number),
}

impl StringOrNumber {
    /// The value as text: the string itself, or the number's JSON form.
    pub fn to_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Self::String(text) => text.into(),
            Self::Number(number) => number.to_string().into(),
        }
    }
}

impl fmt::Display for StringOrNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl Serialize for StringOrNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::String(text) => serializer.serialize_str(text),
            Self::Number(number) => number.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for StringOrNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StringOrNumberVisitor;
        impl Visitor<'_> for StringOrNumberVisitor {
            type Value = StringOrNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(StringOrNumber::String(value.to_owned()))
            }
            fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
                Ok(StringOrNumber::String(value))
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
                Ok(StringOrNumber::Number(value.into()))
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
                Ok(StringOrNumber::Number(value.into()))
            }
            fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
                Number::from_f64(value)
                    .map(StringOrNumber::Number)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Float(value), &self))
            }
        }
        deserializer.deserialize_any(StringOrNumberVisitor)
    }
}

/// An amount of money: a decimal sent as a string (`"12.00"`) or as a number (`12.0`).
///
/// A string is kept as the exact text received. A number is kept as serde_json keeps numbers:
/// integers exactly, and other numbers as the same JSON value (`199.00` is re-emitted as
/// `199.0`, equal as JSON; the digits after the last significant one are not kept).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Money(pub StringOrNumber);

impl Money {
    /// The amount as text (`"12.00"`, or the number's JSON form).
    pub fn to_text(&self) -> std::borrow::Cow<'_, str> {
        self.0.to_text()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        StringOrNumber::deserialize(deserializer).map(Money)
    }
}

/// A date-time as the platform wrote it (several formats occur), kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(pub String);

impl Timestamp {
    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Timestamp)
    }
}

impl StringOrNumber {
    /// The value as an unsigned integer: a non-negative integer number, or a string of digits
    /// (ids that one platform version sends as numbers and another as strings).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::String(text) => text.parse().ok(),
            Self::Number(number) => number.as_u64(),
        }
    }
}
