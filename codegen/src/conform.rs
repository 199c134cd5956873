//! Checks a JSON value against a catalog type directly, without generated code: the catalog
//! validator uses it on example files, and maintainers on real payloads. Its verdicts are the
//! generated types' verdicts (a test in `tests/` holds the two to each other).

use serde_json::Value;

use crate::model::{EnumType, Scalar, Shape, Type};

/// Something a value does that its type does not allow, or does not describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// JSON path: `line_items[3].price_set.shop_money.amount`, `.` for the root.
    pub path: String,
    /// Whether decoding fails on it (a mismatch), or it is only kept as unknown data.
    pub kind: FindingKind,
    /// What was found.
    pub message: String,
    /// A catalog edit that would describe it.
    pub suggestion: String,
}

/// How serious a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    /// The generated types reject this value: it is at the body's root or a `strict` field.
    Mismatch,
    /// A value of another type than documented at a tolerant field: the generated types keep it
    /// as received (`Field::Mismatch`) and report it, decoding succeeds.
    Misfit,
    /// A documented-present field is missing, or a non-nullable one is `null`, at a tolerant
    /// field: decoded as `Field::Absent` / `Field::Null`, decoding succeeds.
    MissingOrNull,
    /// A key the shape does not list: kept in `extra`, decoding succeeds.
    UnknownKey,
    /// A string the enum does not list: kept as `Unknown`, decoding succeeds.
    UnknownEnumValue,
}

/// The catalog context types refer to.
pub struct Types<'a> {
    /// The platform's shapes.
    pub shapes: &'a [Shape],
    /// The platform's enums.
    pub enums: &'a [EnumType],
}

impl FindingKind {
    /// Whether the value contradicts what the catalog documents (as opposed to being more
    /// than it documents: an unknown key or enum value).
    pub fn contradicts_catalog(self) -> bool {
        matches!(self, Self::Mismatch | Self::Misfit | Self::MissingOrNull)
    }
}

impl Types<'_> {
    /// Every finding for `value` checked against `ty`.
    pub fn check(&self, ty: &Type, value: &Value) -> Vec<Finding> {
        let mut findings = Vec::new();
        // The root fails decoding when it does not fit; below it, only strict fields do.
        self.walk(ty, None, value, true, &mut String::new(), &mut findings);
        findings
    }

    /// Walks `value` as `ty`; `strict`: whether a misfit here fails decoding.
    fn walk(
        &self,
        ty: &Type,
        param: Option<&Type>,
        value: &Value,
        strict: bool,
        path: &mut String,
        out: &mut Vec<Finding>,
    ) {
        let misfit = if strict { FindingKind::Mismatch } else { FindingKind::Misfit };
        let mismatch = |out: &mut Vec<Finding>, path: &str, expected: &str| {
            out.push(Finding {
                path: if path.is_empty() { ".".into() } else { path.to_owned() },
                kind: misfit,
                message: format!("expected {expected}, found {}", describe(value)),
                suggestion: format!(
                    "change the type to one that accepts {} (e.g. `json`), or fix the payload",
                    describe(value)
                ),
            })
        };
        match ty {
            Type::Param => {
                if let Some(param) = param {
                    self.walk(param, None, value, strict, path, out);
                }
            }
            Type::Scalar(scalar) => {
                let fits = match scalar {
                    Scalar::String | Scalar::Timestamp => value.is_string(),
                    Scalar::Bool => value.is_boolean(),
                    Scalar::Int => value.is_i64(),
                    Scalar::Uint => value.is_u64(),
                    Scalar::Number => value.is_number(),
                    Scalar::Money | Scalar::StringOrNumber => value.is_string() || value.is_number(),
                    Scalar::Id => value.is_string() || value.is_i64() || value.is_u64(),
                    Scalar::Json => true,
                };
                if !fits {
                    mismatch(out, path, scalar_words(*scalar));
                }
            }
            Type::Enum(index) => {
                let enum_type = &self.enums[*index];
                // A string enum is sent as its value, a coded one as its integer code:
                // (what was sent, whether it is documented, what to add, what the enum lists).
                let read = match enum_type.codes.is_empty() {
                    true => value.as_str().map(|text| {
                        (text.to_owned(), enum_type.values.iter().any(|(v, _)| v == text), format!("`{text}`"), "value")
                    }),
                    false => value.as_u64().map(|code| {
                        let known = enum_type.codes.iter().any(|(c, _, _)| *c == code);
                        (code.to_string(), known, format!("`{code}: <its name>`"), "code")
                    }),
                };
                match read {
                    Some((sent, false, addition, kind)) => out.push(Finding {
                        path: path.clone(),
                        kind: FindingKind::UnknownEnumValue,
                        message: format!("`{sent}` is not a documented {kind} of `{}`", enum_type.name),
                        suggestion: format!("add {addition} to the {kind}s of enum `{}`", enum_type.name),
                    }),
                    Some(_) => {}
                    None if enum_type.codes.is_empty() => {
                        mismatch(out, path, &format!("a `{}` string", enum_type.name))
                    }
                    None => mismatch(out, path, &format!("a `{}` code", enum_type.name)),
                }
            }
            Type::Array(item) => match value.as_array() {
                Some(items) => {
                    for (index, item_value) in items.iter().enumerate() {
                        let len = path.len();
                        path.push_str(&format!("[{index}]"));
                        self.walk(item, param, item_value, strict, path, out);
                        path.truncate(len);
                    }
                }
                None => mismatch(out, path, "an array"),
            },
            Type::Map(inner) => match value.as_object() {
                Some(object) => {
                    for (key, item_value) in object {
                        let len = path.len();
                        push_key(path, key);
                        self.walk(inner, param, item_value, strict, path, out);
                        path.truncate(len);
                    }
                }
                None => mismatch(out, path, "an object"),
            },
            Type::Shape(index, arg) => {
                let shape = &self.shapes[*index];
                let Some(object) = value.as_object() else {
                    return mismatch(out, path, &format!("a `{}` object", shape.name));
                };
                // The shape's own `P` is its argument, resolved in the caller's context.
                let resolved_arg = arg.as_deref().map(|a| match a {
                    Type::Param => param.cloned().unwrap_or(Type::Scalar(Scalar::Json)),
                    other => other.clone(),
                });
                for field in &shape.fields {
                    let len = path.len();
                    push_key(path, &field.key);
                    let (strict, absence) = match field.strict {
                        Some(_) => (true, FindingKind::Mismatch),
                        None => (false, FindingKind::MissingOrNull),
                    };
                    match object.get(&field.key) {
                        None if !field.absent => out.push(Finding {
                            path: path.clone(),
                            kind: absence,
                            message: format!("required field `{}` of `{}` is missing", field.key, shape.name),
                            suggestion: format!("mark `{}.{}` with `absent: true`", shape.name, field.key),
                        }),
                        // A non-nullable field still takes `null` when its type does (`json`).
                        Some(Value::Null) if !field.null && !self.accepts_null(&field.ty, resolved_arg.as_ref()) => out
                            .push(Finding {
                                path: path.clone(),
                                kind: absence,
                                message: format!("field `{}` of `{}` is null", field.key, shape.name),
                                suggestion: format!("mark `{}.{}` with `nullable: true`", shape.name, field.key),
                            }),
                        Some(Value::Null) | None => {}
                        Some(field_value) => {
                            self.walk(&field.ty, resolved_arg.as_ref(), field_value, strict, path, out)
                        }
                    }
                    path.truncate(len);
                }
                for key in object.keys().filter(|k| !shape.fields.iter().any(|f| &f.key == *k)) {
                    let len = path.len();
                    push_key(path, key);
                    out.push(Finding {
                        path: path.clone(),
                        kind: FindingKind::UnknownKey,
                        message: format!("`{key}` is not a field of `{}`", shape.name),
                        suggestion: format!(
                            "add `{key}: {{ type: {}, absent: true }}` to `{}`",
                            guess(&object[key]),
                            shape.name
                        ),
                    });
                    path.truncate(len);
                }
            }
        }
    }
}

impl Types<'_> {
    /// Whether `ty` itself accepts `null` (only `json`, directly or as the type argument).
    fn accepts_null(&self, ty: &Type, param: Option<&Type>) -> bool {
        match ty {
            Type::Scalar(Scalar::Json) => true,
            Type::Param => param.is_none_or(|p| self.accepts_null(p, None)),
            _ => false,
        }
    }
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

fn scalar_words(scalar: Scalar) -> &'static str {
    match scalar {
        Scalar::String => "a string",
        Scalar::Timestamp => "a timestamp string",
        Scalar::Bool => "a boolean",
        Scalar::Int => "an integer",
        Scalar::Uint => "a non-negative integer",
        Scalar::Number => "a number",
        Scalar::Money => "a money string or number",
        Scalar::StringOrNumber => "a string or a number",
        Scalar::Id => "an id (an integer or a string)",
        Scalar::Json => "any JSON",
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(n) if n.is_u64() => "a non-negative integer".into(),
        Value::Number(n) if n.is_i64() => "a negative integer".into(),
        Value::Number(_) => "a float".into(),
        Value::String(_) => "a string".into(),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// A type for an unknown key's value, as a starting point for the maintainer.
fn guess(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_u64() => "uint",
        Value::Number(n) if n.is_i64() => "int",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        _ => "json",
    }
}
