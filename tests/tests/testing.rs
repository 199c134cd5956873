//! `commerce_webhooks::testing`: every catalog example, signed by the crate's test builder, is
//! received by a `Receiver` on the real clock; its signatures match an independent signer; the
//! tampered and aged copies are refused where the platform signs what changed; each received
//! delivery's `DeliveryRecord` round-trips through JSON.

use std::time::Duration;

use commerce_webhooks::testing::{Fixtures, TestDelivery, TEST_SECRET};
use commerce_webhooks::{
    bigcommerce, ecwid, shopify, shopware, CatalogTopic, Delivery, HeaderLookup as _, Receiver, Secret, SignatureScheme,
};
use commerce_webhooks_tests::assert_no_failures;
use commerce_webhooks_tests::sign::hmac;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

/// The signature the platform would send for `delivery`, computed here from its headers and
/// body without the crate.
fn expected_signature(scheme: SignatureScheme, headers: &[(String, String)], body: &[u8]) -> String {
    let header = |name: &str| headers.header(name).map(|v| String::from_utf8_lossy(v).into_owned()).unwrap_or_default();
    match scheme {
        SignatureScheme::HmacSha256Base64Body => BASE64.encode(hmac(TEST_SECRET, body)),
        SignatureScheme::HmacSha256HexBody => hmac(TEST_SECRET, body).iter().map(|b| format!("{b:02x}")).collect(),
        SignatureScheme::StandardWebhooks => {
            let message =
                [format!("{}.{}.", header("webhook-id"), header("webhook-timestamp")).as_bytes(), body].concat();
            format!("v1,{}", BASE64.encode(hmac(TEST_SECRET, &message)))
        }
        SignatureScheme::EcwidCreatedDotId => {
            let value: serde_json::Value = serde_json::from_slice(body).unwrap();
            let text = |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            BASE64.encode(hmac(
                TEST_SECRET,
                format!("{}.{}", text(&value["eventCreated"]), text(&value["eventId"])).as_bytes(),
            ))
        }
        other => panic!("no expected signature for {other:?}"),
    }
}

/// Every example of every topic of `E`'s platform, through a receiver on the system clock.
fn every_example_is_received<E: Fixtures + PartialEq>() -> usize {
    let receiver = Receiver::<E>::new([Secret::new(TEST_SECRET)]);
    let facts = E::DELIVERY;
    let mut failures = Vec::new();
    let mut count = 0;
    for topic in <E::Topic as CatalogTopic>::ALL {
        for example in E::examples(topic) {
            count += 1;
            // A template's example fills it in (`store/channel/1/cart/created`).
            let wire = example.topic::<E>(topic);
            assert_eq!(wire.parse::<E::Topic>().unwrap().index(), topic.index(), "{}: {wire}", example.file);
            let delivery = TestDelivery::new::<E>(&wire, example.body);
            let (headers, body) = (delivery.headers(), delivery.body());
            let what = format!("{} {}", example.file, topic.as_str());
            let signature = headers.header(facts.signature_header).map(|v| String::from_utf8_lossy(v).into_owned());
            if signature.as_deref() != Some(expected_signature(facts.scheme, &headers, &body).as_str()) {
                failures.push(format!("{what}: signature {signature:?} is not the platform's"));
            }
            match receiver.receive(&headers, &body) {
                Ok(received) => {
                    if received.topic() != Some(wire.as_str()) {
                        failures.push(format!("{what}: received as topic {:?}", received.topic()));
                    }
                    if received.delivery_id().map(str::to_owned) != delivery.id() {
                        failures.push(format!("{what}: delivery id {:?}", received.delivery_id()));
                    }
                    if !received.is_decoded() {
                        failures.push(format!("{what}: {:?}", received.decode_error()));
                    }
                    // A queued record decodes to the same delivery.
                    let record = serde_json::to_string(&received.to_record()).unwrap();
                    let record: commerce_webhooks::DeliveryRecord = serde_json::from_str(&record).unwrap();
                    if Delivery::<E>::from_record(&record).as_ref() != Ok(&received) {
                        failures.push(format!("{what}: the delivery record does not round-trip"));
                    }
                    // Only Ecwid's signing time lives in the body; everything else stays byte-exact.
                    if facts.scheme != SignatureScheme::EcwidCreatedDotId && body != example.body.as_bytes() {
                        failures.push(format!("{what}: the body was changed"));
                    }
                }
                Err(e) => failures.push(format!("{what}: refused: {e}")),
            }
            let tampered = delivery.clone().tampered();
            match receiver.receive(&tampered.headers(), &tampered.body()) {
                Err(e) if e.is_unauthorized() => {}
                other => failures.push(format!("{what}: tampered copy not refused: {:?}", other.map(|_| ()))),
            }
        }
    }
    assert_no_failures(&format!("{} examples", <E::Topic as CatalogTopic>::PLATFORM), &failures);
    count
}

#[test]
fn every_catalog_example_is_received_and_its_tampered_copy_refused() {
    let counts = [
        every_example_is_received::<shopify::Event>(),
        every_example_is_received::<bigcommerce::Event>(),
        every_example_is_received::<shopware::Event>(),
        every_example_is_received::<ecwid::Event>(),
    ];
    // Every example the catalog lists is in the fixtures.
    let listed: usize = commerce_webhooks_tests::model()
        .platforms
        .iter()
        .map(|platform| platform.events.iter().map(|event| event.examples.len()).sum::<usize>())
        .sum();
    assert_eq!(counts.iter().sum::<usize>(), listed, "examples per platform: {counts:?}");
}

#[test]
fn fixtures_are_the_catalog_files_byte_for_byte() {
    let catalog = commerce_webhooks_tests::catalog_dir();
    for topic in shopify::Topic::ALL {
        for example in shopify::Event::examples(topic) {
            let file = std::fs::read_to_string(catalog.join(example.file)).unwrap();
            assert_eq!(file, example.body, "{}", example.file);
        }
    }
    assert!(shopify::Event::examples(&shopify::Topic::from_wire("orders/not_a_topic")).is_empty());
}

#[test]
fn old_deliveries_are_refused_where_the_platform_signs_a_time() {
    let two_days = Duration::from_secs(2 * 24 * 60 * 60);
    let bigcommerce =
        TestDelivery::example::<bigcommerce::Event>(&bigcommerce::Topic::StoreCartCreated).unwrap().aged(two_days);
    let refused = Receiver::<bigcommerce::Event>::new([Secret::new(TEST_SECRET)])
        .receive(&bigcommerce.headers(), &bigcommerce.body())
        .unwrap_err();
    assert!(refused.is_unauthorized(), "{refused}");
    // ... and accepted by a receiver whose clock is the signing time.
    let receiver =
        Receiver::<bigcommerce::Event>::new([Secret::new(TEST_SECRET)]).with_options(bigcommerce.verify_options());
    assert!(receiver.receive(&bigcommerce.headers(), &bigcommerce.body()).is_ok());

    let ecwid = TestDelivery::example::<ecwid::Event>(&ecwid::Topic::OrderCreated).unwrap().aged(two_days);
    let refused =
        Receiver::<ecwid::Event>::new([Secret::new(TEST_SECRET)]).receive(&ecwid.headers(), &ecwid.body()).unwrap_err();
    assert!(refused.is_unauthorized(), "{refused}");
}

#[test]
fn the_builder_sets_store_delivery_id_and_headers() {
    let secret = "shop secret";
    let delivery = TestDelivery::example::<shopware::Event>(&shopware::Topic::CheckoutOrderPlaced)
        .unwrap()
        .secret(secret)
        .store("shop-b")
        .delivery_id("event-7")
        .header("sw-version", "6.6.10.0");
    let received =
        Receiver::<shopware::Event>::new([Secret::new(secret)]).receive(&delivery.headers(), &delivery.body()).unwrap();
    assert_eq!(received.store_id(), Some("shop-b"));
    assert_eq!(received.delivery_id(), Some("event-7"));
    assert_eq!(received.metadata("sw_version"), Some("6.6.10.0"));

    let shopify = TestDelivery::new::<shopify::Event>("orders/create", "{}").store("b.myshopify.com");
    let received = Receiver::<shopify::Event>::new([Secret::new(TEST_SECRET)])
        .receive(&shopify.headers(), &shopify.body())
        .unwrap();
    assert_eq!(received.store_id(), Some("b.myshopify.com"));
    assert_eq!(received.metadata("api_version"), shopify::CATALOG_API_VERSION);
    let request = shopify.request("/webhooks/shopify");
    assert_eq!(request.method(), "POST");
    assert_eq!(request.headers()["x-shopify-topic"], "orders/create");
    assert_eq!(request.body(), b"{}");

    // A BigCommerce body names its store and topic itself; the builder rewrites both.
    let delivery = TestDelivery::new::<bigcommerce::Event>(
        "store/order/created",
        r#"{"scope":"store/cart/created","store_id":"1","data":{}}"#,
    )
    .store("stores/abc");
    let received = Receiver::<bigcommerce::Event>::new([Secret::new(TEST_SECRET)])
        .receive(&delivery.headers(), &delivery.body())
        .unwrap();
    assert_eq!((received.topic(), received.store_id()), (Some("store/order/created"), Some("stores/abc")));
    assert!(!format!("{delivery:?}").contains(TEST_SECRET), "the secret stays out of Debug");
}

#[test]
fn a_delivery_signed_with_another_secret_is_refused() {
    let delivery = TestDelivery::new::<shopify::Event>("orders/create", "{}").secret("someone else's");
    let refused =
        Receiver::<shopify::Event>::new([Secret::new(TEST_SECRET)]).receive(&delivery.headers(), &delivery.body());
    assert!(refused.unwrap_err().is_unauthorized());
}
