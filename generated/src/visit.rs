//! The one serde visitor every payload value goes through.
//!
//! A payload type does not implement a serde `Visitor` of its own. It implements [`Decode`]
//! (see `tolerate.rs`), whose methods take JSON values already split by kind: a scalar, or an
//! object or array to read through the object-safe [`MapIn`] and [`SeqIn`]. The adapters here
//! turn any serde `Deserializer` into those calls. Only they are generic over the deserializer,
//! so serde_json's parser is compiled once for the whole crate rather than once per payload
//! type (the design of `miniserde`, on top of serde_json's parser, its errors and its
//! positions). Values are written in place, into the field that receives them ([`Sink`]).
//!
//! [`Decode`]: crate::tolerate::Decode

use std::fmt;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::path::{at_index, at_key, wrap_text};
use crate::tolerate::Shape;
use crate::wire::Key;

/// A JSON value that is neither `null` nor an object nor an array.
#[derive(Debug)]
pub enum Scalar<'a> {
    /// `true` or `false`.
    Bool(bool),
    /// A negative integer (serde_json reads every non-negative integer as [`Scalar::U64`]).
    I64(i64),
    /// A non-negative integer.
    U64(u64),
    /// Any other number.
    F64(f64),
    /// A string (borrowed: from the body when it has no escapes, else from the parser's
    /// scratch space; a deserializer that hands over an owned `String` lends it).
    Str(&'a str),
}

impl Scalar<'_> {
    /// The value as JSON, to keep it raw.
    pub fn into_json(self) -> Value {
        match self {
            Self::Bool(value) => value.into(),
            Self::I64(value) => value.into(),
            Self::U64(value) => value.into(),
            Self::F64(value) => value.into(),
            Self::Str(value) => value.into(),
        }
    }
}

/// Why a value could not be decoded: a data error of this crate's own (its message, with the
/// path so far), or an error of the deserializer, held by the adapter that returned it until
/// the adapter hands it back to serde unchanged (so a syntax error keeps its line and column).
///
/// One word (the message is boxed), so that the `Result<(), Failed>` every value's call
/// returns comes back in a register: 1.5 % of a large decode against a `Box<str>`'s two
/// words, 2.5 % against a `String`'s three (BENCHMARKS.md, 2026-12-07). The extra allocation
/// is only ever made for an error.
#[derive(Debug)]
#[allow(clippy::box_collection)]
pub struct Failed(Option<Box<String>>);

impl Failed {
    /// A data error; `message` never quotes the body.
    pub fn new(message: impl fmt::Display) -> Self {
        Self(Some(Box::new(message.to_string())))
    }

    /// The error with `key` in front of its path (errors of the deserializer already have it:
    /// the adapter wrote it when it kept the error).
    pub fn at_key(self, key: &str) -> Self {
        Self(self.0.map(|message| Box::new(wrap_text(key, &message))))
    }

    /// The message of a data error of this crate's own (what an error of the deserializer
    /// became is with the adapter that kept it).
    pub fn message(&self) -> &str {
        self.0.as_deref().map_or("the value does not fit the payload type", String::as_str)
    }

    /// The error as the deserializer's own error type.
    fn into_error<E: de::Error>(self, kept: &mut Option<E>) -> E {
        match (self.0, kept.take()) {
            (Some(message), _) => E::custom(*message),
            (None, Some(error)) => error,
            // Every `Failed(None)` comes from an adapter that kept an error; never a panic.
            (None, None) => E::custom("the decoder lost the error of a nested value"),
        }
    }
}

/// Where a decoded value goes: a field, a list element, the root. Implemented by
/// [`crate::Field`] for every payload type.
pub trait Sink {
    /// The value was `null`.
    fn null(&mut self) -> Result<(), Failed>;
    /// The value was a scalar.
    fn scalar(&mut self, value: Scalar<'_>) -> Result<(), Failed>;
    /// The value is an object, read through `map`.
    fn map(&mut self, map: &mut dyn MapIn<'_>) -> Result<(), Failed>;
    /// The value is an array, read through `seq`.
    fn seq(&mut self, seq: &mut dyn SeqIn<'_>) -> Result<(), Failed>;
}

/// The entries of a JSON object being read.
pub trait MapIn<'de> {
    /// Reads every entry into `shape`: a listed key into its field, any other into its
    /// `extra`. (The whole loop is here, inside the deserializer's adapter, so that a key
    /// costs one call through the shape's table and none through this trait.)
    fn fill(&mut self, shape: &mut dyn Shape) -> Result<(), Failed>;
    /// The next key, or `None` after the last entry.
    fn next_key(&mut self) -> Result<Option<Key<'de>>, Failed>;
    /// Reads the value of `key` into `sink`; an error gets `key` in its path.
    fn next_value(&mut self, key: &str, sink: &mut dyn Sink) -> Result<(), Failed>;
    /// Every entry not read yet, as raw JSON.
    fn rest_raw(&mut self) -> Result<Map<String, Value>, Failed>;
}

/// The elements of a JSON array being read.
pub trait SeqIn<'de> {
    /// How many elements are left, if the deserializer knows.
    fn size_hint(&self) -> Option<usize>;
    /// Reads element `index` into `sink`; `false` after the last one.
    fn next(&mut self, index: usize, sink: &mut dyn Sink) -> Result<bool, Failed>;
    /// The next element as raw JSON; `None` after the last one.
    fn next_raw(&mut self) -> Result<Option<Value>, Failed>;
}

/// Decodes the next value of a deserializer into a sink.
pub struct Seed<'s>(pub &'s mut dyn Sink);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(Visit(self.0))
    }
}

/// The visitor: hands each kind of JSON value to the sink.
struct Visit<'s>(&'s mut dyn Sink);

impl Visit<'_> {
    fn scalar<E: de::Error>(self, value: Scalar<'_>) -> Result<(), E> {
        self.0.scalar(value).map_err(|failed| failed.into_error(&mut None))
    }
}

impl<'de> Visitor<'de> for Visit<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<(), E> {
        self.scalar(Scalar::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<(), E> {
        // A deserializer other than serde_json's may hand a non-negative integer as `i64`.
        match u64::try_from(value) {
            Ok(value) => self.scalar(Scalar::U64(value)),
            Err(_) => self.scalar(Scalar::I64(value)),
        }
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<(), E> {
        self.scalar(Scalar::U64(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<(), E> {
        self.scalar(Scalar::F64(value))
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<(), E> {
        self.scalar(Scalar::Str(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        self.scalar(Scalar::Str(value))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<(), E> {
        self.scalar(Scalar::Str(&value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.null().map_err(|failed| failed.into_error(&mut None))
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let mut map = MapAdapter { map, kept: None };
        let result = self.0.map(&mut map);
        result.map_err(|failed| failed.into_error(&mut map.kept))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let mut seq = SeqAdapter { seq, kept: None };
        let result = self.0.seq(&mut seq);
        result.map_err(|failed| failed.into_error(&mut seq.kept))
    }
}

/// A serde `MapAccess` as a [`MapIn`]; keeps the error it returned last.
struct MapAdapter<A, E> {
    map: A,
    kept: Option<E>,
}

impl<'de, A: MapAccess<'de>> MapAdapter<A, A::Error> {
    fn keep(&mut self, error: A::Error) -> Failed {
        self.kept = Some(error);
        Failed(None)
    }
}

impl<'de, A: MapAccess<'de>> MapIn<'de> for MapAdapter<A, A::Error> {
    fn fill(&mut self, shape: &mut dyn Shape) -> Result<(), Failed> {
        // Bit `index` for each strict field read, for `Shape::finish`.
        let mut seen = 0u64;
        loop {
            let key = match self.map.next_key::<Key<'de>>() {
                Ok(Some(key)) => key,
                Ok(None) => return shape.finish(seen),
                Err(error) => return Err(self.keep(error)),
            };
            let key = key.as_str();
            if let Some(sink) = shape.field(key) {
                if let Err(error) = self.map.next_value_seed(Seed(sink)) {
                    return Err(self.keep(at_key(key, error)));
                }
            } else if let Some(index) = shape.strict_index(key) {
                seen |= 1 << (index % 64);
                shape.strict(index, &mut |sink| self.next_value(key, sink)).map_err(|failed| failed.at_key(key))?;
            } else {
                // A key the catalog does not list: kept, raw, in `extra`. (Copied even when
                // the key came owned: moving it out instead keeps it alive across the other
                // branches, 0.6 % of a large decode for keys that are almost never escaped.)
                match self.map.next_value::<Value>() {
                    Ok(value) => {
                        shape.extra().insert(key.to_owned(), value);
                    }
                    Err(error) => return Err(self.keep(at_key(key, error))),
                }
            }
        }
    }

    fn next_key(&mut self) -> Result<Option<Key<'de>>, Failed> {
        self.map.next_key::<Key<'de>>().map_err(|error| self.keep(error))
    }

    fn next_value(&mut self, key: &str, sink: &mut dyn Sink) -> Result<(), Failed> {
        self.map.next_value_seed(Seed(sink)).map_err(|error| self.keep(at_key(key, error)))
    }

    fn rest_raw(&mut self) -> Result<Map<String, Value>, Failed> {
        Map::deserialize(MapAccessDeserializer::new(&mut self.map)).map_err(|error| self.keep(error))
    }
}

/// A serde `SeqAccess` as a [`SeqIn`]; keeps the error it returned last.
struct SeqAdapter<A, E> {
    seq: A,
    kept: Option<E>,
}

impl<'de, A: SeqAccess<'de>> SeqIn<'de> for SeqAdapter<A, A::Error> {
    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }

    fn next(&mut self, index: usize, sink: &mut dyn Sink) -> Result<bool, Failed> {
        match self.seq.next_element_seed(Seed(sink)) {
            Ok(next) => Ok(next.is_some()),
            Err(error) => {
                self.kept = Some(at_index(index, error));
                Err(Failed(None))
            }
        }
    }

    fn next_raw(&mut self) -> Result<Option<Value>, Failed> {
        self.seq.next_element::<Value>().map_err(|error| {
            self.kept = Some(error);
            Failed(None)
        })
    }
}
