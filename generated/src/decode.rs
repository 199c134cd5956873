//! Decoding a delivery body, with errors that name the JSON path that failed.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::tolerate::{raw_seq, serde_kind, Decode, Shape};
use crate::visit::{Failed, MapIn, Scalar, Seed, SeqIn, Sink};
use serde_json::Value;

use crate::Field;

/// Why a delivery body could not be decoded.
///
/// Its text never quotes the body: it names the JSON path, what was expected there and what
/// kind of JSON value was found, so it is safe to log and to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The body is not JSON (or is truncated).
    Syntax {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser found (`expected value`, `EOF while parsing a string`, …).
        message: String,
    },
    /// The body is JSON but does not fit the topic's payload type where the type is strict:
    /// the body's root, or a field the catalog marks `strict` (tolerant fields never fail).
    Data {
        /// Where: `data.event`, or `.` for the root.
        path: String,
        /// What is wrong there: what was expected and the kind of value found, or the missing
        /// field's name.
        message: String,
    },
    /// A body that names its own topic does not have the topic field (or the topic header is
    /// missing).
    MissingTopic {
        /// The field or header looked for (e.g. `data.event`).
        field: &'static str,
    },
    /// A body field the delivery is read by (topic, delivery id, store id) occurs more than
    /// once, so which one is meant is ambiguous.
    DuplicateField {
        /// The field's dotted path.
        field: &'static str,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax { line, column, message } => {
                write!(f, "the body is not valid JSON at line {line}, column {column}: {message}")
            }
            Self::Data { path, message } => write!(f, "at `{path}`: {message}"),
            Self::MissingTopic { field } => {
                write!(f, "the delivery has no text `{field}` naming its topic")
            }
            Self::DuplicateField { field } => write!(f, "the body has the field `{field}` more than once"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes `body` into `T`, strict at the root (a body that is not a `T` is an error) and
/// tolerant inside; a data error names the JSON path where it happened (the decoder writes it
/// into the error on the way out, see `path.rs`).
pub fn decode<T: Decode>(body: &[u8]) -> Result<T, DecodeError> {
    decode_root(body)?.or_else(T::from_null).ok_or_else(|| root_misfit(T::EXPECTED, "null"))
}

/// [`decode`] into a box (a payload is boxed in its `Event` variant).
pub fn decode_boxed<T: Decode>(body: &[u8]) -> Result<Box<T>, DecodeError> {
    decode(body).map(Box::new)
}

/// [`decode_boxed`] for a payload that may be `null` (`None`).
pub fn decode_nullable<T: Decode>(body: &[u8]) -> Result<Option<Box<T>>, DecodeError> {
    Ok(decode_root(body)?.map(Box::new))
}

/// The root of `body` as a `T`, or `None` for `null`; any other value that does not fit is
/// an error.
fn decode_root<T: Decode>(body: &[u8]) -> Result<Option<T>, DecodeError> {
    let mut root = Field::<T>::Absent;
    decode_into(body, &mut root)?;
    match root {
        Field::Value(value) => Ok(Some(value)),
        Field::Null | Field::Absent => Ok(None),
        Field::Mismatch(mismatch) => Err(root_misfit(T::EXPECTED, kind_of(mismatch.value()))),
    }
}

/// [`decode_boxed`] for a payload that is a generated shape: read in place, into its box (a
/// large payload is not built on the stack and moved).
pub fn decode_shape<T: Shape + Decode>(body: &[u8]) -> Result<Box<T>, DecodeError> {
    let mut shape = Box::new(T::blank());
    match decode_shape_into(body, &mut *shape, T::EXPECTED)? {
        Root::Object => Ok(shape),
        Root::Null => Err(root_misfit(T::EXPECTED, "null")),
    }
}

/// [`decode_shape`] for a payload that may be `null` (`None`).
pub fn decode_nullable_shape<T: Shape + Decode>(body: &[u8]) -> Result<Option<Box<T>>, DecodeError> {
    let mut shape = Box::new(T::blank());
    Ok(match decode_shape_into(body, &mut *shape, T::EXPECTED)? {
        Root::Object => Some(shape),
        Root::Null => None,
    })
}

/// What the root of a shape's body was, when it was one that fits.
enum Root {
    Object,
    Null,
}

/// Decodes `body` into `shape`: the work of [`decode_shape`] that does not depend on the
/// shape's type, compiled once.
#[inline(never)]
fn decode_shape_into(body: &[u8], shape: &mut dyn Shape, expected: &str) -> Result<Root, DecodeError> {
    // `decode_into` hands the root to exactly one of the sink's methods when it succeeds.
    let mut root = ShapeRoot { shape, found: Ok(Root::Null) };
    decode_into(body, &mut root)?;
    root.found.map_err(|found| root_misfit(expected, kind_of(&found)))
}

/// The root of a body whose payload is a shape: an object is read into the shape, anything
/// else is kept for the error.
struct ShapeRoot<'a> {
    shape: &'a mut dyn Shape,
    found: Result<Root, Value>,
}

impl Sink for ShapeRoot<'_> {
    fn null(&mut self) -> Result<(), Failed> {
        self.found = Ok(Root::Null);
        Ok(())
    }

    fn scalar(&mut self, value: Scalar<'_>) -> Result<(), Failed> {
        self.found = Err(value.into_json());
        Ok(())
    }

    fn map(&mut self, map: &mut dyn MapIn<'_>) -> Result<(), Failed> {
        map.fill(self.shape)?;
        self.found = Ok(Root::Object);
        Ok(())
    }

    fn seq(&mut self, seq: &mut dyn SeqIn<'_>) -> Result<(), Failed> {
        // Read to its end: the rest of the body must still be checked.
        self.found = Err(raw_seq(seq)?);
        Ok(())
    }
}

/// Decodes `body` into `sink`. Not generic, and never inlined: serde_json's parser is compiled
/// once for every payload type (twice: for each of its two readers).
#[inline(never)]
fn decode_into(body: &[u8], sink: &mut dyn Sink) -> Result<(), DecodeError> {
    // One UTF-8 check of the whole body is far cheaper than serde_json's slice reader checking
    // every key and string on its own (13 % of a large decode). Below 64 bytes the check has
    // no SIMD to use (`simdutf8` hands such input to `core`), and a body that short has a key
    // or two: there the slice reader's own checks are the cheaper (a 31-byte delete: about 90
    // instructions fewer). A body that is not UTF-8 is not JSON: the error is the one its own
    // parse gives.
    let result = if body.len() < SMALL_BODY {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        Seed(sink).deserialize(&mut deserializer).and_then(|()| deserializer.end())
    } else {
        let Ok(text) = simdutf8::basic::from_utf8(body) else {
            return Err(not_json(body));
        };
        let mut deserializer = serde_json::Deserializer::from_str(text);
        Seed(sink).deserialize(&mut deserializer).and_then(|()| deserializer.end())
    };
    result.map_err(|error| decode_error(body, &error))
}

/// Bodies shorter than this are read with serde_json's slice reader, without the whole-body
/// UTF-8 check (see `decode_into`).
const SMALL_BODY: usize = 64;

/// The error of a body whose root is not what the topic's payload is.
#[cold]
fn root_misfit(expected: &str, found: &str) -> DecodeError {
    DecodeError::Data { path: ".".into(), message: format!("expected {expected}, found {found}") }
}

/// The kind of a value that does not fit, as the errors name it (`a string`): serde's name
/// for it, in the words of the errors' text.
fn kind_of(value: &Value) -> &'static str {
    value_kind(serde_kind(value))
}

/// The error of a failed decode. Not generic, so that it is compiled once rather than once per
/// payload type.
#[cold]
fn decode_error(body: &[u8], error: &serde_json::Error) -> DecodeError {
    if error.is_syntax() || error.is_eof() {
        return syntax(error);
    }
    // A path-carrying error is rebuilt on its way out and no longer says it was a syntax
    // error (a body cut off inside a nested object), and a type error may come before a
    // syntax error further on; only on this error path, parse the whole body on its own
    // (into a Value: skipping with IgnoredAny does not check strings and numbers).
    if let Err(syntax_error) = serde_json::from_slice::<serde_json::Value>(body) {
        if syntax_error.is_syntax() || syntax_error.is_eof() {
            return syntax(&syntax_error);
        }
    }
    let text = error.to_string();
    let (path, message) = crate::path::split(crate::path::without_position(&text));
    DecodeError::Data { path: if path.is_empty() { ".".into() } else { path.into() }, message: safe_message(message) }
}

/// The error of a body that is not UTF-8: serde_json's own, with the line and column of the
/// first bad byte (it checks every string it reads; outside strings the byte is a syntax error).
#[cold]
fn not_json(body: &[u8]) -> DecodeError {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Err(error) => syntax(&error),
        // Unreachable (a `Value` reads every string), but never a panic on input.
        Ok(_) => DecodeError::Syntax { line: 1, column: 1, message: "the body is not UTF-8".into() },
    }
}

/// A syntax error: serde_json's texts for these name what the parser expected, never the input.
pub(crate) fn syntax(error: &serde_json::Error) -> DecodeError {
    DecodeError::Syntax { line: error.line(), column: error.column(), message: error.to_string() }
}

/// A data error's text without the value it may quote (serde writes `invalid type: string
/// "4111 1111 1111 1111", expected u64`): the expectation and the kind of value found are
/// kept, and any text not of a known form is replaced.
fn safe_message(message: &str) -> String {
    let invalid = message.strip_prefix("invalid type: ").or_else(|| message.strip_prefix("invalid value: "));
    if let Some(rest) = invalid {
        // The expectation comes last and from this crate's code, never from the body.
        if let Some(at) = rest.rfind(", expected ") {
            let expected = &rest[at + ", expected ".len()..];
            return format!("expected {expected}, found {}", value_kind(&rest[..at]));
        }
    }
    let known = ["missing field `", "invalid length "];
    if known.iter().any(|prefix| message.starts_with(prefix)) && !message.contains('"') {
        return message.to_owned();
    }
    "the value does not fit the payload type".to_owned()
}

/// The kind of value in serde's description of an unexpected value (`string "…"` is a string).
fn value_kind(unexpected: &str) -> &'static str {
    const KINDS: [(&str, &str); 8] = [
        ("string", "a string"),
        ("integer", "an integer"),
        ("floating point", "a number"),
        ("boolean", "a boolean"),
        ("map", "an object"),
        ("sequence", "an array"),
        ("unit value", "null"),
        ("null", "null"),
    ];
    KINDS.iter().find(|(prefix, _)| unexpected.starts_with(prefix)).map_or("a value", |(_, kind)| kind)
}

/// Reads the string at `path` (e.g. `["data", "event"]`) of a JSON body without decoding the
/// rest into values.
pub fn topic_in_body(body: &[u8], path: &[&'static str], field: &'static str) -> Result<String, DecodeError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    match deserializer.deserialize_any(PathVisitor { path }) {
        Ok(Some(topic)) => Ok(topic),
        Ok(None) => Err(DecodeError::MissingTopic { field }),
        Err(error) if error.is_syntax() || error.is_eof() => Err(syntax(&error)),
        Err(_) => Err(DecodeError::MissingTopic { field }),
    }
}

/// Walks an object along `path`, ignoring every other value.
struct PathVisitor<'p> {
    path: &'p [&'static str],
}

impl<'de> Visitor<'de> for PathVisitor<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(self.path.is_empty().then(|| value.to_owned()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<crate::wire::Key<'de>>()? {
            match self.path.split_first() {
                // The last occurrence wins, as it does when the body is decoded.
                Some((first, rest)) if key.as_str() == *first => {
                    found = map.next_value_seed(PathSeed { path: rest })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

struct PathSeed<'p> {
    path: &'p [&'static str],
}

impl<'de> de::DeserializeSeed<'de> for PathSeed<'_> {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(PathVisitor { path: self.path })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_errors_never_quote_the_value() {
        let error = decode::<u64>(br#""4111 1111 1111 1111""#).unwrap_err();
        assert_eq!(
            error,
            DecodeError::Data { path: ".".into(), message: "expected a non-negative integer, found a string".into() }
        );
        let error = decode::<u64>(br#"{"card": "4111"}"#).unwrap_err();
        assert!(!error.to_string().contains("4111"), "{error}");
        assert_eq!(safe_message("missing field `id`"), "missing field `id`");
        assert_eq!(safe_message("unknown variant `4111`"), "the value does not fit the payload type");
    }

    #[test]
    fn a_body_that_is_not_utf8_gets_serde_jsons_own_error() {
        for short in [&b"{\"a\": \"\xff\"}"[..], b"{\"a\": 1, \xc3}", b"\xef\xbb\xbf{}"] {
            // Each also inside an array after a long string: bodies of 64 bytes and more are
            // checked whole before they are read, shorter ones by serde_json as it reads.
            let long = [&b"[\""[..], &[b'x'; SMALL_BODY], b"\", ", short, b"]"].concat();
            for body in [short, &long] {
                let expected = serde_json::from_slice::<serde_json::Value>(body).unwrap_err();
                assert_eq!(decode::<serde_json::Value>(body), Err(syntax(&expected)), "{body:?}");
            }
        }
        for pad in [0, SMALL_BODY] {
            let body = format!("{{\"a\": \"é\", \"pad\": \"{}\"}}", "x".repeat(pad));
            assert_eq!(
                decode::<serde_json::Value>(body.as_bytes()),
                Ok(serde_json::json!({"a": "é", "pad": "x".repeat(pad)}))
            );
        }
    }
}
