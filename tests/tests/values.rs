//! Values users compute with: every timestamp of every example reads as the instant `jiff`
//! reads it as, every money amount as the exact decimal `rust_decimal` reads, and the
//! documented vocabularies decode as enums.

use commerce_webhooks::{shopify, Field, Money, Timestamp};
use commerce_webhooks_tests::{assert_no_failures, catalog_dir, model, node, node_paths};
use serde_json::Value;

/// Every string in an example at a key the catalog types `scalar` in every shape that has it.
fn values_of(scalar: &str) -> Vec<(String, String)> {
    let model = model();
    let mut out = Vec::new();
    for platform in &model.platforms {
        let fields = || platform.shapes.iter().flat_map(|shape| shape.fields.iter());
        let keys: std::collections::BTreeSet<&str> = fields()
            .filter(|field| platform.type_name(&field.ty) == scalar)
            .map(|field| field.key.as_str())
            .filter(|key| fields().filter(|f| f.key == *key).all(|f| platform.type_name(&f.ty) == scalar))
            .collect();
        for event in &platform.events {
            for example in &event.examples {
                let text = std::fs::read(catalog_dir().join(&example.file)).unwrap();
                let value: Value = serde_json::from_slice(&text).unwrap();
                for path in node_paths(&value) {
                    let Some(commerce_webhooks_tests::Step::Key(key)) = path.last() else { continue };
                    if let (true, Some(text)) = (keys.contains(key.as_str()), node(&value, &path).as_str()) {
                        out.push((example.file.clone(), text.to_owned()));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_example_timestamp_reads_as_the_instant_jiff_reads() {
    let mut failures = Vec::new();
    let values = values_of("timestamp");
    for (file, text) in &values {
        let ours = Timestamp(text.clone()).to_jiff();
        let theirs = text
            .parse::<jiff::Timestamp>()
            .or_else(|_| jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S %z", text).and_then(|t| t.to_timestamp()));
        match (ours, theirs) {
            (Ok(ours), Ok(theirs)) if ours == theirs => {}
            (ours, theirs) => failures.push(format!("{file}: {text:?}: ours {ours:?}, jiff {theirs:?}")),
        }
    }
    assert!(values.len() > 300, "only {} timestamps found", values.len());
    assert_no_failures("timestamps read differently from jiff", &failures);
}

#[test]
fn every_example_amount_is_the_exact_decimal() {
    let mut failures = Vec::new();
    let values = values_of("money");
    for (file, text) in &values {
        match (Money::from(text.as_str()).to_decimal(), text.parse::<rust_decimal::Decimal>()) {
            (Ok(ours), Ok(theirs)) if ours == theirs && ours.to_string() == *text => {}
            (ours, theirs) => failures.push(format!("{file}: {text:?}: ours {ours:?}, rust_decimal {theirs:?}")),
        }
    }
    assert!(values.len() > 300, "only {} amounts found", values.len());
    assert_no_failures("amounts read differently from rust_decimal", &failures);
    assert!(Money::from("12,50").to_decimal().is_err());
}

#[test]
fn documented_vocabularies_decode_as_enums() {
    let body = std::fs::read(catalog_dir().join("examples/shopify/orders_create.json")).unwrap();
    let shopify::Event::OrdersCreate(order) = shopify::Event::from_delivery("orders/create", &body).unwrap() else {
        panic!("orders/create decodes to OrdersCreate")
    };
    assert!(
        matches!(order.financial_status, Field::Value(shopify::FinancialStatus::Voided)),
        "{:?}",
        order.financial_status
    );
    // A value Shopify adds tomorrow is kept, not an error.
    let body = br#"{"id": 1, "financial_status": "expired"}"#;
    let shopify::Event::OrdersCreate(order) = shopify::Event::from_delivery("orders/create", body).unwrap() else {
        panic!()
    };
    assert_eq!(order.financial_status, Field::Value(shopify::FinancialStatus::Unknown("expired".into())));
}

/// The metadata headers the catalog names are typed accessors: versions compare as versions,
/// times read as instants, and a delivery says which API version it was serialized with next
/// to the one the catalog's types follow.
#[test]
fn delivery_metadata_is_typed() {
    use commerce_webhooks::shopify::Metadata as _;
    use commerce_webhooks::{ApiVersion, Delivery, Secret, SignatureScheme, VerifyOptions};
    use commerce_webhooks_tests::sign;

    let body = br#"{"id": 1}"#;
    let (mut headers, now) = sign::headers(SignatureScheme::HmacSha256Base64Body, "orders/create", body);
    headers.push(("X-Shopify-API-Version".into(), "2026-01".into()));
    headers.push(("X-Shopify-Triggered-At".into(), "2026-01-02T03:04:05.678Z".into()));
    let options = VerifyOptions::new().now(now);
    let delivery =
        Delivery::<shopify::Event>::verify_and_decode_with(&headers, body, &[Secret::new(sign::SECRET)], &options)
            .unwrap();
    let version = delivery.api_version().unwrap();
    let catalog = ApiVersion::new(shopify::CATALOG_API_VERSION.unwrap());
    assert!(version > catalog, "{version} is newer than the catalog's {catalog}");
    assert!(delivery.api_version_differs());
    assert_eq!(delivery.shop_domain(), Some("toys.myshopify.com"));
    let triggered = delivery.triggered_at().unwrap().to_jiff().unwrap();
    assert_eq!(triggered.to_string(), "2026-01-02T03:04:05.678Z");
    assert_eq!(delivery.handle(), None, "an events-family header, absent from this delivery");
}

/// BigCommerce order status ids decode as their documented names and re-encode as the integers.
#[test]
fn bigcommerce_order_status_ids_have_names() {
    use commerce_webhooks::bigcommerce::{self, OrderStatusId};
    let body = std::fs::read(catalog_dir().join("examples/bigcommerce/store_order_statusUpdated.json")).unwrap();
    let event = bigcommerce::Event::from_body(&body).unwrap();
    let bigcommerce::Event::StoreOrderStatusUpdated(callback) = &event else { panic!("statusUpdated") };
    let status = callback.data.as_ref().and_then(|data| data.status.as_ref()).unwrap();
    assert_eq!(status.previous_status_id, Field::Value(OrderStatusId::Incomplete));
    assert_eq!(status.new_status_id.copied().and_then(|id| id.name()), Some("Awaiting Fulfillment"));
    assert_eq!(serde_json::to_value(&event).unwrap(), serde_json::from_slice::<Value>(&body).unwrap());
    assert_eq!(OrderStatusId::from_code(99), OrderStatusId::Unknown(99));
    assert_eq!(OrderStatusId::from_code(99).code(), 99);
}

/// A payload type's `Deserialize` reads the same through any deserializer: serde_json's `&str`
/// and slice readers, and a `Value` (which hands strings over owned and keys one by one),
/// strict at the root and tolerant inside, losslessly.
#[test]
fn payload_types_decode_the_same_through_every_deserializer() {
    let body = std::fs::read(catalog_dir().join("examples/shopify/orders_create.json")).unwrap();
    let text = std::str::from_utf8(&body).unwrap();
    let value: Value = serde_json::from_str(text).unwrap();
    // Drift as real deliveries bring it: a string id, a `null`, an object where a list is
    // documented, an unknown key; all kept.
    let mut drifted = value.clone();
    drifted["id"] = "450789469".into();
    drifted["note"] = Value::Null;
    drifted["line_items"] = serde_json::json!({"0": {"id": 1}});
    drifted["not_in_the_catalog"] = serde_json::json!([1, {"a": null}]);
    for value in [value, drifted] {
        let text = value.to_string();
        let from_str: shopify::Order = serde_json::from_str(&text).unwrap();
        let from_slice: shopify::Order = serde_json::from_slice(text.as_bytes()).unwrap();
        let from_value: shopify::Order = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(from_str, from_slice);
        assert_eq!(from_str, from_value);
        assert_eq!(serde_json::to_value(&from_value).unwrap(), value);
        let decoded = shopify::Event::from_delivery("orders/create", text.as_bytes()).unwrap();
        assert_eq!(serde_json::to_value(&decoded).unwrap(), value);
    }
    // Strict at the root, with serde's wording, through every deserializer.
    for error in [
        serde_json::from_str::<shopify::Order>("[1]").unwrap_err().to_string(),
        serde_json::from_value::<shopify::Order>(serde_json::json!("x")).unwrap_err().to_string(),
        serde_json::from_value::<shopify::Order>(Value::Null).unwrap_err().to_string(),
    ] {
        assert!(error.starts_with("invalid type: ") && error.contains("expected a `Order` object"), "{error}");
    }
}
