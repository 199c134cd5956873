//! The catalog files as written: serde types mirroring the YAML, and the reader that loads
//! them while collecting every error it can instead of stopping at the first.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_yaml::Value;

use crate::diagnostic::{closest, Diagnostic};
use crate::locate::Locator;

/// The name of the shared vocabulary file inside the catalog folder.
pub const VOCABULARY_FILE: &str = "vocabulary.yaml";

/// `vocabulary.yaml`: the normalized entity and action words.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VocabularyFile {
    /// Entity name → meaning.
    pub entities: serde_yaml::Mapping,
    /// Action name → meaning.
    pub actions: serde_yaml::Mapping,
}

/// The top level of a platform catalog; list items are kept as YAML values so that each is
/// deserialized (and its errors reported) on its own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformHeader {
    platform: String,
    name: String,
    sources: Vec<SourceDef>,
    topic: TopicDef,
    delivery: DeliveryDef,
    scopes: Vec<Value>,
    groups: Vec<Value>,
    events: Vec<Value>,
}

/// A reference page the catalog transcribes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDef {
    /// Path of the stored copy, relative to the catalog folder.
    pub page: String,
    /// The file name the page was received as.
    pub seed: String,
    /// The page's public address.
    pub url: String,
    /// The version the page states, if any.
    pub version: Option<String>,
    /// The date the copy was taken into the repository.
    pub taken: String,
}

/// How topics are written and delivered.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicDef {
    /// Segment separators, one character each.
    pub separators: Vec<String>,
    /// Where a delivery names its topic: exactly one of the two keys.
    pub carried_by: CarriedByDef,
}

/// `carried_by: { header: X-Shopify-Topic }` or `carried_by: { body_field: scope }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarriedByDef {
    /// An HTTP header.
    pub header: Option<String>,
    /// A dotted path to a field of the JSON body.
    pub body_field: Option<String>,
}

/// How deliveries are signed and identified (`delivery:`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryDef {
    /// The signature header and scheme.
    pub signature: SignatureDef,
    /// Where the delivery id is.
    pub id: CarriedByDef,
    /// Where the store's identity is.
    pub store: CarriedByDef,
    /// Other headers worth exposing.
    #[serde(default)]
    pub headers: Vec<MetadataHeaderDef>,
    /// A second header family the platform delivers with, signed the same way (Shopify's
    /// "events" deliveries use `Shopify-*` headers instead of `X-Shopify-*`).
    pub alternate: Option<AlternateDeliveryDef>,
    /// Cloud event buses the platform can deliver to instead of HTTPS.
    #[serde(default)]
    pub buses: Vec<BusDef>,
}

/// One entry of `buses:` in `delivery:`: a cloud event bus the platform delivers to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusDef {
    /// Which bus.
    pub transport: BusTransport,
    /// Where the platform documents delivering to it.
    pub source: String,
    /// What the platform says about authenticating its messages (e.g. that no HMAC is needed
    /// because the bus authenticates the sender), with the page that says it.
    pub authentication: String,
    /// What the message holds and how, and what is not documented.
    pub note: Option<String>,
}

/// A cloud event bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusTransport {
    /// Amazon EventBridge.
    EventBridge,
    /// Google Cloud Pub/Sub.
    PubSub,
}

/// `alternate:` of `delivery:`: the other header family, used when its signature header is
/// there and the main one is not.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlternateDeliveryDef {
    /// A short name for the family (`events`).
    pub name: String,
    /// Where the family's headers are documented.
    pub source: String,
    /// The header that carries the signature (same scheme as the main family).
    pub signature_header: String,
    /// Where the topic is.
    pub topic: CarriedByDef,
    /// Where the delivery id is.
    pub id: CarriedByDef,
    /// Where the store's identity is.
    pub store: CarriedByDef,
    /// Other headers worth exposing.
    #[serde(default)]
    pub headers: Vec<MetadataHeaderDef>,
}

/// `signature:` of `delivery:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureDef {
    /// The header that carries the signature.
    pub header: String,
    /// How it is computed.
    pub scheme: SignatureSchemeDef,
    /// Where the scheme is documented.
    pub source: String,
}

/// The signature schemes the runtime implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureSchemeDef {
    /// base64 HMAC-SHA256 of the raw body.
    HmacSha256Base64Body,
    /// hex HMAC-SHA256 of the raw body.
    HmacSha256HexBody,
    /// Standard Webhooks.
    StandardWebhooks,
    /// Ecwid's `"{eventCreated}.{eventId}"`.
    EcwidCreatedDotId,
}

/// An entry of `delivery.headers`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetadataHeaderDef {
    /// snake_case name.
    pub name: String,
    /// The header.
    pub header: String,
    /// What it carries.
    pub description: String,
    /// How its value reads: `text` (default), `version` (an API or platform version, compared
    /// component by component) or `timestamp` (a date-time).
    #[serde(default, rename = "type")]
    pub kind: MetadataKind,
}

/// How a metadata header's value reads (`type:` of a `delivery.headers` entry).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetadataKind {
    /// Text, as sent.
    #[default]
    Text,
    /// A version (`2025-10`, `6.6.0.0`).
    Version,
    /// A date-time or Unix seconds.
    Timestamp,
}

/// One entry of a platform's `scopes:` list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeDef {
    /// The name as the platform writes it.
    pub name: String,
    /// The OAuth scope a shop grants for it, where that differs (Shopify).
    pub oauth: Option<String>,
    /// What it grants.
    pub description: Option<String>,
    /// Where the description came from.
    pub source: Option<String>,
}

/// One entry of a platform's `groups:` list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupDef {
    /// The wildcard pattern as documented.
    pub pattern: String,
    /// The documented description.
    pub description: String,
    /// The `url` of the `sources:` page that documents the group, where that is not the main
    /// page.
    #[serde(default)]
    pub source: Option<String>,
}

/// One entry of a platform's `events:` list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventDef {
    /// The exact wire topic.
    pub topic: String,
    /// The documented description, verbatim.
    pub description: Option<String>,
    /// Where facts not on the catalog's main page came from.
    pub source: Option<String>,
    /// Which of the page's lists name the topic (Shopify).
    #[serde(default)]
    pub listed_in: Vec<Listing>,
    /// Normalized entity.
    pub entity: String,
    /// Normalized action.
    pub action: String,
    /// The resource the page links.
    pub resource: Option<LinkDef>,
    /// The related REST call.
    pub rest_call: Option<LinkDef>,
    /// The scope requirement; see the catalog README for its forms.
    pub scopes: Value,
    /// Shopify's protected-customer-data marker.
    #[serde(default)]
    pub protected_customer_data: bool,
    /// Shopify's mandatory compliance topics.
    #[serde(default)]
    pub mandatory: bool,
    /// Overrides the derived Rust identifier.
    pub rust_name: Option<String>,
    /// Quirks a maintainer should know.
    pub notes: Option<String>,
    /// The type expression of the delivery body.
    pub payload: Option<String>,
    /// The documented body is the literal `null`.
    #[serde(default)]
    pub payload_null: bool,
    /// Example bodies.
    #[serde(default)]
    pub examples: Vec<ExampleDef>,
}

/// An example body of an event.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleDef {
    /// Path relative to the catalog folder.
    pub file: String,
    /// Where it came from.
    pub status: ExampleStatus,
    /// The source, for anything not verbatim.
    pub source: Option<String>,
    /// What was done to it.
    pub note: Option<String>,
}

/// How an example relates to the platform's documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExampleStatus {
    /// Copied from the source page as it is.
    Verbatim,
    /// Copied from the source page and mended (truncated, missing brace).
    Repaired,
    /// Taken from other public documentation.
    Sourced,
    /// Written from documented fields.
    Authored,
}

/// A named payload shape (`shapes:` in `shapes/<platform>.yaml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShapeDef {
    /// What it is.
    pub description: Option<String>,
    /// Where its fields are documented.
    pub source: Option<String>,
    /// Further public pages its field descriptions come from.
    #[serde(default)]
    pub references: Vec<String>,
    /// Whether fields may use the type parameter `P`.
    #[serde(default)]
    pub generic: bool,
    /// Field key → field, in order; each deserialized on its own.
    pub fields: serde_yaml::Mapping,
}

/// A field of a shape.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// Type expression.
    #[serde(rename = "type")]
    pub ty: String,
    /// May be missing.
    #[serde(default)]
    pub absent: bool,
    /// May be `null`. (Not `null:` in the YAML, which YAML reads as a null key.)
    #[serde(default)]
    pub nullable: bool,
    /// Rust field name, where the key is not one.
    pub rust_name: Option<String>,
    /// What it holds, from the platform's reference.
    pub description: Option<String>,
    /// No public document describes the field (instead of a description): what was searched.
    pub undocumented: Option<Undocumented>,
    /// Why the field may fail the payload when it does not fit (what guarantees it); fields
    /// without it decode tolerantly.
    pub strict: Option<String>,
}

/// `undocumented:` on a field: what was searched without finding the field described
/// (`true` alone is read so that the validator can ask for the searches).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Undocumented {
    /// Where the maintainer looked.
    Searched(String),
    /// `undocumented: true` (or `false`), which says nothing about the search.
    Flag(bool),
}

/// A named enum (`enums:` in `shapes/<platform>.yaml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumDef {
    /// What it is.
    pub description: Option<String>,
    /// Where the values are documented.
    pub source: Option<String>,
    /// The documented values, as sent (string-valued enums).
    #[serde(default)]
    pub values: Vec<String>,
    /// The documented integer codes and their names (integer-valued enums: BigCommerce's order
    /// status ids), instead of `values`.
    #[serde(default)]
    pub codes: std::collections::BTreeMap<u64, String>,
}

/// `shapes/<platform>.yaml` as read.
#[derive(Debug, Default)]
pub struct ShapesFile {
    /// The file.
    pub path: PathBuf,
    /// Its text, for locating errors.
    pub text: String,
    /// Shapes that deserialized, in file order.
    pub shapes: Vec<(String, Located<ShapeDef>)>,
    /// Enums that deserialized, in file order.
    pub enums: Vec<(String, Located<EnumDef>)>,
    /// The file exists but could not be read: its shapes are unknown, not missing.
    pub failed: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShapesHeader {
    #[serde(default)]
    shapes: serde_yaml::Mapping,
    #[serde(default)]
    enums: serde_yaml::Mapping,
}

/// Which list of a reference page names a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Listing {
    /// The topic has its own section.
    Section,
    /// The mandatory compliance webhooks table.
    ComplianceTable,
    /// The "Topics allowed" list of the 422 error example.
    TopicsAllowed,
}

/// A named link.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkDef {
    /// Link text.
    pub name: String,
    /// Address.
    pub url: String,
}

/// A list item and the 0-based lines it spans in its file.
#[derive(Debug, Clone)]
pub struct Located<T> {
    /// The item.
    pub value: T,
    /// Its lines, where the file is block-style YAML.
    pub lines: Option<Range<usize>>,
}

/// A platform catalog as read, before validation.
#[derive(Debug)]
pub struct PlatformFile {
    /// The file, as given to the reader.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// `platform:`.
    pub platform: String,
    /// `name:`.
    pub name: String,
    /// `sources:`.
    pub sources: Vec<SourceDef>,
    /// `topic:`.
    pub topic: TopicDef,
    /// `delivery:`.
    pub delivery: DeliveryDef,
    /// `scopes:` items that deserialized.
    pub scopes: Vec<Located<ScopeDef>>,
    /// `groups:` items that deserialized.
    pub groups: Vec<Located<GroupDef>>,
    /// `events:` items that deserialized.
    pub events: Vec<Located<EventDef>>,
    /// `shapes/<platform>.yaml`, when it exists.
    pub shapes: ShapesFile,
}

/// Everything read from a catalog folder.
#[derive(Debug)]
pub struct RawCatalog {
    /// The vocabulary file, if it could be read.
    pub vocabulary: Option<(PathBuf, VocabularyFile)>,
    /// The platform files that could be read, sorted by file name.
    pub platforms: Vec<PlatformFile>,
}

/// Reads every `*.yaml` file of `dir`, collecting problems rather than stopping at one.
pub fn read_dir(dir: &Path) -> (RawCatalog, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut raw = RawCatalog { vocabulary: None, platforms: Vec::new() };
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .collect(),
        Err(e) => {
            diagnostics.push(file_error(
                dir,
                format!("cannot read the catalog folder: {e}"),
                "pass the folder that holds vocabulary.yaml and the platform catalogs",
            ));
            return (raw, diagnostics);
        }
    };
    paths.sort();
    for path in paths {
        let Some(text) = read_text(&path, &mut diagnostics) else { continue };
        if path.file_name().is_some_and(|n| n == VOCABULARY_FILE) {
            match serde_yaml::from_str::<VocabularyFile>(&text) {
                Ok(vocabulary) => raw.vocabulary = Some((path, vocabulary)),
                Err(e) => diagnostics.push(yaml_error(&path, &text, &e)),
            }
        } else if let Some(file) = read_platform(path, text, &mut diagnostics) {
            raw.platforms.push(file);
        }
    }
    if raw.vocabulary.is_none() && !diagnostics.iter().any(|d| d.file.ends_with(VOCABULARY_FILE)) {
        diagnostics.push(file_error(
            &dir.join(VOCABULARY_FILE),
            "the vocabulary file is missing".into(),
            "create it with `entities:` and `actions:` maps (see catalog/README.md)",
        ));
    }
    if raw.platforms.is_empty() && diagnostics.is_empty() {
        diagnostics.push(file_error(
            dir,
            "the catalog folder holds no platform catalog".into(),
            "add a `<platform>.yaml` file (see catalog/README.md)",
        ));
    }
    (raw, diagnostics)
}

fn read_text(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            diagnostics.push(file_error(
                path,
                format!("cannot read the file: {e}"),
                "check that it exists and is readable",
            ));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = valid.len() - valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
            diagnostics.push(Diagnostic {
                file: path.to_owned(),
                line: Some(line),
                column: Some(column),
                subject: "file".into(),
                message: "the file is not valid UTF-8".into(),
                hint: "save it as UTF-8 (copy the text from the platform's page again)".into(),
            });
            None
        }
    }
}

fn read_platform(path: PathBuf, text: String, diagnostics: &mut Vec<Diagnostic>) -> Option<PlatformFile> {
    if text.trim().is_empty() {
        diagnostics.push(file_error(
            &path,
            "the catalog is empty".into(),
            "write the platform catalog (see catalog/README.md) or delete the file",
        ));
        return None;
    }
    let header: PlatformHeader = match serde_yaml::from_str(&text) {
        Ok(header) => header,
        Err(e) => {
            diagnostics.push(yaml_error(&path, &text, &e));
            return None;
        }
    };
    let locator = Locator::new(&text);
    let scopes = read_items(&path, &locator, "scopes", header.scopes, diagnostics);
    let groups = read_items(&path, &locator, "groups", header.groups, diagnostics);
    let events = read_items(&path, &locator, "events", header.events, diagnostics);
    // Named after the catalog file, like the platform itself should be (the validator reports
    // a platform id that differs from its file name).
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let shapes_path = path.parent().unwrap_or(Path::new(".")).join("shapes").join(format!("{stem}.yaml"));
    let shapes = read_shapes(shapes_path, diagnostics);
    Some(PlatformFile {
        shapes,
        path,
        platform: header.platform,
        name: header.name,
        sources: header.sources,
        topic: header.topic,
        delivery: header.delivery,
        scopes,
        groups,
        events,
        text,
    })
}

/// Reads a platform's shapes file; a missing file means no shapes yet.
fn read_shapes(path: PathBuf, diagnostics: &mut Vec<Diagnostic>) -> ShapesFile {
    if !path.exists() {
        return ShapesFile { path, ..ShapesFile::default() };
    }
    let Some(text) = read_text(&path, diagnostics) else {
        return ShapesFile { path, failed: true, ..ShapesFile::default() };
    };
    let header: ShapesHeader = match serde_yaml::from_str(&text) {
        Ok(header) => header,
        Err(e) => {
            diagnostics.push(yaml_error(&path, &text, &e));
            return ShapesFile { path, text, failed: true, ..ShapesFile::default() };
        }
    };
    let locator = Locator::new(&text);
    let shapes = read_entries(&path, &locator, "shapes", "shape", header.shapes, diagnostics);
    let enums = read_entries(&path, &locator, "enums", "enum", header.enums, diagnostics);
    ShapesFile { path, text, shapes, enums, failed: false }
}

/// Why one catalog entry did not deserialize, located at the offending key.
struct EntryProblem {
    line: Option<usize>,
    column: Option<usize>,
    message: String,
    hint: String,
}

/// Deserializes one catalog entry; on failure names the key at fault (tracked by
/// serde_path_to_error), its line and a hint.
fn entry<T: DeserializeOwned>(
    value: Value,
    locator: &Locator,
    lines: &Option<Range<usize>>,
) -> Result<T, EntryProblem> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|error| {
        let key = error.path().iter().next().map(ToString::to_string).filter(|k| !k.starts_with('[') && k != "?");
        let inner = error.inner().to_string();
        let message = match &key {
            Some(key) if !inner.contains('`') => format!("`{key}`: {inner}"),
            _ => inner,
        };
        let field = backticked_after(&message, "unknown field ")
            .or_else(|| backticked_after(&message, "missing field "))
            .or(key);
        let (line, column) = match &field {
            Some(field) => locator.position(lines, field),
            None => (lines.as_ref().map(|range| range.start + 1), None),
        };
        let hint = field_hint(&message, field.as_deref());
        EntryProblem { line, column, message, hint }
    })
}

/// Deserializes each entry of a top-level mapping on its own.
fn read_entries<T: DeserializeOwned>(
    path: &Path,
    locator: &Locator,
    section: &str,
    kind: &str,
    entries: serde_yaml::Mapping,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(String, Located<T>)> {
    let mut items = Vec::new();
    let index = locator.entries(section);
    for (key, value) in entries {
        let name = match key {
            Value::String(name) => name,
            other => {
                diagnostics.push(Diagnostic {
                    file: path.to_owned(),
                    line: locator.top_level(section),
                    column: None,
                    subject: format!("{kind} `{other:?}`"),
                    message: format!("{kind} names must be strings"),
                    hint: "write the name as an UpperCamelCase word".into(),
                });
                continue;
            }
        };
        let lines = index.get(&name).cloned();
        match entry::<T>(value, locator, &lines) {
            Ok(value) => items.push((name, Located { value, lines })),
            Err(problem) => diagnostics.push(Diagnostic {
                file: path.to_owned(),
                line: problem.line,
                column: problem.column,
                subject: format!("{kind} `{name}`"),
                message: problem.message,
                hint: problem.hint,
            }),
        }
    }
    items
}

/// Deserializes each item of a top-level list on its own, so one bad item does not hide the
/// problems of the others.
fn read_items<T: DeserializeOwned>(
    path: &Path,
    locator: &Locator,
    key: &str,
    values: Vec<Value>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Located<T>> {
    let ranges = locator.items(key);
    let ranges = (ranges.len() == values.len()).then_some(ranges);
    let mut items = Vec::new();
    for (index, value) in values.into_iter().enumerate() {
        let lines = ranges.as_ref().map(|r| r[index].clone());
        let subject = item_subject(key, index, &value);
        match entry::<T>(value, locator, &lines) {
            Ok(value) => items.push(Located { value, lines }),
            Err(problem) => diagnostics.push(Diagnostic {
                file: path.to_owned(),
                line: problem.line,
                column: problem.column,
                subject,
                message: problem.message,
                hint: problem.hint,
            }),
        }
    }
    items
}

/// `event \`orders/create\`` when the item names itself, `events[3]` otherwise.
fn item_subject(key: &str, index: usize, value: &Value) -> String {
    let name_key = match key {
        "events" => "topic",
        "groups" => "pattern",
        _ => "name",
    };
    match value.get(name_key).and_then(Value::as_str) {
        Some(name) => format!("{} `{name}`", key.trim_end_matches('s')),
        None => format!("{key}[{index}]"),
    }
}

fn backticked_after(message: &str, marker: &str) -> Option<String> {
    let rest = &message[message.find(marker)? + marker.len()..];
    let rest = rest.strip_prefix('`')?;
    Some(rest[..rest.find('`')?].to_owned())
}

/// A hint for serde's messages: a spelling suggestion for unknown keys.
fn field_hint(message: &str, field: Option<&str>) -> String {
    if message.starts_with("unknown field") {
        let expected: Vec<&str> = message.split('`').skip(3).step_by(2).collect();
        if let Some(suggestion) = field.and_then(|f| closest(f, expected.iter().copied())) {
            return format!("did you mean `{suggestion}`?");
        }
        return format!("remove the key or use one of: {}", expected.join(", "));
    }
    if message.starts_with("missing field") {
        return "add the key; catalog/README.md lists what each entry needs".into();
    }
    "fix the value's type or spelling; catalog/README.md shows each key with an example".into()
}

fn yaml_error(path: &Path, text: &str, error: &serde_yaml::Error) -> Diagnostic {
    let location = error.location();
    let message = error.to_string();
    // serde_yaml may point one line past the end of a file without a final newline.
    let last_line = text.lines().count().max(1) + usize::from(text.ends_with('\n'));
    let mut line = location.as_ref().map(|l| l.line().min(last_line));
    let mut column = location.as_ref().map(|l| l.column());
    let mut subject = "file".to_owned();
    if let (Some(key), Some(start)) = (between(&message, "duplicate entry with key \"", "\""), line) {
        let locator = Locator::new(text);
        if let Some(repeated) = locator.repeated_key(start, key) {
            (line, column) = (Some(repeated.0), Some(repeated.1));
        }
        if let Some(item) = locator.items("events").into_iter().find(|r| r.contains(&(start - 1))) {
            subject = locator.item_name(&item, "topic").map_or(subject, |topic| format!("event `{topic}`"));
        }
    }
    let field = backticked_after(&message, "unknown field ");
    let hint = if message.contains("duplicate entry") {
        "a key may appear only once per mapping; merge or rename the two entries".to_owned()
    } else if field.is_some() || message.contains("missing field") || message.contains("invalid type") {
        field_hint(&message, field.as_deref())
    } else {
        "fix the YAML syntax at this position (indentation, quoting, a missing `:`)".to_owned()
    };
    Diagnostic { file: path.to_owned(), line, column, subject, message, hint }
}

/// The text between `start` and the next `end` in `text`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &text[text.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}

fn file_error(path: &Path, message: String, hint: &str) -> Diagnostic {
    Diagnostic { file: path.to_owned(), line: None, column: None, subject: "file".into(), message, hint: hint.into() }
}
