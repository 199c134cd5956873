//! Builds the [`Model`] from what was read, checking every cross-reference and collecting
//! every problem with its location.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_yaml::Value;

mod shapes;

use shapes::{Named, ShapeChecker};

use crate::catalog::{CarriedByDef, EventDef, ExampleStatus, Located, PlatformFile, RawCatalog, VocabularyFile};
use crate::conform::Types;
use crate::diagnostic::{closest, Diagnostic};
use crate::locate::Locator;
use crate::model::{
    AlternateDelivery, CarriedBy, Delivery, Event, Example, Group, Model, Platform, Scope, ScopeRule, Template, Term,
    Vocabulary,
};

/// The variant every generated wire-name enum keeps for names the catalog does not know.
const RESERVED_IDENT: &str = "Unknown";

/// Validates what [`read_dir`](crate::catalog::read_dir) produced.
pub fn validate(raw: RawCatalog, catalog_dir: &Path) -> Result<Model, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let vocabulary = match &raw.vocabulary {
        Some((path, file)) => vocabulary(path, file, &mut diagnostics),
        None => Vocabulary { entities: Vec::new(), actions: Vec::new() },
    };
    let mut platforms: Vec<Platform> = Vec::new();
    let mut seen_ids: HashMap<String, std::path::PathBuf> = HashMap::new();
    for file in &raw.platforms {
        let mut checker = Checker { file, locator: Locator::new(&file.text), diagnostics: &mut diagnostics };
        if let Some(first) = seen_ids.insert(file.platform.clone(), file.path.clone()) {
            checker.top(
                "platform",
                format!("platform `{}` is also defined in {}", file.platform, first.display()),
                "each platform has exactly one catalog file; merge the two",
            );
        }
        if let Some(platform) = checker.platform(catalog_dir, &vocabulary) {
            platforms.push(platform);
        }
    }
    platforms.sort_by(|a, b| a.id.cmp(&b.id));
    if diagnostics.is_empty() {
        Ok(Model { vocabulary, platforms })
    } else {
        Err(diagnostics)
    }
}

fn vocabulary(path: &Path, file: &VocabularyFile, diagnostics: &mut Vec<Diagnostic>) -> Vocabulary {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let terms = |kind: &str, map: &serde_yaml::Mapping, diagnostics: &mut Vec<Diagnostic>| {
        let mut terms: Vec<Term> = Vec::new();
        let mut idents: HashMap<String, String> = HashMap::new();
        for (key, value) in map {
            let line = key
                .as_str()
                .and_then(|k| text.lines().position(|l| l.trim_start().starts_with(&format!("{k}:"))))
                .map(|i| i + 1);
            let mut error = |message: String, hint: &str| {
                diagnostics.push(Diagnostic {
                    file: path.to_owned(),
                    line,
                    column: None,
                    subject: format!("{kind} `{}`", display_value(key)),
                    message,
                    hint: hint.into(),
                });
            };
            let (Some(name), Some(description)) = (key.as_str(), value.as_str()) else {
                error(
                    format!(
                        "{kind} names and meanings must be strings, got `{}: {}`",
                        display_value(key),
                        display_value(value)
                    ),
                    "write `name: one-line meaning`",
                );
                continue;
            };
            if name.to_snake_case() != name || name.is_empty() {
                error(format!("`{name}` is not snake_case"), &format!("write it as `{}`", name.to_snake_case()));
                continue;
            }
            let ident = name.to_upper_camel_case();
            if syn::parse_str::<syn::Ident>(&ident).is_err() {
                error(
                    format!("`{name}` gives `{ident}`, which is not a Rust identifier"),
                    "rename it so that it starts with a letter",
                );
                continue;
            }
            if let Some(other) = idents.insert(ident.clone(), name.to_owned()) {
                error(format!("`{name}` and `{other}` both become `{ident}`"), "rename one of them");
            }
            terms.push(Term { name: name.to_owned(), ident, description: description.to_owned() });
        }
        terms
    };
    Vocabulary {
        entities: terms("entity", &file.entities, diagnostics),
        actions: terms("action", &file.actions, diagnostics),
    }
}

fn display_value(value: &Value) -> String {
    serde_yaml::to_string(value).map(|s| s.trim_end().to_owned()).unwrap_or_default()
}

/// Validates one platform file, pushing problems onto the shared list.
struct Checker<'a> {
    file: &'a PlatformFile,
    locator: Locator<'a>,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
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

    fn top(&mut self, key: &str, message: String, hint: &str) {
        let line = self.locator.top_level(key);
        self.diagnostics.push(Diagnostic {
            file: self.file.path.clone(),
            line,
            column: line.map(|_| 1),
            subject: format!("`{key}`"),
            message,
            hint: hint.into(),
        });
    }

    fn platform(&mut self, catalog_dir: &Path, vocabulary: &Vocabulary) -> Option<Platform> {
        let file = self.file;
        let stem = file.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if file.platform != stem {
            self.top(
                "platform",
                format!("platform `{}` is in a file named `{stem}.yaml`", file.platform),
                "name the file after the platform (`<platform>.yaml`) so each is easy to find",
            );
        }
        if file.platform.to_snake_case() != file.platform || syn::parse_str::<syn::Ident>(&file.platform).is_err() {
            self.top(
                "platform",
                format!("`{}` cannot be a module and feature name", file.platform),
                "use a snake_case word such as `shopify`",
            );
        }
        if file.sources.is_empty() {
            self.top(
                "sources",
                "no source page is listed".into(),
                "list the reference page the catalog transcribes (see catalog/README.md)",
            );
        }
        for source in &file.sources {
            if !catalog_dir.join(&source.page).is_file() {
                self.top(
                    "sources",
                    format!("source page `{}` does not exist under {}", source.page, catalog_dir.display()),
                    "store the page under catalog/sources/ and give its path relative to catalog/",
                );
            }
        }
        let separators = self.separators();
        let carried_by = self.location("topic", &file.topic.carried_by);
        let delivery = self.delivery();
        let scopes = self.scopes();
        let (shapes, enums, names) = ShapeChecker::new(&file.shapes, self.diagnostics).check();
        let types = Types { shapes: &shapes, enums: &enums };
        let mut events = self.events(&separators, &scopes, vocabulary);
        self.payloads(catalog_dir, &names, &types, &mut events);
        let groups = self.groups(&separators, &events);
        if events.is_empty() && !self.diagnostics.iter().any(|d| d.file == file.path) {
            self.top(
                "events",
                "the catalog lists no events".into(),
                "transcribe the platform's events under `events:`",
            );
        }
        Some(Platform {
            id: file.platform.clone(),
            name: file.name.clone(),
            file: file.path.strip_prefix(catalog_dir).unwrap_or(&file.path).to_owned(),
            sources: file.sources.clone(),
            separators,
            carried_by,
            delivery,
            scopes,
            groups,
            events,
            shapes,
            enums,
        })
    }

    /// Resolves each event's payload type and checks its examples against it.
    fn payloads(&mut self, catalog_dir: &Path, names: &BTreeMap<String, Named>, types: &Types, events: &mut [Event]) {
        let file = self.file;
        // The shapes file's own error is reported; every payload naming a shape would only repeat it.
        if file.shapes.failed {
            return;
        }
        let by_topic: HashMap<String, usize> = events.iter().enumerate().map(|(i, e)| (e.topic.clone(), i)).collect();
        for Located { value: def, lines } in &file.events {
            let Some(&index) = by_topic.get(&def.topic) else { continue };
            let event = &mut events[index];
            let subject = format!("event `{}`", def.topic);
            if let Some(text) = &def.payload {
                match crate::types::parse(text)
                    .map_err(|e| {
                        (
                            format!("payload type `{text}` does not parse: {e}"),
                            "see the type table in catalog/README.md".to_owned(),
                        )
                    })
                    .and_then(|expr| shapes::resolve(&expr, names, false))
                {
                    Ok(ty) => event.payload = Some(ty),
                    Err((message, hint)) => self.push(lines, "payload", subject.clone(), message, hint),
                }
            }
            let mut bodies = Vec::new();
            for example in &def.examples {
                if example.status != ExampleStatus::Verbatim && example.source.is_none() {
                    self.push(
                        lines,
                        "examples",
                        subject.clone(),
                        format!("example `{}` is {:?} but has no `source`", example.file, example.status)
                            .to_lowercase(),
                        "cite where the example (or its repair) comes from with `source:`",
                    );
                }
                let path = catalog_dir.join(&example.file);
                let text = match std::fs::read(&path) {
                    Ok(text) => text,
                    Err(e) => {
                        self.push(
                            lines,
                            "examples",
                            subject.clone(),
                            format!("example `{}` cannot be read: {e}", example.file),
                            "give the path relative to catalog/, e.g. examples/shopify/orders_create.json",
                        );
                        continue;
                    }
                };
                let value: serde_json::Value = match serde_json::from_slice(&text) {
                    Ok(value) => {
                        // JSON text is UTF-8, so this only fails where `from_slice` already did.
                        bodies.push((example.file.clone(), String::from_utf8_lossy(&text).into_owned()));
                        value
                    }
                    Err(e) => {
                        self.push(
                            lines,
                            "examples",
                            subject.clone(),
                            format!("example `{}` is not JSON: {e}", example.file),
                            "repair the example (and mark it `status: repaired` with its source)",
                        );
                        continue;
                    }
                };
                let Some(ty) = &event.payload else { continue };
                if value.is_null() && def.payload_null {
                    continue;
                }
                for finding in types.check(ty, &value).into_iter().filter(|f| f.kind.contradicts_catalog()) {
                    self.push(
                        lines,
                        "examples",
                        subject.clone(),
                        format!(
                            "example `{}` does not fit `{}` at `{}`: {}",
                            example.file,
                            def.payload.as_deref().unwrap_or_default(),
                            finding.path,
                            finding.message
                        ),
                        finding.suggestion,
                    );
                }
            }
            event.payload_null = def.payload_null;
            event.examples = def
                .examples
                .iter()
                .map(|e| Example {
                    file: e.file.clone(),
                    status: e.status,
                    source: e.source.clone(),
                    note: e.note.clone(),
                    body: bodies
                        .iter()
                        .find(|(file, _)| *file == e.file)
                        .map(|(_, body)| body.clone())
                        .unwrap_or_default(),
                })
                .collect();
        }
    }

    fn separators(&mut self) -> Vec<char> {
        let mut separators = Vec::new();
        for text in &self.file.topic.separators {
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !c.is_alphanumeric() && c != '_' && c != '-' && c != '*' && !c.is_whitespace() => {
                    separators.push(c)
                }
                _ => self.top(
                    "topic",
                    format!("separator `{text}` is not one punctuation character"),
                    "write each separator as a one-character string, e.g. \"/\" or \".\"",
                ),
            }
        }
        if separators.is_empty() {
            self.top(
                "topic",
                "no topic separator is declared".into(),
                "list the characters between topic segments, e.g. `separators: [\"/\"]`",
            );
        }
        separators
    }

    /// A `{ header: … }` or `{ body_field: … }` location.
    fn location(&mut self, key: &str, def: &CarriedByDef) -> CarriedBy {
        match (&def.header, &def.body_field) {
            (Some(header), None) if !header.is_empty() => CarriedBy::Header(header.clone()),
            (None, Some(field)) if !field.is_empty() && !field.split('.').any(str::is_empty) => {
                CarriedBy::BodyField(field.clone())
            }
            _ => {
                self.top(
                    key,
                    format!("`{key}` must name exactly one non-empty `header` or dotted `body_field`"),
                    "write `{ header: X-Topic }` or `{ body_field: data.event }`",
                );
                CarriedBy::Header(String::new())
            }
        }
    }

    fn delivery(&mut self) -> Delivery {
        let def = &self.file.delivery;
        if def.signature.header.is_empty() || def.signature.source.is_empty() {
            self.top(
                "delivery",
                "the signature needs a `header` and a `source`".into(),
                "name the signature header and cite where the scheme is documented",
            );
        }
        self.metadata_names(&def.headers);
        let alternate = def.alternate.as_ref().map(|alt| {
            if alt.signature_header.is_empty() || alt.source.is_empty() || alt.name.is_empty() {
                self.top(
                    "delivery",
                    "`alternate` needs a `name`, a `signature_header` and a `source`".into(),
                    "name the family, its signature header, and cite where its headers are documented",
                );
            }
            self.metadata_names(&alt.headers);
            AlternateDelivery {
                name: alt.name.clone(),
                source: alt.source.clone(),
                signature_header: alt.signature_header.clone(),
                topic: self.location("delivery", &alt.topic),
                id: self.location("delivery", &alt.id),
                store: self.location("delivery", &alt.store),
                headers: alt.headers.clone(),
            }
        });
        for bus in &def.buses {
            if bus.source.trim().is_empty() || bus.authentication.trim().is_empty() {
                self.top(
                    "delivery",
                    format!("the {:?} entry of `buses` needs a `source` and an `authentication`", bus.transport),
                    "cite the platform's page about delivering to the bus, and say what it documents about authenticating its messages",
                );
            }
        }
        Delivery {
            signature_header: def.signature.header.clone(),
            scheme: def.signature.scheme,
            scheme_source: def.signature.source.clone(),
            id: self.location("delivery", &def.id),
            store: self.location("delivery", &def.store),
            headers: def.headers.clone(),
            alternate,
            buses: def.buses.clone(),
        }
    }

    /// Metadata header names are unique snake_case names that do not shadow a method of
    /// `Delivery` (each becomes an accessor on it).
    fn metadata_names(&mut self, headers: &[crate::catalog::MetadataHeaderDef]) {
        const DELIVERY_METHODS: &[&str] = &[
            "event",
            "into_event",
            "is_decoded",
            "decode_error",
            "mismatches",
            "body",
            "topic",
            "delivery_id",
            "store_id",
            "metadata",
            "metadata_headers",
            "facts",
            "is_signed",
        ];
        let mut names: Vec<&str> = Vec::new();
        for header in headers {
            if DELIVERY_METHODS.contains(&header.name.as_str()) {
                self.top(
                    "delivery",
                    format!("metadata header name `{}` is also a method of `Delivery`", header.name),
                    "rename the header's `name` (it becomes `delivery.<name>()`)",
                );
            }
            if header.name.to_snake_case() != header.name || names.contains(&header.name.as_str()) {
                self.top(
                    "delivery",
                    format!("metadata header name `{}` is not a unique snake_case name", header.name),
                    "name each header once, in snake_case",
                );
            }
            names.push(&header.name);
        }
    }

    fn scopes(&mut self) -> Vec<Scope> {
        let mut scopes: Vec<Scope> = Vec::new();
        let mut idents: HashMap<String, String> = HashMap::new();
        for Located { value: def, lines } in &self.file.scopes {
            let subject = format!("scope `{}`", def.name);
            if scopes.iter().any(|s| s.name == def.name) {
                self.push(
                    lines,
                    "name",
                    subject.clone(),
                    format!("scope `{}` is declared twice", def.name),
                    "delete one of the two declarations",
                );
                continue;
            }
            let ident = scope_ident(&def.name);
            if def.name.is_empty() || def.name.chars().any(char::is_whitespace) {
                self.push(
                    lines,
                    "name",
                    subject.clone(),
                    format!("`{}` is not a scope name", def.name),
                    "write the name exactly as the platform does, without spaces",
                );
            } else if ident.is_empty() || ident == RESERVED_IDENT || syn::parse_str::<syn::Ident>(&ident).is_err() {
                self.push(
                    lines,
                    "name",
                    subject.clone(),
                    format!(
                        "`{}` gives the variant `{ident}`, which is empty, a keyword or the `Unknown` fallback",
                        def.name
                    ),
                    "`Unknown` is kept for unknown scopes and variants need a letter; rename the scope in the catalog",
                );
            } else if let Some(other) = idents.insert(ident.clone(), def.name.clone()) {
                self.push(
                    lines,
                    "name",
                    subject.clone(),
                    format!("`{}` and `{other}` both become the identifier `{ident}`", def.name),
                    "the generator cannot tell them apart; rename one of them in the catalog",
                );
            }
            if def.description.is_some() && def.source.is_none() {
                self.push(
                    lines,
                    "description",
                    subject,
                    "the description has no `source`".into(),
                    "add `source: <url>` naming where the description comes from",
                );
            }
            scopes.push(Scope {
                name: def.name.clone(),
                ident,
                oauth: def.oauth.clone(),
                description: def.description.clone(),
                source: def.source.clone(),
            });
        }
        scopes
    }

    fn events(&mut self, separators: &[char], scopes: &[Scope], vocabulary: &Vocabulary) -> Vec<Event> {
        let mut events: Vec<Event> = Vec::new();
        let mut topics: HashMap<&str, usize> = HashMap::new();
        let mut idents: BTreeMap<String, String> = BTreeMap::new();
        let platform = self.file.platform.clone();
        for (index, Located { value: def, lines }) in self.file.events.iter().enumerate() {
            let subject = format!("event `{}`", def.topic);
            // A repeated topic is reported, and its other fields still checked, but it is
            // left out of the model (and of the identifier check, which would repeat the error).
            let first = topics.insert(&def.topic, index);
            if let Some(first) = first {
                let first_line = self.file.events[first]
                    .lines
                    .as_ref()
                    .map_or(String::new(), |r| format!(" (line {})", r.start + 1));
                self.push(
                    lines,
                    "topic",
                    subject.clone(),
                    format!("topic `{}` is listed twice{first_line}", def.topic),
                    "keep one entry per topic; merge the two",
                );
                topics.insert(&def.topic, first);
            }
            if let Err(problem) = check_topic(&def.topic, separators) {
                self.push(
                    lines,
                    "topic",
                    subject.clone(),
                    problem,
                    format!(
                        "{platform} topics are segments of letters, digits, `_` and `-` joined by {}",
                        list(separators)
                    ),
                );
            }
            let ident = def.rust_name.clone().unwrap_or_else(|| topic_ident(&def.topic, separators));
            let clash = if first.is_none() { idents.insert(ident.clone(), def.topic.clone()) } else { None };
            if syn::parse_str::<syn::Ident>(&ident).is_err()
                || ident == RESERVED_IDENT
                || ident.starts_with(|c: char| !c.is_ascii_uppercase())
            {
                let key = if def.rust_name.is_some() { "rust_name" } else { "topic" };
                self.push(
                    lines,
                    key,
                    subject.clone(),
                    format!("`{ident}` cannot be the topic's Rust variant"),
                    "set `rust_name:` to an UpperCamelCase identifier other than `Unknown`",
                );
            } else if let Some(other) = clash {
                self.push(
                    lines,
                    "topic",
                    subject.clone(),
                    format!("`{}` and `{other}` both become the Rust variant `{ident}`", def.topic),
                    "set `rust_name:` on one of them to tell them apart",
                );
            }
            let entity = self.term(lines, &subject, "entity", &def.entity, &vocabulary.entities);
            let action = self.term(lines, &subject, "action", &def.action, &vocabulary.actions);
            let rule = self.scope_rule(lines, &subject, &def.scopes, scopes);
            self.listings(lines, &subject, def);
            if first.is_some() {
                continue;
            }
            events.push(Event {
                topic: def.topic.clone(),
                template: template(&def.topic, separators),
                ident,
                description: def.description.clone(),
                source: def.source.clone(),
                listed_in: def.listed_in.clone(),
                entity: entity.unwrap_or(0),
                action: action.unwrap_or(0),
                resource: def.resource.clone(),
                rest_call: def.rest_call.clone(),
                scopes: rule.unwrap_or(ScopeRule::NotDocumented),
                protected_customer_data: def.protected_customer_data,
                mandatory: def.mandatory,
                notes: def.notes.clone(),
                payload: None,
                payload_null: false,
                examples: Vec::new(),
            });
        }
        events
    }

    fn listings(&mut self, lines: &Option<Range<usize>>, subject: &str, def: &EventDef) {
        let mut sorted = def.listed_in.clone();
        sorted.sort();
        sorted.dedup();
        if sorted != def.listed_in {
            self.push(
                lines,
                "listed_in",
                subject.into(),
                "`listed_in` repeats a list or is out of order".into(),
                "write each list once, in the order section, compliance_table, topics_allowed",
            );
        }
    }

    fn term(
        &mut self,
        lines: &Option<Range<usize>>,
        subject: &str,
        kind: &str,
        name: &str,
        terms: &[Term],
    ) -> Option<usize> {
        let found = terms.iter().position(|t| t.name == name);
        let section = if kind == "entity" { "entities" } else { "actions" };
        if found.is_none() {
            let hint = match closest(name, terms.iter().map(|t| t.name.as_str())) {
                Some(near) => {
                    format!("did you mean `{near}`? Otherwise add `{name}` to vocabulary.yaml under `{section}:`")
                }
                None => {
                    format!("add `{name}: <meaning>` to vocabulary.yaml under `{section}:`, or use an existing {kind}")
                }
            };
            self.push(lines, kind, subject.into(), format!("{kind} `{name}` is not in the vocabulary"), hint);
        }
        found
    }

    fn scope_rule(
        &mut self,
        lines: &Option<Range<usize>>,
        subject: &str,
        value: &Value,
        scopes: &[Scope],
    ) -> Option<ScopeRule> {
        const FORMS: &str = "write one of: none_needed, none_listed, not_documented, { one: x }, { any_of: [x, y], source: URL }, { all_of: [x, y], source: URL }, { unstated: [x, y] }";
        let fail = |this: &mut Self, message: String, hint: String| {
            this.push(lines, "scopes", subject.into(), message, hint);
            None
        };
        if let Some(word) = value.as_str() {
            return match word {
                "none_needed" => Some(ScopeRule::NoneNeeded),
                "none_listed" => Some(ScopeRule::NoneListed),
                "not_documented" => Some(ScopeRule::NotDocumented),
                other => {
                    let near = closest(other, ["none_needed", "none_listed", "not_documented"]);
                    fail(
                        self,
                        format!("`{other}` is not a scope requirement"),
                        near.map_or(FORMS.to_owned(), |n| format!("did you mean `{n}`?")),
                    )
                }
            };
        }
        let Some(map) = value.as_mapping() else {
            return fail(
                self,
                format!("`scopes` must be a word or a mapping, got `{}`", display_value(value)),
                FORMS.into(),
            );
        };
        let get = |key: &str| map.get(Value::String(key.into()));
        let forms: Vec<&str> =
            ["one", "any_of", "all_of", "unstated"].into_iter().filter(|k| get(k).is_some()).collect();
        if let Some(unknown) = map
            .keys()
            .map(display_value)
            .find(|k| !["one", "any_of", "all_of", "unstated", "source"].contains(&k.as_str()))
        {
            return fail(self, format!("`scopes` has an unknown key `{unknown}`"), FORMS.into());
        }
        let [form] = forms[..] else {
            return fail(
                self,
                format!("`scopes` must use exactly one of one/any_of/all_of/unstated, found {}", forms.len()),
                FORMS.into(),
            );
        };
        let source = get("source").and_then(Value::as_str).map(str::to_owned);
        let names: Vec<String> = match get(form) {
            Some(Value::String(name)) if form == "one" => vec![name.clone()],
            Some(Value::Sequence(items)) if form != "one" => {
                match items.iter().map(|v| v.as_str().map(str::to_owned)).collect::<Option<Vec<_>>>() {
                    Some(names) => names,
                    None => return fail(self, format!("`{form}` must list scope names"), FORMS.into()),
                }
            }
            _ => return fail(self, format!("`{form}` has the wrong shape"), FORMS.into()),
        };
        let mut indexes = Vec::new();
        for name in &names {
            match scopes.iter().position(|s| &s.name == name) {
                Some(index) if indexes.contains(&index) => {
                    return fail(self, format!("scope `{name}` is listed twice"), "list each scope once".into())
                }
                Some(index) => indexes.push(index),
                None => {
                    let hint = match closest(name, scopes.iter().map(|s| s.name.as_str())) {
                        Some(near) => {
                            format!("did you mean `{near}`? Otherwise declare `{name}` under the platform's `scopes:`")
                        }
                        None => format!("declare `{name}` under the platform's `scopes:`"),
                    };
                    fail(self, format!("scope `{name}` is not declared"), hint);
                }
            }
        }
        if indexes.len() != names.len() {
            return None;
        }
        if form != "one" && names.len() < 2 {
            return fail(
                self,
                format!("`{form}` names {} scope(s)", names.len()),
                "use `{ one: x }` for a single scope".into(),
            );
        }
        match (form, source) {
            ("one", _) => Some(ScopeRule::One(indexes[0])),
            ("unstated", _) => Some(ScopeRule::Unstated(indexes)),
            (_, None) => fail(
                self,
                format!("`{form}` has no `source`"),
                "cite where the platform documents how the scopes combine (`source: <url>`), or write `unstated`"
                    .into(),
            ),
            ("any_of", Some(source)) => Some(ScopeRule::AnyOf { scopes: indexes, source }),
            (_, Some(source)) => Some(ScopeRule::AllOf { scopes: indexes, source }),
        }
    }

    fn groups(&mut self, separators: &[char], events: &[Event]) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        for Located { value: def, lines } in &self.file.groups {
            let subject = format!("group `{}`", def.pattern);
            let prefix = def.pattern.strip_suffix('*');
            let well_formed = match prefix {
                Some("") => true,
                Some(prefix) => {
                    prefix.strip_suffix(separators).is_some_and(|segments| check_segments(segments, separators).is_ok())
                }
                None => false,
            };
            if !well_formed {
                self.push(
                    lines,
                    "pattern",
                    subject,
                    format!("`{}` is not a wildcard pattern", def.pattern),
                    format!(
                        "write a topic prefix ending in a separator ({}) followed by `*`, e.g. `store/cart/*`",
                        list(separators)
                    ),
                );
                continue;
            }
            if groups.iter().any(|g| g.pattern == def.pattern) {
                self.push(lines, "pattern", subject, "the group is listed twice".into(), "delete one of the two");
                continue;
            }
            let covered: Vec<usize> =
                (0..events.len()).filter(|&i| Platform::pattern_covers(&def.pattern, &events[i].topic)).collect();
            if covered.is_empty() {
                self.push(
                    lines,
                    "pattern",
                    subject,
                    format!("`{}` matches no topic of the catalog", def.pattern),
                    "fix the pattern's spelling or add the events it stands for",
                );
                continue;
            }
            if let Some(url) =
                def.source.as_deref().filter(|url| !self.file.sources.iter().any(|source| source.url == *url))
            {
                self.push(
                    lines,
                    "source",
                    subject,
                    format!("`{url}` is not the `url` of one of the catalog's `sources:`"),
                    "cite the newer page that documents the group by its `sources:` entry's `url`, or register the page",
                );
                continue;
            }
            groups.push(Group {
                pattern: def.pattern.clone(),
                description: def.description.clone(),
                source: def.source.clone(),
                events: covered,
            });
        }
        groups
    }
}

/// Checks that `topic` is at least two segments of `[A-Za-z0-9_-]` joined by the platform's
/// separators.
fn check_topic(topic: &str, separators: &[char]) -> Result<(), String> {
    check_segments(topic, separators)?;
    if !topic.contains(separators) {
        return Err(format!("topic `{topic}` has no separator ({})", list(separators)));
    }
    Ok(())
}

/// Checks that `topic` is non-empty segments joined by the separators, each of `[A-Za-z0-9_-]`,
/// a literal `*` (BigCommerce delivers `store/channel/*/inventory/product/stock_changed` as
/// written), or, once and not first, a placeholder such as `{channel_id}` (see [`Template`]).
fn check_segments(topic: &str, separators: &[char]) -> Result<(), String> {
    let mut placeholders = 0;
    for (position, segment) in topic.split(separators).enumerate() {
        if segment.is_empty() {
            return Err(format!("topic `{topic}` has an empty segment"));
        }
        if segment == "*" {
            continue;
        }
        if let Some(name) = segment.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')) {
            placeholders += 1;
            if position == 0 || placeholders > 1 || name.is_empty() || name.to_snake_case() != name {
                return Err(format!(
                    "topic `{topic}` has the placeholder `{segment}` where only one snake_case placeholder after the first segment may be"
                ));
            }
            continue;
        }
        if let Some(bad) = segment.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-')) {
            return Err(format!("topic `{topic}` contains `{bad}`, which is not a separator here"));
        }
    }
    Ok(())
}

/// The placeholder of a topic written as a template (`store/channel/{channel_id}/cart/created`),
/// once the topic has passed [`check_topic`].
fn template(topic: &str, separators: &[char]) -> Option<Template> {
    let open = topic.find('{')?;
    let close = open + topic[open..].find('}')?;
    let after = close + 1;
    let parameter = topic[open + 1..close].to_owned();
    Some(Template { prefix: topic[..open].to_owned(), parameter, suffix: topic[after..].to_owned() })
        .filter(|t| t.prefix.ends_with(separators) && (t.suffix.is_empty() || t.suffix.starts_with(separators)))
}

fn list(separators: &[char]) -> String {
    separators.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" or ")
}

/// `orders/create` → `OrdersCreate`; every separator and `-` is a word break.
pub fn topic_ident(topic: &str, separators: &[char]) -> String {
    topic.replace(separators, "_").replace('-', "_").to_upper_camel_case()
}

/// `customer:read` → `CustomerRead`, `read_orders` → `ReadOrders`.
pub fn scope_ident(name: &str) -> String {
    let words: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let ident = words.to_upper_camel_case();
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        format!("Scope{ident}")
    } else {
        ident
    }
}
