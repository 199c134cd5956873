//! The generator end to end: freshness of the checked-in tree, `--check` on a scratch copy,
//! the snapshot of a tiny catalog (which must also compile), and catalog errors.

use std::path::Path;

use codegen::{Error, Mode};
use commerce_webhooks::Field;
use commerce_webhooks_tests::{catalog_dir, copy_tree, fixture, workspace_root};

/// `cargo test` fails when `generated/` is stale, like `cargo xtask codegen --check`.
#[test]
fn generated_tree_is_up_to_date() {
    let changes = codegen::run(&catalog_dir(), &workspace_root(), Mode::Check).unwrap();
    assert!(changes.is_empty(), "generated/ is stale, run `cargo xtask codegen`: {changes:?}");
}

#[test]
fn generation_is_deterministic() {
    let model = commerce_webhooks_tests::model();
    assert_eq!(codegen::emit::generate(&model), codegen::emit::generate(&model));
}

fn scratch_with_generated_tree() -> tempfile::TempDir {
    let scratch = tempfile::tempdir().unwrap();
    copy_tree(&catalog_dir(), &scratch.path().join("catalog"));
    let changes = codegen::run(&scratch.path().join("catalog"), scratch.path(), Mode::Write).unwrap();
    assert!(!changes.created.is_empty());
    scratch
}

fn check(scratch: &Path) -> codegen::Changes {
    codegen::run(&scratch.join("catalog"), scratch, Mode::Check).unwrap()
}

#[test]
fn check_mode_detects_an_edited_catalog() {
    let scratch = scratch_with_generated_tree();
    assert!(check(scratch.path()).is_empty());
    let catalog = scratch.path().join("catalog/ecwid.yaml");
    let text = std::fs::read_to_string(&catalog).unwrap();
    std::fs::write(
        &catalog,
        text.replacen("Triggers when a new order is placed", "Fires when a new order is placed", 1),
    )
    .unwrap();
    let changes = check(scratch.path());
    let updated: Vec<&str> = changes.updated.iter().map(|p| p.to_str().unwrap()).collect();
    assert_eq!(updated, ["generated/src/platforms/ecwid.rs", "generated/docs/ecwid.md"]);
    assert!(changes.created.is_empty() && changes.removed.is_empty());
}

#[test]
fn check_mode_detects_deleted_and_extra_files_and_writes_nothing() {
    let scratch = scratch_with_generated_tree();
    let deleted = scratch.path().join("generated/docs/matrix.md");
    std::fs::remove_file(&deleted).unwrap();
    let extra = scratch.path().join("generated/src/platforms/stale.rs");
    std::fs::write(&extra, "// left over").unwrap();
    let changes = check(scratch.path());
    assert_eq!(changes.created, [Path::new("generated/docs/matrix.md")]);
    assert_eq!(changes.removed, [Path::new("generated/src/platforms/stale.rs")]);
    assert!(!deleted.exists() && extra.exists(), "check mode must not touch the tree");
    codegen::run(&scratch.path().join("catalog"), scratch.path(), Mode::Write).unwrap();
    assert!(deleted.exists() && !extra.exists(), "write mode restores and prunes");
    assert!(check(scratch.path()).is_empty());
}

/// The emitter's output for `tests/fixtures/tiny`, pinned file by file; the Rust module is
/// also compiled into this test (below). Run with `UPDATE_SNAPSHOTS=1` to accept a change.
#[test]
fn tiny_catalog_snapshot() {
    let expected = fixture("tiny/expected");
    let mode = if std::env::var_os("UPDATE_SNAPSHOTS").is_some() { Mode::Write } else { Mode::Check };
    let changes = codegen::run(&fixture("tiny/catalog"), &expected, mode).unwrap();
    assert!(
        mode == Mode::Write || changes.is_empty(),
        "the emitter output changed; review it and run `UPDATE_SNAPSHOTS=1 cargo test -p commerce-webhooks-tests --test generator`: {changes:?}"
    );
}

#[path = "../fixtures/tiny/expected/generated/src/platforms/tiny.rs"]
// The snapshot's `fixtures` impl is behind the crate's feature of that name, which this test
// package does not have: it compiles out here.
#[allow(dead_code, unexpected_cfgs)]
#[rustfmt::skip]
mod tiny;

#[test]
fn tiny_snapshot_compiles_and_behaves() {
    use commerce_webhooks::{Action, Entity, ScopeRequirement};
    assert_eq!(tiny::Topic::ALL.len(), 7);
    assert_eq!("products/variant.deleted".parse::<tiny::Topic>().unwrap(), tiny::Topic::VariantRemoved);
    assert!(tiny::Topic::OrdersCreate.is_protected_customer_data());
    assert!(tiny::Topic::OrdersDelete.is_mandatory());
    assert!(tiny::Topic::VariantRemoved.is_listed_only());
    assert!(matches!(
        tiny::Topic::OrdersDelete.scopes(),
        ScopeRequirement::AnyOf([tiny::Scope::Orders, tiny::Scope::MarketplaceOrders])
    ));
    assert_eq!(tiny::Topic::ProductsUpdate.entity(), Some(Entity::Product));
    assert_eq!(
        tiny::Topic::with_meaning(Entity::Product, Action::Deleted).collect::<Vec<_>>(),
        [&tiny::Topic::VariantRemoved]
    );
    let products = tiny::Subscription::new([tiny::GROUPS[0].pattern]).unwrap();
    assert_eq!(products.topics().count(), 2);
    assert_eq!(tiny::TOPIC_HEADER, "X-Tiny-Topic");
}

#[test]
fn tiny_templates_parse_with_their_value_and_match_subscriptions() {
    let topic = tiny::Topic::from_wire("shops/7/orders/create");
    assert!(matches!(&topic, tiny::Topic::ShopsShopIdOrdersCreate(_)), "{topic:?}");
    assert_eq!(topic.as_str(), "shops/7/orders/create");
    assert_eq!(topic.template().and_then(|t| t.value()), Some("7"));
    assert_eq!(topic.index(), tiny::Topic::ALL.iter().position(|t| t.as_str() == "shops/{shop_id}/orders/create"));
    assert!(topic.is_protected_customer_data());
    assert_eq!(topic.scopes(), tiny::Topic::ALL[topic.index().unwrap()].scopes());
    let shop = tiny::Topic::from_wire("shops/shop-9_x");
    assert_eq!(shop.template().and_then(|t| t.value()), Some("shop-9_x"));
    assert!(matches!(shop, tiny::Topic::ShopsShopId(_)));
    // The catalog's own names: the template itself (no value) and a literal `*` segment.
    for template in tiny::Topic::ALL.iter().filter(|t| t.template().is_some()) {
        assert_eq!(&tiny::Topic::from_wire(template.as_str()), template);
        assert_eq!(template.template().unwrap().value(), None);
    }
    assert_eq!(tiny::Topic::from_wire("shops/*/products/update"), tiny::Topic::ShopsProductsUpdate);
    // A value is one non-empty segment, followed by exactly the template's rest.
    for unknown in
        ["shops//orders/create", "shops/7/orders/creat", "shops/7.8/orders/create", "shops/7/orders/create/", "shops/"]
    {
        assert!(matches!(tiny::Topic::from_wire(unknown), tiny::Topic::Unknown(_)), "{unknown}");
    }
    // The event keeps the topic as received and re-encodes the body as it was.
    let body = r#"{"id":5,"note":null,"extra":[1]}"#;
    let event = tiny::Event::from_delivery("shops/7/orders/create", body.as_bytes()).unwrap();
    assert!(matches!(&event, tiny::Event::ShopsShopIdOrdersCreate(topic, _) if topic.value() == Some("7")));
    assert_eq!(event.topic(), topic);
    assert_eq!(serde_json::to_string(&event).unwrap(), body);
    // A subscription to one shop covers that shop's topics only, and lists the templates.
    let shop_7 = tiny::Subscription::new(["shops/7/*"]).unwrap();
    assert!(shop_7.covers(&topic));
    assert!(!shop_7.covers(&tiny::Topic::from_wire("shops/8/orders/create")));
    assert_eq!(shop_7.topics().map(|t| t.as_str()).collect::<Vec<_>>(), ["shops/{shop_id}/orders/create"]);
    let every_shop = tiny::Subscription::new(["shops/{shop_id}/*"]).unwrap();
    assert!(every_shop.covers(&tiny::Topic::from_wire("shops/8/orders/create")));
    assert!(!every_shop.covers(&tiny::Topic::from_wire("shops/8")));
    assert!(tiny::Subscription::new(["shops/7/orders/delete"]).is_err(), "no template has that rest");
}

/// A copy of the tiny catalog with `edit` applied to `tiny.yaml`.
fn broken_tiny(edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let scratch = tempfile::tempdir().unwrap();
    copy_tree(&fixture("tiny/catalog"), scratch.path());
    let path = scratch.path().join("tiny.yaml");
    std::fs::write(&path, edit(std::fs::read_to_string(&path).unwrap())).unwrap();
    scratch
}

/// The 1-based line of the first line of `text` that contains `needle`, after `after`.
fn line_of(text: &str, needle: &str, after: usize) -> usize {
    text.lines().enumerate().skip(after).find(|(_, l)| l.contains(needle)).map(|(i, _)| i + 1).unwrap()
}

#[test]
fn every_catalog_error_is_reported_at_once_with_line_subject_and_hint() {
    let scratch = broken_tiny(|text| {
        text.replace("  - topic: products/update\n", "  - topic: orders/create\n")
            .replace("scopes: not_documented", "scopes: { one: ordrs }")
            .replace("    action: updated", "    action: updatd")
            .replace("    mandatory: true", "    mandatry: true")
    });
    let text = std::fs::read_to_string(scratch.path().join("tiny.yaml")).unwrap();
    let first = line_of(&text, "- topic: orders/create", 0);
    let second = line_of(&text, "- topic: orders/create", first);
    let out = tempfile::tempdir().unwrap();
    let Err(Error::Catalog(diagnostics)) = codegen::run(scratch.path(), out.path(), Mode::Write) else {
        panic!("a broken catalog must fail");
    };
    let report = diagnostics.to_string();
    let expect = [
        (format!("tiny.yaml:{second}:5: error in event `orders/create`"), format!("listed twice (line {first})")),
        (
            format!("tiny.yaml:{}:5: error in event `orders/create`", line_of(&text, "updatd", 0)),
            "action `updatd` is not in the vocabulary".into(),
        ),
        (
            format!("tiny.yaml:{}:5: error in event `products/variant.deleted`", line_of(&text, "ordrs", 0)),
            "scope `ordrs` is not declared".into(),
        ),
        (
            format!("tiny.yaml:{}:5: error in event `orders/delete`", line_of(&text, "mandatry", 0)),
            "unknown field `mandatry`".into(),
        ),
    ];
    for (location, message) in &expect {
        assert!(
            report.contains(location.as_str()) && report.contains(message.as_str()),
            "missing {location} / {message} in:\n{report}"
        );
    }
    assert!(report.contains("hint: did you mean `orders`?"), "{report}");
    assert!(report.contains("hint: did you mean `mandatory`?"), "{report}");
    assert!(report.contains("hint: did you mean `updated`?"), "{report}");
    assert_eq!(diagnostics.0.len(), 4, "{report}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "nothing may be written on error");
}

#[test]
fn a_wrong_separator_and_an_identifier_clash_are_caught() {
    let scratch = broken_tiny(|text| {
        text.replace("topic: products/update", "topic: products:update")
            .replace("rust_name: VariantRemoved", "rust_name: OrdersCreate")
    });
    let Err(diagnostics) = codegen::load(scratch.path()) else { panic!("must fail") };
    let report = diagnostics.to_string();
    assert!(report.contains("contains `:`, which is not a separator here"), "{report}");
    assert!(report.contains("both become the Rust variant `OrdersCreate`"), "{report}");
    assert!(report.contains("hint: set `rust_name:`"), "{report}");
}

const TINY_ORDER: &str = include_str!("../fixtures/tiny/catalog/examples/tiny/orders_create.json");

fn tiny_round_trip(topic: &str, body: &str) -> serde_json::Value {
    let event = tiny::Event::from_delivery(topic, body.as_bytes()).unwrap();
    serde_json::to_value(&event).unwrap()
}

#[test]
fn tiny_payloads_decode_into_typed_fields_and_re_encode_losslessly() {
    let tiny::Event::OrdersCreate(order) = tiny::Event::from_delivery("orders/create", TINY_ORDER.as_bytes()).unwrap()
    else {
        panic!("wrong variant")
    };
    assert_eq!(order.id, u64::MAX);
    assert!(order.email.is_null());
    assert_eq!(order.note.as_deref(), Some("leave at door"));
    assert_eq!(order.total_price.as_ref().unwrap().to_text(), "12.50");
    assert_eq!(order.status, Field::Value(tiny::OrderStatus::Open));
    assert_eq!((order.b2b.copied(), order.kind.as_deref()), (Some(false), Some("web")));
    let item = &order.line_items.as_ref().unwrap()[0];
    assert_eq!(item.price.as_ref().unwrap().to_text(), "12.5");
    assert!(item.properties.is_null());
    assert_eq!(item.extra["gift"], serde_json::json!(true));
    assert!(order.extra.contains_key("unknown_field"));
    let original: serde_json::Value = serde_json::from_str(TINY_ORDER).unwrap();
    assert_eq!(tiny_round_trip("orders/create", TINY_ORDER), original);
}

#[test]
fn absent_and_null_stay_different_and_unknown_values_are_kept() {
    for body in [
        r#"{"id":1,"note":null}"#,
        r#"{"id":1,"note":null,"email":null}"#,
        r#"{"id":1,"note":"x","email":"a@b.c","status":"on_hold","weight":1}"#,
        r#"{"id":1,"note":"x","weight":1.0,"line_items":[]}"#,
    ] {
        assert_eq!(tiny_round_trip("orders/create", body), serde_json::from_str::<serde_json::Value>(body).unwrap());
    }
    let tiny::Event::OrdersCreate(order) =
        tiny::Event::from_delivery("orders/create", br#"{"id":1,"note":null,"status":"on_hold"}"#).unwrap()
    else {
        panic!()
    };
    assert_eq!(order.status, Field::Value(tiny::OrderStatus::Unknown("on_hold".into())));
    assert!(order.email.is_absent());
}

#[test]
fn decode_errors_name_the_json_path() {
    use commerce_webhooks::DecodeError;
    let data_error = |body: &str| match tiny::Event::from_delivery("orders/create", body.as_bytes()) {
        Err(DecodeError::Data { path, message }) => (path, message),
        other => panic!("expected a data error, got {other:?}"),
    };
    // Only strict fields fail, with their path; the message never quotes the value.
    let (path, message) =
        data_error(r#"{"id":1,"note":null,"line_items":[{"sku":"a","price":"1"},{"sku":4111,"price":"2"}]}"#);
    assert_eq!((path.as_str(), message.as_str()), ("line_items[1].sku", "expected a string, found an integer"));
    assert_eq!(data_error(r#"{"note":null}"#).1, "missing field `id`");
    assert_eq!(data_error(r#"{"id":1}"#).1, "missing field `note`");
    assert_eq!(
        data_error(r#"{"id":-1,"note":null}"#),
        ("id".to_owned(), "expected a non-negative integer, found an integer".to_owned())
    );
    assert_eq!(
        data_error(r#"{"id":"4111","note":null}"#),
        ("id".to_owned(), "expected a non-negative integer, found a string".to_owned())
    );
    // Tolerant fields keep what does not fit.
    let drifted = r#"{"id":1,"note":null,"total_price":{"amount":"1"},"line_items":[{"sku":"a","price":[]}]}"#;
    let event = tiny::Event::from_delivery("orders/create", drifted.as_bytes()).unwrap();
    let paths: Vec<_> = commerce_webhooks::mismatches(&event).into_iter().map(|m| m.path).collect();
    assert_eq!(paths, ["total_price", "line_items[0].price"]);
    assert_eq!(tiny_round_trip("orders/create", drifted), serde_json::from_str::<serde_json::Value>(drifted).unwrap());
    assert!(matches!(
        tiny::Event::from_delivery("orders/create", br#"{"id":1,"#),
        Err(DecodeError::Syntax { line: 1, .. })
    ));
    // A root that is not the payload's object names what came, never its value; an array is
    // read to its end first, so that a broken body is still a syntax error.
    for (body, found) in [(r#"[1, {"card": "4111"}]"#, "an array"), (r#""4111""#, "a string"), ("null", "null")] {
        let expected = format!("expected a `Order` object, found {found}");
        assert_eq!(data_error(body), (".".to_owned(), expected), "{body}");
    }
    assert!(matches!(
        tiny::Event::from_delivery("orders/create", br#"[1, {"card": "#),
        Err(DecodeError::Syntax { line: 1, .. })
    ));
}

#[test]
fn unknown_topics_null_bodies_and_generic_envelopes_decode() {
    let unknown = tiny::Event::from_delivery("orders/teleported", br#"{"any":[1,2.5]}"#).unwrap();
    assert_eq!(unknown.topic(), tiny::Topic::Unknown("orders/teleported".into()));
    assert_eq!(serde_json::to_string(&unknown).unwrap(), r#"{"any":[1,2.5]}"#);
    assert_eq!(tiny::Event::from_delivery("orders/delete", b"null").unwrap(), tiny::Event::OrdersDelete(None));
    let body = include_str!("../fixtures/tiny/catalog/examples/tiny/products_update.json");
    let tiny::Event::ProductsUpdate(callback) = tiny::Event::from_delivery("products/update", body.as_bytes()).unwrap()
    else {
        panic!()
    };
    assert_eq!(callback.store_id.as_ref().unwrap().to_text(), "42");
    assert_eq!(callback.data.as_ref().unwrap().sku, "B-2");
    assert_eq!(tiny_round_trip("products/update", body), serde_json::from_str::<serde_json::Value>(body).unwrap());
}

#[test]
fn deeply_nested_input_is_an_error_not_a_stack_overflow() {
    let deep = format!(r#"{{"id":1,"note":null,"extra":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
    assert!(tiny::Event::from_delivery("orders/create", deep.as_bytes()).is_err());
    let deep_items = format!(r#"{{"id":1,"note":null,"line_items":{}}}"#, "[".repeat(100_000));
    assert!(tiny::Event::from_delivery("orders/create", deep_items.as_bytes()).is_err());
}
