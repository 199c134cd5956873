//! The value types generated payloads are built from: a tri-state for fields that may be
//! absent or `null`, and exact-text types for money, timestamps and mixed string/number values.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};
use serde_json::Number;

/// A field that may be missing, `null`, hold a value, or hold a value of another JSON type
/// than the catalog documents: four different things on the wire, kept apart so that
/// re-encoding gives back what was received.
///
/// Every field the platform does not guarantee is a `Field`, whatever its documented presence
/// (the field's rustdoc says what the platform documents): real deliveries omit keys, send
/// `null`, and send a string where a number is documented. Such a value never fails the
/// payload; it is kept as [`Field::Mismatch`], and [`crate::mismatches`] lists where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Field<T> {
    /// The key was not in the object.
    #[default]
    Absent,
    /// The key was there with `null`.
    Null,
    /// The key was there with a value.
    Value(T),
    /// The key was there with a value that does not fit the documented type (a string where
    /// a number is documented, an object where a list is): kept exactly as received.
    Mismatch(Box<Mismatch>),
}

impl<T> Field<T> {
    /// The value, if there is one that fits the documented type.
    pub fn as_ref(&self) -> Option<&T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null | Self::Mismatch(_) => None,
        }
    }

    /// The value, if there is one that fits the documented type.
    pub fn into_option(self) -> Option<T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null | Self::Mismatch(_) => None,
        }
    }

    /// A copy of the value, if there is one that fits the documented type.
    ///
    /// ```
    /// use commerce_webhooks::Field;
    ///
    /// let taxable: Field<bool> = serde_json::from_str("true").unwrap();
    /// assert_eq!(taxable.copied().unwrap_or(false), true);
    /// ```
    pub fn copied(&self) -> Option<T>
    where
        T: Copy,
    {
        self.as_ref().copied()
    }

    /// A clone of the value, if there is one that fits the documented type.
    pub fn cloned(&self) -> Option<T>
    where
        T: Clone,
    {
        self.as_ref().cloned()
    }

    /// The value through `Deref` (`&str` for a `Field<String>`), if there is one.
    ///
    /// ```
    /// use commerce_webhooks::Field;
    ///
    /// let email: Field<String> = Field::Value("a@example.com".into());
    /// assert_eq!(email.as_deref(), Some("a@example.com"));
    /// assert_eq!(Field::<String>::Null.as_deref().unwrap_or("-"), "-");
    /// ```
    pub fn as_deref(&self) -> Option<&T::Target>
    where
        T: std::ops::Deref,
    {
        self.as_ref().map(|value| &**value)
    }

    /// The value, or `default` when there is none that fits.
    pub fn unwrap_or(self, default: T) -> T {
        self.into_option().unwrap_or(default)
    }

    /// The value, or `error` when there is none that fits.
    ///
    /// ```
    /// use commerce_webhooks::Field;
    ///
    /// let id: Field<u64> = Field::Absent;
    /// assert_eq!(id.ok_or("no id"), Err("no id"));
    /// ```
    pub fn ok_or<E>(self, error: E) -> Result<T, E> {
        self.into_option().ok_or(error)
    }

    /// The value mapped by `f`; absent, null and mismatched values stay what they are.
    ///
    /// ```
    /// use commerce_webhooks::Field;
    ///
    /// let quantity: Field<u64> = Field::Value(3);
    /// assert_eq!(quantity.map(|q| q * 2), Field::Value(6));
    /// assert!(Field::<u64>::Null.map(|q| q * 2).is_null());
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Self::Value(value) => Field::Value(f(value)),
            Self::Absent => Field::Absent,
            Self::Null => Field::Null,
            Self::Mismatch(mismatch) => Field::Mismatch(mismatch),
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

    /// The value of another JSON type than documented, if that is what came.
    pub fn mismatch(&self) -> Option<&Mismatch> {
        match self {
            Self::Mismatch(mismatch) => Some(mismatch),
            _ => None,
        }
    }

    /// A present key: `None` is `null`.
    pub fn present(value: Option<T>) -> Self {
        value.map_or(Self::Null, Self::Value)
    }
}

/// The value, if there is one that fits the documented type.
impl<T> From<Field<T>> for Option<T> {
    fn from(field: Field<T>) -> Self {
        field.into_option()
    }
}

/// Serializes `Null` as `null`, a value as itself and a mismatch as the value received; the
/// containing struct leaves out `Absent` fields.
impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(value) => value.serialize(serializer),
            Self::Absent | Self::Null => serializer.serialize_none(),
            Self::Mismatch(mismatch) => mismatch.serialize(serializer),
        }
    }
}

/// Deserializes a present key, tolerantly: `null` gives `Null`, a value of another JSON type
/// `Mismatch`. (A missing key never reaches here; the containing struct starts every field at
/// `Absent`.)
impl<'de, T: crate::tolerate::Decode> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut field = Field::Absent;
        de::DeserializeSeed::deserialize(crate::visit::Seed(&mut field), deserializer)?;
        Ok(field)
    }
}

/// A value that does not fit the type the catalog documents for its field, kept as received.
///
/// Its `Debug` shows the value, like every other payload field; [`crate::FieldMismatch`], the
/// report of where it is, does not.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mismatch {
    expected: &'static str,
    value: serde_json::Value,
}

impl Mismatch {
    /// A value that is not `expected` (`"an unsigned integer"`, `"a `LineItem` object"`).
    pub fn new(expected: &'static str, value: serde_json::Value) -> Self {
        Self { expected, value }
    }

    /// What the catalog documents for the field.
    pub fn expected(&self) -> &'static str {
        self.expected
    }

    /// The value as received. It may hold personal data: log it only where that is allowed.
    pub fn value(&self) -> &serde_json::Value {
        &self.value
    }

    /// The value as received, consuming the mismatch.
    pub fn into_value(self) -> serde_json::Value {
        self.value
    }
}

/// Serializes as the value received. For [`crate::mismatches`], the value is wrapped in two
/// newtype structs (transparent to serde_json and every self-describing format): the outer one
/// marks it, the inner one's name is what was expected.
impl Serialize for Mismatch {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Expected<'a>(&'a Mismatch);
        impl Serialize for Expected<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_newtype_struct(self.0.expected, &self.0.value)
            }
        }
        serializer.serialize_newtype_struct(crate::drift::MISMATCH, &Expected(self))
    }
}

/// An identifier: a JSON number or a string, kept as received.
///
/// Platforms send the same id as a number in one delivery and as a string in another
/// (BigCommerce `"19"`, Shopify ids in older API versions), and some ids are strings by nature
/// (Shopware's hex ids, Shopify's `gid://…`). Two ids are equal when their text is: `19` and
/// `"19"` are the same id, and re-encoding gives back the form received.
///
/// ```
/// use commerce_webhooks::Id;
///
/// let number: Id = serde_json::from_str("19").unwrap();
/// let text: Id = serde_json::from_str(r#""19""#).unwrap();
/// assert_eq!(number, text);
/// assert_eq!(text.as_u64(), Some(19));
/// assert_eq!(serde_json::to_string(&text).unwrap(), r#""19""#);
/// ```
#[derive(Debug, Clone)]
pub struct Id(IdRepr);

#[derive(Debug, Clone)]
enum IdRepr {
    Unsigned(u64),
    Negative(i64),
    Text(String),
}

impl Id {
    /// The id as an unsigned integer: a non-negative JSON integer, or a string of ASCII digits.
    pub fn as_u64(&self) -> Option<u64> {
        match &self.0 {
            IdRepr::Unsigned(number) => Some(*number),
            IdRepr::Negative(_) => None,
            IdRepr::Text(text) if text.bytes().all(|b| b.is_ascii_digit()) => text.parse().ok(),
            IdRepr::Text(_) => None,
        }
    }

    /// The id as a signed integer (Ecwid sends `-1` for orders not yet placed).
    pub fn as_i64(&self) -> Option<i64> {
        match &self.0 {
            IdRepr::Negative(number) => Some(*number),
            IdRepr::Unsigned(number) => i64::try_from(*number).ok(),
            IdRepr::Text(text) => text.parse().ok(),
        }
    }

    /// The id's text: the string received, or the number in decimal.
    pub fn to_text(&self) -> std::borrow::Cow<'_, str> {
        match &self.0 {
            IdRepr::Text(text) => text.into(),
            IdRepr::Unsigned(number) => number.to_string().into(),
            IdRepr::Negative(number) => number.to_string().into(),
        }
    }

    /// Whether it came as a JSON string.
    pub fn is_string(&self) -> bool {
        matches!(self.0, IdRepr::Text(_))
    }
}

impl From<u64> for Id {
    fn from(number: u64) -> Self {
        Self(IdRepr::Unsigned(number))
    }
}

/// A negative number is kept as one (Ecwid sends `-1` for orders not yet placed).
impl From<i64> for Id {
    fn from(number: i64) -> Self {
        Self(u64::try_from(number).map_or(IdRepr::Negative(number), IdRepr::Unsigned))
    }
}

impl From<&str> for Id {
    fn from(text: &str) -> Self {
        Self(IdRepr::Text(text.to_owned()))
    }
}

impl From<String> for Id {
    fn from(text: String) -> Self {
        Self(IdRepr::Text(text))
    }
}

impl PartialEq for Id {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (IdRepr::Unsigned(a), IdRepr::Unsigned(b)) => a == b,
            (IdRepr::Negative(a), IdRepr::Negative(b)) => a == b,
            (IdRepr::Text(a), IdRepr::Text(b)) => a == b,
            _ => self.to_text() == other.to_text(),
        }
    }
}

impl Eq for Id {}

impl PartialEq<u64> for Id {
    fn eq(&self, other: &u64) -> bool {
        match &self.0 {
            IdRepr::Unsigned(number) => number == other,
            IdRepr::Negative(_) => false,
            IdRepr::Text(text) => *text == other.to_string(),
        }
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        self.to_text() == *other
    }
}

/// Hashes the text, so that equal ids hash alike whatever their JSON form.
impl std::hash::Hash for Id {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.to_text().hash(state);
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            IdRepr::Text(text) => f.write_str(text),
            IdRepr::Unsigned(number) => number.fmt(f),
            IdRepr::Negative(number) => number.fmt(f),
        }
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            IdRepr::Text(text) => serializer.serialize_str(text),
            IdRepr::Unsigned(number) => serializer.serialize_u64(*number),
            IdRepr::Negative(number) => serializer.serialize_i64(*number),
        }
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id (an integer or a string)")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Id, E> {
                Ok(Id::from(value))
            }
            fn visit_string<E: de::Error>(self, value: String) -> Result<Id, E> {
                Ok(Id::from(value))
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Id, E> {
                Ok(Id::from(value))
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Id, E> {
                Ok(Id::from(value))
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

/// A string or a number, kept as received (BigCommerce's `store_id` comes as both).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StringOrNumber {
    /// A JSON string (a [`Text`]: inline when short, as amounts such as `"12.00"` are).
    String(Text),
    /// A JSON number, exactly as parsed (`1` and `1.0` differ).
    Number(Number),
}

impl StringOrNumber {
    /// The value as text: the string itself, or the number's JSON form.
    pub fn to_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Self::String(text) => text.as_str().into(),
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
                Ok(StringOrNumber::String(Text::new(value)))
            }
            fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
                Ok(StringOrNumber::String(value.into()))
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

    /// The amount as an exact decimal (`"12.50"` is 12.50, never 12.4999…); an error for text
    /// that is not a decimal number.
    ///
    /// ```
    /// use commerce_webhooks::Money;
    /// use rust_decimal::Decimal;
    ///
    /// let total: Decimal = ["19.99", "0.01"].iter().map(|text| Money::from(*text).to_decimal()).sum::<Result<_, _>>()?;
    /// assert_eq!(total.to_string(), "20.00");
    /// # Ok::<(), commerce_webhooks::MoneyError>(())
    /// ```
    #[cfg(feature = "rust_decimal")]
    pub fn to_decimal(&self) -> Result<rust_decimal::Decimal, MoneyError> {
        use std::str::FromStr as _;
        let text = self.to_text();
        rust_decimal::Decimal::from_str_exact(text.trim())
            .or_else(|_| rust_decimal::Decimal::from_scientific(text.trim()))
            .or_else(|_| rust_decimal::Decimal::from_str(text.trim()))
            .map_err(|_| MoneyError)
    }
}

impl From<&str> for Money {
    fn from(text: &str) -> Self {
        Self(StringOrNumber::String(text.into()))
    }
}

/// An amount that is not a decimal number (its text is not quoted: it comes from the body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoneyError;

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the amount is not a decimal number")
    }
}

impl std::error::Error for MoneyError {}

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

/// A date-time as the platform wrote it (several formats occur), kept as text; read it as an
/// instant to compare or compute with ([`Timestamp::to_system_time`], or `to_jiff` with the
/// `jiff` feature). It has no ordering of its own: the text's order is not the instants'
/// (`2021-12-31T19:00:00-05:00` is later than `2021-12-31T23:30:00Z`).
///
/// ```
/// use commerce_webhooks::Timestamp;
///
/// let placed = Timestamp("2021-12-31T19:00:00-05:00".into());
/// let paid = Timestamp("2021-12-31T23:30:00Z".into());
/// assert!(placed.to_system_time()? > paid.to_system_time()?);
/// # Ok::<(), commerce_webhooks::TimestampError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timestamp(pub String);

impl Timestamp {
    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant, from any of the formats the platforms send (RFC 3339 with an offset or
    /// `Z`, with or without fractional seconds; Shopify's `2021-12-31 19:00:00 -0500`; Unix
    /// seconds as digits).
    pub fn to_system_time(&self) -> Result<std::time::SystemTime, crate::TimestampError> {
        crate::instant::parse(&self.0)
    }

    /// The instant as a [`jiff::Timestamp`].
    #[cfg(feature = "jiff")]
    pub fn to_jiff(&self) -> Result<jiff::Timestamp, crate::TimestampError> {
        let instant = self.to_system_time()?;
        // Every instant the parser yields (years 0000-9999) is within jiff's range.
        jiff::Timestamp::try_from(instant).map_err(|_| crate::instant::out_of_range())
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

/// A payload string, exactly as received. Kept inline, without a heap allocation, when it is at
/// most 24 bytes long, as most webhook strings are (ids, codes, statuses, amounts, currency
/// codes); a longer one is stored on the heap like a `String`. The same size as `String`.
///
/// It dereferences to `str`, compares with `str`, `&str` and `String`, and converts from and
/// into `String`:
///
/// ```
/// use commerce_webhooks::Text;
///
/// let status = Text::from("paid");
/// assert_eq!(status, "paid");
/// assert!(status.starts_with("pa"));
/// let owned: String = status.into();
/// assert_eq!(owned, "paid");
/// ```
#[derive(Clone, Default)]
pub struct Text(compact_str::CompactString);

impl Text {
    /// The text of `text`.
    pub fn new(text: &str) -> Self {
        Self(compact_str::CompactString::new(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The text as a `String` (no copy when it is stored on the heap).
    pub fn into_string(self) -> String {
        self.0.into_string()
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// Equality, order and hash are the text's, as `Borrow<str>` requires.
impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Self(text.into())
    }
}

impl From<Text> for String {
    fn from(text: Text) -> Self {
        text.into_string()
    }
}

impl std::str::FromStr for Text {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(text))
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl de::Visitor<'_> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Text, E> {
                Ok(Text::new(value))
            }
            fn visit_string<E: de::Error>(self, value: String) -> Result<Text, E> {
                Ok(Text::from(value))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_its_string_whether_inline_or_not() {
        let long = "a string of more than twenty-four bytes, kept on the heap";
        for text in ["", "paid", "exactly 24 bytes of text", long, "é, ü and 日本"] {
            let value = Text::from(text);
            assert_eq!((value.as_str(), value.len()), (text, text.len()));
            assert_eq!(value, text);
            assert_eq!(text, value);
            assert_eq!(value.clone().into_string(), text);
            assert_eq!(Text::from(text.to_owned()), value);
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(json, serde_json::to_string(text).unwrap());
            assert_eq!(serde_json::from_str::<Text>(&json).unwrap(), value);
            assert_eq!(format!("{value:?}|{value}"), format!("{text:?}|{text}"));
        }
        // `Borrow<str>` needs the hash and order of the text itself.
        let set: std::collections::HashSet<Text> = ["open".into(), Text::from(long)].into_iter().collect();
        assert!(set.contains("open") && set.contains(long) && !set.contains("closed"));
        assert_eq!(Text::from("a").cmp(&Text::from("b")), std::cmp::Ordering::Less);
        assert!(serde_json::from_str::<Text>("5").is_err());
    }
}
