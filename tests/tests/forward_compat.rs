//! Forward compatibility, per platform, on the real example files under `catalog/examples/`:
//! what a platform may start sending tomorrow must decode, and re-encode losslessly, unless
//! the catalog itself forbids it.
//!
//! - a topic nobody has heard of decodes to `Event::Unknown` with the body kept;
//! - `"zz_new_field": 1` added to each object of an example, in turn, decodes and re-encodes
//!   to the same JSON;
//! - each string replaced by an unlikely value decodes, or fails with a data error naming
//!   exactly that place; at an enum field it must decode (the value is kept as `Unknown`);
//! - `null` in place of each object decodes, or fails with a data error naming exactly that
//!   place;
//! - a money amount sent as a number instead of a string decodes, and an id sent as a string
//!   decodes;
//! - type drift, through the whole receiving path (signed, verified, decoded): every scalar in
//!   the other JSON type (number ↔ string), every id as a string, every list as an object with
//!   numeric keys. Each delivery must decode losslessly or reach the application with its raw
//!   body; none may be lost. The counts are printed.
//!
//! The catalog is the judge: `codegen::conform` checks each mutated body against the event's
//! payload type. Where it reports a mismatch, a decode must either keep the value and report
//! the mismatch there (tolerant fields), or fail naming that path, and failing is allowed only
//! at a `strict` field or at the body's root. Every error is listed in a summary printed to
//! stderr (`-- --nocapture`), grouped by kind, field and reason.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use codegen::conform::Types;
use codegen::model::{Platform, Scalar, Type};
use commerce_webhooks::{shopware, DecodeError};
use commerce_webhooks_tests::api::{apis, Api};
use commerce_webhooks_tests::{assert_no_failures, catalog_dir, node, node_mut, path_text, Step};
use serde_json::Value;

/// An example file with its event's payload type.
struct Example<'m> {
    platform: &'m Platform,
    topic: String,
    file: String,
    payload: Option<Type>,
    payload_null: bool,
    value: Value,
}

fn examples(platform: &Platform) -> Vec<Example<'_>> {
    let mut out = Vec::new();
    for event in &platform.events {
        for example in &event.examples {
            let text = std::fs::read(catalog_dir().join(&example.file)).expect("the example exists");
            out.push(Example {
                platform,
                topic: event.topic.clone(),
                file: example.file.clone(),
                payload: event.payload.clone(),
                payload_null: event.payload_null,
                value: serde_json::from_slice(&text).expect("examples are JSON"),
            });
        }
    }
    out
}

/// The same path with indexes dropped, to group a summary by field: `line_items[].price`.
fn field_text(path: &[Step]) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Key(key) if text.is_empty() => text.push_str(key),
            Step::Key(key) => {
                text.push('.');
                text.push_str(key);
            }
            Step::Index(_) => text.push_str("[]"),
        }
    }
    if text.is_empty() {
        ".".into()
    } else {
        text
    }
}

/// What the catalog says a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Untyped,
    Scalar(Scalar),
    Enum,
    Shape,
    Array,
    Map,
}

/// A node of an example: where it is, what the catalog says it is, and whether it may be
/// missing or null there.
struct Node {
    path: Vec<Step>,
    kind: Kind,
    presence: &'static str,
}

/// Every node of `value`, root first.
fn typed_nodes(platform: &Platform, ty: Option<&Type>, value: &Value) -> Vec<Node> {
    fn walk(
        platform: &Platform,
        ty: Option<&Type>,
        param: Option<&Type>,
        value: &Value,
        presence: &'static str,
        path: &mut Vec<Step>,
        out: &mut Vec<Node>,
    ) {
        let (kind, own_param) = match ty {
            Some(Type::Param) => return walk(platform, param, None, value, presence, path, out),
            Some(Type::Scalar(Scalar::Json)) | None => (Kind::Untyped, None),
            Some(Type::Scalar(scalar)) => (Kind::Scalar(*scalar), None),
            Some(Type::Enum(_)) => (Kind::Enum, None),
            Some(Type::Array(_)) => (Kind::Array, None),
            Some(Type::Map(_)) => (Kind::Map, None),
            Some(Type::Shape(_, arg)) => {
                // The shape's own `P` is its argument, resolved in the caller's context.
                let arg = arg.as_deref().map(|a| match a {
                    Type::Param => param.cloned().unwrap_or(Type::Scalar(Scalar::Json)),
                    other => other.clone(),
                });
                (Kind::Shape, arg)
            }
        };
        out.push(Node { path: path.clone(), kind, presence });
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let (child_ty, child_param, child_presence) = match ty {
                        Some(Type::Shape(index, _)) => {
                            match platform.shapes[*index].fields.iter().find(|f| &f.key == key) {
                                Some(field) => (
                                    Some(field.ty.clone()),
                                    own_param.clone(),
                                    match (&field.strict, field.absent, field.null) {
                                        (Some(_), ..) => "strict",
                                        (None, false, false) => "documented as always present",
                                        (None, true, false) => "may be absent, never null",
                                        (None, false, true) => "always present, may be null",
                                        (None, true, true) => "may be absent or null",
                                    },
                                ),
                                None => (None, None, "a key the catalog does not list"),
                            }
                        }
                        Some(Type::Map(inner)) => (Some((**inner).clone()), param.cloned(), "a map value"),
                        _ => (None, None, "inside untyped JSON"),
                    };
                    path.push(Step::Key(key.clone()));
                    walk(platform, child_ty.as_ref(), child_param.as_ref(), child, child_presence, path, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                let (item_ty, presence) = match ty {
                    Some(Type::Array(inner)) => (Some((**inner).clone()), "an array element"),
                    _ => (None, "inside untyped JSON"),
                };
                for (index, child) in items.iter().enumerate() {
                    path.push(Step::Index(index));
                    walk(platform, item_ty.as_ref(), param, child, presence, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(platform, ty, None, value, "the whole body", &mut Vec::new(), &mut out);
    out
}

/// Where the catalog's types reject `value`, by path, with the reason.
fn catalog_mismatches(example: &Example, value: &Value) -> BTreeMap<String, String> {
    let Some(ty) = &example.payload else { return BTreeMap::new() };
    if value.is_null() && example.payload_null {
        return BTreeMap::new();
    }
    let types = Types { shapes: &example.platform.shapes, enums: &example.platform.enums };
    types
        .check(ty, value)
        .into_iter()
        .filter(|finding| finding.kind.contradicts_catalog())
        .map(|finding| (finding.path, finding.message))
        .collect()
}

/// A placeholder string replaced by raw JSON text after serialization.
const PLACEHOLDER: &str = "\u{1}raw\u{1}";

fn with_raw(value: &Value, path: &[Step], raw: &str) -> Vec<u8> {
    let mut copy = value.clone();
    *node_mut(&mut copy, path) = Value::String(PLACEHOLDER.into());
    let quoted = serde_json::to_string(PLACEHOLDER).unwrap();
    serde_json::to_string(&copy).unwrap().replacen(&quoted, raw, 1).into_bytes()
}

/// What one mutated body did.
struct Outcome {
    platform: &'static str,
    mutation: &'static str,
    file: String,
    path: String,
    field: String,
    /// Whether the catalog lets the mutated node be missing or null.
    presence: &'static str,
    /// The decode error, if any.
    error: Option<String>,
    /// What `conform` said about the mutated body at `path`, if it rejects it there.
    catalog: Option<String>,
}

/// Runs one mutated body and holds it to the rules in the module docs.
struct Judge {
    outcomes: Vec<Outcome>,
    failures: Vec<String>,
}

impl Judge {
    /// Decodes `mutated` (which is `body` as JSON) for `example`'s topic, where the change is
    /// at `path` (`error_path`, where a decode error must point).
    #[allow(clippy::too_many_arguments)]
    fn judge(
        &mut self,
        api: &Api,
        example: &Example,
        mutation: &'static str,
        path: &[Step],
        presence: &'static str,
        error_path: &str,
        mutated: &Value,
        body: &[u8],
        must_decode: bool,
    ) {
        let label = format!("{} {} [{mutation} at {}]", api.id, example.file, path_text(path));
        let outcome = catch_unwind(AssertUnwindSafe(|| (api.from_delivery)(&example.topic, body)));
        let mismatches = catalog_mismatches(example, mutated);
        let catalog = mismatches.get(error_path).cloned();
        let error = match outcome {
            Err(_) => {
                self.failures.push(format!("{label}: PANIC"));
                return;
            }
            Ok(Ok(decoded)) => {
                if decoded.json != *mutated {
                    self.failures.push(format!("{label}: re-encoding is not the JSON that was sent"));
                }
                if decoded.topic != example.topic {
                    self.failures.push(format!("{label}: decoded as topic {}", decoded.topic));
                }
                // `null` where the docs promise a value is kept as `Field::Null`, which says so;
                // any other misfit must be reported where it is.
                let null_kept = error_path == path_text(path) && node(mutated, path).is_null();
                if let Some(reason) = catalog.as_ref().filter(|_| !null_kept) {
                    if !decoded.mismatches.iter().any(|kept| is_within(error_path, kept)) {
                        self.failures.push(format!(
                            "{label}: decodes without reporting the value the catalog rejects ({reason}); reported: {:?}",
                            decoded.mismatches
                        ));
                    }
                }
                None
            }
            Ok(Err(DecodeError::Data { path: reported, message })) => {
                if reported != error_path {
                    self.failures.push(format!("{label}: the error names `{reported}`, not `{error_path}`: {message}"));
                }
                if must_decode {
                    self.failures.push(format!("{label}: must decode, got: at `{reported}`: {message}"));
                } else if catalog.is_none() {
                    self.failures.push(format!(
                        "{label}: fails (at `{reported}`: {message}) where the catalog allows it (catalog: {mismatches:?})"
                    ));
                }
                Some(format!("at `{reported}`: {message}"))
            }
            Ok(Err(other)) => {
                self.failures.push(format!("{label}: not a data error: {other:?}"));
                Some(other.to_string())
            }
        };
        self.outcomes.push(Outcome {
            platform: api.id,
            mutation,
            file: example.file.clone(),
            path: path_text(path),
            field: field_text(path),
            presence,
            error,
            catalog,
        });
    }
}

/// Whether `path` is `ancestor` or lies inside it (`a.b[2]` is within `a.b` and `.`).
fn is_within(path: &str, ancestor: &str) -> bool {
    ancestor == "."
        || path == ancestor
        || path.strip_prefix(ancestor).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// Runs `mutate` over every platform's examples and returns the judge.
fn run_all(mutate: impl Fn(&Api, &Example, &mut Judge)) -> Judge {
    let model = commerce_webhooks_tests::model();
    let mut judge = Judge { outcomes: Vec::new(), failures: Vec::new() };
    for api in apis() {
        let platform = model.platforms.iter().find(|p| p.id == api.id).expect("platform in the catalog");
        for example in examples(platform) {
            mutate(&api, &example, &mut judge);
        }
    }
    judge
}

/// Platform, mutation, presence, field and the catalog's reason: how the summary groups errors.
type GroupKey<'o> = (&'o str, &'o str, &'o str, &'o str, String);

/// Prints the errors, grouped, and fails on any broken rule.
fn report(title: &str, judge: Judge) {
    let decoded = judge.outcomes.iter().filter(|o| o.error.is_none()).count();
    let errors: Vec<&Outcome> = judge.outcomes.iter().filter(|o| o.error.is_some()).collect();
    eprintln!("== {title}: {} mutated bodies, {decoded} decoded, {} errors", judge.outcomes.len(), errors.len());
    let mut by_presence: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for outcome in &errors {
        *by_presence.entry((outcome.platform, outcome.presence)).or_default() += 1;
    }
    for ((platform, presence), count) in &by_presence {
        eprintln!("   {platform:<11} {count} errors where the catalog says the value is: {presence}");
    }
    // Real payloads omit fields and send `null` or strings where the docs show values: an
    // error is acceptable only where the catalog says the platform guarantees the value.
    let tolerated = ["strict", "the whole body"];
    let intolerant: Vec<String> = errors
        .iter()
        .filter(|o| !tolerated.contains(&o.presence))
        .map(|o| {
            format!(
                "{} {} at {} ({}): {}",
                o.platform,
                o.file,
                o.path,
                o.presence,
                o.error.as_deref().unwrap_or_default()
            )
        })
        .take(20)
        .collect();
    assert_no_failures(&format!("{title}: errors where the catalog does not guarantee the value"), &intolerant);
    let mut groups: BTreeMap<GroupKey, (usize, &Outcome)> = BTreeMap::new();
    for outcome in &errors {
        let reason = outcome.catalog.clone().unwrap_or_else(|| "ALLOWED BY THE CATALOG".into());
        let reason = reason.split(", found").next().unwrap_or_default().to_owned();
        let entry = groups
            .entry((outcome.platform, outcome.mutation, outcome.presence, outcome.field.as_str(), reason))
            .or_insert((0, outcome));
        entry.0 += 1;
    }
    for ((platform, mutation, presence, field, reason), (count, first)) in &groups {
        eprintln!(
            "   {platform:<11} {mutation}: {field} ({presence}) ×{count}  catalog: {reason}  (e.g. {} at {}: {})",
            first.file,
            first.path,
            first.error.as_deref().unwrap_or_default()
        );
    }
    assert_no_failures(&format!("forward-compatibility failures ({title})"), &judge.failures);
}

#[test]
fn an_unknown_topic_decodes_to_unknown_with_the_body_kept() {
    let mut failures = Vec::new();
    let model = commerce_webhooks_tests::model();
    for api in apis() {
        let platform = model.platforms.iter().find(|p| p.id == api.id).unwrap();
        let new_topic = format!("zz_brand{0}new{0}topic", api.separator);
        for example in examples(platform) {
            let body = serde_json::to_vec(&example.value).unwrap();
            match (api.from_delivery)(&new_topic, &body) {
                Ok(decoded) if decoded.unknown && decoded.topic == new_topic && decoded.json == example.value => {}
                Ok(decoded) => failures.push(format!(
                    "{} {}: topic {} (unknown: {}), body kept: {}",
                    api.id,
                    example.file,
                    decoded.topic,
                    decoded.unknown,
                    decoded.json == example.value
                )),
                Err(error) => failures.push(format!("{} {}: {error}", api.id, example.file)),
            }
            let Some((from_body_fn, path)) = api.from_body else { continue };
            let mut renamed = example.value.clone();
            let steps: Vec<Step> = path.iter().map(|key| Step::Key((*key).to_owned())).collect();
            *node_mut(&mut renamed, &steps) = Value::String(new_topic.clone());
            match from_body_fn(&serde_json::to_vec(&renamed).unwrap()) {
                Ok(decoded) if decoded.unknown && decoded.topic == new_topic && decoded.json == renamed => {}
                Ok(decoded) => {
                    failures.push(format!("{} {} (from_body): decoded as {}", api.id, example.file, decoded.topic))
                }
                Err(error) => failures.push(format!("{} {} (from_body): {error}", api.id, example.file)),
            }
        }
    }
    assert_no_failures("unknown topics that did not decode to Unknown with the body kept", &failures);
}

#[test]
fn a_new_field_in_any_object_decodes_and_re_encodes_losslessly() {
    let judge = run_all(|api, example, judge| {
        for node in typed_nodes(example.platform, example.payload.as_ref(), &example.value) {
            let mut mutated = example.value.clone();
            let Value::Object(map) = node_mut(&mut mutated, &node.path) else { continue };
            map.insert("zz_new_field".into(), Value::from(1));
            let mut path = node.path.clone();
            path.push(Step::Key("zz_new_field".into()));
            let presence = if node.kind == Kind::Map { "a map value" } else { "a key the catalog does not list" };
            let body = serde_json::to_vec(&mutated).unwrap();
            judge.judge(api, example, "new field", &path, presence, &path_text(&path), &mutated, &body, false);
        }
    });
    report("a new field in every object", judge);
}

#[test]
fn an_unlikely_string_decodes_and_is_kept_in_enum_fields() {
    let judge = run_all(|api, example, judge| {
        for node in typed_nodes(example.platform, example.payload.as_ref(), &example.value) {
            let mut mutated = example.value.clone();
            let place = node_mut(&mut mutated, &node.path);
            if !place.is_string() {
                continue;
            }
            *place = Value::String("zz_unlikely_value_2031".into());
            let body = serde_json::to_vec(&mutated).unwrap();
            let is_enum = node.kind == Kind::Enum;
            let mutation = if is_enum { "new enum value" } else { "unlikely string" };
            let path = path_text(&node.path);
            judge.judge(api, example, mutation, &node.path, node.presence, &path, &mutated, &body, is_enum);
        }
    });
    report("an unlikely value in place of every string", judge);
}

#[test]
fn null_in_place_of_an_object_decodes_or_names_that_place() {
    let judge = run_all(|api, example, judge| {
        for node in typed_nodes(example.platform, example.payload.as_ref(), &example.value) {
            let mut mutated = example.value.clone();
            let place = node_mut(&mut mutated, &node.path);
            if !place.is_object() {
                continue;
            }
            *place = Value::Null;
            let body = serde_json::to_vec(&mutated).unwrap();
            let path = path_text(&node.path);
            judge.judge(api, example, "null object", &node.path, node.presence, &path, &mutated, &body, false);
        }
    });
    report("null in place of every object", judge);
}

/// Money strings of the examples that are also JSON numbers (`"12.50"` → `12.50`).
fn money_strings_as_numbers(example: &Example) -> Vec<(Node, String)> {
    typed_nodes(example.platform, example.payload.as_ref(), &example.value)
        .into_iter()
        .filter(|node| node.kind == Kind::Scalar(Scalar::Money))
        .filter_map(|node| {
            let mut copy = example.value.clone();
            let text = node_mut(&mut copy, &node.path).as_str()?.to_owned();
            serde_json::from_str::<serde_json::Number>(&text).ok().map(|_| (node, text))
        })
        .collect()
}

#[test]
fn money_sent_as_a_number_decodes() {
    let judge = run_all(|api, example, judge| {
        for (node, text) in money_strings_as_numbers(example) {
            let body = with_raw(&example.value, &node.path, &text);
            let mutated: Value = serde_json::from_slice(&body).unwrap();
            let path = path_text(&node.path);
            judge.judge(api, example, "money number", &node.path, node.presence, &path, &mutated, &body, true);
        }
    });
    let money = judge.outcomes.len();
    report("money amounts sent as numbers", judge);
    assert!(money > 0, "no example has a money string to try (is `money` used in the shapes?)");
}

#[test]
fn an_id_sent_as_a_string_decodes_or_names_that_place() {
    let judge = run_all(|api, example, judge| {
        for node in typed_nodes(example.platform, example.payload.as_ref(), &example.value) {
            let is_id = matches!(node.path.last(), Some(Step::Key(key)) if key == "id" || key.ends_with("_id") || key.ends_with("Id"));
            let mut mutated = example.value.clone();
            let place = node_mut(&mut mutated, &node.path);
            if !is_id || !place.is_number() {
                continue;
            }
            *place = Value::String(place.to_string());
            let body = serde_json::to_vec(&mutated).unwrap();
            let path = path_text(&node.path);
            judge.judge(api, example, "id as string", &node.path, node.presence, &path, &mutated, &body, false);
        }
    });
    report("ids sent as strings", judge);
}

/// Shopware's `Webhook<[EntityWriteResult]>`: a value that does not fit inside the array that
/// fills the generic `P` is reported at its own place, or at the array when an element is not
/// an object at all (the whole array is then kept as received).
#[test]
fn a_misfit_in_a_generic_array_is_kept_and_located() {
    let body = std::fs::read(catalog_dir().join("examples/shopware/product_written.json")).unwrap();
    let original: Value = serde_json::from_slice(&body).unwrap();
    let mut failures = Vec::new();
    for (place, replacement, expected) in [
        ("/data/payload/0", Value::Null, "data.payload"),
        ("/data/payload/0/entity", Value::from(7), "data.payload[0].entity"),
        ("/data/payload", serde_json::json!({"1": original["data"]["payload"][0]}), "data.payload"),
    ] {
        let mut mutated = original.clone();
        *mutated.pointer_mut(place).unwrap() = replacement;
        let body = serde_json::to_vec(&mutated).unwrap();
        match shopware::Event::from_body(&body) {
            Ok(event) => {
                let found: Vec<String> = commerce_webhooks::mismatches(&event).into_iter().map(|m| m.path).collect();
                if found != [expected] {
                    failures.push(format!("{place}: expected one mismatch at `{expected}`, found {found:?}"));
                }
                if serde_json::to_value(&event).unwrap() != mutated {
                    failures.push(format!("{place}: re-encoding is lossy"));
                }
            }
            Err(error) => failures.push(format!("{place}: expected to decode, got {error}")),
        }
    }
    assert_no_failures("misfits in a generic array", &failures);
}

/// What a type drift does to one example: the mutated bodies, each with its label.
fn drifted(example: &Example) -> Vec<(&'static str, String, Value)> {
    let mut out = Vec::new();
    for node in typed_nodes(example.platform, example.payload.as_ref(), &example.value) {
        // A strict field is guaranteed by the platform (signed, or the topic): not drift.
        if node.presence == "strict" {
            continue;
        }
        let path = path_text(&node.path);
        let is_id = matches!(node.path.last(), Some(Step::Key(key)) if key == "id" || key.ends_with("_id") || key.ends_with("Id"));
        let mut mutated = example.value.clone();
        let place = node_mut(&mut mutated, &node.path);
        let (kind, replacement) = match &*place {
            Value::Number(number) if is_id => ("id as string", Value::String(number.to_string())),
            Value::Number(number) => ("number as string", Value::String(number.to_string())),
            Value::String(text) => match serde_json::from_str::<serde_json::Number>(text) {
                Ok(number) => ("string as number", Value::Number(number)),
                Err(_) => continue,
            },
            Value::Bool(flag) => ("bool as string", Value::String(flag.to_string())),
            Value::Array(items) => (
                "list as object",
                Value::Object(items.iter().enumerate().map(|(i, item)| (i.to_string(), item.clone())).collect()),
            ),
            _ => continue,
        };
        *place = replacement;
        out.push((kind, path, mutated));
    }
    out
}

/// Type drift through the whole receiving path: nothing authentic is lost.
#[test]
fn type_drift_never_loses_a_delivery() {
    let model = commerce_webhooks_tests::model();
    let mut counts: BTreeMap<(&str, &str), [usize; 3]> = BTreeMap::new();
    let mut failures = Vec::new();
    for api in apis() {
        let platform = model.platforms.iter().find(|p| p.id == api.id).expect("platform in the catalog");
        for example in examples(platform) {
            for (kind, path, mutated) in drifted(&example) {
                let body = serde_json::to_vec(&mutated).unwrap();
                let label = format!("{} {} [{kind} at {path}]", api.id, example.file);
                let outcome = catch_unwind(AssertUnwindSafe(|| (api.receive)(&example.topic, &body)));
                let slot = match outcome {
                    Err(_) => {
                        failures.push(format!("{label}: PANIC"));
                        2
                    }
                    Ok(Err(refused)) => {
                        failures.push(format!("{label}: an authentic delivery was refused: {refused}"));
                        2
                    }
                    Ok(Ok(received)) if received.body != body => {
                        failures.push(format!("{label}: the delivery's body is not the body received"));
                        2
                    }
                    Ok(Ok(received)) => match received.decoded {
                        Ok(decoded) if decoded.json == mutated => 0,
                        Ok(_) => {
                            failures.push(format!("{label}: decoded lossily"));
                            2
                        }
                        Err(_) => 1,
                    },
                };
                counts.entry((api.id, kind)).or_default()[slot] += 1;
            }
        }
    }
    eprintln!("== type drift: decoded losslessly / reached the app undecoded / lost");
    let mut total = [0; 3];
    for ((platform, kind), [lossless, reached, lost]) in &counts {
        eprintln!("   {platform:<11} {kind:<17} {lossless:>6} / {reached:>4} / {lost}");
        total = [total[0] + lossless, total[1] + reached, total[2] + lost];
    }
    eprintln!("   all                           {:>6} / {:>4} / {}", total[0], total[1], total[2]);
    assert!(total[0] > 1000, "too few drifted bodies ({total:?}): is the drift generator still working?");
    assert_no_failures("deliveries lost to type drift", &failures);
}
