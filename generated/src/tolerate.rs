//! Tolerant decoding: a value of another JSON type than the catalog documents is kept as
//! received ([`Mismatch`]) instead of failing the payload.
//!
//! Every type a payload field can have implements [`Decode`]: build `Self` from a scalar, an
//! object or an array, or hand the value back to be kept raw when its JSON type does not fit.
//! Nothing is ever read twice: a scalar comes back as it was, an object or array of the wrong
//! kind is read as raw JSON. A list with one element that does not fit becomes a mismatch as a
//! whole: the elements read so far are encoded back (lossless, like every payload type) and
//! the rest is read as raw JSON.
//!
//! None of this is generic over the deserializer (see `visit.rs`): a generated shape is a
//! [`Shape`], a table from key to the field that receives the value, and one loop (`MapIn::fill`)
//! reads every object of every payload.

use std::collections::BTreeMap;

use serde::de::{self, DeserializeSeed, Deserializer};
use serde::Serialize;
use serde_json::{Number, Value};

use crate::visit::{Failed, MapIn, Scalar, Seed, SeqIn, Sink};
use crate::{Extra, Field, Id, Mismatch, Money, StringOrNumber, Text, Timestamp};

/// A payload type: decodes from the JSON kinds it documents and keeps any other raw.
/// Implemented for every type a generated field has.
pub trait Decode: Sized + Serialize {
    /// What the type expects, for reports (`"an unsigned integer"`, ``"a `LineItem` object"``).
    const EXPECTED: &'static str;
    /// The same for an array of them (``"an array of `LineItem` objects"``).
    const EXPECTED_ARRAY: &'static str;

    /// The value of a scalar, or the scalar back when it does not fit.
    fn from_scalar(value: Scalar<'_>) -> Result<Self, Scalar<'_>> {
        Err(value)
    }

    /// The value of a `null` list element (a field's `null` is [`Field::Null`]): only `Value`
    /// takes one.
    fn from_null() -> Option<Self> {
        None
    }

    /// Decodes an object into `field`; a type that is not an object keeps it raw. (Into the
    /// field rather than returning the value: a shape is read in place, never moved.)
    fn decode_map(field: &mut Field<Self>, map: &mut dyn MapIn<'_>) -> Result<(), Failed> {
        *field = Field::Mismatch(kept_map(Self::EXPECTED, map)?);
        Ok(())
    }

    /// Decodes an array into `field`; a type that is not a list keeps it raw.
    fn decode_seq(field: &mut Field<Self>, seq: &mut dyn SeqIn<'_>) -> Result<(), Failed> {
        *field = Field::Mismatch(kept_seq(Self::EXPECTED, seq)?);
        Ok(())
    }
}

/// A scalar kept raw, as the mismatch of a type that does not take it.
#[inline(never)]
fn kept_scalar(expected: &'static str, value: Scalar<'_>) -> Box<Mismatch> {
    kept(expected, value.into_json())
}

/// An object kept raw, as the mismatch of a type that is not one.
#[inline(never)]
fn kept_map(expected: &'static str, map: &mut dyn MapIn<'_>) -> Result<Box<Mismatch>, Failed> {
    Ok(kept(expected, Value::Object(map.rest_raw()?)))
}

/// An array kept raw, as the mismatch of a type that is not a list.
#[inline(never)]
fn kept_seq(expected: &'static str, seq: &mut dyn SeqIn<'_>) -> Result<Box<Mismatch>, Failed> {
    Ok(kept(expected, raw_seq(seq)?))
}

/// A field receives whatever comes: `null` is [`Field::Null`], a value that does not fit
/// [`Field::Mismatch`]. Each method is a call or two: this impl is compiled once per field
/// type, and the shared work is in functions that are not generic.
impl<T: Decode> Sink for Field<T> {
    fn null(&mut self) -> Result<(), Failed> {
        *self = Field::Null;
        Ok(())
    }

    fn scalar(&mut self, value: Scalar<'_>) -> Result<(), Failed> {
        *self = match T::from_scalar(value) {
            Ok(value) => Field::Value(value),
            Err(value) => Field::Mismatch(kept_scalar(T::EXPECTED, value)),
        };
        Ok(())
    }

    fn map(&mut self, map: &mut dyn MapIn<'_>) -> Result<(), Failed> {
        T::decode_map(self, map)
    }

    fn seq(&mut self, seq: &mut dyn SeqIn<'_>) -> Result<(), Failed> {
        T::decode_seq(self, seq)
    }
}

/// A value kept raw, as a field's mismatch. Never inlined, like the other helpers of the
/// generic impls here: each is compiled once instead of into every field type's code.
#[inline(never)]
fn kept(expected: &'static str, value: Value) -> Box<Mismatch> {
    Box::new(Mismatch::new(expected, value))
}

impl<T> Field<T> {
    fn fitting(result: Result<T, Mismatch>) -> Self {
        match result {
            Ok(value) => Field::Value(value),
            Err(mismatch) => Field::Mismatch(Box::new(mismatch)),
        }
    }
}

/// The raw JSON of the rest of an array.
#[inline(never)]
pub(crate) fn raw_seq(seq: &mut dyn SeqIn<'_>) -> Result<Value, Failed> {
    let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
    while let Some(value) = seq.next_raw()? {
        values.push(value);
    }
    Ok(Value::Array(values))
}

/// Implements [`Decode`] for the scalar types: `$scalar => $value` arms turn the JSON scalars
/// the type takes into it; any other scalar is kept raw.
macro_rules! decode_scalar {
    ($($ty:ty: $expected:literal, $expected_array:literal { $($scalar:pat => $value:expr,)* })*) => {$(
        impl Decode for $ty {
            const EXPECTED: &'static str = $expected;
            const EXPECTED_ARRAY: &'static str = $expected_array;

            fn from_scalar(value: Scalar<'_>) -> Result<Self, Scalar<'_>> {
                #[allow(unreachable_patterns)]
                match value {
                    $($scalar => Ok($value),)*
                    other => Err(other),
                }
            }
        }
    )*};
}

decode_scalar! {
    String: "a string", "an array of strings" { Scalar::Str(text) => text.to_owned(), }
    Text: "a string", "an array of strings" { Scalar::Str(text) => Text::new(text), }
    bool: "a boolean", "an array of booleans" { Scalar::Bool(value) => value, }
    u64: "a non-negative integer", "an array of non-negative integers" { Scalar::U64(value) => value, }
    Timestamp: "a date-time string", "an array of date-time strings" {
        Scalar::Str(text) => Timestamp(text.to_owned()),
    }
    Id: "an id (an integer or a string)", "an array of ids" {
        Scalar::Str(text) => Id::from(text),
        Scalar::U64(value) => Id::from(value),
        Scalar::I64(value) => Id::from(value),
    }
}

/// A string, or a number of any kind.
impl Decode for StringOrNumber {
    const EXPECTED: &'static str = "a string or a number";
    const EXPECTED_ARRAY: &'static str = "an array of strings or numbers";

    fn from_scalar(value: Scalar<'_>) -> Result<Self, Scalar<'_>> {
        match value {
            Scalar::Str(text) => Ok(StringOrNumber::String(Text::new(text))),
            other => Number::from_scalar(other).map(StringOrNumber::Number),
        }
    }
}

impl Decode for Money {
    const EXPECTED: &'static str = "an amount (a decimal string or a number)";
    const EXPECTED_ARRAY: &'static str = "an array of amounts";

    fn from_scalar(value: Scalar<'_>) -> Result<Self, Scalar<'_>> {
        StringOrNumber::from_scalar(value).map(Money)
    }
}

/// Any integer that fits in `i64`.
impl Decode for i64 {
    const EXPECTED: &'static str = "an integer";
    const EXPECTED_ARRAY: &'static str = "an array of integers";

    fn from_scalar(value: Scalar<'_>) -> Result<Self, Scalar<'_>> {
        match value {
            Scalar::I64(value) => Ok(value),
            Scalar::U64(value) => i64::try_from(value).map_err(|_| Scalar::U64(value)),
            other => Err(other),
        }
    }
}

/// A number of any kind.
impl Decode for Number {
    const EXPECTED: &'static str = "a number";
    const EXPECTED_ARRAY: &'static str = "an array of numbers";

    fn from_scalar(value: Scalar<'_>) -> Result<Self, Scalar<'_>> {
        match value {
            Scalar::U64(value) => Ok(value.into()),
            Scalar::I64(value) => Ok(value.into()),
            Scalar::F64(value) => Number::from_f64(value).ok_or(Scalar::F64(value)),
            other => Err(other),
        }
    }
}

/// Any JSON fits.
impl Decode for Value {
    const EXPECTED: &'static str = "any JSON";
    const EXPECTED_ARRAY: &'static str = "an array";

    fn from_scalar(value: Scalar<'_>) -> Result<Self, Scalar<'_>> {
        Ok(value.into_json())
    }

    fn from_null() -> Option<Self> {
        Some(Value::Null)
    }

    fn decode_map(field: &mut Field<Self>, map: &mut dyn MapIn<'_>) -> Result<(), Failed> {
        *field = Field::Value(Value::Object(map.rest_raw()?));
        Ok(())
    }

    fn decode_seq(field: &mut Field<Self>, seq: &mut dyn SeqIn<'_>) -> Result<(), Failed> {
        *field = Field::Value(raw_seq(seq)?);
        Ok(())
    }
}

/// Implements [`Decode`] for generated enums of documented names: every string fits (an
/// unknown name is kept by the enum), any other JSON is kept raw.
#[doc(hidden)]
#[macro_export]
macro_rules! decode_name {
    ($($ty:ty: $expected:literal, $expected_array:literal;)*) => {$(
        $crate::decode_wire_enum! {
            $ty: $expected, $expected_array,
            $crate::wire::Scalar::Str(text) => Self::from_wire(text),
            placeholder: Self::from_wire(""),
        }
    )*};
}

/// Implements [`Decode`] for generated enums of documented integer codes: every non-negative
/// integer fits (an unknown code is kept by the enum), any other JSON is kept raw.
#[doc(hidden)]
#[macro_export]
macro_rules! decode_code {
    ($($ty:ty: $expected:literal, $expected_array:literal;)*) => {$(
        $crate::decode_wire_enum! {
            $ty: $expected, $expected_array,
            $crate::wire::Scalar::U64(code) => Self::from_code(code),
            placeholder: Self::from_code(0),
        }
    )*};
}

/// The one impl behind `decode_name!` and `decode_code!`: the scalar an enum is read from,
/// and the placeholder a strict enum field holds until its key comes.
#[doc(hidden)]
#[macro_export]
macro_rules! decode_wire_enum {
    ($ty:ty: $expected:literal, $expected_array:literal, $scalar:pat => $value:expr, placeholder: $placeholder:expr,) => {
        impl $crate::wire::Decode for $ty {
            const EXPECTED: &'static str = $expected;
            const EXPECTED_ARRAY: &'static str = $expected_array;
            fn from_scalar(value: $crate::wire::Scalar<'_>) -> ::std::result::Result<Self, $crate::wire::Scalar<'_>> {
                match value {
                    $scalar => ::std::result::Result::Ok($value),
                    other => ::std::result::Result::Err(other),
                }
            }
        }

        impl $crate::wire::Placeholder for $ty {
            fn placeholder() -> Self {
                $placeholder
            }
        }
    };
}

/// One decoded element of a list or map: `Ok` when it fits (`null` only where the element
/// type takes it), else the mismatch to keep.
fn element<T: Decode>(field: Field<T>) -> Result<T, Mismatch> {
    match field {
        Field::Value(value) => Ok(value),
        Field::Mismatch(mismatch) => Err(*mismatch),
        Field::Null | Field::Absent => T::from_null().ok_or_else(|| Mismatch::new(T::EXPECTED, Value::Null)),
    }
}

/// The elements decoded so far, as JSON again (lossless: every payload type re-encodes to
/// what it was decoded from), for a list that turned out not to fit. A plain loop: this rare
/// path is compiled once per element type, and `collect` through `Result` is several times
/// the code.
fn encoded<T: Serialize>(items: Vec<T>) -> Result<Vec<Value>, Failed> {
    let mut values = Vec::with_capacity(items.len() + 1);
    for item in items {
        values.push(serde_json::to_value(item).map_err(Failed::new)?);
    }
    Ok(values)
}

impl<T: Decode> Decode for Vec<T> {
    const EXPECTED: &'static str = T::EXPECTED_ARRAY;
    const EXPECTED_ARRAY: &'static str = "an array of arrays";

    fn decode_seq(field: &mut Field<Self>, seq: &mut dyn SeqIn<'_>) -> Result<(), Failed> {
        *field = Field::fitting(list(seq)?);
        Ok(())
    }
}

/// The elements of an array, or the whole array raw if one does not fit.
fn list<T: Decode>(seq: &mut dyn SeqIn<'_>) -> Result<Result<Vec<T>, Mismatch>, Failed> {
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
        let mut next = Field::<T>::Absent;
        if !seq.next(index, &mut next)? {
            if let Some(only) = first {
                return Ok(Ok(vec![only]));
            }
            if items.capacity() > items.len() {
                items.shrink_to_fit();
            }
            return Ok(Ok(items));
        }
        match element(next) {
            // `first` is only ever held while `items` has no allocation (and so is empty).
            Ok(item) => match first.take() {
                None if items.capacity() == 0 => first = Some(item),
                None => items.push(item),
                Some(head) => {
                    items.push(head);
                    items.push(item);
                }
            },
            Err(mismatch) => {
                if let Some(head) = first {
                    items.push(head);
                }
                let mut values = encoded(items)?;
                values.push(mismatch.into_value());
                while let Some(value) = seq.next_raw()? {
                    values.push(value);
                }
                return Ok(Err(Mismatch::new(T::EXPECTED_ARRAY, Value::Array(values))));
            }
        }
    }
}

impl<T: Decode> Decode for BTreeMap<String, T> {
    const EXPECTED: &'static str = "an object";
    const EXPECTED_ARRAY: &'static str = "an array of objects";

    fn decode_map(field: &mut Field<Self>, map: &mut dyn MapIn<'_>) -> Result<(), Failed> {
        *field = Field::fitting(entries(map)?);
        Ok(())
    }
}

/// The entries of an object, or the whole object raw if one value does not fit.
fn entries<T: Decode>(map: &mut dyn MapIn<'_>) -> Result<Result<BTreeMap<String, T>, Mismatch>, Failed> {
    let mut entries = BTreeMap::new();
    while let Some(key) = map.next_key()? {
        let mut next = Field::<T>::Absent;
        map.next_value(key.as_str(), &mut next)?;
        match element(next) {
            Ok(value) => {
                entries.insert(key.into_string(), value);
            }
            Err(mismatch) => {
                let mut object = serde_json::Map::new();
                for (key, value) in entries {
                    object.insert(key, serde_json::to_value(value).map_err(Failed::new)?);
                }
                object.insert(key.into_string(), mismatch.into_value());
                object.extend(map.rest_raw()?);
                return Ok(Err(Mismatch::new("an object", Value::Object(object))));
            }
        }
    }
    Ok(Ok(entries))
}

/// A generated payload shape: which field receives the value of each key. Object-safe, so
/// that one loop (`MapIn::fill`) reads every shape.
pub trait Shape {
    /// The shape with every field absent (a strict field that must be present holds a
    /// placeholder until its key comes; [`Shape::finish`] fails if it never does).
    fn blank() -> Self
    where
        Self: Sized;

    /// The tolerant field that receives the value of `key`; `None` for a strict field's key
    /// and for a key the catalog does not list. (A fat pointer, returned in two registers:
    /// this is called once per key of every object.)
    fn field(&mut self, key: &str) -> Option<&mut dyn Sink>;

    /// The index of the strict field of `key` (below 64), read through [`Shape::strict`].
    fn strict_index(&self, key: &str) -> Option<usize> {
        let _ = key;
        None
    }

    /// The unknown keys.
    fn extra(&mut self) -> &mut Extra;

    /// Reads strict field `index` (from [`Shape::strict_index`]) with `read`, which decodes
    /// the key's value into the sink it is given.
    fn strict(
        &mut self,
        index: usize,
        read: &mut dyn FnMut(&mut dyn Sink) -> Result<(), Failed>,
    ) -> Result<(), Failed> {
        let _ = (index, read);
        Err(no_strict_field())
    }

    /// Checks, after the last key, that every strict field that must be present was (`seen`
    /// has bit `index` set for each strict field read).
    fn finish(&self, seen: u64) -> Result<(), Failed> {
        let _ = seen;
        Ok(())
    }
}

/// The error of a strict index a shape does not have (never, from generated code).
#[cold]
pub fn no_strict_field() -> Failed {
    Failed::new("no strict field of this index")
}

/// [`Decode::decode_map`] of a generated shape: in place, into the field.
pub fn shape_into<T: Shape>(field: &mut Field<T>, map: &mut dyn MapIn<'_>) -> Result<(), Failed> {
    *field = Field::Value(T::blank());
    match field {
        Field::Value(shape) => map.fill(shape),
        _ => Ok(()),
    }
}

/// Decodes the value of a strict field with `read`, as a tolerant field first.
#[inline(never)]
pub fn read_strict<T: Decode>(read: &mut dyn FnMut(&mut dyn Sink) -> Result<(), Failed>) -> Result<Field<T>, Failed> {
    let mut field = Field::Absent;
    read(&mut field)?;
    Ok(field)
}

/// The value of a strict field that may not be `null`.
#[inline(never)]
pub fn strict_value<T: Decode>(field: Field<T>) -> Result<T, Failed> {
    match field {
        Field::Value(value) => Ok(value),
        Field::Null | Field::Absent => Err(Failed::new(format_args!("invalid type: null, expected {}", T::EXPECTED))),
        Field::Mismatch(mismatch) => Err(misfit(&mismatch)),
    }
}

/// The value of a strict field that may be `null` (`None`).
pub fn strict_nullable<T: Decode>(field: Field<T>) -> Result<Option<T>, Failed> {
    match field {
        Field::Mismatch(mismatch) => Err(misfit(&mismatch)),
        field => Ok(field.into_option()),
    }
}

/// A strict field that may be absent or `null`: only a value of another type fails.
pub fn strict_field<T: Decode>(field: Field<T>) -> Result<Field<T>, Failed> {
    match field {
        Field::Mismatch(mismatch) => Err(misfit(&mismatch)),
        field => Ok(field),
    }
}

/// Fails unless every strict field of `required` (index, key) is in `seen`.
pub fn require(seen: u64, required: &[(usize, &'static str)]) -> Result<(), Failed> {
    match required.iter().find(|(index, _)| seen & (1 << (index % 64)) == 0) {
        Some((_, key)) => Err(Failed::new(format_args!("missing field `{key}`"))),
        None => Ok(()),
    }
}

/// The error of a value that does not fit a strict place, in serde's words (which
/// `decode::safe_message` reads back): the kind of value, never the value.
fn misfit(mismatch: &Mismatch) -> Failed {
    Failed::new(format_args!("invalid type: {}, expected {}", serde_kind(mismatch.value()), mismatch.expected()))
}

/// serde's name for the kind of a JSON value (`de::Unexpected`'s wording).
pub(crate) fn serde_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_f64() => "floating point",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "sequence",
        Value::Object(_) => "map",
    }
}

/// A shape's `Deserialize`: strict at its root (a value that does not fit is an error, with
/// serde's wording), tolerant inside.
pub fn deserialize<'de, T: Decode, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    let mut field = Field::<T>::Absent;
    Seed(&mut field).deserialize(deserializer)?;
    strict_value(field).map_err(|failed| de::Error::custom(failed.message()))
}

/// What the strict fields that must be present hold until their key comes (every scalar type
/// and, through `decode_name!`/`decode_code!`, every generated enum: the types a field can be
/// strict with).
pub trait Placeholder {
    /// The placeholder.
    fn placeholder() -> Self;
}

macro_rules! placeholder {
    ($($ty:ty: $value:expr;)*) => {$(
        impl Placeholder for $ty {
            fn placeholder() -> Self {
                $value
            }
        }
    )*};
}

placeholder! {
    String: String::new();
    Text: Text::default();
    bool: false;
    u64: 0;
    i64: 0;
    Number: Number::from(0u64);
    Id: Id::from(0u64);
    Timestamp: Timestamp(String::new());
    StringOrNumber: StringOrNumber::Number(Number::from(0u64));
    Money: Money(StringOrNumber::Number(Number::from(0u64)));
    Value: Value::Null;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field<T: Decode>(json: &str) -> Field<T> {
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

    impl Name {
        fn from_wire(text: &str) -> Self {
            Self(text.to_owned())
        }
    }

    crate::decode_name! { Name: "a name", "an array of names"; }

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
        let Field::Value(hinted) = serde_json::from_value::<Field<Vec<u64>>>(serde_json::json!([7])).unwrap() else {
            panic!("[7] is a list of u64")
        };
        assert_eq!((hinted.as_slice(), hinted.capacity()), (&[7][..], 1));
    }

    #[test]
    fn a_map_with_one_misfit_is_kept_whole() {
        let map = field::<BTreeMap<String, bool>>(r#"{"a": true, "b": 1, "c": false}"#);
        assert_eq!(map.mismatch().unwrap().value(), &serde_json::json!({"a": true, "b": 1, "c": false}));
    }

    /// A shape as the generator writes one with a strict field that must be present, of an
    /// enum type (the field holds the enum's placeholder until its key comes).
    #[derive(Debug, PartialEq, Serialize)]
    struct Envelope {
        event: Name,
        note: Field<Text>,
        #[serde(skip)]
        extra: Extra,
    }

    impl Decode for Envelope {
        const EXPECTED: &'static str = "an `Envelope` object";
        const EXPECTED_ARRAY: &'static str = "an array of `Envelope` objects";
        fn decode_map(field: &mut Field<Self>, map: &mut dyn MapIn<'_>) -> Result<(), Failed> {
            shape_into(field, map)
        }
    }

    impl Shape for Envelope {
        fn blank() -> Self {
            Self { event: Placeholder::placeholder(), note: Field::Absent, extra: Extra::new() }
        }
        fn field(&mut self, key: &str) -> Option<&mut dyn Sink> {
            match key {
                "note" => Some(&mut self.note),
                _ => None,
            }
        }
        fn strict_index(&self, key: &str) -> Option<usize> {
            (key == "event").then_some(0)
        }
        fn extra(&mut self) -> &mut Extra {
            &mut self.extra
        }
        fn strict(
            &mut self,
            index: usize,
            read: &mut dyn FnMut(&mut dyn Sink) -> Result<(), Failed>,
        ) -> Result<(), Failed> {
            match index {
                0 => self.event = strict_value(read_strict::<Name>(read)?)?,
                _ => return Err(no_strict_field()),
            }
            Ok(())
        }
        fn finish(&self, seen: u64) -> Result<(), Failed> {
            require(seen, &[(0, "event")])
        }
    }

    #[test]
    fn a_strict_enum_field_must_come_and_fit_and_nothing_else_is_strict() {
        let decoded = crate::decode::decode::<Envelope>(br#"{"event": "paid", "note": 5, "x": 1}"#).unwrap();
        assert_eq!(decoded.event, Name("paid".into()));
        assert!(decoded.note.mismatch().is_some());
        assert_eq!(decoded.extra["x"], serde_json::json!(1));
        let error = |body: &[u8]| match crate::decode::decode::<Envelope>(body) {
            Err(crate::DecodeError::Data { path, message }) => (path, message),
            other => panic!("expected a data error, got {other:?}"),
        };
        assert_eq!(error(br#"{"note": "a"}"#), (".".into(), "missing field `event`".into()));
        assert_eq!(error(br#"{"event": 4111}"#), ("event".into(), "expected a name, found an integer".into()));
        assert_eq!(error(br#"{"event": null}"#), ("event".into(), "expected a name, found null".into()));
    }
}
