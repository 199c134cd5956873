//! Where a decoded payload holds values that did not fit their documented types.
//!
//! [`mismatches`] walks a payload through its own `Serialize` impl with a serializer that only
//! tracks the JSON path: every [`Mismatch`](crate::Mismatch) marks itself with a newtype
//! struct named [`MISMATCH`] (serde_json and other self-describing formats write newtype
//! structs as their content, so the marks never reach the wire). Nothing runs unless asked.

use std::borrow::Cow;
use std::fmt;

use serde::ser::{self, Impossible, Serialize, Serializer};

/// The name of the newtype struct a mismatch serializes through.
pub(crate) const MISMATCH: &str = "$commerce_webhooks::Mismatch";

/// A field whose value did not fit its documented type and was kept as received.
///
/// Its `Display` names the path and the expected type, never the value, so it is safe to log.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldMismatch {
    /// Where: `line_items[3].price`, or `.` for the root.
    pub path: String,
    /// What the catalog documents there.
    pub expected: &'static str,
}

impl fmt::Display for FieldMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: not {}, kept as received", self.path, self.expected)
    }
}

/// Every field of `payload` (an `Event`, a payload struct, …) that holds a
/// [`Field::Mismatch`](crate::Field::Mismatch), in the order they are encoded.
///
/// ```
/// # #[cfg(feature = "shopify")] {
/// use commerce_webhooks::{mismatches, shopify};
///
/// let event = shopify::Event::from_delivery("orders/create", br#"{"id": 1, "total_weight": "heavy"}"#).unwrap();
/// let found = mismatches(&event);
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].path, "total_weight");
/// assert_eq!(found[0].to_string(), "`total_weight`: not a number, kept as received");
/// # }
/// ```
pub fn mismatches<T: Serialize + ?Sized>(payload: &T) -> Vec<FieldMismatch> {
    let mut walk = Walk { path: Vec::new(), found: Vec::new() };
    // The walk itself never fails; an error could only come from a user type's own impl.
    let _ = payload.serialize(&mut walk);
    walk.found
}

/// One step of a path.
enum Step {
    Key(String),
    Index(usize),
}

struct Walk {
    path: Vec<Step>,
    found: Vec<FieldMismatch>,
}

impl Walk {
    fn path_text(&self) -> String {
        let mut text = String::new();
        for step in &self.path {
            match step {
                Step::Key(key) if text.is_empty() => text.push_str(key),
                Step::Key(key) => {
                    text.push('.');
                    text.push_str(key);
                }
                Step::Index(index) => text.push_str(&format!("[{index}]")),
            }
        }
        if text.is_empty() {
            text.push('.');
        }
        text
    }

    fn at<T: Serialize + ?Sized>(&mut self, step: Step, value: &T) -> Result<(), Error> {
        self.path.push(step);
        let result = value.serialize(&mut *self);
        self.path.pop();
        result
    }
}

/// The walk's error type: only for user types whose `Serialize` fails.
#[derive(Debug)]
struct Error;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the payload could not be walked")
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Error
    }
}

/// Reads a map key as text (the generated structs' keys are strings), or the name of a newtype
/// struct: inside a mismatch mark, that is what was expected.
struct Probe;

type Probed = Cow<'static, str>;

impl Serializer for Probe {
    type Ok = Probed;
    type Error = Error;
    type SerializeSeq = Impossible<Probed, Error>;
    type SerializeTuple = Impossible<Probed, Error>;
    type SerializeTupleStruct = Impossible<Probed, Error>;
    type SerializeTupleVariant = Impossible<Probed, Error>;
    type SerializeMap = Impossible<Probed, Error>;
    type SerializeStruct = Impossible<Probed, Error>;
    type SerializeStructVariant = Impossible<Probed, Error>;

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, _: &T) -> Result<Probed, Error> {
        Ok(Cow::Borrowed(name))
    }
    fn serialize_str(self, v: &str) -> Result<Probed, Error> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn serialize_bool(self, v: bool) -> Result<Probed, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_i64(self, v: i64) -> Result<Probed, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_u64(self, v: u64) -> Result<Probed, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_f64(self, v: f64) -> Result<Probed, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_char(self, v: char) -> Result<Probed, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_i8(self, v: i8) -> Result<Probed, Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<Probed, Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<Probed, Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_u8(self, v: u8) -> Result<Probed, Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<Probed, Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<Probed, Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_f32(self, v: f32) -> Result<Probed, Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<Probed, Error> {
        Ok(Cow::Borrowed(variant))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Probed, Error> {
        value.serialize(self)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Probed, Error> {
        Err(Error)
    }
    fn serialize_none(self) -> Result<Probed, Error> {
        Err(Error)
    }
    fn serialize_unit(self) -> Result<Probed, Error> {
        Err(Error)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Probed, Error> {
        Err(Error)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Probed, Error> {
        Err(Error)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(Error)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(Error)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Error> {
        Err(Error)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(Error)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(Error)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(Error)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(Error)
    }
}

/// Scalars end the walk; containers step in; a mismatch mark is recorded.
impl<'w> Serializer for &'w mut Walk {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Elements<'w>;
    type SerializeTuple = Elements<'w>;
    type SerializeTupleStruct = Elements<'w>;
    type SerializeTupleVariant = Elements<'w>;
    type SerializeMap = Entries<'w>;
    type SerializeStruct = Entries<'w>;
    type SerializeStructVariant = Entries<'w>;

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Result<(), Error> {
        if name == MISMATCH {
            let Cow::Borrowed(expected) = value.serialize(Probe)? else { return Err(Error) };
            let path = self.path_text();
            self.found.push(FieldMismatch { path, expected });
            Ok(())
        } else {
            value.serialize(self)
        }
    }
    fn serialize_bool(self, _: bool) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_f32(self, _: f32) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_f64(self, _: f64) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_char(self, _: char) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_str(self, _: &str) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.at(Step::Key(variant.to_owned()), value)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Elements<'w>, Error> {
        Ok(Elements { walk: self, index: 0 })
    }
    fn serialize_tuple(self, _: usize) -> Result<Elements<'w>, Error> {
        Ok(Elements { walk: self, index: 0 })
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Elements<'w>, Error> {
        Ok(Elements { walk: self, index: 0 })
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Elements<'w>, Error> {
        Ok(Elements { walk: self, index: 0 })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Entries<'w>, Error> {
        Ok(Entries { walk: self, key: None })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Entries<'w>, Error> {
        Ok(Entries { walk: self, key: None })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Entries<'w>, Error> {
        Ok(Entries { walk: self, key: None })
    }
}

/// The elements of an array, each one index further.
struct Elements<'w> {
    walk: &'w mut Walk,
    index: usize,
}

impl Elements<'_> {
    fn next<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let index = self.index;
        self.index += 1;
        self.walk.at(Step::Index(index), value)
    }
}

/// Every sequence-like serializer of the walk steps through its elements the same way.
macro_rules! elements {
    ($($trait:ident :: $method:ident),* $(,)?) => {$(
        impl ser::$trait for Elements<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.next(value)
            }
            fn end(self) -> Result<(), Error> {
                Ok(())
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

/// The entries of an object, each under its key.
struct Entries<'w> {
    walk: &'w mut Walk,
    key: Option<String>,
}

impl ser::SerializeMap for Entries<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(key.serialize(Probe)?.into_owned());
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self.key.take().unwrap_or_default();
        self.walk.at(Step::Key(key), value)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl ser::SerializeStruct for Entries<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.walk.at(Step::Key(key.to_owned()), value)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for Entries<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.walk.at(Step::Key(key.to_owned()), value)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Field, Mismatch};

    #[test]
    fn paths_lead_to_each_mismatch() {
        let payload = serde_json::json!({"a": [1, 2]});
        assert!(mismatches(&payload).is_empty());
        let fields: Vec<(String, Field<u64>)> = vec![
            ("ok".into(), Field::Value(1)),
            ("bad".into(), Field::Mismatch(Box::new(Mismatch::new("a non-negative integer", "x".into())))),
        ];
        let map: std::collections::BTreeMap<String, Vec<Field<u64>>> =
            fields.into_iter().map(|(key, field)| (key, vec![Field::Null, field])).collect();
        assert_eq!(mismatches(&map), [FieldMismatch { path: "bad[1]".into(), expected: "a non-negative integer" }]);
        // Encoding is unaffected by the marks.
        assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"bad":[null,"x"],"ok":[null,1]}"#);
    }
}
