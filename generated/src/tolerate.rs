//! Tolerant decoding: a value of another JSON type than the catalog documents is kept as
//! received ([`Mismatch`]) instead of failing the payload.
//!
//! Every type a payload field can have implements [`Tolerate`]: decode the next value as
//! `Self`, or hand it back as raw JSON when its JSON type does not fit. Scalars are tried on
//! their value (cheap to rebuild); objects and arrays are only read as `Self` when `Self` is
//! an object or an array, so nothing is ever read twice. A list with one element that does
//! not fit becomes a mismatch as a whole: the elements read so far are encoded back (lossless,
//! like every payload type) and the rest is read as raw JSON.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::value::{
    BoolDeserializer, BorrowedStrDeserializer, Error as ValueError, F64Deserializer, I64Deserializer,
    MapAccessDeserializer, SeqAccessDeserializer, StrDeserializer, StringDeserializer, U64Deserializer,
};
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::Value;

use crate::path::{at_index, at_key};
use crate::{Field, Mismatch};

/// The visit methods of the scalar JSON kinds a container type does not take: each value is
/// kept raw, as a mismatch of `$expected`.
macro_rules! keep_scalars_raw {
    ($expected:expr) => {
        fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
            Ok(Err(Mismatch::new($expected, value.into())))
        }

        fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
            Ok(Err(Mismatch::new($expected, value.into())))
        }

        fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
            Ok(Err(Mismatch::new($expected, value.into())))
        }

        fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
            Ok(Err(Mismatch::new($expected, value.into())))
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
            Ok(Err(Mismatch::new($expected, value.into())))
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Err(Mismatch::new($expected, Value::Null)))
        }
    };
}

/// A payload type that decodes tolerantly. Implemented for every type a generated field has.
pub trait Tolerate<'de>: Sized + Serialize {
    /// What the type expects, for reports (`"an unsigned integer"`, ``"a `LineItem` object"``).
    const EXPECTED: &'static str;
    /// The same for an array of them (``"an array of `LineItem` objects"``).
    const EXPECTED_ARRAY: &'static str;

    /// Decodes the next (non-null, for a field) value: `Ok(Err(_))` when it does not fit.
    fn tolerate<D: Deserializer<'de>>(deserializer: D) -> Result<Result<Self, Mismatch>, D::Error>;
}

/// Implements [`Tolerate`] for scalar types: tried on the value received, kept raw if they
/// reject it. `@via f;` first makes the impls call `wire::f` instead (see `tolerate_name!`).
#[doc(hidden)]
#[macro_export]
macro_rules! tolerate_scalar {
    (@via $via:ident; $($ty:ty: $expected:literal, $expected_array:literal;)*) => {$(
        impl<'de> $crate::wire::Tolerate<'de> for $ty {
            const EXPECTED: &'static str = $expected;
            const EXPECTED_ARRAY: &'static str = $expected_array;
            fn tolerate<D: $crate::wire::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<::std::result::Result<Self, $crate::Mismatch>, D::Error> {
                $crate::wire::$via::<Self, D>(deserializer)
            }
        }
    )*};
    ($($ty:ty: $expected:literal, $expected_array:literal;)*) => {
        $crate::tolerate_scalar!(@via tolerate_scalar; $($ty: $expected, $expected_array;)*);
    };
}

tolerate_scalar! {
    String: "a string", "an array of strings";
    crate::Text: "a string", "an array of strings";
    bool: "a boolean", "an array of booleans";
    i64: "an integer", "an array of integers";
    u64: "a non-negative integer", "an array of non-negative integers";
    serde_json::Number: "a number", "an array of numbers";
    crate::Money: "an amount (a decimal string or a number)", "an array of amounts";
    crate::Timestamp: "a date-time string", "an array of date-time strings";
    crate::StringOrNumber: "a string or a number", "an array of strings or numbers";
    crate::Id: "an id (an integer or a string)", "an array of ids";
}

/// Implements [`Tolerate`] for generated enums of documented names: every string fits (an
/// unknown name is kept by the enum), any other JSON is kept raw. All of them share one
/// visitor, so serde_json's value dispatch is compiled once for them rather than once each.
#[doc(hidden)]
#[macro_export]
macro_rules! tolerate_name {
    ($($ty:ty: $expected:literal, $expected_array:literal;)*) => {
        $crate::tolerate_scalar!(@via tolerate_name; $($ty: $expected, $expected_array;)*);
    };
}

/// Decodes a name `T` parses without failing (a generated enum with its `Unknown`), or keeps
/// a value that is not a string raw, as a mismatch of `T::EXPECTED`.
pub fn tolerate_name<'de, T: Tolerate<'de> + FromStr<Err = Infallible>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Result<T, Mismatch>, D::Error> {
    Ok(deserializer.deserialize_any(TextOrRaw { expected: T::EXPECTED })?.map(|text| match text.parse() {
        Ok(name) => name,
        Err(never) => match never {},
    }))
}

/// A string, borrowed when it has no escapes; any other JSON kept raw.
struct TextOrRaw {
    expected: &'static str,
}

impl<'de> Visitor<'de> for TextOrRaw {
    type Value = Result<Cow<'de, str>, Mismatch>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expected)
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(Ok(Cow::Borrowed(value)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Ok(Cow::Owned(value.to_owned())))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(Ok(Cow::Owned(value)))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(Err(Mismatch::new(self.expected, value.into())))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(Err(Mismatch::new(self.expected, value.into())))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(Err(Mismatch::new(self.expected, value.into())))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(Err(Mismatch::new(self.expected, value.into())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err(Mismatch::new(self.expected, Value::Null)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Ok(Err(Mismatch::new(self.expected, raw_map(map)?)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Ok(Err(Mismatch::new(self.expected, raw_seq(seq)?)))
    }
}

/// Any JSON fits.
impl<'de> Tolerate<'de> for Value {
    const EXPECTED: &'static str = "any JSON";
    const EXPECTED_ARRAY: &'static str = "an array";

    fn tolerate<D: Deserializer<'de>>(deserializer: D) -> Result<Result<Self, Mismatch>, D::Error> {
        Value::deserialize(deserializer).map(Ok)
    }
}

/// Decodes a scalar `T`, or keeps the value raw when `T` rejects it.
pub fn tolerate_scalar<'de, T: Tolerate<'de> + Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Result<T, Mismatch>, D::Error> {
    deserializer.deserialize_any(ScalarOrRaw::<T>(PhantomData))
}

/// Decodes an object `T` (a generated shape), or keeps any other JSON type raw.
pub fn tolerate_object<'de, T: Tolerate<'de> + Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Result<T, Mismatch>, D::Error> {
    deserializer.deserialize_any(ObjectOrRaw::<T>(PhantomData))
}

/// The raw JSON of the map or array being visited.
fn raw_map<'de, A: MapAccess<'de>>(map: A) -> Result<Value, A::Error> {
    Value::deserialize(MapAccessDeserializer::new(map))
}

fn raw_seq<'de, A: SeqAccess<'de>>(seq: A) -> Result<Value, A::Error> {
    Value::deserialize(SeqAccessDeserializer::new(seq))
}

/// `Ok(value)` when `result` is, else the mismatch made by `raw` (the error text is dropped:
/// it may quote the value).
fn fit<T>(expected: &'static str, result: Result<T, ValueError>, raw: impl FnOnce() -> Value) -> Result<T, Mismatch> {
    result.map_err(|_| Mismatch::new(expected, raw()))
}

struct ScalarOrRaw<T>(PhantomData<fn() -> T>);

impl<'de, T: Tolerate<'de> + Deserialize<'de>> Visitor<'de> for ScalarOrRaw<T> {
    type Value = Result<T, Mismatch>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTED)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(fit(T::EXPECTED, T::deserialize(BoolDeserializer::new(value)), || Value::Bool(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(fit(T::EXPECTED, T::deserialize(I64Deserializer::new(value)), || value.into()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(fit(T::EXPECTED, T::deserialize(U64Deserializer::new(value)), || value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(fit(T::EXPECTED, T::deserialize(F64Deserializer::new(value)), || value.into()))
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(fit(T::EXPECTED, T::deserialize(BorrowedStrDeserializer::new(value)), || value.into()))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(fit(T::EXPECTED, T::deserialize(StrDeserializer::new(value)), || value.into()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        // Only on failure is the text needed again; keep a copy for that rare case cheaply.
        let copy = value.clone();
        Ok(fit(T::EXPECTED, T::deserialize(StringDeserializer::new(value)), || copy.into()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err(Mismatch::new(T::EXPECTED, Value::Null)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Ok(Err(Mismatch::new(T::EXPECTED, raw_map(map)?)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Ok(Err(Mismatch::new(T::EXPECTED, raw_seq(seq)?)))
    }
}

struct ObjectOrRaw<T>(PhantomData<fn() -> T>);

impl<'de, T: Tolerate<'de> + Deserialize<'de>> Visitor<'de> for ObjectOrRaw<T> {
    type Value = Result<T, Mismatch>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTED)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(Ok)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Ok(Err(Mismatch::new(T::EXPECTED, raw_seq(seq)?)))
    }

    keep_scalars_raw!(T::EXPECTED);
}

/// The seed of one element of a tolerant list or map.
struct Element<T>(PhantomData<fn() -> T>);

impl<'de, T: Tolerate<'de>> DeserializeSeed<'de> for Element<T> {
    type Value = Result<T, Mismatch>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        T::tolerate(deserializer)
    }
}

/// The elements decoded so far, as JSON again (lossless: every payload type re-encodes to
/// what it was decoded from), for a list that turned out not to fit. A plain loop: this rare
/// path is compiled once per element type, and `collect` through `Result` is several times
/// the code.
fn encoded<T: Serialize, E: de::Error>(items: Vec<T>) -> Result<Vec<Value>, E> {
    let mut values = Vec::with_capacity(items.len() + 1);
    for item in items {
        values.push(serde_json::to_value(item).map_err(E::custom)?);
    }
    Ok(values)
}

impl<'de, T: Tolerate<'de>> Tolerate<'de> for Vec<T> {
    const EXPECTED: &'static str = T::EXPECTED_ARRAY;
    const EXPECTED_ARRAY: &'static str = "an array of arrays";

    fn tolerate<D: Deserializer<'de>>(deserializer: D) -> Result<Result<Self, Mismatch>, D::Error> {
        deserializer.deserialize_any(ListOrRaw::<T>(PhantomData))
    }
}

struct ListOrRaw<T>(PhantomData<fn() -> T>);

impl<'de, T: Tolerate<'de>> Visitor<'de> for ListOrRaw<T> {
    type Value = Result<Vec<T>, Mismatch>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTED_ARRAY)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // The list lives as long as the payload, and `Vec::push` allocates room for 4 elements
        // at once (1 above 1 KiB): a single shipping line (648 bytes) would hold three empty
        // ones. So the first element waits in `first` until a second one comes (a list of one
        // gets an exact allocation), and a longer list is shrunk in place at its end. On
        // orders/create this costs about 2,500 instructions; shrinking every list instead cost
        // 7,300 (a `realloc` that splits a large block), staging elements on the stack 13,900
        // (BENCHMARKS.md, 2026-12-03).
        let mut first = None;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        loop {
            let index = items.len() + usize::from(first.is_some());
            match seq.next_element_seed(Element::<T>(PhantomData)).map_err(|e| at_index(index, e))? {
                None => {
                    if let Some(only) = first {
                        return Ok(Ok(vec![only]));
                    }
                    if items.capacity() > items.len() {
                        items.shrink_to_fit();
                    }
                    return Ok(Ok(items));
                }
                // `first` is only ever held while `items` has no allocation (and so is empty).
                Some(Ok(item)) => match first.take() {
                    None if items.capacity() == 0 => first = Some(item),
                    None => items.push(item),
                    Some(head) => {
                        items.push(head);
                        items.push(item);
                    }
                },
                Some(Err(mismatch)) => {
                    if let Some(head) = first {
                        items.push(head);
                    }
                    let mut values = encoded(items)?;
                    values.push(mismatch.into_value());
                    while let Some(value) = seq.next_element::<Value>()? {
                        values.push(value);
                    }
                    return Ok(Err(Mismatch::new(T::EXPECTED_ARRAY, Value::Array(values))));
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Ok(Err(Mismatch::new(T::EXPECTED_ARRAY, raw_map(map)?)))
    }

    keep_scalars_raw!(T::EXPECTED_ARRAY);
}

impl<'de, T: Tolerate<'de>> Tolerate<'de> for BTreeMap<String, T> {
    const EXPECTED: &'static str = "an object";
    const EXPECTED_ARRAY: &'static str = "an array of objects";

    fn tolerate<D: Deserializer<'de>>(deserializer: D) -> Result<Result<Self, Mismatch>, D::Error> {
        deserializer.deserialize_any(MapOrRaw::<T>(PhantomData))
    }
}

struct MapOrRaw<T>(PhantomData<fn() -> T>);

impl<'de, T: Tolerate<'de>> Visitor<'de> for MapOrRaw<T> {
    type Value = Result<BTreeMap<String, T>, Mismatch>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            match map.next_value_seed(Element::<T>(PhantomData)).map_err(|e| at_key(&key, e))? {
                Ok(value) => {
                    entries.insert(key, value);
                }
                Err(mismatch) => {
                    let mut object = serde_json::Map::new();
                    for (key, value) in entries {
                        object.insert(key, serde_json::to_value(value).map_err(de::Error::custom)?);
                    }
                    object.insert(key, mismatch.into_value());
                    while let Some((key, value)) = map.next_entry::<String, Value>()? {
                        object.insert(key, value);
                    }
                    return Ok(Err(Mismatch::new("an object", Value::Object(object))));
                }
            }
        }
        Ok(Ok(entries))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Ok(Err(Mismatch::new("an object", raw_seq(seq)?)))
    }

    keep_scalars_raw!("an object");
}

/// The seed of a [`Field`]: `null` is [`Field::Null`], a value that does not fit
/// [`Field::Mismatch`].
pub struct FieldSeed<T>(PhantomData<fn() -> T>);

impl<T> FieldSeed<T> {
    /// The seed.
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Default for FieldSeed<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'de, T: Tolerate<'de>> DeserializeSeed<'de> for FieldSeed<T> {
    type Value = Field<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, T: Tolerate<'de>> Visitor<'de> for FieldSeed<T> {
    type Value = Field<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTED)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Field::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Field::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        Ok(match T::tolerate(deserializer)? {
            Ok(value) => Field::Value(value),
            Err(mismatch) => Field::Mismatch(Box::new(mismatch)),
        })
    }
}

/// Decodes the value of the field `key` of a generated shape, tolerantly; an error (a syntax
/// error, or a strict field deeper down) gets `key` in its path.
///
/// Never inlined: a shape's visitor calls it once per field, and inlining the whole value
/// decode into every arm made the large visitors (`Order`'s has about 90 arms) the bulk of
/// the crate's release build; one call per field costs little beside decoding the value.
#[inline(never)]
pub fn next_field<'de, A: MapAccess<'de>, T: Tolerate<'de>>(map: &mut A, key: &str) -> Result<Field<T>, A::Error> {
    map.next_value_seed(FieldSeed::<T>::new()).map_err(|e| at_key(key, e))
}

/// Decodes the value of the strict field `key`: one that does not fit fails the payload.
pub fn next_strict<'de, A: MapAccess<'de>, T: Deserialize<'de>>(map: &mut A, key: &str) -> Result<T, A::Error> {
    map.next_value::<T>().map_err(|e| at_key(key, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field<T: for<'de> Tolerate<'de>>(json: &str) -> Field<T> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn values_of_another_json_type_are_kept() {
        assert_eq!(field::<u64>("5"), Field::Value(5));
        assert_eq!(field::<u64>("null"), Field::Null);
        let mismatch = field::<u64>(r#""5""#);
        assert_eq!(mismatch.mismatch().map(|m| (m.expected(), m.value().clone())), Some((u64::EXPECTED, "5".into())));
        assert_eq!(serde_json::to_string(&mismatch).unwrap(), r#""5""#);
        assert!(field::<u64>("1.5").mismatch().is_some());
        assert!(field::<String>(r#"{"a":[1]}"#).mismatch().is_some());
        assert_eq!(field::<Vec<u64>>("null"), Field::Null);
        assert_eq!(field::<Value>("null"), Field::Null);
        assert_eq!(field::<Vec<Value>>("[null, 1]"), Field::Value(vec![Value::Null, 1.into()]));
        assert!(field::<Vec<u64>>("[null, 1]").mismatch().is_some());
    }

    /// A stand-in for a generated enum of names: keeps whatever string it is given.
    #[derive(Debug, PartialEq, Serialize)]
    struct Name(String);

    impl FromStr for Name {
        type Err = Infallible;
        fn from_str(text: &str) -> Result<Self, Infallible> {
            Ok(Self(text.to_owned()))
        }
    }

    crate::tolerate_name! { Name: "a name", "an array of names"; }

    #[test]
    fn names_take_any_string_and_keep_anything_else_raw() {
        assert_eq!(field::<Name>(r#""ACTIVE""#), Field::Value(Name("ACTIVE".into())));
        // An escaped string is not borrowed from the input: the owned path.
        assert_eq!(field::<Name>(r#""A\u0042""#), Field::Value(Name("AB".into())));
        assert_eq!(field::<Name>("null"), Field::Null);
        for raw in ["7", "-1", "1.5", "true", "[1]", r#"{"a":1}"#] {
            let kept = field::<Name>(raw);
            let mismatch = kept.mismatch().unwrap_or_else(|| panic!("{raw}: {kept:?}"));
            assert_eq!(
                (mismatch.expected(), mismatch.value()),
                ("a name", &serde_json::from_str::<Value>(raw).unwrap())
            );
        }
        assert_eq!(field::<Vec<Name>>(r#"["A", "B"]"#), Field::Value(vec![Name("A".into()), Name("B".into())]));
        assert_eq!(field::<Vec<Name>>(r#"["A", 2]"#).mismatch().unwrap().expected(), "an array of names");
    }

    #[test]
    fn a_list_with_one_misfit_is_kept_whole() {
        let list = field::<Vec<u64>>(r#"[1, "2", 3]"#);
        let mismatch = list.mismatch().unwrap();
        assert_eq!(mismatch.expected(), u64::EXPECTED_ARRAY);
        assert_eq!(mismatch.value(), &serde_json::json!([1, "2", 3]));
        assert_eq!(field::<Vec<u64>>("[1, 2]"), Field::Value(vec![1, 2]));
        assert!(field::<Vec<u64>>(r#"{"0": 1}"#).mismatch().is_some());
    }

    #[test]
    fn lists_of_every_length_are_exact_and_a_misfit_anywhere_is_kept_whole() {
        for len in 0..=9u64 {
            let items: Vec<u64> = (0..len).collect();
            let json = serde_json::to_string(&items).unwrap();
            let Field::Value(decoded) = field::<Vec<u64>>(&json) else { panic!("{json}") };
            assert_eq!((&decoded, decoded.capacity()), (&items, items.len()), "{json}");
            for misfit in 0..len {
                let mut raw: Vec<Value> = items.iter().map(|&item| item.into()).collect();
                raw[misfit as usize] = "x".into();
                let raw = Value::Array(raw);
                let kept = field::<Vec<u64>>(&raw.to_string());
                assert_eq!(kept.mismatch().map(Mismatch::value), Some(&raw), "misfit at {misfit} of {len}");
            }
        }
        // Through a deserializer that knows the length up front (no pending first element).
        let hinted = Vec::<u64>::tolerate(serde_json::json!([7])).unwrap().unwrap();
        assert_eq!((hinted.as_slice(), hinted.capacity()), (&[7][..], 1));
    }

    #[test]
    fn a_map_with_one_misfit_is_kept_whole() {
        let map = field::<BTreeMap<String, bool>>(r#"{"a": true, "b": 1, "c": false}"#);
        assert_eq!(map.mismatch().unwrap().value(), &serde_json::json!({"a": true, "b": 1, "c": false}));
    }
}
