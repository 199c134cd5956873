//! Model → JSON Schema (draft 2020-12) for payloads, so other languages can validate and
//! generate types from the same catalogs.
//!
//! Every file is self-contained: `events/<topic>.json` for each event's body and
//! `shapes/<Name>.json` for each named shape, each with a `$defs` entry for every shape and
//! enum it reaches (a generic shape once per type argument, e.g. `Callback_of_CartData`).
//! The schemas accept exactly what the generated Rust types decode:
//!
//! | catalog | schema |
//! | --- | --- |
//! | shape | `object` with `properties`, `required` (the fields without `absent`) and `additionalProperties: true`: unknown keys are kept |
//! | `nullable: true` | `null` added to the `type`, or `anyOf` with `{"type": "null"}` |
//! | `int` / `uint` | `integer` within `i64` / `u64` |
//! | `money`, `string_or_number` | `string` or `number` |
//! | `timestamp` | `string` (formats vary, so no `format`) |
//! | `json` | `{}` |
//! | enum | `string`, the documented values as `examples`: an unknown value is kept, not rejected |
//!
//! One gap JSON Schema cannot close: its data model counts `1.0` as an integer, while the
//! generated `u64`/`i64` fields reject it.
//!
//! Output is deterministic: object keys are sorted and files end with a newline.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{json, Map, Value};

use super::OutputFile;
use crate::model::{Event, Platform, Scalar, Shape, Type};

/// The `$schema` of every file.
const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Every schema file of `platform`, under `dir` (`generated/schema`): events (in catalog
/// order), then shapes (in file order).
pub(super) fn platform(platform: &Platform, dir: &Path) -> Vec<OutputFile> {
    let dir = dir.join(&platform.id);
    let comment = comment(platform);
    let mut files = Vec::new();
    let names = event_file_names(platform);
    for (event, name) in platform.events.iter().zip(names) {
        files.push(OutputFile {
            path: dir.join("events").join(format!("{name}.json")),
            contents: render(event_schema(platform, event, &comment)),
        });
    }
    for (index, shape) in platform.shapes.iter().enumerate() {
        files.push(OutputFile {
            path: dir.join("shapes").join(format!("{}.json", shape.name)),
            contents: render(shape_schema(platform, index, shape, &comment)),
        });
    }
    files
}

/// The schema of an event's body, `$defs` included.
fn event_schema(platform: &Platform, event: &Event, comment: &str) -> Value {
    let mut defs = Defs::new(platform);
    let (mut root, what) = match &event.payload {
        Some(ty) => (defs.schema(ty, None), format!("payload `{}`", defs.words(ty))),
        None => (json!({}), "no payload shape in the catalog yet: any JSON".to_owned()),
    };
    let mut description = format!("The body of a {} `{}` delivery: {what}", platform.name, event.topic);
    if event.payload_null && event.payload.is_some() {
        root = nullable(root);
        description += ", or `null`";
    }
    description.push('.');
    document(root, comment, &format!("{} {}", platform.id, event.topic), &description, defs)
}

/// The schema of a shape on its own; a generic shape's `P` is any JSON here.
fn shape_schema(platform: &Platform, index: usize, shape: &Shape, comment: &str) -> Value {
    let mut defs = Defs::new(platform);
    let arg = shape.generic.then(|| Box::new(Type::Scalar(Scalar::Json)));
    let root = defs.schema(&Type::Shape(index, arg), None);
    let mut description = format!("The {} `{}` payload shape", platform.name, shape.name);
    if shape.generic {
        description += " with its type parameter `P` as any JSON (each event's schema has it filled in)";
    }
    description.push('.');
    document(root, comment, &format!("{} {}", platform.id, shape.name), &description, defs)
}

/// Adds the top-level keys to a root schema.
fn document(root: Value, comment: &str, title: &str, description: &str, defs: Defs) -> Value {
    let mut object = match root {
        Value::Object(object) => object,
        // Every schema built here is an object; `true` would be the same as `{}`.
        _ => Map::new(),
    };
    object.insert("$schema".into(), DIALECT.into());
    object.insert("$comment".into(), comment.into());
    object.insert("title".into(), title.into());
    object.insert("description".into(), description.into());
    if !defs.defs.is_empty() {
        object.insert("$defs".into(), Value::Object(defs.defs.into_iter().collect()));
    }
    Value::Object(object)
}

/// The `$comment` naming the inputs, like the first line of every other generated file.
fn comment(platform: &Platform) -> String {
    let mut inputs = format!("catalog/{}", platform.file.display());
    if !platform.shapes.is_empty() || !platform.enums.is_empty() {
        inputs += &format!(" and catalog/shapes/{}.yaml", platform.id);
    }
    super::header("", &inputs).trim().to_owned()
}

/// File names (without `.json`) of the events' schemas: the topic with each separator as `_`
/// (`orders/create` → `orders_create`, as the example files are named), a placeholder without
/// its braces and a `*` segment as `any` (`store/channel/{channel_id}/cart/created` →
/// `store_channel_channel_id_cart_created`). Should two topics give one name, each of them gets
/// its Rust identifier appended.
fn event_file_names(platform: &Platform) -> Vec<String> {
    let names: Vec<String> = platform
        .events
        .iter()
        .map(|event| {
            event
                .topic
                .replace(['{', '}'], "")
                .replace('*', "any")
                .chars()
                .map(|c| if platform.separators.contains(&c) || !is_file_char(c) { '_' } else { c })
                .collect()
        })
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for name in &names {
        *counts.entry(name).or_default() += 1;
    }
    names
        .iter()
        .zip(&platform.events)
        .map(|(name, event)| if counts[name.as_str()] > 1 { format!("{name}.{}", event.ident) } else { name.clone() })
        .collect()
}

fn is_file_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// The `$defs` of one file, filled as types are reached.
struct Defs<'a> {
    platform: &'a Platform,
    defs: BTreeMap<String, Value>,
    /// Definitions being built (a shape reaching itself through an array or map).
    building: BTreeSet<String>,
}

impl<'a> Defs<'a> {
    fn new(platform: &'a Platform) -> Self {
        Self { platform, defs: BTreeMap::new(), building: BTreeSet::new() }
    }

    /// The schema of `ty`, where `P` stands for `param` (already free of `P`).
    fn schema(&mut self, ty: &Type, param: Option<&Type>) -> Value {
        match ty {
            Type::Scalar(scalar) => scalar_schema(*scalar),
            Type::Array(item) => json!({ "type": "array", "items": self.schema(item, param) }),
            Type::Map(value) => json!({ "type": "object", "additionalProperties": self.schema(value, param) }),
            Type::Param => match param {
                Some(param) => self.schema(param, None),
                None => json!({}),
            },
            Type::Enum(index) => {
                let name = self.platform.enums[*index].name.clone();
                if !self.defs.contains_key(&name) {
                    let schema = self.enum_schema(*index);
                    self.defs.insert(name.clone(), schema);
                }
                reference(&name)
            }
            Type::Shape(index, arg) => {
                let arg = arg.as_deref().map(|arg| substitute(arg, param));
                let name = self.def_name(ty, param);
                if !self.defs.contains_key(&name) && self.building.insert(name.clone()) {
                    let schema = self.shape_object(*index, arg.as_ref());
                    self.building.remove(&name);
                    self.defs.insert(name.clone(), schema);
                }
                reference(&name)
            }
        }
    }

    fn shape_object(&mut self, index: usize, arg: Option<&Type>) -> Value {
        let shape = &self.platform.shapes[index];
        let mut properties = Map::new();
        let mut required = Vec::new();
        for field in &shape.fields {
            let mut schema = self.schema(&field.ty, arg);
            if field.null {
                schema = nullable(schema);
            }
            if let (Some(description), Value::Object(object)) = (&field.description, &mut schema) {
                object.insert("description".into(), description.as_str().into());
            }
            properties.insert(field.key.clone(), schema);
            if !field.absent {
                required.push(Value::from(field.key.as_str()));
            }
        }
        let mut object = Map::new();
        object.insert("type".into(), "object".into());
        object.insert("title".into(), self.words(&Type::Shape(index, arg.map(|a| Box::new(a.clone())))).into());
        let mut description = shape.description.clone().unwrap_or_default();
        if let Some(source) = &shape.source {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description += &format!("Fields documented at <{source}>.");
        }
        if !description.is_empty() {
            object.insert("description".into(), description.into());
        }
        object.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            object.insert("required".into(), Value::Array(required));
        }
        object.insert("additionalProperties".into(), true.into());
        Value::Object(object)
    }

    fn enum_schema(&self, index: usize) -> Value {
        let enum_type = &self.platform.enums[index];
        if !enum_type.codes.is_empty() {
            let codes: Vec<String> = enum_type.codes.iter().map(|(code, name, _)| format!("`{code}` {name}")).collect();
            let mut description = enum_type.description.clone().map(|d| d + "\n\n").unwrap_or_default();
            if let Some(source) = &enum_type.source {
                description += &format!("Codes documented at <{source}>. ");
            }
            description += &format!(
                "Documented codes: {}. Any other integer is valid too: it is kept as unknown, never an error.",
                codes.join(", ")
            );
            return json!({
                "type": "integer",
                "minimum": 0,
                "title": enum_type.name,
                "description": description,
                "examples": enum_type.codes.iter().map(|(code, _, _)| *code).collect::<Vec<_>>(),
            });
        }
        let values: Vec<String> = enum_type.values.iter().map(|(wire, _)| format!("`{wire}`")).collect();
        let mut description = enum_type.description.clone().map(|d| d + "\n\n").unwrap_or_default();
        if let Some(source) = &enum_type.source {
            description += &format!("Values documented at <{source}>. ");
        }
        description += &format!(
            "Documented values: {}. Any other string is valid too: it is kept as unknown, never an error.",
            values.join(", ")
        );
        json!({
            "type": "string",
            "title": enum_type.name,
            "description": description,
            "examples": enum_type.values.iter().map(|(wire, _)| wire.as_str()).collect::<Vec<_>>(),
        })
    }

    /// The `$defs` key of a shape or enum: its name; a generic shape's instance adds its
    /// argument with `_of_` (`Callback_of_CartData`, `Page_of_array_of_Order`).
    fn def_name(&self, ty: &Type, param: Option<&Type>) -> String {
        match ty {
            Type::Scalar(scalar) => scalar.name().to_owned(),
            Type::Array(item) => format!("array_of_{}", self.def_name(item, param)),
            Type::Map(value) => format!("map_of_{}", self.def_name(value, param)),
            Type::Param => param.map_or_else(|| "json".to_owned(), |p| self.def_name(p, None)),
            Type::Enum(index) => self.platform.enums[*index].name.clone(),
            Type::Shape(index, None) => self.platform.shapes[*index].name.clone(),
            Type::Shape(index, Some(arg)) => {
                format!("{}_of_{}", self.platform.shapes[*index].name, self.def_name(arg, param))
            }
        }
    }

    /// The catalog spelling of a type.
    fn words(&self, ty: &Type) -> String {
        self.platform.type_name(ty)
    }
}

/// `ty` with every `P` replaced by `param` (any JSON when there is none).
fn substitute(ty: &Type, param: Option<&Type>) -> Type {
    match ty {
        Type::Param => param.cloned().unwrap_or(Type::Scalar(Scalar::Json)),
        Type::Array(item) => Type::Array(Box::new(substitute(item, param))),
        Type::Map(value) => Type::Map(Box::new(substitute(value, param))),
        Type::Shape(index, Some(arg)) => Type::Shape(*index, Some(Box::new(substitute(arg, param)))),
        other => other.clone(),
    }
}

fn scalar_schema(scalar: Scalar) -> Value {
    match scalar {
        Scalar::String | Scalar::Timestamp => json!({ "type": "string" }),
        Scalar::Bool => json!({ "type": "boolean" }),
        Scalar::Int => json!({ "type": "integer", "minimum": i64::MIN, "maximum": i64::MAX }),
        Scalar::Uint => json!({ "type": "integer", "minimum": 0, "maximum": u64::MAX }),
        Scalar::Number => json!({ "type": "number" }),
        Scalar::Money | Scalar::StringOrNumber => json!({ "type": ["string", "number"] }),
        Scalar::Id => json!({ "type": ["integer", "string"] }),
        Scalar::Json => json!({}),
    }
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/$defs/{name}") })
}

/// `schema`, also accepting `null`.
fn nullable(schema: Value) -> Value {
    let Value::Object(mut object) = schema else { return schema };
    if object.is_empty() {
        return Value::Object(object);
    }
    match object.get_mut("type") {
        Some(Value::String(name)) => {
            let name = std::mem::take(name);
            object.insert("type".into(), json!([name, "null"]));
            Value::Object(object)
        }
        Some(Value::Array(names)) => {
            if !names.iter().any(|n| n == "null") {
                names.push("null".into());
            }
            Value::Object(object)
        }
        _ => json!({ "anyOf": [Value::Object(object), { "type": "null" }] }),
    }
}

/// Pretty JSON with every object's keys sorted (whatever order `serde_json::Map` keeps),
/// ending with a newline.
fn render(value: Value) -> String {
    fn sorted(value: Value) -> Value {
        match value {
            Value::Object(object) => {
                let entries: BTreeMap<String, Value> = object.into_iter().map(|(k, v)| (k, sorted(v))).collect();
                Value::Object(entries.into_iter().collect())
            }
            Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
            other => other,
        }
    }
    // Serializing a `Value` cannot fail: its keys are strings.
    let mut text = serde_json::to_string_pretty(&sorted(value)).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_extends_types_and_wraps_references() {
        assert_eq!(nullable(json!({ "type": "string" })), json!({ "type": ["string", "null"] }));
        assert_eq!(nullable(json!({ "type": ["string", "number"] })), json!({ "type": ["string", "number", "null"] }));
        assert_eq!(nullable(json!({})), json!({}));
        assert_eq!(
            nullable(json!({ "$ref": "#/$defs/A" })),
            json!({ "anyOf": [{ "$ref": "#/$defs/A" }, { "type": "null" }] })
        );
    }

    #[test]
    fn render_sorts_keys() {
        let text = render(json!({ "b": 1, "a": { "d": 2, "c": 3 } }));
        assert_eq!(text, "{\n  \"a\": {\n    \"c\": 3,\n    \"d\": 2\n  },\n  \"b\": 1\n}\n");
    }
}
