//! Model → Markdown reference pages.

use std::fmt::Write;

use super::header;
use super::rust::scope_rule_text;
use crate::model::{CarriedBy, Event, Listing, Model, Platform, SignatureScheme, Type};

/// Makes text safe inside one Markdown table cell.
fn cell(text: &str) -> String {
    text.trim().replace('|', "\\|").replace("\r\n", "\n").replace('\n', "<br>")
}

/// Where a value is, as the docs say it.
fn location_text(location: &CarriedBy) -> String {
    match location {
        CarriedBy::Header(header) => format!("header `{header}`"),
        CarriedBy::BodyField(field) => format!("body `{field}`"),
    }
}

/// Whether the platform's signature covers a value at `location` (what the runtime's
/// `DeliveryFacts::signs` answers; a test holds the two together).
fn signed(scheme: SignatureScheme, location: &CarriedBy) -> bool {
    match (scheme, location) {
        // Ecwid signs `eventCreated` and `eventId` of its body, nothing else.
        (SignatureScheme::EcwidCreatedDotId, CarriedBy::BodyField(field)) => field == "eventId",
        (_, CarriedBy::BodyField(_)) => true,
        (SignatureScheme::StandardWebhooks, CarriedBy::Header(header)) => {
            header.eq_ignore_ascii_case("webhook-id") || header.eq_ignore_ascii_case("webhook-timestamp")
        }
        (_, CarriedBy::Header(_)) => false,
    }
}

/// The delivery section: how deliveries are signed, and which of their values the signature
/// covers (an unsigned value can be changed by whoever captured an authentic delivery).
fn delivery(out: &mut String, platform: &Platform) {
    let delivery = &platform.delivery;
    let scheme = delivery.scheme;
    let yes_no = |signed: bool| if signed { "yes" } else { "**no**" };
    let _ = writeln!(
        out,
        "## Delivery

Signed with `{:?}` in `{}` ([documented](<{}>)).
",
        scheme, delivery.signature_header, delivery.scheme_source
    );
    let _ = writeln!(
        out,
        "| Value | Where | Signed |
| --- | --- | --- |"
    );
    let body_signed = scheme != SignatureScheme::EcwidCreatedDotId;
    let _ = writeln!(
        out,
        "| body | the request body | {} |",
        if body_signed { "yes" } else { "**no** (only `eventCreated` and `eventId`)" }
    );
    let rows = [("topic", &platform.carried_by), ("delivery id", &delivery.id), ("store id", &delivery.store)];
    for (value, location) in rows {
        let _ = writeln!(out, "| {value} | {} | {} |", location_text(location), yes_no(signed(scheme, location)));
    }
    for header in &delivery.headers {
        let location = CarriedBy::Header(header.header.clone());
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            header.name,
            location_text(&location),
            yes_no(signed(scheme, &location))
        );
    }
    if let Some(alternate) = &delivery.alternate {
        let _ = writeln!(
            out,
            "
Also delivered with the `{}` header family ([documented](<{}>)), signed the same way in `{}`: topic in {}, delivery id in {}, store id in {}; a delivery's headers are all read from the family its signature header belongs to.",
            alternate.name,
            alternate.source,
            alternate.signature_header,
            location_text(&alternate.topic),
            location_text(&alternate.id),
            location_text(&alternate.store)
        );
    }
    if !delivery.buses.is_empty() {
        let _ = writeln!(
            out,
            "\nAlso delivered through event buses (unwrapped by `commerce_webhooks::bus`, then `Delivery::from_bus`):\n\n| Bus | Documented | Authentication | Message |\n| --- | --- | --- | --- |"
        );
        for bus in &delivery.buses {
            let name = match bus.transport {
                crate::catalog::BusTransport::EventBridge => "Amazon EventBridge",
                crate::catalog::BusTransport::PubSub => "Google Cloud Pub/Sub",
            };
            let _ = writeln!(
                out,
                "| {name} | <{}> | {} | {} |",
                bus.source,
                cell(&bus.authentication),
                cell(bus.note.as_deref().unwrap_or(""))
            );
        }
    }
    out.push('\n');
}

/// `generated/docs/<platform>.md`: every event with its scopes and meaning.
pub(super) fn platform(model: &Model, platform: &Platform) -> String {
    let mut out = header_md(&format!("catalog/{}", platform.file.display()));
    let _ = writeln!(out, "# {} webhook topics\n", platform.name);
    for source in &platform.sources {
        let version = source.version.as_ref().map_or(String::new(), |v| format!(", version {v}"));
        let _ = writeln!(
            out,
            "- Source: <{}>{version}, stored as `catalog/{}` (taken {}).",
            source.url, source.page, source.taken
        );
    }
    let carrier = match &platform.carried_by {
        CarriedBy::Header(header) => format!("the `{header}` header"),
        CarriedBy::BodyField(field) => format!("the body field `{field}`"),
    };
    let separators: Vec<String> = platform.separators.iter().map(|c| format!("`{c}`")).collect();
    let _ = writeln!(out, "- Topic: carried by {carrier}; segments separated by {}.", separators.join(" or "));
    let _ = writeln!(
        out,
        "- {} events, {} scopes, {} wildcard groups.\n",
        platform.events.len(),
        platform.scopes.len(),
        platform.groups.len()
    );

    delivery(&mut out, platform);

    if !platform.scopes.is_empty() {
        let _ = writeln!(out, "## Scopes\n\n| Scope | OAuth | Description |\n| --- | --- | --- |");
        for scope in &platform.scopes {
            let description = match (&scope.description, &scope.source) {
                (Some(d), Some(s)) => format!("{} ([source](<{s}>))", cell(d)),
                (Some(d), None) => cell(d),
                _ => "—".into(),
            };
            let oauth = scope.oauth.as_ref().map_or("—".to_owned(), |o| format!("`{o}`"));
            let _ = writeln!(out, "| `{}` | {oauth} | {description} |", scope.name);
        }
        out.push('\n');
    }
    if !platform.groups.is_empty() {
        let _ = writeln!(out, "## Wildcard groups\n\n| Pattern | Covers | Description |\n| --- | --- | --- |");
        for group in &platform.groups {
            let _ =
                writeln!(out, "| `{}` | {} topics | {} |", group.pattern, group.events.len(), cell(&group.description));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "## Events\n\n| Topic | Entity / action | Scopes | Payload | Notes | Description |\n| --- | --- | --- | --- | --- | --- |"
    );
    for event in &platform.events {
        let mut notes = Vec::new();
        if event.protected_customer_data {
            notes.push("protected customer data".to_owned());
        }
        if event.mandatory {
            notes.push("mandatory".to_owned());
        }
        if !event.listed_in.is_empty()
            && !event.listed_in.contains(&Listing::Section)
            && !event.listed_in.contains(&Listing::ComplianceTable)
        {
            notes.push("listed only".to_owned());
        }
        if let Some(source) = &event.source {
            notes.push(format!("[described elsewhere](<{source}>)"));
        }
        let description = event.description.as_deref().map_or("*none documented*".to_owned(), cell);
        let _ = writeln!(
            out,
            "| <a id=\"{}\"></a>`{}` | {} / {} | {} | {} | {} | {description} |",
            anchor(&event.topic),
            event.topic,
            model.vocabulary.entities[event.entity].name,
            model.vocabulary.actions[event.action].name,
            cell(&scope_rule_text(platform, &event.scopes)),
            payload_cell(platform, event),
            notes.join(", "),
        );
    }
    shapes_section(platform, &mut out);
    out
}

/// An HTML anchor for a topic or shape name.
fn anchor(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}

/// A type with every shape and enum it names linked to its table.
fn linked_type(platform: &Platform, ty: &Type) -> String {
    match ty {
        Type::Shape(index, arg) => {
            let name = &platform.shapes[*index].name;
            let arg = arg.as_ref().map_or(String::new(), |a| format!("&lt;{}&gt;", linked_type(platform, a)));
            format!("[`{name}`](#{}){arg}", anchor(name))
        }
        Type::Enum(index) => {
            let name = &platform.enums[*index].name;
            format!("[`{name}`](#{})", anchor(name))
        }
        Type::Array(item) => format!("\\[{}\\]", linked_type(platform, item)),
        Type::Map(value) => format!("{{{}}}", linked_type(platform, value)),
        other => format!("`{}`", platform.type_name(other)),
    }
}

fn payload_cell(platform: &Platform, event: &Event) -> String {
    let mut text = match &event.payload {
        Some(ty) => linked_type(platform, ty),
        None => "*any JSON*".into(),
    };
    if event.payload_null {
        text += " or `null`";
    }
    for (number, example) in event.examples.iter().enumerate() {
        let status = format!("{:?}", example.status).to_lowercase();
        let _ = write!(text, "<br>[example {}](../../catalog/{}) ({status})", number + 1, example.file);
    }
    text
}

/// One field table per shape, one value list per enum.
fn shapes_section(platform: &Platform, out: &mut String) {
    if platform.shapes.is_empty() && platform.enums.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## Payload shapes\n\nEvery shape also keeps the keys it does not list (`extra`), so re-encoding is lossless.");
    for shape in &platform.shapes {
        let _ = writeln!(
            out,
            "\n### <a id=\"{}\"></a>`{}`{}\n",
            anchor(&shape.name),
            shape.name,
            if shape.generic { "&lt;P&gt;" } else { "" }
        );
        if let Some(description) = &shape.description {
            let _ = writeln!(out, "{description}\n");
        }
        if let Some(source) = &shape.source {
            let _ = writeln!(out, "Documented at <{source}>.\n");
        }
        if !shape.references.is_empty() {
            let pages: Vec<String> = shape.references.iter().map(|r| format!("<{r}>")).collect();
            let _ = writeln!(out, "Field descriptions also from {}.\n", pages.join(", "));
        }
        let _ = writeln!(
            out,
            "| Field | Type | May be absent | May be null | Description |\n| --- | --- | --- | --- | --- |"
        );
        for field in &shape.fields {
            let yes_no = |flag: bool| if flag { "yes" } else { "no" };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                field.key,
                linked_type(platform, &field.ty),
                yes_no(field.absent),
                yes_no(field.null),
                match (&field.description, &field.undocumented) {
                    (Some(description), _) => cell(description),
                    (None, Some(searched)) => format!("*undocumented* (searched: {})", cell(searched)),
                    (None, None) => String::new(),
                }
            );
        }
    }
    for enum_type in &platform.enums {
        let values: Vec<String> = match enum_type.codes.is_empty() {
            true => enum_type.values.iter().map(|(wire, _)| format!("`{wire}`")).collect(),
            false => enum_type.codes.iter().map(|(code, name, _)| format!("`{code}` ({name})")).collect(),
        };
        let _ = writeln!(out, "\n### <a id=\"{}\"></a>`{}` (enum)\n", anchor(&enum_type.name), enum_type.name);
        if let Some(description) = &enum_type.description {
            let _ = writeln!(out, "{description}\n");
        }
        let _ = writeln!(out, "Values: {}; any other value is kept as `Unknown`.", values.join(", "));
    }
}

/// `generated/docs/matrix.md`: entity × action × platform.
pub(super) fn matrix(model: &Model) -> String {
    let mut out = header_md("catalog/*.yaml");
    let _ = writeln!(out, "# The same business event on every platform\n");
    let _ = writeln!(out, "Each row is a normalized entity and action (see `catalog/vocabulary.yaml`); each cell lists the platform's topics with that meaning.\n");
    let names: Vec<&str> = model.platforms.iter().map(|p| p.name.as_str()).collect();
    let _ = writeln!(out, "| Entity | Action | {} |", names.join(" | "));
    let _ = writeln!(out, "| --- | --- |{}", " --- |".repeat(names.len()));
    for (entity_index, entity) in model.vocabulary.entities.iter().enumerate() {
        for (action_index, action) in model.vocabulary.actions.iter().enumerate() {
            let cells: Vec<String> = model
                .platforms
                .iter()
                .map(|platform| {
                    let topics: Vec<String> = platform
                        .events
                        .iter()
                        .filter(|e| e.entity == entity_index && e.action == action_index)
                        .map(|e| format!("[`{}`]({}.md#{})", e.topic, platform.id, anchor(&e.topic)))
                        .collect();
                    if topics.is_empty() {
                        "—".to_owned()
                    } else {
                        topics.join("<br>")
                    }
                })
                .collect();
            if cells.iter().any(|c| c != "—") {
                let _ = writeln!(out, "| {} | {} | {} |", entity.name, action.name, cells.join(" | "));
            }
        }
    }
    out
}

fn header_md(inputs: &str) -> String {
    format!("<!-- {} -->\n\n", header("", inputs).trim())
}
