//! The maintainer tools: `catalog audit` (a reference page against its catalog), `catalog check`
//! (real payloads against the catalog's shapes, without generated code) and the JSON Schemas
//! under `generated/schema/`. `check` and the schemas must give the generated types' verdicts:
//! both are run over every example file and a set of mutations of each, next to
//! `Event::from_delivery`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use codegen::audit::{self, Difference, RenameReason};
use codegen::conform::FindingKind;
use codegen::model::{CarriedBy, Platform, Scalar, Type};
use commerce_webhooks::{bigcommerce, ecwid, shopify, shopware};
use commerce_webhooks_tests::{
    assert_no_failures, catalog_dir, fixture, model, node, node_mut, node_paths, path_text, workspace_root, Step,
};
use serde_json::{json, Value};

fn parser(platform: &Platform) -> codegen::source_page::Platform {
    platform.id.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn platform<'m>(model: &'m codegen::Model, id: &str) -> &'m Platform {
    model.platforms.iter().find(|p| p.id == id).unwrap_or_else(|| panic!("no platform `{id}`"))
}

fn audit_page(platform: &Platform, page: &Path) -> audit::Audit {
    let text = std::fs::read_to_string(page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
    audit::audit(platform, parser(platform), &text)
        .unwrap_or_else(|errors| panic!("{} does not parse: {errors:?}", page.display()))
}

/// A difference as `label subject detail`, for comparing sets of them.
fn summary(difference: &Difference) -> String {
    let detail = match difference {
        Difference::Renamed { from, reason, .. } => format!("from {from} ({reason:?})"),
        Difference::Scopes { catalog, page, .. } => format!("{catalog} -> {page}"),
        Difference::Description { page, .. } => format!("{page:?}"),
        Difference::GroupDescription { page, .. } => page.clone(),
        Difference::Payload { finding, .. } => format!("{:?} at {}", finding.kind, finding.path),
        _ => String::new(),
    };
    format!("{} {} {detail}", difference.label(), difference.subject()).trim_end().to_owned()
}

#[test]
fn audit_finds_no_difference_on_the_stored_pages() {
    let model = model();
    let mut failures = Vec::new();
    for platform in &model.platforms {
        let report = audit_page(platform, &catalog_dir().join(&platform.sources[0].page));
        failures.extend(report.differences.iter().map(|d| format!("{}: {d}", platform.id)));
        // The main page names every topic but those the catalog has from a newer page.
        let newer = |url: &str| platform.sources[1..].iter().any(|source| source.url == url);
        let from_newer = platform.events.iter().filter(|e| e.source.as_deref().is_some_and(newer)).count();
        assert_eq!(report.page_topics, platform.events.len() - from_newer, "{}", platform.id);
        // The two pages that embed example payloads have them compared.
        if matches!(platform.id.as_str(), "shopify" | "bigcommerce") {
            assert!(report.examples_compared >= 20, "{}: {} examples compared", platform.id, report.examples_compared);
        }
        let text = report.to_string();
        assert!(text.ends_with("no differences"), "{}: {text}", platform.id);
    }
    assert_no_failures("differences on the stored pages", &failures);
}

/// `tests/fixtures/audit/shopify-edited.md` is the stored page with one topic section removed
/// (`markets/delete`), one added (`gift_cards/expire`), one description changed, one scope
/// added and one field added to an example payload; the audit reports exactly those.
#[test]
fn audit_reports_exactly_the_edits_of_an_edited_shopify_page() {
    let model = model();
    let shopify = platform(&model, "shopify");
    let report = audit_page(shopify, &fixture("audit/shopify-edited.md"));
    let found: BTreeSet<String> = report.differences.iter().map(summary).collect();
    let expected: BTreeSet<String> = [
        "added gift_cards/expire",
        "removed markets/delete",
        r#"description tax_services/update Some("Occurs whenever a tax service is updated.")"#,
        r#"scopes markets/update ["markets"] -> ["markets", "translations"]"#,
        "payload app/scopes_update UnknownKey at granted_by",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(found, expected, "\n{report}");
    assert!(!report.is_clean());
    // The report names page lines and the catalog edit for the new field.
    let text = report.to_string();
    assert!(text.contains("`gift_cards/expire` (page line 3430) is not in the catalog"), "{text}");
    assert!(text.contains("add `granted_by: { type: string, absent: true }` to `AppScopesUpdate`"), "{text}");
    assert!(text.ends_with("5 differences"), "{text}");
}

/// `tests/fixtures/audit/bigcommerce-edited.md`: `store/cart/converted` renamed with its
/// description kept (and its example's `orderId` made an array), `store/subscriber/created`
/// renamed to `store/subscribers/created` with a new description, and a group's description
/// changed.
#[test]
fn audit_reports_renames_groups_and_payload_mismatches_on_an_edited_bigcommerce_page() {
    let model = model();
    let bigcommerce = platform(&model, "bigcommerce");
    let report = audit_page(bigcommerce, &fixture("audit/bigcommerce-edited.md"));
    let found: BTreeSet<String> = report.differences.iter().map(summary).collect();
    let expected: BTreeSet<String> = [
        format!("renamed store/cart/orderConverted from store/cart/converted ({:?})", RenameReason::SameDescription),
        format!("renamed store/subscribers/created from store/subscriber/created ({:?})", RenameReason::SameTail),
        r#"description store/subscribers/created Some("A subscriber is created")"#.to_owned(),
        "group store/category/* Subscribe to all category events".to_owned(),
        "payload store/cart/orderConverted Misfit at data.orderId".to_owned(),
    ]
    .into_iter()
    .collect();
    assert_eq!(found, expected, "\n{report}");
}

/// The newer references stored beside the main pages: what their audit still reports is what
/// the catalog keeps on purpose (topics the newer page drops, marked in their notes; the main
/// page's wording and scopes where the newer page differs). Anything else is a transcription left
/// undone.
#[test]
fn audit_of_the_newer_references_reports_only_what_the_catalog_keeps() {
    let model = model();
    let cases: [(&str, &str, &[&str]); 2] = [
        (
            "shopify",
            "sources/shopify-WebhookSubscriptionTopic-2026-07.md",
            &[
                "removed tax_partners/update",
                "removed publications/delete",
                "removed checkout_and_accounts_configurations/update",
                "description collections/update Some(\"Occurs whenever a collection is updated, including when a product is manually added or removed from the collection or when the collection rules change. Occurs once if multiple products are manually added or removed from a collection at the same time. Not fired when attribute changes affect whether a product matches a collection's rules.\")",
                "description fulfillment_orders/fulfillment_service_failed_to_complete Some(\"Occurs when a fulfillment service intends to close an in_progress fulfillment order.\")",
                "description products/create Some(\"Occurs whenever a product is created.\")",
                "description products/update Some(\"Occurs whenever a product is updated, ordered, or variants are added, removed or updated.\")",
            ],
        ),
        (
            "shopware",
            "sources/shopware-webhook-events-reference-2026-08.md",
            &[
                "removed checkout.customer.changed-payment-method",
                r#"scopes checkout.customer.deleted ["customer:read"] -> none needed"#,
                r#"scopes app.config.changed none needed -> ["system_config:read"]"#,
            ],
        ),
    ];
    for (id, page, expected) in cases {
        let platform = platform(&model, id);
        assert!(platform.sources.iter().any(|s| s.page == page), "{id}: {page} is not in `sources:`");
        let report = audit_page(platform, &catalog_dir().join(page));
        let found: BTreeSet<String> = report
            .differences
            .iter()
            .map(summary)
            // fulfillment_orders/moved: the enum joins its list items and paragraphs differently.
            .filter(|s| !s.starts_with("description fulfillment_orders/moved "))
            .collect();
        let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
        assert_eq!(found, expected, "{id}:\n{report}");
        assert!(!report.differences.iter().any(|d| d.label() == "added"), "{id}: a topic is not transcribed\n{report}");
    }
}

/// `tests/fixtures/audit/shopify-graphql-edited.md` is the stored 2026-07 `WebhookSubscriptionTopic`
/// page with `METAOBJECTS_DELETE` removed, `GIFT_CARDS_EXPIRE` added, a scope added to
/// `MARKETS_UPDATE` and the "whenver" of `TAX_SERVICES_UPDATE` corrected: the audit reports those
/// on top of what it reports on the stored page, reads the page's OAuth scope names as the
/// catalog's scopes, and does not report the compliance topics the page says are set up elsewhere.
#[test]
fn audit_reads_the_graphql_topic_enum_page() {
    let model = model();
    let shopify = platform(&model, "shopify");
    let stored = audit_page(shopify, &catalog_dir().join("sources/shopify-WebhookSubscriptionTopic-2026-07.md"));
    let edited = audit_page(shopify, &fixture("audit/shopify-graphql-edited.md"));
    let before: BTreeSet<String> = stored.differences.iter().map(summary).collect();
    let after: BTreeSet<String> = edited.differences.iter().map(summary).collect();
    let new: BTreeSet<&str> = after.difference(&before).map(String::as_str).collect();
    assert_eq!(
        new,
        BTreeSet::from([
            "added gift_cards/expire",
            "removed metaobjects/delete",
            r#"scopes markets/update ["markets"] -> ["markets", "read_translations"]"#,
            r#"description tax_services/update Some("Occurs whenever a tax service is updated.")"#,
        ]),
        "\n{edited}"
    );
    assert!(before.is_subset(&after), "the edits hide a difference of the stored page:\n{edited}");
    assert_eq!(edited.page_topics, 218);
    // No protected-data, link or listed_in differences: the enum page states none of them.
    assert!(
        !edited.differences.iter().any(|d| matches!(d.label(), "protected" | "resource" | "listed_in")),
        "{edited}"
    );
    let text = edited.to_string();
    assert!(text.contains("`gift_cards/expire` (page line 787) is not in the catalog"), "{text}");
    for topic in ["customers/data_request", "customers/redact", "shop/redact"] {
        assert!(text.contains(&format!("`{topic}` is a mandatory compliance topic")), "{text}");
    }
}

/// A page of a split reference, the number of its differences by label, and of its examples compared.
type SplitCase = (&'static str, &'static [(&'static str, usize)], usize);

/// BigCommerce's newer reference, split over four MDX pages (bigcommerce/docs @ 24f580ca): what
/// their audits still report is what the catalog keeps on purpose, by kind. The main page's wording
/// of its topics and groups where a part rewords them, a part's wording of a topic another part
/// gave, and `store/customer/address/*` (a group has no `source:`; see catalog_matches_sources.rs).
#[test]
fn audit_of_the_split_bigcommerce_reference_reports_only_what_the_catalog_keeps() {
    let model = model();
    let bigcommerce = platform(&model, "bigcommerce");
    // (page, differences by label, examples compared)
    let cases: [SplitCase; 4] = [
        ("sources/bigcommerce-events-2026-04.mdx", &[("description", 43), ("group", 9)], 37),
        ("sources/bigcommerce-events-inventory-location-2026-04.mdx", &[], 2),
        ("sources/bigcommerce-events-b2b-edition-2026-04.mdx", &[], 5),
        // 18 examples: all but the page's `store/channel/1/cart/lineItems/created` (sic), whose
        // catalog copy is repaired.
        ("sources/bigcommerce-events-channels-2026-04.mdx", &[("description", 3), ("group", 1)], 18),
    ];
    for (page, counts, compared) in cases {
        let source = bigcommerce
            .sources
            .iter()
            .find(|s| s.page == page)
            .unwrap_or_else(|| panic!("{page} is not in `sources:`"));
        let report = audit_page(bigcommerce, &catalog_dir().join(page));
        let mut found: BTreeMap<&str, usize> = BTreeMap::new();
        for difference in &report.differences {
            *found.entry(difference.label()).or_default() += 1;
            let subject = difference.subject();
            let event = bigcommerce.events.iter().find(|e| e.topic == subject);
            let kept = match difference {
                // The catalog's wording is another page's: the main page's, or the part that gave the topic.
                Difference::Description { .. } => {
                    event.is_some_and(|e| e.source.as_deref() != Some(source.url.as_str()))
                }
                Difference::GroupDescription { .. } => true,
                Difference::GroupAdded { pattern, .. } => pattern == "store/customer/address/*",
                _ => false,
            };
            assert!(kept, "{page}: not a difference the catalog keeps: {difference}");
        }
        let expected: BTreeMap<&str, usize> = counts.iter().copied().collect();
        assert_eq!(found, expected, "{page}:\n{report}");
        assert_eq!(report.examples_compared, compared, "{page}:\n{report}");
        let text = report.to_string();
        // Nothing is reported as removed (`kept` above refuses it): the page is one part.
        assert!(text.contains("the page is one part of a reference split over several pages"), "{page}:\n{text}");
    }
}

/// `tests/fixtures/audit/bigcommerce-mdx-edited.mdx` is the stored MDX events page with a topic
/// row and a group row added, a description reworded and a field (after a `//` comment, as the
/// page writes its examples) added to an example: the audit reports those on top of what it
/// reports on the stored page, and nothing as removed.
#[test]
fn audit_reads_the_bigcommerce_mdx_events_page() {
    let model = model();
    let bigcommerce = platform(&model, "bigcommerce");
    let stored = audit_page(bigcommerce, &catalog_dir().join("sources/bigcommerce-events-2026-04.mdx"));
    let edited = audit_page(bigcommerce, &fixture("audit/bigcommerce-mdx-edited.mdx"));
    let before: BTreeSet<String> = stored.differences.iter().map(summary).collect();
    let after: BTreeSet<String> = edited.differences.iter().map(summary).collect();
    let new: BTreeSet<&str> = after.difference(&before).map(String::as_str).collect();
    let reworded = "description store/hook/deliveryException Some(\"Once set up by the API client, this hook fires when the destination has issues responding to regular hooks. The system will send deliveryException hook to a different destination and provide information regarding unsuccessful webhook delivery. There can only be one deliveryException hook per storeId/clientId. The destination **must** be different from all other hook destinations.\")";
    assert_eq!(
        new,
        BTreeSet::from([
            "added store/brand/metafield/archived",
            "group+ store/order/metafield/*",
            reworded,
            "payload store/brand/metafield/created UnknownKey at data.colour",
        ]),
        "\n{edited}"
    );
    assert!(before.is_subset(&after), "the edits hide a difference of the stored page:\n{edited}");
    assert_eq!((stored.page_topics, edited.page_topics), (86, 87));
    assert_eq!(edited.examples_compared, stored.examples_compared);
    let text = edited.to_string();
    assert!(text.contains("`store/brand/metafield/archived` (page line 57) is not in the catalog"), "{text}");
    assert!(text.contains("add `colour: { type: string, absent: true }` to `MetafieldData`"), "{text}");
    assert!(text.contains("the page is one part of a reference split over several pages"), "{text}");
}

#[test]
fn audit_of_the_main_page_skips_topics_a_newer_page_gave() {
    let model = model();
    let shopware = platform(&model, "shopware");
    let report = audit_page(shopware, &catalog_dir().join(&shopware.sources[0].page));
    assert!(report.is_clean(), "{report}");
    let text = report.to_string();
    assert!(
        text.contains("9 catalog topics the page does not name come from another of the catalog's source pages"),
        "{text}"
    );
}

#[test]
fn audit_of_a_page_in_another_layout_gives_the_parser_errors() {
    let model = model();
    for platform in &model.platforms {
        let errors = audit::audit(platform, parser(platform), "# Not a webhook page\n").unwrap_err();
        assert!(!errors.is_empty(), "{}", platform.id);
    }
}

// --- `catalog check` and the schemas against the generated types -------------------------

/// What the generated crate does with a delivery: the paths of the values it kept as received
/// (`commerce_webhooks::mismatches`), or the error's text.
fn decode(platform: &str, topic: Option<&str>, body: &[u8]) -> Result<Vec<String>, String> {
    fn kept<E: serde::Serialize>(event: E) -> Vec<String> {
        commerce_webhooks::mismatches(&event).into_iter().map(|m| m.path).collect()
    }
    let result = match (platform, topic) {
        ("shopify", Some(topic)) => shopify::Event::from_delivery(topic, body).map(kept),
        ("bigcommerce", Some(topic)) => bigcommerce::Event::from_delivery(topic, body).map(kept),
        ("bigcommerce", None) => bigcommerce::Event::from_body(body).map(kept),
        ("shopware", Some(topic)) => shopware::Event::from_delivery(topic, body).map(kept),
        ("shopware", None) => shopware::Event::from_body(body).map(kept),
        ("ecwid", Some(topic)) => ecwid::Event::from_delivery(topic, body).map(kept),
        ("ecwid", None) => ecwid::Event::from_body(body).map(kept),
        (platform, topic) => panic!("no decoder for {platform} with topic {topic:?}"),
    };
    result.map_err(|e| e.to_string())
}

/// Where `check` and the generated types disagree on which values were kept as received: every
/// misfit `check` finds must lie within a reported mismatch (a list with one misfit element is
/// kept whole), and every reported mismatch must hold a misfit.
fn misfit_disagreements(check: &audit::PayloadCheck, kept: &[String]) -> Option<String> {
    let within = |path: &str, ancestor: &str| {
        ancestor == "."
            || path == ancestor
            || path.strip_prefix(ancestor).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
    };
    let misfits: Vec<&str> =
        check.findings.iter().filter(|f| f.kind == FindingKind::Misfit).map(|f| f.path.as_str()).collect();
    let unreported: Vec<&&str> = misfits.iter().filter(|m| !kept.iter().any(|k| within(m, k))).collect();
    let unfounded: Vec<&String> = kept.iter().filter(|k| !misfits.iter().any(|m| within(m, k))).collect();
    (!unreported.is_empty() || !unfounded.is_empty())
        .then(|| format!("misfits not reported: {unreported:?}; reported without a misfit: {unfounded:?}"))
}

/// One body to judge: an example file or a mutation of one.
struct Case {
    platform: String,
    topic: String,
    /// `orders_create.json` or `orders_create.json drop line_items[0].price`.
    name: String,
    body: Vec<u8>,
}

/// Every example file, as the event(s) listing it in `examples:`.
fn example_cases(model: &codegen::Model) -> Vec<(Case, Value)> {
    let mut cases = Vec::new();
    for platform in &model.platforms {
        for event in &platform.events {
            for example in &event.examples {
                let body = std::fs::read(catalog_dir().join(&example.file))
                    .unwrap_or_else(|e| panic!("{}: {e}", example.file));
                let value: Value =
                    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{}: not JSON: {e}", example.file));
                let case = Case {
                    platform: platform.id.clone(),
                    topic: event.topic.clone(),
                    name: example.file.clone(),
                    body,
                };
                cases.push((case, value));
            }
        }
    }
    assert!(cases.len() > 100, "only {} example files", cases.len());
    cases
}

/// The paths of the strings `ty` types as an enum, so unknown enum values are tried for sure.
fn enum_paths(
    platform: &Platform,
    ty: &Type,
    param: Option<&Type>,
    value: &Value,
    path: &mut Vec<Step>,
) -> Vec<Vec<Step>> {
    let mut out = Vec::new();
    match (ty, value) {
        (Type::Enum(_), Value::String(_)) => out.push(path.clone()),
        (Type::Param, _) => {
            if let Some(param) = param {
                out.extend(enum_paths(platform, param, None, value, path));
            }
        }
        (Type::Array(item), Value::Array(items)) => {
            for (index, item_value) in items.iter().enumerate() {
                path.push(Step::Index(index));
                out.extend(enum_paths(platform, item, param, item_value, path));
                path.pop();
            }
        }
        (Type::Map(inner), Value::Object(object)) => {
            for (key, item_value) in object {
                path.push(Step::Key(key.clone()));
                out.extend(enum_paths(platform, inner, param, item_value, path));
                path.pop();
            }
        }
        (Type::Shape(index, arg), Value::Object(object)) => {
            let arg = arg.as_deref().map(|a| match a {
                Type::Param => param.cloned().unwrap_or(Type::Scalar(Scalar::Json)),
                other => other.clone(),
            });
            for field in &platform.shapes[*index].fields {
                if let Some(field_value) = object.get(&field.key) {
                    path.push(Step::Key(field.key.clone()));
                    out.extend(enum_paths(platform, &field.ty, arg.as_ref(), field_value, path));
                    path.pop();
                }
            }
        }
        _ => {}
    }
    out
}

/// Up to `count` items spread evenly over `items`, first and last included.
fn spread<T: Clone>(items: &[T], count: usize) -> Vec<T> {
    if items.len() <= count {
        return items.to_vec();
    }
    (0..count).map(|i| items[i * (items.len() - 1) / (count - 1)].clone()).collect()
}

/// How many sites of each kind of mutation are tried per example.
const SITES: usize = 6;

/// Mutations of one example: a key dropped, a value nulled, a string swapped for an array,
/// an unknown key added, an enum value replaced by an undocumented one, the body `null`, an
/// array or cut short. Sites are spread over the whole body so nested shapes are hit too.
fn mutations(platform: &Platform, case: &Case, value: &Value) -> Vec<Case> {
    let paths = node_paths(value);
    let in_object = |path: &&Vec<Step>| matches!(path.last(), Some(Step::Key(_)));
    let keyed: Vec<Vec<Step>> = paths.iter().filter(in_object).cloned().collect();
    let strings: Vec<Vec<Step>> = paths.iter().filter(|p| node(value, p).is_string()).cloned().collect();
    let objects: Vec<Vec<Step>> = paths.iter().filter(|p| node(value, p).is_object()).cloned().collect();
    let event = platform.events.iter().find(|e| e.topic == case.topic).expect("the case's event");
    let enums = match &event.payload {
        Some(ty) => enum_paths(platform, ty, None, value, &mut Vec::new()),
        None => Vec::new(),
    };

    let mut out = Vec::new();
    let mut push = |what: String, body: Vec<u8>| {
        out.push(Case {
            platform: case.platform.clone(),
            topic: case.topic.clone(),
            name: format!("{} {what}", case.name),
            body,
        })
    };
    let mut mutate = |what: &str, path: &[Step], change: &dyn Fn(&mut Value, &[Step])| {
        let mut mutated = value.clone();
        change(&mut mutated, path);
        push(format!("{what} {}", path_text(path)), serde_json::to_vec(&mutated).unwrap());
    };
    for path in spread(&keyed, SITES) {
        mutate("drop", &path, &|v, path| {
            let (last, parent) = path.split_last().unwrap();
            if let (Step::Key(key), Some(object)) = (last, node_mut(v, parent).as_object_mut()) {
                object.remove(key);
            }
        });
        mutate("null", &path, &|v, path| *node_mut(v, path) = Value::Null);
    }
    for path in spread(&strings, SITES) {
        mutate("array-for-string", &path, &|v, path| {
            let target = node_mut(v, path);
            *target = json!([target.take()]);
        });
    }
    for path in spread(&objects, SITES) {
        mutate("unknown-key", &path, &|v, path| {
            node_mut(v, path)["zz_unknown_key"] = json!({ "nested": [1, "two"] });
        });
    }
    for path in spread(&enums, SITES) {
        mutate("unknown-enum-value", &path, &|v, path| *node_mut(v, path) = json!("zz_undocumented_value"));
    }
    push("body null".into(), b"null".to_vec());
    push("body array".into(), serde_json::to_vec(&json!([value])).unwrap());
    let text = serde_json::to_vec(value).unwrap();
    push("cut short".into(), text[..text.len() / 2].to_vec());
    out
}

/// Examples and their mutations, each with what the generated types say.
struct Judged {
    case: Case,
    decoded: Result<Vec<String>, String>,
}

fn judged_cases(model: &codegen::Model) -> Vec<Judged> {
    let mut all = Vec::new();
    for (case, value) in example_cases(model) {
        let platform = platform(model, &case.platform);
        let mutated = mutations(platform, &case, &value);
        all.push(case);
        all.extend(mutated);
    }
    all.into_iter()
        .map(|case| {
            let decoded = decode(&case.platform, Some(&case.topic), &case.body);
            Judged { case, decoded }
        })
        .collect()
}

#[test]
fn check_agrees_with_the_generated_types_on_examples_and_mutations() {
    let model = model();
    let mut failures = Vec::new();
    let mut tally: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut unknown_enum_values = 0;
    let judged = judged_cases(&model);
    for Judged { case, decoded } in &judged {
        let platform = platform(&model, &case.platform);
        let check = audit::check_payload(platform, Some(&case.topic), &case.body);
        if check.decodes() != decoded.is_ok() {
            failures.push(format!(
                "{} `{}` {}: check says {}, the generated types say {decoded:?}\n{check}",
                case.platform,
                case.topic,
                case.name,
                if check.decodes() { "decodes" } else { "does not decode" }
            ));
        }
        if let Some(problem) = decoded.as_ref().ok().and_then(|kept| misfit_disagreements(&check, kept)) {
            failures.push(format!("{} `{}` {}: {problem}\n{check}", case.platform, case.topic, case.name));
        }
        unknown_enum_values += check.findings.iter().filter(|f| f.kind == FindingKind::UnknownEnumValue).count();
        // With the topic read from the body (body-topic platforms), as `Event::from_body` does.
        if matches!(platform.carried_by, CarriedBy::BodyField(_)) {
            let from_body = audit::check_payload(platform, None, &case.body);
            let generated = decode(&case.platform, None, &case.body);
            if from_body.decodes() != generated.is_ok() {
                failures.push(format!(
                    "{} {} (topic from the body): check says {}, `from_body` says {generated:?}\n{from_body}",
                    case.platform,
                    case.name,
                    from_body.decodes()
                ));
            }
        }
        let kind = case.name.split_once(' ').map_or("example", |(_, what)| what.split(' ').next().unwrap_or(what));
        let entry = tally.entry(kind.to_owned()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(decoded.is_err());
    }
    assert_no_failures(&format!("disagreements among {} bodies", judged.len()), &failures);
    eprintln!("bodies judged (tried, rejected by the generated types): {tally:?}");
    // The mutations do exercise both verdicts.
    let rejected = |kind: &str| tally.get(kind).map_or(0, |(_, rejected)| *rejected);
    let tried = |kind: &str| tally.get(kind).map_or(0, |(tried, _)| *tried);
    assert_eq!(rejected("example"), 0, "every example decodes: {tally:?}");
    for kind in ["drop", "null", "array-for-string", "cut"] {
        assert!(rejected(kind) > 0, "no `{kind}` mutation was rejected: {tally:?}");
    }
    for kind in ["unknown-key", "unknown-enum-value"] {
        assert!(tried(kind) > 0 && rejected(kind) == 0, "`{kind}` mutations must all decode: {tally:?}");
    }
    assert!(rejected("drop") < tried("drop") && rejected("null") < tried("null"), "{tally:?}");
    assert!(unknown_enum_values > 0, "no unknown enum value was tried");
}

#[test]
fn check_names_paths_edits_and_bad_input() {
    let model = model();
    let bigcommerce = platform(&model, "bigcommerce");
    let body = br#"{"scope": "store/cart/created", "store_id": "1", "hash": "h", "producer": "stores/x",
        "data": {"type": "cart", "id": ["not", "a", "string"], "colour": "red"}}"#;
    let check = audit::check_payload(bigcommerce, None, body);
    assert_eq!(check.topic.as_deref(), Some("store/cart/created"));
    assert_eq!(check.payload.as_deref(), Some("Callback<ResourceData>"));
    assert!(check.decodes(), "a misfit at a tolerant field is kept, not an error");
    let found: Vec<(FindingKind, &str)> = check.findings.iter().map(|f| (f.kind, f.path.as_str())).collect();
    assert_eq!(found, [(FindingKind::Misfit, "data.id"), (FindingKind::UnknownKey, "data.colour")]);
    let text = check.to_string();
    assert!(text.contains("catalog edit: add `colour: { type: string, absent: true }` to `ResourceData`"), "{text}");
    assert!(text.ends_with("decodes; 1 value not as documented, 1 unknown key or value kept"), "{text}");
    // A misfit at a strict field (the topic) fails decoding.
    let strict = audit::check_payload(bigcommerce, Some("store/cart/created"), br#"{"scope": 1, "data": {}}"#);
    assert!(!strict.decodes());
    assert!(strict.to_string().ends_with("does not decode: 1 mismatch"), "{strict}");

    let not_json = audit::check_payload(bigcommerce, None, b"{\"scope\": ");
    assert!(!not_json.decodes());
    assert!(not_json.error.as_deref().is_some_and(|e| e.starts_with("not JSON")), "{not_json}");

    let shopify = platform(&model, "shopify");
    let no_topic = audit::check_payload(shopify, None, b"{}");
    assert!(no_topic.error.as_deref().is_some_and(|e| e.contains("X-Shopify-Topic")), "{no_topic}");
    let unknown = audit::check_payload(shopify, Some("orders/creat"), b"[1]");
    assert!(unknown.decodes(), "an unknown topic decodes as `Event::Unknown`");
    assert!(unknown.remarks[0].contains("did you mean `orders/create`?"), "{unknown}");
}

// --- JSON Schema ----------------------------------------------------------------------------

/// The generated event schemas of a platform, by topic (their `title` is `<platform> <topic>`).
fn event_schemas(platform: &str) -> BTreeMap<String, Value> {
    let dir = workspace_root().join("generated/schema").join(platform).join("events");
    let mut schemas = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let schema: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let title = schema["title"].as_str().unwrap_or_else(|| panic!("{}: no title", path.display()));
        let topic = title.strip_prefix(&format!("{platform} ")).expect("title starts with the platform");
        schemas.insert(topic.to_owned(), schema);
    }
    schemas
}

fn validators(model: &codegen::Model) -> BTreeMap<(String, String), jsonschema::Validator> {
    let mut validators = BTreeMap::new();
    for platform in &model.platforms {
        let schemas = event_schemas(&platform.id);
        let topics: BTreeSet<&str> = platform.events.iter().map(|e| e.topic.as_str()).collect();
        assert_eq!(schemas.keys().map(String::as_str).collect::<BTreeSet<_>>(), topics, "{}", platform.id);
        for (topic, schema) in schemas {
            assert!(jsonschema::meta::is_valid(&schema), "{} `{topic}`: not a valid JSON Schema", platform.id);
            let validator = jsonschema::draft202012::new(&schema)
                .unwrap_or_else(|e| panic!("{} `{topic}`: the schema does not compile: {e}", platform.id));
            validators.insert((platform.id.clone(), topic), validator);
        }
    }
    validators
}

#[test]
fn every_example_validates_against_its_event_schema() {
    let model = model();
    let validators = validators(&model);
    let mut failures = Vec::new();
    let cases = example_cases(&model);
    for (case, value) in &cases {
        let validator = &validators[&(case.platform.clone(), case.topic.clone())];
        let errors: Vec<String> =
            validator.iter_errors(value).take(3).map(|e| format!("at {}: {e}", e.instance_path)).collect();
        if !errors.is_empty() {
            failures.push(format!("{} (`{}`): {}", case.name, case.topic, errors.join("; ")));
        }
    }
    assert_no_failures(&format!("schema failures among {} examples", cases.len()), &failures);
}

/// The schemas reject what the generated types reject (the mutations of the check test), and
/// accept what they accept.
#[test]
fn schemas_agree_with_the_generated_types_on_mutations() {
    let model = model();
    let validators = validators(&model);
    let mut failures = Vec::new();
    let judged = judged_cases(&model);
    let mut rejected = 0;
    for Judged { case, decoded } in &judged {
        let validator = &validators[&(case.platform.clone(), case.topic.clone())];
        // A body that is not JSON fails before any schema applies.
        let valid = serde_json::from_slice::<Value>(&case.body).is_ok_and(|v| validator.is_valid(&v));
        rejected += usize::from(decoded.is_err());
        // The schemas describe the documented types: a body fits them exactly when the
        // generated types decode it with nothing kept as received, and no field is missing or
        // null that the docs promise (which the types hold as absent or null).
        let presence_drift = audit::check_payload(platform(&model, &case.platform), Some(&case.topic), &case.body)
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::MissingOrNull);
        let clean = decoded.as_ref().is_ok_and(Vec::is_empty) && !presence_drift;
        if valid != clean {
            failures.push(format!(
                "{} `{}` {}: the schema says {}, the generated types say {decoded:?} (absent or null where documented: {presence_drift})",
                case.platform,
                case.topic,
                case.name,
                if valid { "valid" } else { "invalid" }
            ));
        }
    }
    assert!(rejected > 100, "only {rejected} rejected mutations");
    assert_no_failures(&format!("disagreements among {} bodies", judged.len()), &failures);
}

#[test]
fn every_shape_has_a_self_contained_schema_file() {
    let model = model();
    let mut failures = Vec::new();
    for platform in &model.platforms {
        for shape in &platform.shapes {
            let path = workspace_root().join(format!("generated/schema/{}/shapes/{}.json", platform.id, shape.name));
            let Ok(text) = std::fs::read(&path) else {
                failures.push(format!("{} is missing", path.display()));
                continue;
            };
            let schema: Value = serde_json::from_slice(&text).unwrap();
            if !jsonschema::meta::is_valid(&schema) || jsonschema::draft202012::new(&schema).is_err() {
                failures.push(format!("{} is not a valid draft 2020-12 schema", path.display()));
            }
            // Every `$ref` points into the file's own `$defs`.
            let text = String::from_utf8(text).unwrap();
            for reference in text.split("\"$ref\": \"").skip(1) {
                let target = reference.split('"').next().unwrap_or_default();
                let name = target.strip_prefix("#/$defs/").unwrap_or(target);
                if schema["$defs"].get(name).is_none() {
                    failures.push(format!("{}: `$ref` {target} is not in its `$defs`", path.display()));
                }
            }
            let comment = schema["$comment"].as_str().unwrap_or_default();
            if !comment.contains(&format!("catalog/{}", platform.file.display())) {
                failures.push(format!("{}: the `$comment` does not name the catalog: {comment:?}", path.display()));
            }
        }
    }
    assert_no_failures("shape schema problems", &failures);
}
