//! Validation of `shapes/<platform>.yaml`: names, field keys, type expressions, cycles and
//! duplicate shapes.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::catalog::{FieldDef, ShapesFile, Undocumented};
use crate::diagnostic::{closest, Diagnostic};
use crate::locate::Locator;
use crate::model::{EnumType, Field, Shape, Type};
use crate::types::{self, Scalar, TypeExpr};

/// Names the generated platform module already uses for its own items.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Event",
    "Topic",
    "Scope",
    "Subscription",
    "Field",
    "Id",
    "Mismatch",
    "Money",
    "Timestamp",
    "StringOrNumber",
    "Unknown",
    "P",
];

/// The shapes and enums of one platform, or nothing if the file has errors.
pub(super) struct ShapeChecker<'a> {
    file: &'a ShapesFile,
    locator: Locator<'a>,
    diagnostics: &'a mut Vec<Diagnostic>,
}

/// What a name in a type expression refers to.
#[derive(Clone, Copy)]
pub(super) enum Named {
    Shape { index: usize, generic: bool },
    Enum(usize),
}

impl<'a> ShapeChecker<'a> {
    pub(super) fn new(file: &'a ShapesFile, diagnostics: &'a mut Vec<Diagnostic>) -> Self {
        Self { file, locator: Locator::new(&file.text), diagnostics }
    }

    fn push(
        &mut self,
        lines: &Option<Range<usize>>,
        key: &str,
        subject: String,
        message: String,
        hint: impl Into<String>,
    ) {
        let position = self.locator.position(lines, key);
        self.diagnostics.push(Diagnostic::at(&self.file.path, position, subject, message, hint.into()));
    }

    /// Validates every shape and enum.
    pub(super) fn check(mut self) -> (Vec<Shape>, Vec<EnumType>, BTreeMap<String, Named>) {
        let names = self.names();
        let enums = self.enums();
        let mut shapes = Vec::new();
        for (name, located) in &self.file.shapes {
            let def = &located.value;
            let subject = format!("shape `{name}`");
            let mut fields: Vec<Field> = Vec::new();
            let mut idents: HashMap<String, String> = HashMap::new();
            for (key, value) in &def.fields {
                let Some(key) = key.as_str() else {
                    self.push(
                        &located.lines,
                        "fields",
                        subject.clone(),
                        "a field key is not a string".into(),
                        "quote the key",
                    );
                    continue;
                };
                let field_subject = format!("field `{name}.{key}`");
                let field: FieldDef = match serde_yaml::from_value(value.clone()) {
                    Ok(field) => field,
                    Err(e) => {
                        let message = e.to_string();
                        let hint = if message.contains("unknown field") {
                            "a field takes `type`, `absent`, `nullable`, `rust_name`, `description`, `undocumented` and `strict`"
                        } else {
                            "write the field as `{ type: string, absent: true, nullable: true }`"
                        };
                        self.push(&located.lines, key, field_subject, message, hint);
                        continue;
                    }
                };
                if field.rust_name.is_none() && key.chars().any(|c| !(c.is_ascii_alphanumeric() || c == '_')) {
                    self.push(
                        &located.lines,
                        key,
                        field_subject.clone(),
                        format!("key `{key}` is not a Rust identifier"),
                        format!("add `rust_name: {}` to the field", suggest_rust_name(key)),
                    );
                    continue;
                }
                let ident = field.rust_name.clone().unwrap_or_else(|| key.to_snake_case());
                if syn::parse_str::<syn::Ident>(&ident).is_err()
                    || ident == "extra"
                    || ident.chars().any(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
                {
                    let suggestion = suggest_rust_name(key);
                    self.push(
                        &located.lines,
                        key,
                        field_subject.clone(),
                        format!("key `{key}` gives `{ident}`, which cannot be a Rust field name"),
                        format!("add `rust_name: {suggestion}` to the field"),
                    );
                    continue;
                }
                if let Some(other) = idents.insert(ident.clone(), key.to_owned()) {
                    self.push(
                        &located.lines,
                        key,
                        field_subject.clone(),
                        format!("keys `{key}` and `{other}` both become the Rust field `{ident}`"),
                        "set `rust_name:` on one of them",
                    );
                    continue;
                }
                let Some(ty) = self.resolve(&located.lines, key, &field_subject, &field.ty, &names, def.generic) else {
                    continue;
                };
                let undocumented = match &field.undocumented {
                    Some(Undocumented::Searched(searched)) if !searched.trim().is_empty() => {
                        Some(searched.trim().to_owned())
                    }
                    None => None,
                    Some(_) => {
                        self.push(
                            &located.lines,
                            key,
                            field_subject.clone(),
                            "`undocumented:` needs what was searched".into(),
                            "write the pages you checked, e.g. `undocumented: \"not on the REST Order page nor the GraphQL Order object\"`",
                        );
                        continue;
                    }
                };
                match (&field.description, &undocumented) {
                    (Some(description), None) if !description.trim().is_empty() => {}
                    (Some(_), Some(_)) => {
                        self.push(
                            &located.lines,
                            key,
                            field_subject.clone(),
                            "the field has a description and says it is `undocumented`".into(),
                            "keep the description and remove `undocumented:`, or the other way round",
                        );
                        continue;
                    }
                    (None, Some(_)) => {}
                    _ => {
                        self.push(
                            &located.lines,
                            key,
                            field_subject.clone(),
                            "the field has no description".into(),
                            "add `description:` from the platform's reference (cite the page in the shape's `source` or `references`), or `undocumented: \"<what you searched>\"` where no public document describes it",
                        );
                        continue;
                    }
                }
                if let Some(reason) = &field.strict {
                    if reason.trim().is_empty() {
                        self.push(
                            &located.lines,
                            key,
                            field_subject.clone(),
                            "`strict:` needs the reason the platform guarantees this field".into(),
                            "write e.g. `strict: the delivery's topic is read from it`, or remove `strict`",
                        );
                        continue;
                    }
                    if !matches!(ty, Type::Scalar(_) | Type::Enum(_)) {
                        self.push(
                            &located.lines,
                            key,
                            field_subject.clone(),
                            format!("only a scalar or enum field can be strict, and `{}` is not one", field.ty),
                            "remove `strict`: the fields inside it decide for themselves",
                        );
                        continue;
                    }
                    // The decoder notes which strict fields came in the bits of a `u64`.
                    if fields.iter().filter(|field| field.strict.is_some()).count() == MAX_STRICT {
                        self.push(
                            &located.lines,
                            key,
                            field_subject.clone(),
                            format!("a shape can have at most {MAX_STRICT} strict fields, and this is one more"),
                            "remove `strict` from the fields the delivery is not read by",
                        );
                        continue;
                    }
                }
                fields.push(Field {
                    key: key.to_owned(),
                    ident,
                    ty,
                    absent: field.absent,
                    null: field.nullable,
                    description: field.description.clone(),
                    undocumented,
                    strict: field.strict.clone(),
                });
            }
            shapes.push(Shape {
                name: name.clone(),
                description: def.description.clone(),
                source: def.source.clone(),
                references: def.references.clone(),
                generic: def.generic,
                fields,
            });
        }
        self.cycles(&shapes);
        self.duplicates(&shapes);
        (shapes, enums, names)
    }

    /// Every shape and enum name, checked for form and clashes.
    fn names(&mut self) -> BTreeMap<String, Named> {
        let mut names = BTreeMap::new();
        let entries = self.file.shapes.iter().map(|(n, l)| (n, &l.lines, l.value.generic, true));
        let entries: Vec<_> = entries.chain(self.file.enums.iter().map(|(n, l)| (n, &l.lines, false, false))).collect();
        let (mut shape_index, mut enum_index) = (0, 0);
        for (name, lines, generic, is_shape) in entries {
            let kind = if is_shape { "shape" } else { "enum" };
            let named = if is_shape { Named::Shape { index: shape_index, generic } } else { Named::Enum(enum_index) };
            if is_shape {
                shape_index += 1;
            } else {
                enum_index += 1;
            }
            let subject = format!("{kind} `{name}`");
            if name.to_upper_camel_case() != *name || syn::parse_str::<syn::Ident>(name).is_err() {
                self.push(
                    lines,
                    name,
                    subject,
                    format!("`{name}` is not an UpperCamelCase name"),
                    format!("rename it `{}`", name.to_upper_camel_case()),
                );
            } else if RESERVED_TYPE_NAMES.contains(&name.as_str()) || Scalar::ALL.iter().any(|(_, s)| s == name) {
                self.push(
                    lines,
                    name,
                    subject,
                    format!("`{name}` is a name the generated module already uses"),
                    format!("rename it, e.g. `{name}Payload`"),
                );
            } else if names.contains_key(name) {
                self.push(
                    lines,
                    name,
                    subject,
                    format!("`{name}` is defined twice"),
                    "shapes and enums share one namespace; rename or merge one",
                );
            } else {
                names.insert(name.clone(), named);
            }
        }
        names
    }

    fn enums(&mut self) -> Vec<EnumType> {
        let mut enums = Vec::new();
        for (name, located) in &self.file.enums {
            let def = &located.value;
            let subject = format!("enum `{name}`");
            let mut values: Vec<(String, String)> = Vec::new();
            for value in &def.values {
                let ident = value_ident(value);
                if values.iter().any(|(v, _)| v == value) {
                    self.push(
                        &located.lines,
                        "values",
                        subject.clone(),
                        format!("value `{value}` is listed twice"),
                        "list each value once",
                    );
                } else if syn::parse_str::<syn::Ident>(&ident).is_err() {
                    self.push(
                        &located.lines,
                        "values",
                        subject.clone(),
                        format!("value `{value}` gives the variant `{ident}`, a Rust keyword"),
                        "keep the field as `string` (the value is still kept when it is sent)",
                    );
                } else if let Some((other, _)) = values.iter().find(|(_, i)| *i == ident) {
                    self.push(
                        &located.lines,
                        "values",
                        subject.clone(),
                        format!("values `{value}` and `{other}` both become the variant `{ident}`"),
                        "the platform distinguishes them only by case or punctuation; keep them as `string`",
                    );
                } else {
                    values.push((value.clone(), ident));
                }
            }
            let mut codes: Vec<(u64, String, String)> = Vec::new();
            for (code, documented) in &def.codes {
                let ident = value_ident(documented);
                if let Some((other, _, _)) = codes.iter().find(|(_, _, i)| *i == ident) {
                    self.push(
                        &located.lines,
                        "codes",
                        subject.clone(),
                        format!("codes {other} and {code} both become the variant `{ident}`"),
                        "give each code its own name",
                    );
                } else {
                    codes.push((*code, documented.clone(), ident));
                }
            }
            match (def.values.is_empty(), def.codes.is_empty()) {
                (true, true) => self.push(
                    &located.lines,
                    "values",
                    subject,
                    "the enum has no values".into(),
                    "list the documented values, or use `string`",
                ),
                (false, false) => {
                    self.push(
                        &located.lines,
                        "codes",
                        subject,
                        "the enum has both `values` and `codes`".into(),
                        "an enum is of strings (`values`) or of integer codes (`codes`), not both",
                    );
                    // Checked as a string enum from here on, so this is the only error.
                    codes.clear();
                }
                _ => {}
            }
            enums.push(EnumType {
                name: name.clone(),
                description: def.description.clone(),
                source: def.source.clone(),
                values,
                codes,
            });
        }
        enums
    }

    /// Parses and resolves a field's type expression.
    fn resolve(
        &mut self,
        lines: &Option<Range<usize>>,
        key: &str,
        subject: &str,
        text: &str,
        names: &BTreeMap<String, Named>,
        generic: bool,
    ) -> Option<Type> {
        match types::parse(text) {
            Ok(expr) => match resolve(&expr, names, generic) {
                Ok(ty) => Some(ty),
                Err((message, hint)) => {
                    self.push(lines, key, subject.into(), message, hint);
                    None
                }
            },
            Err(problem) => {
                self.push(
                    lines,
                    key,
                    subject.into(),
                    format!("type `{text}` does not parse: {problem}"),
                    "see the type table in catalog/README.md",
                );
                None
            }
        }
    }

    /// A shape that contains itself other than through an array or map has no finite size.
    fn cycles(&mut self, shapes: &[Shape]) {
        fn direct(ty: &Type, out: &mut Vec<usize>) {
            match ty {
                Type::Shape(index, arg) => {
                    out.push(*index);
                    if let Some(arg) = arg {
                        direct(arg, out);
                    }
                }
                Type::Array(_) | Type::Map(_) | Type::Scalar(_) | Type::Enum(_) | Type::Param => {}
            }
        }
        let edges: Vec<Vec<usize>> = shapes
            .iter()
            .map(|shape| {
                let mut out = Vec::new();
                shape.fields.iter().for_each(|f| direct(&f.ty, &mut out));
                out
            })
            .collect();
        for start in 0..shapes.len() {
            let mut stack = vec![(start, vec![start])];
            let mut seen = vec![false; shapes.len()];
            while let Some((at, path)) = stack.pop() {
                for &next in &edges[at] {
                    if next == start {
                        let names: Vec<&str> = path.iter().chain([&start]).map(|&i| shapes[i].name.as_str()).collect();
                        let lines = self
                            .file
                            .shapes
                            .iter()
                            .find(|(n, _)| *n == shapes[start].name)
                            .and_then(|(_, l)| l.lines.clone());
                        self.push(
                            &lines,
                            &shapes[start].name,
                            format!("shape `{}`", shapes[start].name),
                            format!("the shape contains itself: {}", names.join(" → ")),
                            "break the cycle with an array (`[T]`) or a map (`{T}`), or use `json` for the inner value",
                        );
                        stack.clear();
                        break;
                    }
                    if !seen[next] {
                        seen[next] = true;
                        let mut longer = path.clone();
                        longer.push(next);
                        stack.push((next, longer));
                    }
                }
            }
        }
    }

    /// Two shapes with the same fields and types should be one shared shape.
    fn duplicates(&mut self, shapes: &[Shape]) {
        let mut seen: HashMap<Vec<(String, Type, bool, bool)>, &str> = HashMap::new();
        for shape in shapes.iter().filter(|s| !s.fields.is_empty()) {
            let mut signature: Vec<(String, Type, bool, bool)> =
                shape.fields.iter().map(|f| (f.key.clone(), f.ty.clone(), f.absent, f.null)).collect();
            signature.sort_by(|a, b| a.0.cmp(&b.0));
            if let Some(first) = seen.insert(signature, &shape.name) {
                let lines = self.file.shapes.iter().find(|(n, _)| *n == shape.name).and_then(|(_, l)| l.lines.clone());
                self.push(
                    &lines,
                    &shape.name,
                    format!("shape `{}`", shape.name),
                    format!("the shape has the same fields and types as `{first}`"),
                    format!("delete it and use `{first}` where it is referenced"),
                );
            }
        }
    }
}

/// Resolves names in a parsed expression.
pub(super) fn resolve(
    expr: &TypeExpr,
    names: &BTreeMap<String, Named>,
    generic: bool,
) -> Result<Type, (String, String)> {
    Ok(match expr {
        TypeExpr::Scalar(scalar) => Type::Scalar(*scalar),
        TypeExpr::Array(item) => Type::Array(Box::new(resolve(item, names, generic)?)),
        TypeExpr::Map(value) => Type::Map(Box::new(resolve(value, names, generic)?)),
        TypeExpr::Param if generic => Type::Param,
        TypeExpr::Param => {
            return Err((
                "`P` is only allowed in a generic shape".into(),
                "add `generic: true` to the shape, or name a concrete type".into(),
            ))
        }
        TypeExpr::Named(name, arg) => match (names.get(name), arg) {
            (Some(Named::Shape { index, generic: true }), Some(arg)) => {
                Type::Shape(*index, Some(Box::new(resolve(arg, names, generic)?)))
            }
            (Some(Named::Shape { index, generic: false }), None) => Type::Shape(*index, None),
            (Some(Named::Enum(index)), None) => Type::Enum(*index),
            (Some(Named::Shape { generic: true, .. }), None) => {
                return Err((format!("`{name}` is generic and needs a type argument"), format!("write `{name}<T>`")))
            }
            (Some(_), Some(_)) => return Err((format!("`{name}` takes no type argument"), format!("write `{name}`"))),
            (None, _) => {
                let hint =
                    match closest(name, names.keys().map(String::as_str).chain(Scalar::ALL.iter().map(|(_, n)| *n))) {
                        Some(near) => {
                            format!("did you mean `{near}`? Otherwise define `{name}` under `shapes:` or `enums:`")
                        }
                        None => format!("define `{name}` under `shapes:` or `enums:`, or use a built-in type"),
                    };
                return Err((format!("type `{name}` is not defined"), hint));
            }
        },
    })
}

/// `paid` → `Paid`, `partially_refunded` → `PartiallyRefunded`, `3d_secure` → `V3dSecure`.
pub fn value_ident(value: &str) -> String {
    let words: String = value.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let ident = words.to_upper_camel_case();
    match ident.chars().next() {
        None => "Empty".into(),
        Some(c) if c.is_ascii_digit() => format!("V{ident}"),
        Some(_) if ident == "Unknown" => "UnknownValue".into(),
        Some(_) => ident,
    }
}

/// A Rust field name for a key that is not one: `b2b?` → `b2b`, `type` → `type_`.
fn suggest_rust_name(key: &str) -> String {
    let snake = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || *c == ' ')
        .collect::<String>()
        .to_snake_case();
    let snake = if snake.starts_with(|c: char| c.is_ascii_digit()) { format!("n{snake}") } else { snake };
    if syn::parse_str::<syn::Ident>(&snake).is_ok() && snake != "extra" && !snake.is_empty() {
        snake
    } else {
        format!("{snake}_")
    }
}

/// The most strict fields a shape can have (`wire::Shape::strict_index` is below 64).
const MAX_STRICT: usize = 64;
