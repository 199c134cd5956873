//! `cargo xtask catalog infer`: proposes payload shapes (the `catalog/shapes/<platform>.yaml`
//! format) from a topic's example bodies, plus the list of things a human must decide.
//!
//! Examples only show what one delivery happened to contain, so the proposal is a starting
//! point for a transcription, never a replacement: every guess that the docs must settle is
//! returned as a [`Flag`] with its JSON path.
//!
//! Two stages: `Node` merges everything seen at one JSON path over all examples and array
//! elements; `Resolver` turns those observations into shapes, enums and flags; the YAML is
//! then written by hand so that it is byte-for-byte deterministic and can carry comments.

use std::fmt::{self, Write as _};

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// At most this many distinct string values are remembered per path (for enum candidates).
const MAX_VALUES: usize = 30;

// ---------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------

/// A JSON value that keeps object keys in document order.
///
/// `serde_json::Value` sorts keys in this workspace (serde_json's `preserve_order` feature is
/// off, and turning it on would change every crate built alongside), while a proposal should
/// list fields in the order the platform sends them.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// Any number, as serde_json parsed it.
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, keys in document order (a repeated key keeps its last value, like serde_json).
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Parses JSON text; the error carries serde_json's line and column.
    pub fn parse(text: &str) -> Result<Json, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// For callers that already hold a `serde_json::Value` (its keys come sorted).
impl From<serde_json::Value> for Json {
    fn from(value: serde_json::Value) -> Self {
        use serde_json::Value;
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Number(n) => Json::Number(n),
            Value::String(s) => Json::String(s),
            Value::Array(items) => Json::Array(items.into_iter().map(Json::from).collect()),
            Value::Object(map) => Json::Object(map.into_iter().map(|(k, v)| (k, Json::from(v))).collect()),
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        // JSON text cannot spell NaN or infinity, so the fallback is unreachable from a parse.
        Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        Json::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries: Vec<(String, Json)> = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            match entries.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => entries.push((key, value)),
            }
        }
        Ok(Json::Object(entries))
    }
}

/// One example body of the topic, and the name it is reported under (its file name).
#[derive(Debug, Clone)]
pub struct Example {
    /// Shown in the header and in notes about this example.
    pub name: String,
    /// The parsed body.
    pub body: Json,
}

/// The shapes already declared for the platform, reduced to what reuse needs: their names
/// and field keys (and the enums' names and values, so that proposals do not repeat them).
#[derive(Debug, Clone, Default)]
pub struct KnownShapes {
    /// Where they were read from, for comments (`catalog/shapes/shopify.yaml`).
    pub origin: String,
    shapes: Vec<KnownShape>,
    enums: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone)]
struct KnownShape {
    name: String,
    keys: Vec<String>,
    /// For a generic shape, the field whose type is exactly `P`; a generic shape without one
    /// is never reused, because the type argument could not be inferred.
    param_key: Option<String>,
    generic: bool,
}

impl KnownShapes {
    /// Reads the top-level `shapes:` map of a shapes file (`name → {fields: {key: …}}`) and
    /// the `enums:` map (`name → {values: […]}`); every other key, and every entry not of
    /// that form, is ignored: this is a helper's reading, the validator is the strict one.
    pub fn from_yaml(origin: &str, text: &str) -> Result<Self, serde_yaml::Error> {
        let root: serde_yaml::Value = serde_yaml::from_str(text)?;
        let entries = |key: &str| root.get(key).and_then(serde_yaml::Value::as_mapping).into_iter().flatten();
        let shapes = entries("shapes").filter_map(|(name, def)| known_shape(name.as_str()?, def)).collect();
        let enums = entries("enums").filter_map(|(name, def)| known_enum(name.as_str()?, def)).collect();
        Ok(Self { origin: origin.to_owned(), shapes, enums })
    }

    /// The names of the known shapes, in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.shapes.iter().map(|s| s.name.as_str())
    }

    /// Whether a shape or an enum has this name.
    fn contains(&self, name: &str) -> bool {
        self.names().any(|n| n == name) || self.enums.iter().any(|(n, _)| n == name)
    }

    /// The first known enum that lists every one of `values`.
    fn enum_with(&self, values: &[String]) -> Option<&str> {
        let covers = |known: &[String]| values.iter().all(|v| known.contains(v));
        self.enums.iter().find(|(_, known)| covers(known)).map(|(name, _)| name.as_str())
    }
}

fn known_enum(name: &str, def: &serde_yaml::Value) -> Option<(String, Vec<String>)> {
    let values = def.get("values")?.as_sequence()?.iter().filter_map(yaml_key).collect();
    Some((name.to_owned(), values))
}

fn known_shape(name: &str, def: &serde_yaml::Value) -> Option<KnownShape> {
    let fields = def.get("fields")?.as_mapping()?;
    let keys: Vec<String> = fields.keys().filter_map(yaml_key).collect();
    let param_key = fields
        .iter()
        .find(|(_, field)| field.get("type").and_then(serde_yaml::Value::as_str).map(str::trim) == Some("P"))
        .and_then(|(key, _)| yaml_key(key));
    let generic = def.get("generic").and_then(serde_yaml::Value::as_bool) == Some(true);
    Some(KnownShape { name: name.to_owned(), keys, param_key, generic })
}

/// A mapping key as JSON would spell it: unquoted YAML keys such as `123` or `true` are not
/// strings to serde_yaml but are keys of the JSON object all the same.
fn yaml_key(key: &serde_yaml::Value) -> Option<String> {
    match key {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

/// What kind of decision a [`Flag`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlagKind {
    /// The root is not an object in some example (or there are no examples).
    Root,
    /// Money-looking strings, or a money-looking key with numbers: `money`?
    Money,
    /// ISO-8601-looking strings, typed `timestamp`.
    Timestamp,
    /// `gid://…` strings: a global id kept as `string`.
    GlobalId,
    /// An integer `id` / `*_id` typed `uint`.
    Id,
    /// A string that looks like a closed set of values.
    EnumCandidate,
    /// A field missing from some objects, marked `absent: true`.
    SeenSometimes,
    /// Only `null` was seen, so the type is `json`.
    OnlyNull,
    /// Values of different JSON types at one path.
    MixedTypes,
    /// Only empty arrays were seen: `[json]`.
    EmptyArray,
    /// Only empty objects were seen: `json`.
    EmptyObject,
    /// An array holds `null` elements, which `[T]` cannot express.
    NullElements,
    /// An object whose keys look like data: a map `{T}` rather than a shape?
    MapCandidate,
    /// An object reuses a shape of the shapes file.
    KnownShape,
    /// An object has the same fields and types as an earlier one and shares its shape.
    SharedShape,
    /// The natural name was taken, so the shape got another one.
    NameTaken,
    /// Two keys of one shape map to the same Rust field name.
    RustNameClash,
}

impl FlagKind {
    /// A few words for the trailing comment of a field.
    pub fn label(self) -> &'static str {
        match self {
            Self::Root => "root",
            Self::Money => "money?",
            Self::Timestamp => "timestamp?",
            Self::GlobalId => "global id",
            Self::Id => "id: confirm u64",
            Self::EnumCandidate => "enum candidate",
            Self::SeenSometimes => "seen only sometimes",
            Self::OnlyNull => "only null seen",
            Self::MixedTypes => "mixed types",
            Self::EmptyArray => "empty array",
            Self::EmptyObject => "empty object",
            Self::NullElements => "null elements",
            Self::MapCandidate => "map?",
            Self::KnownShape => "known shape",
            Self::SharedShape => "shared shape",
            Self::NameTaken => "renamed",
            Self::RustNameClash => "rust_name clash",
        }
    }
}

/// One "needs a human decision" item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Where, as a JSON path over the merged examples: `$`, `$.line_items[*].price`.
    pub path: String,
    /// What kind of decision.
    pub kind: FlagKind,
    /// What was seen and what is proposed.
    pub message: String,
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The proposal for one topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inference {
    /// The proposed shapes file content (`shapes:` and, if any, `enums:`), with comments.
    /// A field that may be `null` says `nullable: true`, the catalog's key for it.
    pub yaml: String,
    /// The type expression for the event's `payload:`.
    pub payload: String,
    /// Everything that needs a human decision, in the order met.
    pub flags: Vec<Flag>,
}

/// Infers shapes for one topic from its example bodies.
///
/// `root_name` names the root shape; `known` shapes are reused where an object's keys match
/// theirs. Pure and deterministic: the same inputs give the same bytes.
pub fn infer(examples: &[Example], known: &KnownShapes, root_name: &str) -> Inference {
    let mut root = Node::default();
    for example in examples {
        root.observe(&example.body);
    }
    let mut resolver = Resolver::new(known, root_name);
    let payload = resolver.root_type(&root, examples);
    let yaml = resolver.render(examples, &payload);
    Inference { yaml, payload, flags: resolver.flags }
}

/// The default root name for an example file: its stem in UpperCamelCase
/// (`orders_create.json` → `OrdersCreate`), leading digits dropped, `Payload` if nothing is left.
pub fn root_name_from_file(file_name: &str) -> String {
    let stem = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = stem.split_once('.').map_or(stem, |(stem, _)| stem);
    let name = stem.to_upper_camel_case();
    let name = name.trim_start_matches(|c: char| c.is_ascii_digit());
    if name.is_empty() {
        "Payload".to_owned()
    } else {
        name.to_owned()
    }
}

/// Whether `name` can name a shape: an ASCII UpperCamelCase identifier other than `P`.
pub fn is_shape_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric()) && name != "P"
}

// ---------------------------------------------------------------------------------------------
// Stage 1: observations
// ---------------------------------------------------------------------------------------------

/// Everything seen at one JSON path, merged over examples and array elements.
#[derive(Debug, Default)]
struct Node {
    /// Times a value was there at all, `null` included.
    present: usize,
    nulls: usize,
    bools: usize,
    ints: usize,
    negative_ints: usize,
    floats: usize,
    strings: Strings,
    arrays: usize,
    /// All elements of all arrays seen here, merged; `items.present` counts elements.
    items: Option<Box<Node>>,
    object: Option<Object>,
}

/// String values seen at one path, counted by what they look like.
#[derive(Debug, Default)]
struct Strings {
    count: usize,
    money: usize,
    timestamps: usize,
    gids: usize,
    /// Distinct values in first-seen order, at most [`MAX_VALUES`].
    distinct: Vec<String>,
    overflow: bool,
}

/// Objects seen at one path: how many, and their fields in first-seen order.
#[derive(Debug, Default)]
struct Object {
    instances: usize,
    fields: Vec<(String, Node)>,
}

/// The JSON types a node has seen, in a fixed order so that matching on them is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Node {
    fn observe(&mut self, value: &Json) {
        self.present += 1;
        match value {
            Json::Null => self.nulls += 1,
            Json::Bool(_) => self.bools += 1,
            Json::Number(n) if n.is_f64() => self.floats += 1,
            Json::Number(n) => {
                self.ints += 1;
                self.negative_ints += usize::from(n.as_i64().is_some_and(|i| i < 0));
            }
            Json::String(s) => self.strings.observe(s),
            Json::Array(items) => {
                self.arrays += 1;
                let node = self.items.get_or_insert_with(Box::default);
                items.iter().for_each(|item| node.observe(item));
            }
            Json::Object(entries) => self.object.get_or_insert_with(Object::default).observe(entries),
        }
    }

    fn kinds(&self) -> Vec<Kind> {
        let counts = [
            (Kind::Bool, self.bools),
            (Kind::Number, self.ints + self.floats),
            (Kind::String, self.strings.count),
            (Kind::Array, self.arrays),
            (Kind::Object, self.object.as_ref().map_or(0, |o| o.instances)),
        ];
        counts.into_iter().filter(|(_, n)| *n > 0).map(|(kind, _)| kind).collect()
    }
}

impl Strings {
    fn observe(&mut self, s: &str) {
        self.count += 1;
        self.money += usize::from(looks_like_money(s));
        self.timestamps += usize::from(looks_like_timestamp(s));
        self.gids += usize::from(s.starts_with("gid://"));
        if !self.distinct.iter().any(|d| d == s) {
            if self.distinct.len() < MAX_VALUES {
                self.distinct.push(s.to_owned());
            } else {
                self.overflow = true;
            }
        }
    }
}

impl Object {
    fn observe(&mut self, entries: &[(String, Json)]) {
        self.instances += 1;
        for (key, value) in entries {
            self.field_mut(key).observe(value);
        }
    }

    fn field_mut(&mut self, key: &str) -> &mut Node {
        let at = match self.fields.iter().position(|(k, _)| k == key) {
            Some(at) => at,
            None => {
                self.fields.push((key.to_owned(), Node::default()));
                self.fields.len() - 1
            }
        };
        &mut self.fields[at].1
    }
}

/// `"12.00"`, `"-3.5"`: digits, a decimal point, digits.
fn looks_like_money(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let Some((whole, fraction)) = digits.split_once('.') else { return false };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && all_digits(fraction)
}

/// `2024-06-25T00:00:00.000Z`, `2021-12-31T19:00:00-05:00`, `2024-01-01 07:34:56 UTC`,
/// `2014-12-24 13:42:33 +0000`: a date, `T` or a space, a time, then an optional zone.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| b.get(range).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let date = digits(0..4) && b.get(4) == Some(&b'-') && digits(5..7) && b.get(7) == Some(&b'-') && digits(8..10);
    let time =
        matches!(b.get(10), Some(b'T' | b't' | b' ')) && digits(11..13) && b.get(13) == Some(&b':') && digits(14..16);
    date && time && is_time_tail(&s[16..])
}

/// What may follow `HH:MM` in a timestamp: `:SS`, a fraction, then a zone.
fn is_time_tail(tail: &str) -> bool {
    let tail = match tail.strip_prefix(':') {
        Some(rest) if rest.len() >= 2 && rest.as_bytes()[..2].iter().all(u8::is_ascii_digit) => &rest[2..],
        Some(_) => return false,
        None => tail,
    };
    let tail = match tail.strip_prefix(['.', ',']) {
        Some(rest) => rest.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => tail,
    };
    is_zone(tail.strip_prefix(' ').unwrap_or(tail))
}

/// Nothing, `Z`, `±HH`, `±HHMM`, `±HH:MM`, or letters such as `UTC`.
fn is_zone(zone: &str) -> bool {
    if zone.is_empty() || zone.eq_ignore_ascii_case("z") {
        return true;
    }
    if let Some(offset) = zone.strip_prefix(['+', '-']) {
        let offset = offset.replacen(':', "", 1);
        return matches!(offset.len(), 2 | 4) && offset.bytes().all(|b| b.is_ascii_digit());
    }
    zone.len() <= 5 && zone.bytes().all(|b| b.is_ascii_uppercase())
}

// ---------------------------------------------------------------------------------------------
// Stage 2: resolution
// ---------------------------------------------------------------------------------------------

/// Where a value sits, and what its key suggests.
#[derive(Debug, Clone)]
struct Place {
    /// JSON path over the merged examples.
    path: String,
    /// The key in snake_case, for the rules keyed on names (money, id, enum); `None` at the
    /// root and for array elements, whose key describes the array, not each element.
    rule_key: Option<String>,
    /// The name a shape here would get.
    hint: String,
    /// The hint of the enclosing object, to tell apart two shapes that want one name.
    parent_hint: String,
    /// Whether a shape here may take the root name, which is otherwise kept for the root.
    owns_root_name: bool,
}

impl Place {
    fn root(name: &str) -> Self {
        Self {
            path: "$".to_owned(),
            rule_key: None,
            hint: name.to_owned(),
            parent_hint: String::new(),
            owns_root_name: true,
        }
    }

    fn field(&self, key: &str) -> Self {
        Self {
            path: format!("{}{}", self.path, path_segment(key)),
            rule_key: Some(key.to_snake_case()),
            hint: type_name(&key.to_upper_camel_case(), &self.hint),
            parent_hint: self.hint.clone(),
            owns_root_name: false,
        }
    }

    fn item(&self) -> Self {
        Self {
            path: format!("{}[*]", self.path),
            rule_key: None,
            hint: singular(&self.hint),
            parent_hint: self.parent_hint.clone(),
            owns_root_name: false,
        }
    }

    fn key_is(&self, rule: impl Fn(&str) -> bool) -> bool {
        self.rule_key.as_deref().is_some_and(rule)
    }
}

/// `.key`, or `["odd key"]` when the key is not a plain word.
fn path_segment(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!(".{key}")
    } else {
        format!("[{}]", json_quote(key))
    }
}

/// A usable type name from an UpperCamelCase word: a key such as `3ds` or `?` yields none
/// that starts with a letter, so the parent's name is put in front.
fn type_name(camel: &str, parent: &str) -> String {
    if camel.starts_with(|c: char| c.is_ascii_alphabetic()) {
        camel.to_owned()
    } else {
        format!("{parent}{camel}")
    }
}

/// The element name for an array's name: `LineItems` → `LineItem`, `Addresses` → `Address`,
/// `Categories` → `Category`; a name that is not a plural gets `Item` (`Data` → `DataItem`).
fn singular(name: &str) -> String {
    let snake = name.to_snake_case();
    let (head, last) = snake.rsplit_once('_').map_or(("", snake.as_str()), |(h, l)| (h, l));
    let one = singular_word(last);
    if one == last {
        return format!("{name}Item");
    }
    format!("{head}_{one}").to_upper_camel_case()
}

fn singular_word(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies").filter(|s| !s.is_empty()) {
        return format!("{stem}y");
    }
    for ending in ["sses", "xes", "ches", "shes", "zes", "uses"] {
        if word.ends_with(ending) {
            return word[..word.len() - 2].to_owned();
        }
    }
    match word.strip_suffix('s') {
        Some(stem) if !stem.is_empty() && !stem.ends_with(['s', 'u']) => stem.to_owned(),
        _ => word.to_owned(),
    }
}

/// `price`, `amount`, `total_*`, `*_price`, `subtotal*`, `*_amount`.
fn is_money_key(key: &str) -> bool {
    matches!(key, "price" | "amount")
        || key.starts_with("total_")
        || key.starts_with("subtotal")
        || key.ends_with("_price")
        || key.ends_with("_amount")
}

/// `*_at`, `date`, `*_date`, `timestamp`: keys that usually hold a point in time.
fn is_time_key(key: &str) -> bool {
    matches!(key, "date" | "timestamp") || key.ends_with("_at") || key.ends_with("_date")
}

fn is_id_key(key: &str) -> bool {
    key == "id" || key.ends_with("_id")
}

/// `status`, `*_status`, `kind`, `type`, `state`, `*_type`.
fn is_enum_key(key: &str) -> bool {
    matches!(key, "status" | "kind" | "type" | "state") || key.ends_with("_status") || key.ends_with("_type")
}

/// The `rust_name:` a key needs, if any: keys with characters other than letters, digits and
/// `_` or starting with a digit (spelled out even where snake_case would mend them, so the
/// Rust name is visible), and keys the validator rejects without one.
fn rust_name(key: &str) -> Option<String> {
    let plain = key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    let snake = key.to_snake_case();
    if plain && is_field_ident(&snake) {
        return None;
    }
    let suggestion = match snake.as_str() {
        "" => "field".to_owned(),
        "type" => "kind".to_owned(),
        // As the validator suggests: `3ds` → `n3ds`.
        s if s.starts_with(|c: char| c.is_ascii_digit()) => format!("n{s}"),
        s if is_field_ident(s) => s.to_owned(),
        // Not `ref_`: heck's snake_case drops a trailing `_`, so the validator's
        // "already snake_case" test rejects it.
        s => format!("{s}_field"),
    };
    Some(if is_field_ident(&suggestion) { suggestion } else { "field".to_owned() })
}

/// The validator's rule for a field's Rust name: an identifier (not a keyword), already
/// snake_case, and not `extra`, which every generated struct uses for the unknown keys.
fn is_field_ident(ident: &str) -> bool {
    syn::parse_str::<syn::Ident>(ident).is_ok() && ident != "extra" && ident == ident.to_snake_case()
}

/// One proposed field.
#[derive(Debug, Clone)]
struct Field {
    key: String,
    ty: String,
    absent: bool,
    nullable: bool,
    rust_name: Option<String>,
    /// Labels of the flags raised here, for the trailing comment.
    labels: Vec<String>,
}

/// One proposed shape.
#[derive(Debug)]
struct Shape {
    name: String,
    /// Pre-order position of the first object it stands for, so shapes print in first-seen
    /// order although they are built children first.
    seen: usize,
    path: String,
    hint: String,
    fields: Vec<Field>,
    /// Other paths whose objects share this shape.
    also: Vec<(String, String)>,
}

impl Shape {
    /// Field keys and types, order-insensitive: what makes two objects share one shape.
    fn signature(fields: &[Field]) -> Vec<(&str, &str)> {
        let mut pairs: Vec<(&str, &str)> = fields.iter().map(|f| (f.key.as_str(), f.ty.as_str())).collect();
        pairs.sort_unstable();
        pairs
    }

    fn has_signature(&self, signature: &[(&str, &str)]) -> bool {
        Self::signature(&self.fields) == signature
    }

    /// Folds in the fields of an object with the same signature: a field optional or
    /// nullable in either is so in the shared shape.
    fn absorb(&mut self, fields: Vec<Field>, path: &str, hint: &str) {
        for other in fields {
            if let Some(mine) = self.fields.iter_mut().find(|f| f.key == other.key) {
                mine.absent |= other.absent;
                mine.nullable |= other.nullable;
                for label in other.labels {
                    push_unique(&mut mine.labels, label);
                }
            }
        }
        self.also.push((path.to_owned(), hint.to_owned()));
    }
}

/// An enum proposal from the values seen at one or more paths.
#[derive(Debug)]
struct EnumProposal {
    name: String,
    values: Vec<String>,
    paths: Vec<String>,
}

/// Turns observations into shapes, enums and flags.
struct Resolver<'a> {
    known: &'a KnownShapes,
    root_name: String,
    shapes: Vec<Shape>,
    enums: Vec<EnumProposal>,
    flags: Vec<Flag>,
    next_seen: usize,
}

impl<'a> Resolver<'a> {
    fn new(known: &'a KnownShapes, root_name: &str) -> Self {
        Self {
            known,
            root_name: root_name.to_owned(),
            shapes: Vec::new(),
            enums: Vec::new(),
            flags: Vec::new(),
            next_seen: 0,
        }
    }

    fn flag(&mut self, path: &str, kind: FlagKind, message: String) {
        self.flags.push(Flag { path: path.to_owned(), kind, message });
    }

    /// The payload type: the root shape when every example is an object (or `null`),
    /// otherwise `json` with a note per example that is not.
    fn root_type(&mut self, root: &Node, examples: &[Example]) -> String {
        let place = Place::root(&self.root_name);
        if examples.is_empty() {
            self.flag("$", FlagKind::Root, "no examples given: payload json".to_owned());
            return "json".to_owned();
        }
        let objects_only = root.kinds() == [Kind::Object];
        for example in examples.iter().filter(|e| !matches!(e.body, Json::Object(_))) {
            let message = root_note(example, objects_only);
            self.flag("$", FlagKind::Root, message);
        }
        match &root.object {
            Some(object) if objects_only => self.object_type(object, &place),
            _ => "json".to_owned(),
        }
    }

    fn type_of(&mut self, node: &Node, place: &Place) -> String {
        match node.kinds().as_slice() {
            [] => {
                self.flag(&place.path, FlagKind::OnlyNull, "type unknown: only null seen; json".to_owned());
                "json".to_owned()
            }
            [Kind::Bool] => "bool".to_owned(),
            [Kind::Number] => self.number_type(node, place),
            [Kind::String] => self.string_type(&node.strings, place),
            [Kind::Array] => self.array_type(node, place),
            [Kind::Object] => match &node.object {
                Some(object) => self.object_type(object, place),
                None => "json".to_owned(),
            },
            [Kind::Number, Kind::String] => self.string_or_number(&node.strings, place),
            kinds => {
                let names: Vec<String> = kinds.iter().map(|k| format!("{k:?}").to_lowercase()).collect();
                let message = format!("mixed types ({}): json; the docs should say which", names.join(", "));
                self.flag(&place.path, FlagKind::MixedTypes, message);
                "json".to_owned()
            }
        }
    }

    fn number_type(&mut self, node: &Node, place: &Place) -> String {
        if place.key_is(is_money_key) {
            let message = "money-looking key with numeric values: money (confirm it is an amount)".to_owned();
            self.flag(&place.path, FlagKind::Money, message);
            return "money".to_owned();
        }
        if node.floats > 0 {
            return "number".to_owned();
        }
        let negative = node.negative_ints > 0;
        if place.key_is(is_id_key) {
            let message = if negative { "id with negative values: int (confirm)" } else { "id: confirm u64" };
            self.flag(&place.path, FlagKind::Id, message.to_owned());
        }
        if place.key_is(is_time_key) {
            // `timestamp` is for date-time text; a number here is most likely Unix time.
            let message = "an integer under a time-like key: Unix time? kept as an integer".to_owned();
            self.flag(&place.path, FlagKind::Timestamp, message);
        }
        if negative { "int" } else { "uint" }.to_owned()
    }

    fn string_type(&mut self, strings: &Strings, place: &Place) -> String {
        let example = strings.distinct.first().map(|s| json_quote(s)).unwrap_or_default();
        if strings.timestamps == strings.count {
            let message = format!("ISO-8601-looking strings (e.g. {example}): timestamp (confirm)");
            self.flag(&place.path, FlagKind::Timestamp, message);
            return "timestamp".to_owned();
        }
        if strings.timestamps > 0 {
            let message = format!(
                "{} of {} values look like timestamps: string, or timestamp?",
                strings.timestamps, strings.count
            );
            self.flag(&place.path, FlagKind::Timestamp, message);
        }
        if strings.money == strings.count {
            let message = format!("money-looking strings (e.g. {example}): string; suggest money");
            self.flag(&place.path, FlagKind::Money, message);
        }
        if strings.gids > 0 {
            let message = format!("global id (e.g. {example}): kept as string");
            self.flag(&place.path, FlagKind::GlobalId, message);
        }
        if place.key_is(is_enum_key) {
            self.enum_candidate(strings, place);
        }
        "string".to_owned()
    }

    fn enum_candidate(&mut self, strings: &Strings, place: &Place) {
        let more = if strings.overflow { ", …" } else { "" };
        let mut message = format!("enum candidate, values seen: [{}{more}]", strings.distinct.join(", "));
        let known = self.known;
        if let Some(name) = known.enum_with(&strings.distinct).filter(|_| !strings.overflow) {
            // Nothing new to propose: point at the enum that already lists them.
            let _ = write!(message, "; known enum `{name}` in {} has them all", known.origin);
            self.flag(&place.path, FlagKind::EnumCandidate, message);
            return;
        }
        self.flag(&place.path, FlagKind::EnumCandidate, message);
        // A bare `status` says little on its own: `OrderStatus` says whose.
        let name = match place.rule_key.as_deref() {
            Some(key @ ("status" | "kind" | "type" | "state")) => {
                format!("{}{}", place.parent_hint, key.to_upper_camel_case())
            }
            _ => place.hint.clone(),
        };
        match self.enums.iter_mut().find(|e| e.name == name) {
            Some(proposal) => {
                for value in &strings.distinct {
                    push_unique(&mut proposal.values, value.clone());
                }
                proposal.paths.push(place.path.clone());
            }
            None => self.enums.push(EnumProposal {
                name,
                values: strings.distinct.clone(),
                paths: vec![place.path.clone()],
            }),
        }
    }

    fn string_or_number(&mut self, strings: &Strings, place: &Place) -> String {
        if place.key_is(is_money_key) || strings.money == strings.count {
            let message = "a decimal seen both as string and as number: money (confirm)".to_owned();
            self.flag(&place.path, FlagKind::Money, message);
            return "money".to_owned();
        }
        let message = "both strings and numbers seen: string_or_number (confirm)".to_owned();
        self.flag(&place.path, FlagKind::MixedTypes, message);
        "string_or_number".to_owned()
    }

    fn array_type(&mut self, node: &Node, place: &Place) -> String {
        let items = match &node.items {
            Some(items) if items.present > 0 => items,
            _ => {
                let message = "only empty arrays seen: [json] until the docs say what they hold".to_owned();
                self.flag(&place.path, FlagKind::EmptyArray, message);
                return "[json]".to_owned();
            }
        };
        let item_place = place.item();
        if items.nulls > 0 && items.nulls < items.present {
            let message = "null elements seen; [T] cannot hold null: use [json], or check the docs".to_owned();
            self.flag(&item_place.path, FlagKind::NullElements, message);
        }
        format!("[{}]", self.type_of(items, &item_place))
    }

    fn object_type(&mut self, object: &Object, place: &Place) -> String {
        if object.fields.is_empty() {
            let message = "only empty objects seen: json until the docs say what goes in it".to_owned();
            self.flag(&place.path, FlagKind::EmptyObject, message);
            return "json".to_owned();
        }
        let seen = self.next_seen;
        self.next_seen += 1;
        if let Some(reused) = self.reuse_known(object, place) {
            return reused;
        }
        if object.fields.iter().all(|(key, _)| key.starts_with(|c: char| c.is_ascii_digit())) {
            let message = "every key starts with a digit: a map {T} rather than a shape?".to_owned();
            self.flag(&place.path, FlagKind::MapCandidate, message);
        }
        let first_flag = self.flags.len();
        let fields = object.fields.iter().map(|(key, node)| self.field(key, node, object.instances, place)).collect();
        let fields = self.check_rust_names(fields, place);
        self.add_shape(fields, place, seen, first_flag)
    }

    fn field(&mut self, key: &str, node: &Node, instances: usize, parent: &Place) -> Field {
        let place = parent.field(key);
        let first_flag = self.flags.len();
        let ty = self.type_of(node, &place);
        let absent = node.present < instances;
        if absent {
            let message = format!("seen only sometimes (in {} of {instances} objects): absent: true", node.present);
            self.flag(&place.path, FlagKind::SeenSometimes, message);
        }
        let mut labels = Vec::new();
        for flag in self.flags[first_flag..].iter().filter(|f| is_own_path(&f.path, &place.path)) {
            // Which known shape, and how well it fits, is worth reading next to the type.
            let label = if flag.kind == FlagKind::KnownShape { &flag.message } else { flag.kind.label() };
            push_unique(&mut labels, label.to_owned());
        }
        Field { key: key.to_owned(), ty, absent, nullable: node.nulls > 0, rust_name: rust_name(key), labels }
    }

    /// Flags two keys that would become one Rust field (`fooBar` and `foo_bar`).
    fn check_rust_names(&mut self, mut fields: Vec<Field>, place: &Place) -> Vec<Field> {
        for i in 1..fields.len() {
            let ident = |f: &Field| f.rust_name.clone().unwrap_or_else(|| f.key.to_snake_case());
            let mine = ident(&fields[i]);
            if let Some(other) = fields[..i].iter().find(|f| ident(f) == mine) {
                let message = format!("keys {} and {} both become `{mine}`: set a rust_name", other.key, fields[i].key);
                let path = format!("{}{}", place.path, path_segment(&fields[i].key));
                self.flag(&path, FlagKind::RustNameClash, message);
                push_unique(&mut fields[i].labels, FlagKind::RustNameClash.label().to_owned());
            }
        }
        fields
    }

    /// A known shape whose keys are this object's keys, or a superset of them when the object
    /// has at least 80% of its keys; the exact match wins, then the closest, then file order.
    fn reuse_known(&mut self, object: &Object, place: &Place) -> Option<String> {
        let keys: Vec<&str> = object.fields.iter().map(|(k, _)| k.as_str()).collect();
        let known = self.known;
        let best = known
            .shapes
            .iter()
            .filter(|shape| !shape.generic || shape.param_key.as_deref().is_some_and(|p| keys.contains(&p)))
            .filter(|shape| keys.iter().all(|k| shape.keys.iter().any(|s| s == k)))
            .filter(|shape| 5 * keys.len() >= 4 * shape.keys.len())
            .enumerate()
            // `max_by_key` keeps the last of equals; the reversed index makes it the first.
            .max_by_key(|(at, shape)| (keys.len() * 1000 / shape.keys.len(), std::cmp::Reverse(*at)))
            .map(|(_, shape)| shape)?;
        let missing: Vec<&str> = best.keys.iter().map(String::as_str).filter(|k| !keys.contains(k)).collect();
        let mut message = format!("same keys as known shape `{}` in {}", best.name, known.origin);
        if !missing.is_empty() {
            message = format!(
                "{} of the {} keys of known shape `{}` in {} (never seen: {})",
                keys.len(),
                best.keys.len(),
                best.name,
                known.origin,
                missing.join(", ")
            );
        }
        let ty = match &best.param_key {
            Some(param) if best.generic => format!("{}<{}>", best.name, self.type_argument(object, param, place)),
            _ => best.name.clone(),
        };
        self.flag(&place.path, FlagKind::KnownShape, format!("{message}: reused as {ty}"));
        Some(ty)
    }

    /// The type of a generic shape's `P` field. At the root the argument carries the root
    /// name, since it is what the topic is about (`Callback<StoreCartCreated>`).
    fn type_argument(&mut self, object: &Object, param: &str, place: &Place) -> String {
        let Some((_, node)) = object.fields.iter().find(|(k, _)| k == param) else { return "json".to_owned() };
        let mut arg_place = place.field(param);
        if place.owns_root_name {
            arg_place.hint.clone_from(&self.root_name);
            arg_place.owns_root_name = true;
        }
        self.type_of(node, &arg_place)
    }

    /// Registers a shape, or shares an earlier one with the same field keys and types.
    fn add_shape(&mut self, fields: Vec<Field>, place: &Place, seen: usize, first_flag: usize) -> String {
        let signature = Shape::signature(&fields);
        let shared = self.shapes.iter().position(|shape| shape.has_signature(&signature));
        if let Some(shape) = shared.map(|at| &mut self.shapes[at]) {
            shape.absorb(fields, &place.path, &place.hint);
            let (name, first) = (shape.name.clone(), shape.path.clone());
            self.drop_repeated_flags(first_flag, &place.path);
            let message = format!("same fields and types as {first}: shares shape `{name}` (decide there)");
            self.flag(&place.path, FlagKind::SharedShape, message);
            return name;
        }
        let name = self.unique_name(place);
        let (path, hint) = (place.path.clone(), place.hint.clone());
        self.shapes.push(Shape { name: name.clone(), seen, path, hint, fields, also: Vec::new() });
        name
    }

    /// Drops the flags raised inside an object that shares an earlier shape: with the same
    /// fields and types they repeat decisions already asked about the first one. Only "seen
    /// only sometimes" stays, since that can differ, and it changes the shared shape.
    fn drop_repeated_flags(&mut self, first_flag: usize, object_path: &str) {
        let inside = |path: &str| path.strip_prefix(object_path).is_some_and(|rest| rest.starts_with(['.', '[']));
        let raised = self.flags.split_off(first_flag);
        let kept = raised.into_iter().filter(|f| f.kind == FlagKind::SeenSometimes || !inside(&f.path));
        self.flags.extend(kept);
    }

    /// The hint if free, else the parent's name in front, else a number behind.
    fn unique_name(&mut self, place: &Place) -> String {
        let taken = |this: &Self, name: &str| {
            name == "P"
                || this.known.contains(name)
                || this.shapes.iter().any(|s| s.name == name)
                || (!place.owns_root_name && name == this.root_name)
        };
        if !taken(self, &place.hint) {
            return place.hint.clone();
        }
        let prefixed = format!("{}{}", place.parent_hint, place.hint);
        let name = if !taken(self, &prefixed) {
            prefixed
        } else {
            (2..).map(|n| format!("{}{n}", place.hint)).find(|n| !taken(self, n)).unwrap_or_default()
        };
        let by = if self.known.contains(&place.hint) {
            format!("a known shape in {} with other keys (extend it instead?)", self.known.origin)
        } else {
            "another shape with other fields".to_owned()
        };
        let message = format!("`{}` is taken by {by}: named `{name}`", place.hint);
        self.flag(&place.path, FlagKind::NameTaken, message);
        name
    }
}

/// The note for an example whose body is not an object.
fn root_note(example: &Example, others_are_objects: bool) -> String {
    let what = match &example.body {
        Json::Null => "the literal null",
        Json::Bool(_) => "a bool",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    };
    let null = matches!(example.body, Json::Null);
    match (null, others_are_objects) {
        (true, true) => format!("{}: the body is the literal null (payload_null: true?)", example.name),
        (true, false) => format!("{}: the body is the literal null: payload json (payload_null: true?)", example.name),
        (false, _) => format!("{}: the body is {what}, not an object: payload json", example.name),
    }
}

/// Whether a flag at `flag_path` belongs on the line of the field at `field_path`: its own
/// path, or that of its array elements (`x[*]`, `x[*][*]`), but not of nested fields.
fn is_own_path(flag_path: &str, field_path: &str) -> bool {
    flag_path.strip_prefix(field_path).is_some_and(|rest| rest.split("[*]").all(str::is_empty))
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

impl Resolver<'_> {
    fn render(&self, examples: &[Example], payload: &str) -> String {
        let mut out = String::new();
        self.render_header(&mut out, examples, payload);
        let mut shapes: Vec<&Shape> = self.shapes.iter().collect();
        shapes.sort_by_key(|s| s.seen);
        out.push_str(if shapes.is_empty() { "shapes: {}\n" } else { "shapes:\n" });
        for shape in shapes {
            render_shape(&mut out, shape);
        }
        self.render_enums(&mut out);
        out
    }

    fn render_header(&self, out: &mut String, examples: &[Example], payload: &str) {
        let names: Vec<&str> = examples.iter().map(|e| e.name.as_str()).collect();
        let count = if examples.len() == 1 { "1 example".to_owned() } else { format!("{} examples", examples.len()) };
        let _ = writeln!(out, "# Proposed by `cargo xtask catalog infer` from {count}: {}", names.join(", "));
        out.push_str(
            "#\n\
             # REVIEW BEFORE USE. `absent: true` / `nullable: true` only say what these examples showed:\n\
             # real payloads omit fields, and a field present in every example may still be optional\n\
             # (or never null only by luck). Check every field against the platform's docs.\n\
             # A trailing comment marks a field that needs a decision; the full list, with JSON paths,\n\
             # comes with this proposal (on stderr).\n#\n",
        );
        for flag in self.flags.iter().filter(|f| f.path == "$") {
            let _ = writeln!(out, "# note: {}", flag.message);
        }
        let _ = writeln!(out, "# payload: {}", yaml_scalar(payload));
    }

    fn render_enums(&self, out: &mut String) {
        if self.enums.is_empty() {
            return;
        }
        out.push_str(
            "# Enum candidates: the fields still say `string`; switch a field's type to one of these once\n\
             # the docs confirm the values (the lists hold only the values seen).\n\
             enums:\n",
        );
        let mut names: Vec<String> = Vec::new();
        for proposal in &self.enums {
            let name = self.free_enum_name(&proposal.name, &names);
            let values: Vec<String> = proposal.values.iter().map(|v| yaml_scalar(v)).collect();
            let _ = writeln!(out, "  {name}:  # from {}", proposal.paths.join(", "));
            let _ = writeln!(out, "    values: [{}]", values.join(", "));
            names.push(name);
        }
    }

    /// Enum names are settled last, once every shape name is known.
    fn free_enum_name(&self, wanted: &str, enums: &[String]) -> String {
        let taken =
            |n: &str| self.known.contains(n) || self.shapes.iter().any(|s| s.name == n) || enums.iter().any(|e| e == n);
        if !taken(wanted) {
            return wanted.to_owned();
        }
        (2..).map(|n| format!("{wanted}{n}")).find(|n| !taken(n)).unwrap_or_default()
    }
}

fn render_shape(out: &mut String, shape: &Shape) {
    let _ = writeln!(out, "  {}:", shape.name);
    if !shape.also.is_empty() {
        let _ = writeln!(out, "    # first seen at {}; same fields and types at {}", shape.path, shared_paths(shape));
        if let Some(common) = common_name(shape) {
            let _ = writeln!(out, "    # a name for all of them: {common}?");
        }
    }
    out.push_str("    fields:\n");
    for field in &shape.fields {
        render_field(out, field);
    }
}

fn render_field(out: &mut String, field: &Field) {
    let mut attrs = vec![format!("type: {}", yaml_scalar(&field.ty))];
    if field.absent {
        attrs.push("absent: true".to_owned());
    }
    if field.nullable {
        attrs.push("nullable: true".to_owned());
    }
    if let Some(name) = &field.rust_name {
        attrs.push(format!("rust_name: {}", yaml_scalar(name)));
    }
    let _ = write!(out, "      {}: {{ {} }}", yaml_scalar(&field.key), attrs.join(", "));
    if !field.labels.is_empty() {
        let _ = write!(out, "  # {}", field.labels.join("; "));
    }
    out.push('\n');
}

/// The other paths a shape stands for, the first few of them: the flags list has them all.
fn shared_paths(shape: &Shape) -> String {
    const SHOWN: usize = 3;
    let paths: Vec<&str> = shape.also.iter().take(SHOWN).map(|(path, _)| path.as_str()).collect();
    match shape.also.len().checked_sub(SHOWN) {
        Some(more) if more > 0 => format!("{} and {more} more", paths.join(", ")),
        _ => paths.join(", "),
    }
}

/// The words the names of a shared shape's objects end with (`BillingAddress` and
/// `ShippingAddress` → `Address`), when that is shorter than the name it got.
fn common_name(shape: &Shape) -> Option<String> {
    let words = |name: &str| name.to_snake_case().split('_').map(str::to_owned).collect::<Vec<_>>();
    let first = words(&shape.hint);
    let mut len = first.len();
    for (_, hint) in &shape.also {
        let other = words(hint);
        len = len.min(first.iter().rev().zip(other.iter().rev()).take_while(|(a, b)| a == b).count());
    }
    let common = first[first.len() - len..].join("_").to_upper_camel_case();
    (len > 0 && common != shape.name).then_some(common)
}

/// A YAML scalar: plain when it is a simple word YAML reads as a string, else double-quoted
/// (a JSON string is a valid YAML double-quoted scalar).
fn yaml_scalar(s: &str) -> String {
    let word = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    // Words YAML 1.1 or 1.2 would read as a bool or null.
    let special =
        ["true", "false", "null", "yes", "no", "on", "off", "y", "n"].iter().any(|w| w.eq_ignore_ascii_case(s));
    if word && !special {
        s.to_owned()
    } else {
        json_quote(s)
    }
}

fn json_quote(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str, text: &str) -> Example {
        Example { name: name.to_owned(), body: Json::parse(text).expect("test JSON") }
    }

    fn run(texts: &[&str]) -> Inference {
        run_with(texts, &KnownShapes::default())
    }

    fn run_with(texts: &[&str], known: &KnownShapes) -> Inference {
        let examples: Vec<Example> =
            texts.iter().enumerate().map(|(i, text)| example(&format!("ex{}.json", i + 1), text)).collect();
        infer(&examples, known, "Order")
    }

    /// The parsed proposal, so tests ask about fields rather than about text layout.
    fn yaml(inference: &Inference) -> serde_yaml::Value {
        serde_yaml::from_str(&inference.yaml).expect("the proposal is valid YAML")
    }

    fn field(inference: &Inference, shape: &str, key: &str) -> serde_yaml::Value {
        yaml(inference)["shapes"][shape]["fields"][key].clone()
    }

    fn flagged(inference: &Inference, path: &str, kind: FlagKind) -> bool {
        inference.flags.iter().any(|f| f.path == path && f.kind == kind)
    }

    fn shape_names(inference: &Inference) -> Vec<String> {
        let shapes = yaml(inference)["shapes"].as_mapping().cloned().unwrap_or_default();
        shapes.keys().filter_map(|k| k.as_str().map(str::to_owned)).collect()
    }

    #[test]
    fn merging_two_examples_marks_a_field_seen_once_absent() {
        let inference = run(&[r#"{"id": 1, "note": "x"}"#, r#"{"id": 2}"#]);
        assert_eq!(field(&inference, "Order", "note")["absent"], true);
        assert_eq!(field(&inference, "Order", "note")["type"], "string");
        assert!(field(&inference, "Order", "id").get("absent").is_none());
        assert!(flagged(&inference, "$.note", FlagKind::SeenSometimes));
        assert!(inference.yaml.contains("REVIEW BEFORE USE"), "{}", inference.yaml);
    }

    #[test]
    fn fields_and_shapes_keep_first_seen_order() {
        let inference = run(&[r#"{"zeta": {"b": 1}, "alpha": 1, "mid": {"c": true}}"#, r#"{"late": 1, "alpha": 2}"#]);
        assert_eq!(shape_names(&inference), ["Order", "Zeta", "Mid"]);
        let keys: Vec<String> = yaml(&inference)["shapes"]["Order"]["fields"]
            .as_mapping()
            .unwrap()
            .keys()
            .map(|k| k.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(keys, ["zeta", "alpha", "mid", "late"]);
    }

    #[test]
    fn absent_in_array_elements() {
        let inference = run(&[r#"{"lines": [{"sku": "a", "gift": true}, {"sku": "b"}]}"#]);
        assert_eq!(field(&inference, "Line", "gift")["absent"], true);
        assert!(field(&inference, "Line", "sku").get("absent").is_none());
        assert!(flagged(&inference, "$.lines[*].gift", FlagKind::SeenSometimes));
    }

    #[test]
    fn null_sometimes_is_nullable_and_null_always_is_json() {
        let inference = run(&[r#"{"note": null, "ghost": null}"#, r#"{"note": "hi", "ghost": null}"#]);
        let note = field(&inference, "Order", "note");
        assert_eq!((note["type"].as_str(), note["nullable"].as_bool()), (Some("string"), Some(true)));
        let ghost = field(&inference, "Order", "ghost");
        assert_eq!((ghost["type"].as_str(), ghost["nullable"].as_bool()), (Some("json"), Some(true)));
        assert!(field(&inference, "Order", "note").get("absent").is_none());
        assert!(flagged(&inference, "$.ghost", FlagKind::OnlyNull));
        assert!(!flagged(&inference, "$.note", FlagKind::OnlyNull));
    }

    #[test]
    fn nested_objects_are_named_from_their_keys_singular_in_arrays() {
        let inference = run(&[
            r#"{"line_items": [{"sku": "a"}], "addresses": [{"city": "x"}], "categories": [{"n": 1}], "customer": {"id": 1}}"#,
        ]);
        assert_eq!(shape_names(&inference), ["Order", "LineItem", "Address", "Category", "Customer"]);
        assert_eq!(field(&inference, "Order", "line_items")["type"], "[LineItem]");
        assert_eq!(field(&inference, "Order", "customer")["type"], "Customer");
        assert_eq!(singular("Data"), "DataItem");
        assert_eq!(singular("Statuses"), "Status");
    }

    #[test]
    fn identical_nested_objects_share_the_first_name() {
        let address = r#"{"city": "Ottawa", "zip": "K1A", "fee": "1.00"}"#;
        let text =
            format!(r#"{{"billing_address": {address}, "shipping_address": {address}, "other": {{"city": 1}}}}"#);
        let inference = run(&[&text]);
        assert_eq!(shape_names(&inference), ["Order", "BillingAddress", "Other"]);
        assert_eq!(field(&inference, "Order", "shipping_address")["type"], "BillingAddress");
        assert!(flagged(&inference, "$.shipping_address", FlagKind::SharedShape));
        assert!(inference.yaml.contains("same fields and types at $.shipping_address\n"), "{}", inference.yaml);
        assert!(inference.yaml.contains("a name for all of them: Address?"), "{}", inference.yaml);
        // The decision about `fee` is asked once, on the shape's first object.
        assert!(flagged(&inference, "$.billing_address.fee", FlagKind::Money));
        assert!(!flagged(&inference, "$.shipping_address.fee", FlagKind::Money));
    }

    #[test]
    fn different_objects_wanting_one_name_are_told_apart() {
        let inference = run(&[r#"{"customer": {"id": 1}, "refund": {"customer": {"email": "a"}}}"#]);
        assert_eq!(shape_names(&inference), ["Order", "Customer", "Refund", "RefundCustomer"]);
        assert!(flagged(&inference, "$.refund.customer", FlagKind::NameTaken));
    }

    #[test]
    fn known_shapes_are_reused_by_key_set() {
        let known = KnownShapes::from_yaml(
            "shapes.yaml",
            "platform: x\nshapes:\n  Address:\n    fields:\n      city: { type: string }\n      zip: { type: string }\n      \
             country: { type: string }\n      province: { type: string }\n      phone: { type: string }\n  Money:\n    \
             fields:\n      amount: { type: money }\nenums: {}\n",
        )
        .unwrap();
        let inference = run_with(
            &[
                r#"{"total": {"amount": "1.00"}, "ship_to": {"city": "a", "zip": "b", "country": "c", "province": "d"}, "tiny": {"city": "a"}}"#,
            ],
            &known,
        );
        assert_eq!(field(&inference, "Order", "total")["type"], "Money");
        assert_eq!(field(&inference, "Order", "ship_to")["type"], "Address");
        assert!(flagged(&inference, "$.ship_to", FlagKind::KnownShape));
        assert!(inference.yaml.contains("known shape"), "{}", inference.yaml);
        // One key of five is below the 80% bar: a new shape.
        assert_eq!(field(&inference, "Order", "tiny")["type"], "Tiny");
        assert_eq!(shape_names(&inference), ["Order", "Tiny"]);
    }

    #[test]
    fn a_generic_known_shape_takes_the_root_as_its_argument() {
        let known = KnownShapes::from_yaml(
            "s.yaml",
            "shapes:\n  Callback:\n    generic: true\n    fields:\n      scope: { type: string }\n      data: { type: P }\n",
        )
        .unwrap();
        let inference = run_with(&[r#"{"scope": "store/cart/created", "data": {"id": 5}}"#], &known);
        assert_eq!(inference.payload, "Callback<Order>");
        assert_eq!(shape_names(&inference), ["Order"]);
        assert!(yaml(&inference)["shapes"]["Order"]["fields"]["id"].is_mapping());
    }

    #[test]
    fn money_timestamp_id_and_global_id_flags() {
        let inference = run(&[r##"{
            "id": 820982911946154508, "order_id": 3, "total_price": "12.00", "price": 5, "subtotal_price": 1.5,
            "refund": "-3.5", "created_at": "2024-06-25T00:00:00.000Z", "updated_at": "2021-12-31T19:00:00-05:00",
            "paid_at": "2024-01-01 07:34:56 UTC", "admin_graphql_api_id": "gid://shopify/Order/1", "weight": 1.25,
            "delta": -4, "name": "#1001", "updated": 5, "deleted_at": 1561482670
        }"##]);
        let ty = |key: &str| field(&inference, "Order", key)["type"].as_str().unwrap().to_owned();
        assert_eq!(ty("id"), "uint");
        assert!(flagged(&inference, "$.id", FlagKind::Id) && flagged(&inference, "$.order_id", FlagKind::Id));
        assert_eq!(ty("total_price"), "string");
        assert!(
            flagged(&inference, "$.total_price", FlagKind::Money) && flagged(&inference, "$.refund", FlagKind::Money)
        );
        assert_eq!((ty("price"), ty("subtotal_price")), ("money".to_owned(), "money".to_owned()));
        assert!(flagged(&inference, "$.price", FlagKind::Money));
        for key in ["created_at", "updated_at", "paid_at"] {
            assert_eq!(ty(key), "timestamp", "{key}");
            assert!(flagged(&inference, &format!("$.{key}"), FlagKind::Timestamp));
        }
        assert_eq!(ty("admin_graphql_api_id"), "string");
        assert!(flagged(&inference, "$.admin_graphql_api_id", FlagKind::GlobalId));
        assert_eq!(
            (ty("weight"), ty("delta"), ty("name")),
            ("number".to_owned(), "int".to_owned(), "string".to_owned())
        );
        assert!(!flagged(&inference, "$.name", FlagKind::Money) && !flagged(&inference, "$.weight", FlagKind::Money));
        assert!(field(&inference, "Order", "id").get("rust_name").is_none());
        assert_eq!(ty("deleted_at"), "uint");
        assert!(
            flagged(&inference, "$.deleted_at", FlagKind::Timestamp)
                && !flagged(&inference, "$.updated", FlagKind::Timestamp)
        );
    }

    #[test]
    fn recognizes_timestamps_and_money_strings() {
        for yes in [
            "2024-06-25T00:00:00.000Z",
            "2021-12-31T19:00:00-05:00",
            "2024-01-01 07:34:56 UTC",
            "2014-12-24 13:42:33 +0000",
            "2024-01-01T10:00",
        ] {
            assert!(looks_like_timestamp(yes), "{yes}");
        }
        for no in ["2024-06-25", "2024-06-25T", "2024-06-25 is the day", "today", "2024-06-25T10:00:0", "12:00"] {
            assert!(!looks_like_timestamp(no), "{no}");
        }
        for (text, money) in
            [("12.00", true), ("-3.5", true), ("12", false), (".5", false), ("1.2.3", false), ("1.", false)]
        {
            assert_eq!(looks_like_money(text), money, "{text}");
        }
    }

    #[test]
    fn a_known_enum_with_every_value_seen_is_pointed_at() {
        let known =
            KnownShapes::from_yaml("s.yaml", "enums:\n  FinancialStatus:\n    values: [paid, pending, voided]\n")
                .unwrap();
        let inference = run_with(&[r#"{"financial_status": "paid", "status": "open"}"#], &known);
        let flag = inference.flags.iter().find(|f| f.path == "$.financial_status").unwrap();
        assert!(flag.message.ends_with("known enum `FinancialStatus` in s.yaml has them all"), "{}", flag.message);
        let enums = &yaml(&inference)["enums"];
        assert!(enums.get("FinancialStatus").is_none() && enums["OrderStatus"].is_mapping(), "{}", inference.yaml);
    }

    #[test]
    fn enum_candidates_keep_string_and_list_values() {
        let inference = run(&[
            r#"{"financial_status": "paid", "status": "open", "line_items": [{"kind": "a"}, {"kind": "b"}]}"#,
            r#"{"financial_status": "pending", "status": "open", "line_items": []}"#,
        ]);
        assert_eq!(field(&inference, "Order", "financial_status")["type"], "string");
        let flag = inference.flags.iter().find(|f| f.path == "$.financial_status" && f.kind == FlagKind::EnumCandidate);
        assert_eq!(flag.unwrap().message, "enum candidate, values seen: [paid, pending]");
        let enums = &yaml(&inference)["enums"];
        assert_eq!(
            enums["FinancialStatus"]["values"],
            serde_yaml::from_str::<serde_yaml::Value>("[paid, pending]").unwrap()
        );
        assert!(enums["OrderStatus"].is_mapping() && enums["LineItemKind"].is_mapping(), "{}", inference.yaml);
    }

    #[test]
    fn rust_name_suggestions() {
        for (key, expected) in [
            ("b2b?", Some("b2b")),
            ("type", Some("kind")),
            ("ref", Some("ref_field")),
            ("match", Some("match_field")),
            ("x-request-id", Some("x_request_id")),
            ("3ds", Some("n3ds")),
            ("extra", Some("extra_field")),
            ("self", Some("self_field")),
            ("", Some("field")),
            ("id", None),
            ("createdAt", None),
        ] {
            assert_eq!(rust_name(key).as_deref(), expected, "{key}");
            // Whatever is suggested must pass the validator's own test.
            if let Some(name) = rust_name(key) {
                assert!(is_field_ident(&name), "{key} → {name}");
            }
        }
        let inference = run(&[r#"{"b2b?": true, "type": "x", "fooBar": 1, "foo_bar": 2}"#]);
        assert_eq!(field(&inference, "Order", "b2b?")["rust_name"], "b2b");
        assert_eq!(field(&inference, "Order", "type")["rust_name"], "kind");
        assert!(flagged(&inference, "$.foo_bar", FlagKind::RustNameClash));
    }

    #[test]
    fn mixed_and_empty_values() {
        let inference = run(&[
            r#"{"store_id": "1", "cost": "1.50", "odd": true, "tags": [], "meta": {}, "list": [1, null]}"#,
            r#"{"store_id": 2, "cost": 3, "odd": "x", "tags": [], "meta": {}, "list": []}"#,
        ]);
        let ty = |key: &str| field(&inference, "Order", key)["type"].as_str().unwrap().to_owned();
        assert_eq!(ty("store_id"), "string_or_number");
        assert_eq!(ty("cost"), "money");
        assert_eq!(ty("odd"), "json");
        assert_eq!(ty("tags"), "[json]");
        assert_eq!(ty("meta"), "json");
        assert_eq!(ty("list"), "[uint]");
        assert!(
            flagged(&inference, "$.store_id", FlagKind::MixedTypes)
                && flagged(&inference, "$.odd", FlagKind::MixedTypes)
        );
        assert!(
            flagged(&inference, "$.tags", FlagKind::EmptyArray) && flagged(&inference, "$.meta", FlagKind::EmptyObject)
        );
        assert!(flagged(&inference, "$.list[*]", FlagKind::NullElements));
    }

    #[test]
    fn a_non_object_root_is_json_with_a_note() {
        let inference = run(&["null"]);
        assert_eq!(inference.payload, "json");
        assert!(flagged(&inference, "$", FlagKind::Root));
        assert_eq!(yaml(&inference)["shapes"], serde_yaml::Value::Mapping(Default::default()));
        assert!(inference.yaml.contains("# note: ex1.json: the body is the literal null"), "{}", inference.yaml);

        let mixed = run(&[r#"{"a": 1}"#, "[1]"]);
        assert_eq!(mixed.payload, "json");
        assert!(mixed.flags.iter().any(|f| f.message.contains("ex2.json: the body is an array")));

        let none = infer(&[], &KnownShapes::default(), "Order");
        assert_eq!(none.payload, "json");
    }

    #[test]
    fn output_is_deterministic() {
        let texts = [
            r#"{"b": {"x": 1}, "a": [{"status": "s1", "y": "2024-01-01T00:00:00Z"}], "c": {"x": 2}, "d": null}"#,
            r#"{"a": [{"status": "s2"}], "e": "gid://x/1", "b": {"x": 3}}"#,
        ];
        let first = run(&texts);
        for _ in 0..5 {
            assert_eq!(run(&texts), first);
        }
    }

    #[test]
    fn odd_keys_are_quoted_in_yaml_and_paths() {
        let inference = run(&[r#"{"on": 1, "a b": {"c": 1}, "": 2}"#]);
        assert_eq!(field(&inference, "Order", "on")["type"], "uint");
        assert_eq!(field(&inference, "Order", "a b")["type"], "AB");
        assert_eq!(field(&inference, "Order", "")["rust_name"], "field");
        assert_eq!(Place::root("X").field("a b").path, r#"$["a b"]"#);
    }

    #[test]
    fn keys_keep_document_order_and_last_duplicate_wins() {
        let parsed = Json::parse(r#"{"z": 1, "a": 2, "z": 3}"#).unwrap();
        let expected = Json::Object(vec![("z".into(), Json::Number(3.into())), ("a".into(), Json::Number(2.into()))]);
        assert_eq!(parsed, expected);
        let error = Json::parse("{\n  \"a\": }").unwrap_err();
        assert_eq!((error.line(), error.column()), (2, 8));
    }

    #[test]
    fn root_names_from_file_names() {
        assert_eq!(root_name_from_file("catalog/examples/shopify/orders_create.json"), "OrdersCreate");
        assert_eq!(root_name_from_file("store-cart-created.json"), "StoreCartCreated");
        assert_eq!(root_name_from_file("01.json"), "Payload");
        assert!(is_shape_name("Order") && !is_shape_name("order") && !is_shape_name("P") && !is_shape_name("A-B"));
    }
}
