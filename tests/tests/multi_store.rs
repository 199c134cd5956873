//! Receiving for many stores, and the edges a security review found ajar: each finding is
//! reproduced here and shown refused.
//!
//! 1. one Shopware shop forging events for another (per-store secrets, through the axum
//!    extractor, sync and async sources);
//! 2. Ecwid: an old signature replayed, `eventCreated` as a string;
//! 3. unsigned values: which ones each platform's signature covers; Shopware's body timestamp;
//! 4. the edges: headers checked before the body is read, a cap on signature entries, the
//!    delivery id as the very bytes that were signed, a previous secret that expires, and
//!    Shopify's second header family.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use axum::routing::post;
use axum::Router;
use commerce_webhooks::axum::Verified;
use commerce_webhooks::{
    bigcommerce, ecwid, shopify, shopware, AsyncSecretSource, BoxFuture, Delivery, DeliveryValue, ReceiveError,
    Receiver, Secret, SecretLookupError, SignatureScheme, VerifyOptions, WebhookEvent,
};
use commerce_webhooks_tests::{raw_post, sign};

const SHOP_A_SECRET: &str = "secret of shop A";
const SHOP_B_SECRET: &str = "secret of shop B";

/// A Shopware `product.written` body from `shop`.
fn shopware_body(shop: &str, timestamp: &str) -> Vec<u8> {
    format!(
        r#"{{"data":{{"payload":[{{"entity":"product","operation":"update","primaryKey":"7b04ebe416db4ebc93de4d791325e1d9","updatedFields":["stock"]}}],"event":"product.written"}},"source":{{"url":"http://shop.test","appVersion":"1.0.0","shopId":"{shop}","eventId":"e1"}},"timestamp":{timestamp}}}"#
    )
    .into_bytes()
}

fn shops() -> HashMap<String, Vec<Secret>> {
    HashMap::from([
        ("SHOP_A".to_owned(), vec![Secret::new(SHOP_A_SECRET)]),
        ("SHOP_B".to_owned(), vec![Secret::new(SHOP_B_SECRET)]),
    ])
}

fn signed_by(secret: &str, body: &[u8]) -> Vec<(String, String)> {
    sign::headers_with(secret, SignatureScheme::HmacSha256HexBody, "", body).0
}

#[test]
fn a_shop_cannot_sign_for_another_shop() {
    let forged = shopware_body("SHOP_B", "1702212669");
    let headers = signed_by(SHOP_A_SECRET, &forged);
    // The single-tenant receiver accepts any of its secrets: with both shops' secrets in it,
    // shop A's signature passes for a body claiming shop B. That is why it is for one tenant.
    let single = Receiver::<shopware::Event>::new([Secret::new(SHOP_A_SECRET), Secret::new(SHOP_B_SECRET)]);
    assert_eq!(single.receive(&headers, &forged).unwrap().store_id(), Some("SHOP_B"));

    // Per store: the claim picks shop B's secret, which did not sign it.
    let per_store = Receiver::<shopware::Event>::per_store(shops());
    let error = per_store.receive(&headers, &forged).unwrap_err();
    assert!(matches!(error, ReceiveError::SignatureMismatch { .. }), "{error:?}");
    assert_eq!(error.status(), 401);
    // Each shop's own deliveries pass, reporting the store whose secret verified them.
    for (shop, secret) in [("SHOP_A", SHOP_A_SECRET), ("SHOP_B", SHOP_B_SECRET)] {
        let body = shopware_body(shop, "1702212669");
        let delivery = per_store.receive(&signed_by(secret, &body), &body).unwrap();
        assert_eq!(delivery.store_id(), Some(shop));
    }
    // An unknown shop, a body naming no shop, or naming it twice: nothing to verify with.
    let unknown = shopware_body("SHOP_C", "1702212669");
    assert_eq!(per_store.receive(&signed_by(SHOP_A_SECRET, &unknown), &unknown), Err(ReceiveError::UnknownStore));
    let doubled =
        br#"{"data":{"event":"product.written","payload":[]},"source":{"shopId":"SHOP_A","shopId":"SHOP_B"}}"#;
    assert_eq!(per_store.receive(&signed_by(SHOP_A_SECRET, doubled), doubled), Err(ReceiveError::UnknownStore));
    // A source that fails answers 503: the platform retries.
    let down = Receiver::<shopware::Event>::per_store(|_: &str| Err(SecretLookupError::new("database down")));
    let error = down.receive(&headers, &forged).unwrap_err();
    assert_eq!((error.status().as_u16(), error.public_text()), (503, "webhook receiver unavailable, retry later\n"));
}

/// Secrets behind an `await`, as from a database.
struct Database(HashMap<String, Vec<Secret>>);

impl AsyncSecretSource for Database {
    fn secrets_for<'a>(&'a self, store: &'a str) -> BoxFuture<'a, Result<Vec<Secret>, SecretLookupError>> {
        Box::pin(async move {
            tokio::task::yield_now().await;
            Ok(self.0.get(store).cloned().unwrap_or_default())
        })
    }
}

async fn store_of(Verified(delivery): Verified<shopware::Event>) -> String {
    delivery.store_id().unwrap_or("-").to_owned()
}

/// The axum receiver on a free loopback port, on a runtime of its own.
fn serve(app: Router) -> (SocketAddr, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, app).await });
    (addr, runtime)
}

#[test]
fn the_axum_extractor_refuses_cross_shop_forgeries_with_an_async_source() {
    let receiver = Receiver::<shopware::Event>::per_store_async(Database(shops()));
    let app = Router::new().route("/shopware", post(store_of)).with_state(receiver);
    let (addr, _runtime) = serve(app);

    let forged = shopware_body("SHOP_B", "1702212669");
    let (status, text) = raw_post(addr, "/shopware", &signed_by(SHOP_A_SECRET, &forged), &forged, forged.len());
    assert_eq!((status, text.as_str()), (401, "webhook not verified\n"));
    let genuine = shopware_body("SHOP_B", "1702212669");
    let (status, text) = raw_post(addr, "/shopware", &signed_by(SHOP_B_SECRET, &genuine), &genuine, genuine.len());
    assert_eq!((status, text.as_str()), (200, "SHOP_B"));

    // No signature header: refused before the body is read. The client announces a megabyte
    // and sends none of it; a server reading the body first would wait for it (and the read
    // here would time out with no answer).
    let (status, text) = raw_post(addr, "/shopware", &[], b"", 1 << 20);
    assert_eq!((status, text.as_str()), (401, "webhook not verified\n"));
    let malformed = [("shopware-shop-signature".to_owned(), "not hex".to_owned())];
    assert_eq!(raw_post(addr, "/shopware", &malformed, b"", 1 << 20).0, 401);
}

// ---- Ecwid: replay windows ------------------------------------------------------------------

fn ecwid_delivery(created: &str) -> (Vec<(String, String)>, Vec<u8>) {
    let body = format!(
        r#"{{"eventId":"e-1","eventCreated":{created},"storeId":1003,"entityId":7,"eventType":"order.created","data":{{"orderId":"X","newPaymentStatus":"PAID","newFulfillmentStatus":"SHIPPED"}}}}"#
    )
    .into_bytes();
    let signature = base64_of(&sign::hmac(sign::SECRET, format!("{}.e-1", created.trim_matches('"')).as_bytes()));
    (vec![("X-Ecwid-Webhook-Signature".to_owned(), signature)], body)
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn at(unix: u64) -> VerifyOptions {
    VerifyOptions::new().now(SystemTime::UNIX_EPOCH + Duration::from_secs(unix))
}

#[test]
fn an_old_ecwid_signature_does_not_authenticate_a_replay() {
    const CREATED: u64 = 1_700_000_000;
    let (headers, body) = ecwid_delivery(&CREATED.to_string());
    let secrets = [Secret::new(sign::SECRET)];
    let receive =
        |options: VerifyOptions| Delivery::<ecwid::Event>::verify_and_decode_with(&headers, &body, &secrets, &options);
    // Within Ecwid's retry window (24 h) plus 5 minutes of clock skew: accepted.
    let window = VerifyOptions::ECWID_MAX_AGE.as_secs();
    assert_eq!(window, 24 * 3600 + 300);
    receive(at(CREATED)).unwrap();
    receive(at(CREATED + window)).unwrap();
    // A day and a bit later, the same signature is a replay.
    let error = receive(at(CREATED + window + 1)).unwrap_err();
    assert!(matches!(error, ReceiveError::StaleTimestamp { .. }), "{error:?}");
    assert_eq!(error.status(), 401);
    // Dated ahead beyond the skew: refused too. The limit is configurable.
    assert!(matches!(receive(at(CREATED - 301)).unwrap_err(), ReceiveError::FutureTimestamp { .. }));
    receive(at(CREATED + 2 * 24 * 3600).max_age(Duration::from_secs(3 * 24 * 3600))).unwrap();
    receive(at(CREATED + 120).max_age(Duration::from_secs(60))).unwrap_err();

    // `eventCreated` must be a JSON integer: as a string it could carry the `.` that splits
    // the signed text (`"1700000000.e"` + `"-1"` signs like `1700000000` + `"e-1"`... of
    // another body), and Ecwid never sends one.
    let (headers, body) = ecwid_delivery(&format!("\"{CREATED}\""));
    let error = Delivery::<ecwid::Event>::verify_and_decode_with(&headers, &body, &secrets, &at(CREATED)).unwrap_err();
    assert!(matches!(error, ReceiveError::UnreadableSignedField { field: "eventCreated", .. }), "{error:?}");
    let (headers, body) = ecwid_delivery("-5");
    assert!(Delivery::<ecwid::Event>::verify_and_decode_with(&headers, &body, &secrets, &at(CREATED)).is_err());
}

// ---- what the signature covers -----------------------------------------------------------------

#[test]
fn each_delivery_says_which_values_are_signed() {
    fn signed<E: WebhookEvent>() -> [bool; 5] {
        [
            DeliveryValue::Body,
            DeliveryValue::Topic,
            DeliveryValue::DeliveryId,
            DeliveryValue::StoreId,
            DeliveryValue::Metadata,
        ]
        .map(|value| E::DELIVERY.signs(value))
    }
    // body, topic, delivery id, store id, metadata
    assert_eq!(signed::<shopify::Event>(), [true, false, false, false, false]);
    assert_eq!(signed::<bigcommerce::Event>(), [true, true, true, true, false]);
    assert_eq!(signed::<shopware::Event>(), [true, true, true, true, false]);
    assert_eq!(signed::<ecwid::Event>(), [false, false, true, false, false]);

    // A delivery answers the same for itself; Shopify's topic header is not covered.
    let body = br#"{"id":1}"#;
    let (headers, now) = sign::headers(SignatureScheme::HmacSha256Base64Body, "orders/create", body);
    let delivery = Delivery::<shopify::Event>::verify_and_decode_with(
        &headers,
        body,
        &[Secret::new(sign::SECRET)],
        &VerifyOptions::new().now(now),
    )
    .unwrap();
    assert!(delivery.is_signed(DeliveryValue::Body) && !delivery.is_signed(DeliveryValue::Topic));
}

/// The generated platform docs' "Signed" column says what `DeliveryFacts::signs` says.
#[test]
fn the_generated_docs_say_what_is_signed() {
    fn check<E: WebhookEvent>(failures: &mut Vec<String>) {
        let platform = <E::Topic as commerce_webhooks::CatalogTopic>::PLATFORM;
        let path = commerce_webhooks_tests::workspace_root().join(format!("generated/docs/{platform}.md"));
        let docs = std::fs::read_to_string(path).unwrap();
        for (row, value) in [
            ("topic", DeliveryValue::Topic),
            ("delivery id", DeliveryValue::DeliveryId),
            ("store id", DeliveryValue::StoreId),
        ] {
            let line = docs.lines().find(|line| line.starts_with(&format!("| {row} |"))).unwrap_or_default();
            let documented = line.trim_end().ends_with("| yes |");
            if documented != E::DELIVERY.signs(value) || line.is_empty() {
                failures.push(format!("{platform} {row}: docs say {line:?}"));
            }
        }
    }
    let mut failures = Vec::new();
    check::<shopify::Event>(&mut failures);
    check::<bigcommerce::Event>(&mut failures);
    check::<shopware::Event>(&mut failures);
    check::<ecwid::Event>(&mut failures);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn shopware_body_timestamps_can_be_held_to_an_age() {
    let secrets = [Secret::new(SHOP_A_SECRET)];
    let receive = |body: &[u8], options: VerifyOptions| {
        Delivery::<shopware::Event>::verify_and_decode_with(&signed_by(SHOP_A_SECRET, body), body, &secrets, &options)
    };
    let old = shopware_body("SHOP_A", "1702212669");
    // No limit by default (older shops send no timestamp at all).
    receive(&old, at(1_800_000_000)).unwrap();
    let limited = |now| at(now).max_age(Duration::from_secs(600));
    receive(&old, limited(1_702_212_669 + 600)).unwrap();
    assert!(matches!(receive(&old, limited(1_702_212_669 + 601)).unwrap_err(), ReceiveError::StaleTimestamp { .. }));
    // As a string of digits, as app lifecycle deliveries send it: read the same way.
    let as_text = shopware_body("SHOP_A", "\"1702212669\"");
    receive(&as_text, limited(1_702_212_669)).unwrap();
    assert!(receive(&as_text, limited(1_702_212_669 + 601)).is_err());
    // Not a time, or none at all.
    let garbage = shopware_body("SHOP_A", "\"soon\"");
    assert!(matches!(
        receive(&garbage, limited(1_702_212_669)).unwrap_err(),
        ReceiveError::UnreadableSignedField { field: "timestamp", .. }
    ));
    let none = br#"{"data":{"event":"product.written","payload":[]},"source":{"shopId":"SHOP_A"}}"#;
    receive(none, limited(1_702_212_669)).unwrap();
}

// ---- the edges ------------------------------------------------------------------------------------

fn bigcommerce_headers(id: &str, signatures: &str) -> Vec<(String, String)> {
    vec![
        ("webhook-id".to_owned(), id.to_owned()),
        ("webhook-timestamp".to_owned(), sign::SIGNED_AT.to_string()),
        ("webhook-signature".to_owned(), signatures.to_owned()),
    ]
}

#[test]
fn signature_entries_are_capped() {
    let body = br#"{"scope":"store/order/created","store_id":"1","data":{"type":"order","id":1}}"#;
    let (good, now) = sign::headers(SignatureScheme::StandardWebhooks, "", body);
    let good_entry = good[2].1.clone();
    let secrets = [Secret::new("a"), Secret::new("b"), Secret::new("c"), Secret::new(sign::SECRET)];
    let options = VerifyOptions::new().now(now);
    let filler = format!("v1,{}", base64_of(&[0; 32]));
    let receive = |entries: usize| {
        let mut signatures = vec![filler.clone(); entries - 1];
        signatures.push(good_entry.clone());
        let headers = bigcommerce_headers("msg_test", &signatures.join(" "));
        Delivery::<bigcommerce::Event>::verify_and_decode_with(&headers, body, &secrets, &options)
    };
    receive(16).unwrap();
    let error = receive(17).unwrap_err();
    assert!(matches!(error, ReceiveError::MalformedSignature { .. }), "{error:?}");
    assert_eq!(error.status(), 401);
}

#[test]
fn the_delivery_id_is_the_bytes_that_were_signed() {
    let body = br#"{"scope":"store/order/created","store_id":"1","data":{"type":"order","id":1}}"#;
    // A no-break space is part of the id (HTTP trims only spaces and tabs).
    for (sent, signed, reported) in [(" msg_1\t", "msg_1", "msg_1"), ("msg_1\u{a0}", "msg_1\u{a0}", "msg_1\u{a0}")] {
        let mut message = format!("{signed}.{}.", sign::SIGNED_AT).into_bytes();
        message.extend_from_slice(body);
        let signature = format!("v1,{}", base64_of(&sign::hmac(sign::SECRET, &message)));
        let headers = bigcommerce_headers(sent, &signature);
        let delivery = Delivery::<bigcommerce::Event>::verify_and_decode_with(
            &headers,
            body,
            &[Secret::new(sign::SECRET)],
            &at(sign::SIGNED_AT),
        )
        .unwrap();
        assert_eq!(delivery.delivery_id(), Some(reported));
    }
}

#[test]
fn a_previous_secret_verifies_until_it_expires() {
    let body = shopware_body("SHOP_A", "1702212669");
    let headers = signed_by("old secret", &body);
    let rotated_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_702_212_669);
    let secrets = [
        Secret::new("new secret"),
        Secret::new("old secret").valid_until(rotated_at + commerce_webhooks::SHOPWARE_PREVIOUS_SECRET_ALLOWANCE),
    ];
    let receive = |now: SystemTime| {
        Delivery::<shopware::Event>::verify_and_decode_with(&headers, &body, &secrets, &VerifyOptions::new().now(now))
    };
    receive(rotated_at + Duration::from_secs(60)).unwrap();
    assert!(matches!(
        receive(rotated_at + Duration::from_secs(61)).unwrap_err(),
        ReceiveError::SignatureMismatch { .. }
    ));
}

#[test]
fn shopify_events_deliveries_use_the_unprefixed_header_family() {
    let body = br#"{"id":1}"#;
    let tag = base64_of(&sign::hmac(sign::SECRET, body));
    let secrets = [Secret::new(sign::SECRET)];
    let receive = |headers: &[(&str, &str)]| {
        Delivery::<shopify::Event>::verify_and_decode_with(headers, body, &secrets, &VerifyOptions::new())
    };
    let events = receive(&[
        ("Shopify-Hmac-Sha256", &tag),
        ("Shopify-Topic", "products/update"),
        ("Shopify-Shop-Domain", "toys.myshopify.com"),
        ("Shopify-Event-Id", "ev-1"),
        ("Shopify-Handle", "product-sync"),
        ("Shopify-Action", "update"),
        ("Shopify-API-Version", "2026-01"),
    ])
    .unwrap();
    assert_eq!(events.facts().family, "events");
    assert_eq!(events.topic(), Some("products/update"));
    assert!(matches!(events.event(), Ok(shopify::Event::ProductsUpdate(_))));
    assert_eq!((events.delivery_id(), events.store_id()), (Some("ev-1"), Some("toys.myshopify.com")));
    assert_eq!((events.metadata("handle"), events.metadata("action")), (Some("product-sync"), Some("update")));

    // The classic family, even with stray headers of the other: read consistently from one.
    let classic = receive(&[
        ("X-Shopify-Hmac-Sha256", &tag),
        ("X-Shopify-Topic", "orders/create"),
        ("X-Shopify-Webhook-Id", "wh-1"),
        ("Shopify-Topic", "products/update"),
        ("Shopify-Event-Id", "ev-1"),
    ])
    .unwrap();
    assert_eq!(classic.facts().family, "webhooks");
    assert_eq!((classic.topic(), classic.delivery_id()), (Some("orders/create"), Some("wh-1")));
    // A forged events delivery is refused like any other.
    let error =
        receive(&[("Shopify-Hmac-Sha256", &base64_of(&[1; 32])), ("Shopify-Topic", "orders/create")]).unwrap_err();
    assert_eq!(error, ReceiveError::SignatureMismatch { header: "Shopify-Hmac-Sha256" });
}
