//! Delivery verification and decoding (`commerce_webhooks::Delivery`): the published test
//! vectors of every scheme, tampering of every bit of body, signature and signed headers,
//! secrets (wrong, rotated, empty, redacted), timestamps, and verification strictly before
//! decoding.
//!
//! Signatures here are computed independently of the crate (RustCrypto `hmac` directly), so a
//! mistake in the crate's message construction cannot hide behind the same mistake in a test
//! helper; the vectors pin both.

use std::fmt::Debug;
use std::ops::Range;
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use commerce_webhooks::{
    bigcommerce, ecwid, shopify, shopware, DecodeError, Delivery, HeaderLookup, ReceiveError, Receiver, Secret,
    SecretError, VerifyOptions, WebhookEvent,
};
use commerce_webhooks_tests::catalog_dir;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type Headers = Vec<(String, Vec<u8>)>;

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn headers(pairs: &[(&str, &str)]) -> Headers {
    pairs.iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())).collect()
}

fn at(unix: u64) -> VerifyOptions {
    VerifyOptions::new().now(SystemTime::UNIX_EPOCH + Duration::from_secs(unix))
}

fn example(path: &str) -> Vec<u8> {
    std::fs::read(catalog_dir().join("examples").join(path)).unwrap()
}

// ---- signing, per platform ------------------------------------------------------------------

fn shopify_headers(secret: &[u8], body: &[u8], topic: &str) -> Headers {
    headers(&[
        ("X-Shopify-Hmac-Sha256", &BASE64.encode(hmac(secret, body))),
        ("X-Shopify-Topic", topic),
        ("X-Shopify-Shop-Domain", "toys.myshopify.com"),
        ("X-Shopify-API-Version", "2025-10"),
        ("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"),
        ("X-Shopify-Triggered-At", "2025-01-02T03:04:05.678Z"),
        ("X-Shopify-Event-Id", "98880550-7158-44d4-b7cd-2c97c8a091b5"),
    ])
}

const BC_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
const BC_TS: u64 = 1_649_367_553;

fn bigcommerce_headers(key: &[u8], id: &str, timestamp: u64, body: &[u8]) -> Headers {
    let mut message = format!("{id}.{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    let signature = format!("v1,{}", BASE64.encode(hmac(key, &message)));
    headers(&[("webhook-id", id), ("webhook-timestamp", &timestamp.to_string()), ("webhook-signature", &signature)])
}

fn shopware_headers(secret: &[u8], body: &[u8]) -> Headers {
    headers(&[("shopware-shop-signature", &hex(&hmac(secret, body))), ("sw-version", "6.6.0.0")])
}

fn ecwid_headers(secret: &[u8], event_created: &str, event_id: &str) -> Headers {
    let signature = BASE64.encode(hmac(secret, format!("{event_created}.{event_id}").as_bytes()));
    headers(&[("X-Ecwid-Webhook-Signature", &signature)])
}

fn ecwid_body(event_created: &str, event_id: &str, event_type: &str) -> Vec<u8> {
    format!(
        r#"{{"eventId":"{event_id}","eventCreated":{event_created},"storeId":1003,"entityId":103878161,"eventType":"{event_type}","data":{{"orderId":"XJ12H","newPaymentStatus":"PAID","newFulfillmentStatus":"SHIPPED"}}}}"#
    )
    .into_bytes()
}

// ---- the published vectors --------------------------------------------------------------------

#[test]
fn shopify_vector() {
    let signature = "AsdkItclzjG20ZJ6IZQVt1E9shG3lPvXw9/GqURv0T4=";
    assert_eq!(BASE64.encode(hmac(b"test_secret", br#"{"id":1}"#)), signature, "test signer");
    let h = [("X-Shopify-Hmac-Sha256", signature), ("X-Shopify-Topic", "test/vector")];
    let delivery =
        Delivery::<shopify::Event>::verify_and_decode(&h, br#"{"id":1}"#, &[Secret::new("test_secret")]).unwrap();
    assert_eq!(delivery.topic(), Some("test/vector"));
    assert!(matches!(delivery.event(), Ok(shopify::Event::Unknown { .. })));
}

#[test]
fn bigcommerce_vector() {
    let secret = Secret::from_whsec("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap();
    let body = br#"{"email":"test@example.com","username":"test_user"}"#;
    let key = BASE64.decode("C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap();
    let signature = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";
    let signed = bigcommerce_headers(&key, BC_ID, BC_TS, body);
    assert_eq!(signed.header("webhook-signature"), Some(signature.as_bytes()), "test signer");

    let h = [("webhook-id", BC_ID), ("webhook-timestamp", "1649367553"), ("webhook-signature", signature)];
    Delivery::<bigcommerce::Event>::verify(&h, body, std::slice::from_ref(&secret), &at(BC_TS)).unwrap();
    // Authentic, but the body names no topic (`scope`): it still reaches the application, with
    // its raw body and the reason it does not decode.
    let delivery = Delivery::<bigcommerce::Event>::verify_and_decode_with(&h, body, &[secret], &at(BC_TS)).unwrap();
    assert_eq!(delivery.event(), Err(&DecodeError::MissingTopic { field: "scope" }));
    assert_eq!(&delivery.body()[..], body);
    assert_eq!(delivery.delivery_id(), Some(BC_ID));
}

#[test]
fn shopware_vector() {
    let signature = "02c76422d725ce31b6d1927a219415b7513db211b794fbd7c3dfc6a9446fd13e";
    assert_eq!(hex(&hmac(b"test_secret", br#"{"id":1}"#)), signature, "test signer");
    let h = [("shopware-shop-signature", signature)];
    Delivery::<shopware::Event>::verify(&h, br#"{"id":1}"#, &[Secret::new("test_secret")], &VerifyOptions::new())
        .unwrap();
}

#[test]
fn ecwid_vector() {
    let signature = "rkgHkAyenD3umDo91sjUZP5pU7hjm31ziCy3p+7Tc5Y=";
    assert_eq!(ecwid_headers(b"test_secret", "1700000000", "abc-123")[0].1, signature.as_bytes(), "test signer");
    let h = [("X-Ecwid-Webhook-Signature", signature)];
    let secrets = [Secret::new("test_secret")];
    let minimal = br#"{"eventCreated":1700000000,"eventId":"abc-123"}"#;
    Delivery::<ecwid::Event>::verify(&h, minimal, &secrets, &at(1_700_000_000)).unwrap();
    // `eventCreated` as a string has the same signed text, but Ecwid sends an integer, and a
    // string could hold the `.` that separates it from `eventId`: refused.
    let as_string = br#"{"eventCreated":"1700000000","eventId":"abc-123"}"#;
    let error = Delivery::<ecwid::Event>::verify(&h, as_string, &secrets, &at(1_700_000_000)).unwrap_err();
    assert!(matches!(error, ReceiveError::UnreadableSignedField { field: "eventCreated", .. }), "{error:?}");
    assert_eq!(error.status(), 401);

    let body = ecwid_body("1700000000", "abc-123", "order.created");
    let delivery = Delivery::<ecwid::Event>::verify_and_decode_with(&h, &body, &secrets, &at(1_700_000_000)).unwrap();
    assert_eq!(delivery.event().unwrap().topic(), ecwid::Topic::OrderCreated);
    assert_eq!(delivery.delivery_id(), Some("abc-123"));
    assert_eq!(delivery.store_id(), Some("1003"));
    let json = serde_json::to_value(delivery.event().unwrap()).unwrap();
    assert_eq!(json["eventId"], "abc-123");
    assert_eq!(json["eventCreated"], 1_700_000_000);
}

// ---- typed decoding and metadata --------------------------------------------------------------

#[test]
fn decodes_known_topics_with_metadata() {
    let secret = b"shpss_0123456789abcdef";
    let secrets = [Secret::new(secret)];

    let body = example("shopify/app_uninstalled.json");
    let h = shopify_headers(secret, &body, "app/uninstalled");
    let delivery = Delivery::<shopify::Event>::verify_and_decode(&h, &body, &secrets).unwrap();
    assert_eq!(delivery.event().unwrap().topic(), shopify::Topic::AppUninstalled);
    assert_eq!(delivery.delivery_id(), Some("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"));
    assert_eq!(delivery.store_id(), Some("toys.myshopify.com"));
    assert_eq!(delivery.metadata("api_version"), Some("2025-10"));
    assert_eq!(delivery.metadata("event_id"), Some("98880550-7158-44d4-b7cd-2c97c8a091b5"));
    assert_eq!(delivery.metadata_headers().count(), 5);

    let body = example("bigcommerce/store_order_created.json");
    let h = bigcommerce_headers(secret, BC_ID, BC_TS, &body);
    let delivery = Delivery::<bigcommerce::Event>::verify_and_decode_with(&h, &body, &secrets, &at(BC_TS)).unwrap();
    assert_eq!(delivery.event().unwrap().topic(), bigcommerce::Topic::StoreOrderCreated);
    assert_eq!(delivery.topic(), Some("store/order/created"));
    assert_eq!(delivery.delivery_id(), Some(BC_ID));
    assert_eq!(delivery.store_id(), Some("1025646"));
    assert_eq!(delivery.metadata("webhook_timestamp"), Some("1649367553"));

    let body = example("shopware/app_activated.json");
    let h = shopware_headers(secret, &body);
    let delivery = Delivery::<shopware::Event>::verify_and_decode(&h, &body, &secrets).unwrap();
    assert_eq!(delivery.event().unwrap().topic(), shopware::Topic::AppActivated);
    assert_eq!(delivery.delivery_id(), Some("62126caf87dc4a764541499df3af46ee"));
    assert_eq!(delivery.store_id(), Some("dgrH7nLU6tlE"));
    assert_eq!(delivery.metadata("sw_version"), Some("6.6.0.0"));
    assert_eq!(Delivery::<shopware::Event>::unverified_store_id(&h, &body).as_deref(), Some("dgrH7nLU6tlE"));

    let body = example("ecwid/order_created.json");
    let h = ecwid_headers(secret, "1234567", "80aece08-40e8-4145-8764-6c2f0d38678");
    let delivery = Delivery::<ecwid::Event>::verify_and_decode_with(&h, &body, &secrets, &at(1234567)).unwrap();
    assert_eq!(delivery.event().unwrap().topic(), ecwid::Topic::OrderCreated);
    assert_eq!(delivery.store_id(), Some("1003"));

    // Receiver is the same thing with the secrets held.
    let receiver = Receiver::<ecwid::Event>::new(secrets).with_options(at(1234567));
    assert_eq!(receiver.receive(&h, &body).unwrap(), delivery);
}

// ---- tampering: every bit of everything that is signed ----------------------------------------

/// Flips each bit of `body[range]` and of each of the `signed` headers; every variant must be
/// refused as not authentic (401).
fn assert_every_flip_rejected<E: WebhookEvent + Debug>(
    headers: &Headers,
    body: &[u8],
    range: Range<usize>,
    signed: &[&str],
    secrets: &[Secret],
    options: &VerifyOptions,
) {
    Delivery::<E>::verify(headers, body, secrets, options).expect("the untampered delivery verifies");
    let mut tried = 0;
    for index in range {
        for bit in 0..8 {
            let mut tampered = body.to_vec();
            tampered[index] ^= 1 << bit;
            let result = Delivery::<E>::verify_and_decode_with(headers, &tampered, secrets, options);
            match result {
                Err(error) if error.status() == 401 => {}
                other => panic!("body byte {index} bit {bit}: expected a 401, got {other:?}"),
            }
            tried += 1;
        }
    }
    for name in signed {
        let position = headers.iter().position(|(k, _)| k.eq_ignore_ascii_case(name)).unwrap();
        for index in 0..headers[position].1.len() {
            for bit in 0..8 {
                let mut tampered = headers.clone();
                tampered[position].1[index] ^= 1 << bit;
                let result = Delivery::<E>::verify_and_decode_with(&tampered, body, secrets, options);
                match result {
                    Err(error) if error.status() == 401 => {}
                    other => panic!("header {name} byte {index} bit {bit}: expected a 401, got {other:?}"),
                }
                tried += 1;
            }
        }
    }
    assert!(tried > 100, "only {tried} variants tried");
}

#[test]
fn shopify_rejects_every_flipped_bit() {
    let body = br#"{"id":1,"note":"tamper me"}"#;
    let h = shopify_headers(b"test_secret", body, "orders/teleported");
    let secrets = [Secret::new("test_secret")];
    assert_every_flip_rejected::<shopify::Event>(
        &h,
        body,
        0..body.len(),
        &["X-Shopify-Hmac-Sha256"],
        &secrets,
        &VerifyOptions::new(),
    );
}

#[test]
fn bigcommerce_rejects_every_flipped_bit() {
    let body = br#"{"scope":"store/order/created","store_id":"1","data":{"type":"order","id":250}}"#;
    let h = bigcommerce_headers(b"client secret", BC_ID, BC_TS, body);
    let secrets = [Secret::new("client secret")];
    assert_every_flip_rejected::<bigcommerce::Event>(
        &h,
        body,
        0..body.len(),
        &["webhook-signature", "webhook-id", "webhook-timestamp"],
        &secrets,
        &at(BC_TS),
    );
}

#[test]
fn shopware_rejects_every_flipped_bit() {
    let body = br#"{"data":{"payload":[],"event":"app.activated"},"source":{"shopId":"s","eventId":"e"}}"#;
    let h = shopware_headers(b"shop secret", body);
    let secrets = [Secret::new("shop secret")];
    assert_every_flip_rejected::<shopware::Event>(
        &h,
        body,
        0..body.len(),
        &["shopware-shop-signature"],
        &secrets,
        &VerifyOptions::new(),
    );
}

#[test]
fn ecwid_rejects_every_flipped_bit_of_what_it_signs() {
    let body = ecwid_body("1700000000", "abc-123", "order.created");
    let h = ecwid_headers(b"test_secret", "1700000000", "abc-123");
    let secrets = [Secret::new("test_secret")];
    let text = String::from_utf8(body.clone()).unwrap();
    // Ecwid signs `{eventCreated}.{eventId}` only: flip every bit of those two values, with
    // their quotes and delimiters.
    let id = text.find(r#""abc-123""#).unwrap();
    let created = text.find("1700000000").unwrap();
    for range in [id..id + r#""abc-123""#.len(), created - 1..created + "1700000000".len() + 1] {
        assert_every_flip_rejected::<ecwid::Event>(
            &h,
            &body,
            range,
            &["X-Ecwid-Webhook-Signature"],
            &secrets,
            &at(1_700_000_000),
        );
    }
}

/// Ecwid's signature does not cover the rest of the body (its scheme, not this crate's
/// choice). What the crate guarantees: a delivery it accepts decodes the very `eventId` and
/// `eventCreated` that were signed, whatever else was changed.
#[test]
fn ecwid_accepts_only_the_signed_event_id_and_created() {
    let body = ecwid_body("1700000000", "abc-123", "order.created");
    let h = ecwid_headers(b"test_secret", "1700000000", "abc-123");
    let secrets = [Secret::new("test_secret")];
    for index in 0..body.len() {
        for bit in 0..8 {
            let mut tampered = body.clone();
            tampered[index] ^= 1 << bit;
            if let Ok(delivery) =
                Delivery::<ecwid::Event>::verify_and_decode_with(&h, &tampered, &secrets, &at(1_700_000_000))
            {
                assert_eq!(delivery.delivery_id(), Some("abc-123"), "byte {index} bit {bit}");
                let json = delivery.event().map(|event| serde_json::to_value(event).unwrap()).unwrap_or_default();
                if !json.is_null() && json.get("eventId").is_some() {
                    assert_eq!(json["eventId"], "abc-123", "byte {index} bit {bit}");
                    assert_eq!(json["eventCreated"], 1_700_000_000, "byte {index} bit {bit}");
                }
            }
        }
    }
    // A second, different `eventId` would let the signature cover one and the decoder read the
    // other: refused as unverifiable.
    let doubled = br#"{"eventId":"abc-123","eventCreated":1700000000,"eventId":"forged","storeId":1,"entityId":1,"eventType":"order.created"}"#;
    let error =
        Delivery::<ecwid::Event>::verify_and_decode_with(&h, doubled, &secrets, &at(1_700_000_000)).unwrap_err();
    assert!(matches!(error, ReceiveError::UnreadableSignedField { field: "eventId", .. }), "{error:?}");
    assert_eq!(error.status(), 401);
    // A fractional timestamp has no single text form: refused.
    let float = br#"{"eventId":"abc-123","eventCreated":1700000000.0}"#;
    let error = Delivery::<ecwid::Event>::verify(&h, float, &secrets, &at(1_700_000_000)).unwrap_err();
    assert!(matches!(error, ReceiveError::UnreadableSignedField { field: "eventCreated", .. }), "{error:?}");
}

// ---- secrets ------------------------------------------------------------------------------------

/// One authentic delivery per platform, signed with `secret`.
fn all_platforms(secret: &[u8]) -> Vec<(&'static str, Headers, Vec<u8>)> {
    let shopify_body = br#"{"id":1}"#.to_vec();
    let bc_body = example("bigcommerce/store_order_created.json");
    let sw_body = example("shopware/app_activated.json");
    // Ecwid's signed `eventCreated` is as recent as BigCommerce's timestamp (the clock `at(BC_TS)`).
    let ecwid_body = ecwid_body(&BC_TS.to_string(), "abc-123", "order.created");
    vec![
        ("shopify", shopify_headers(secret, &shopify_body, "orders/teleported"), shopify_body),
        ("bigcommerce", bigcommerce_headers(secret, BC_ID, BC_TS, &bc_body), bc_body),
        ("shopware", shopware_headers(secret, &sw_body), sw_body),
        ("ecwid", ecwid_headers(secret, &BC_TS.to_string(), "abc-123"), ecwid_body),
    ]
}

/// Verifies and decodes with the platform's `Event`: `Err` when not authentic, `Ok(Err(_))`
/// when authentic but not decodable.
fn receive(
    platform: &str,
    headers: &Headers,
    body: &[u8],
    secrets: &[Secret],
) -> Result<Result<(), DecodeError>, ReceiveError> {
    fn outcome<E: WebhookEvent>(
        delivery: Result<Delivery<E>, ReceiveError>,
    ) -> Result<Result<(), DecodeError>, ReceiveError> {
        delivery.map(|delivery| delivery.into_event().map(drop))
    }
    let options = at(BC_TS);
    match platform {
        "shopify" => outcome(Delivery::<shopify::Event>::verify_and_decode_with(headers, body, secrets, &options)),
        "bigcommerce" => {
            outcome(Delivery::<bigcommerce::Event>::verify_and_decode_with(headers, body, secrets, &options))
        }
        "shopware" => outcome(Delivery::<shopware::Event>::verify_and_decode_with(headers, body, secrets, &options)),
        "ecwid" => outcome(Delivery::<ecwid::Event>::verify_and_decode_with(headers, body, secrets, &options)),
        other => panic!("no platform {other}"),
    }
}

#[test]
fn the_right_secret_accepts_a_wrong_one_refuses() {
    for (platform, h, body) in all_platforms(b"right") {
        receive(platform, &h, &body, &[Secret::new("right")])
            .unwrap_or_else(|e| panic!("{platform}: {e}"))
            .unwrap_or_else(|e| panic!("{platform} decodes: {e}"));
        let error = receive(platform, &h, &body, &[Secret::new("wrong")]).unwrap_err();
        assert!(matches!(error, ReceiveError::SignatureMismatch { .. }), "{platform}: {error:?}");
        assert_eq!(error.status(), 401, "{platform}");
        assert!(error.is_unauthorized());
    }
}

#[test]
fn any_rotated_secret_accepts() {
    for (platform, h, body) in all_platforms(b"new secret") {
        let secrets = [Secret::new("old secret"), Secret::new("new secret")];
        receive(platform, &h, &body, &secrets)
            .unwrap_or_else(|e| panic!("{platform}: {e}"))
            .unwrap_or_else(|e| panic!("{platform} decodes: {e}"));
        let secrets = [Secret::new("new secret"), Secret::new("old secret")];
        receive(platform, &h, &body, &secrets)
            .unwrap_or_else(|e| panic!("{platform}: {e}"))
            .unwrap_or_else(|e| panic!("{platform} decodes: {e}"));
    }
    // Standard Webhooks senders may send several signatures while they rotate: any may match.
    let body = br#"{"scope":"store/order/created","store_id":"1","data":{"type":"order","id":1}}"#;
    let mut h = bigcommerce_headers(b"new", BC_ID, BC_TS, body);
    let new = String::from_utf8(h[2].1.clone()).unwrap();
    h[2].1 = format!("v1,{} v2,ignored {new}", BASE64.encode([0u8; 32])).into_bytes();
    Delivery::<bigcommerce::Event>::verify(&h, body, &[Secret::new("new")], &at(BC_TS)).unwrap();
}

#[test]
fn empty_or_no_secrets_are_a_configuration_error() {
    for (platform, h, body) in all_platforms(b"") {
        for secrets in [&[][..], &[Secret::new("")][..]] {
            let error = receive(platform, &h, &body, secrets).unwrap_err();
            assert_eq!(error, ReceiveError::NoSecrets, "{platform}");
            assert_eq!(error.status(), 500);
        }
        // An empty secret next to a real one is skipped, never used.
        let error = receive(platform, &h, &body, &[Secret::new(""), Secret::new("x")]).unwrap_err();
        assert!(matches!(error, ReceiveError::SignatureMismatch { .. }), "{platform}: {error:?}");
    }
}

#[test]
fn whsec_secrets() {
    assert_eq!(Secret::from_whsec("C2FVsBQIhrscChlQIMV+b5sSYspob7oD"), Err(SecretError::MissingWhsecPrefix));
    assert_eq!(Secret::from_whsec("whsec_not base64!"), Err(SecretError::NotBase64));
    assert_eq!(Secret::from_whsec("whsec_"), Err(SecretError::Empty));
    assert_eq!(
        Secret::from_whsec("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"),
        Secret::from_base64("C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
    );
    // BigCommerce's documented key: the client secret's own bytes (its samples base64-encode
    // it for a library that decodes it again).
    assert_eq!(Secret::from_base64(&BASE64.encode("client secret")).unwrap(), Secret::new("client secret"));
}

#[test]
fn secrets_never_show_in_debug_or_errors() {
    let secret = "sup3r-s3cret-value";
    let encoded = BASE64.encode(secret);
    let mut shown = vec![
        format!("{:?}", Secret::new(secret)),
        format!("{:?}", Secret::from_base64(&encoded).unwrap()),
        format!("{:?}", Receiver::<shopify::Event>::new([Secret::new(secret)])),
        format!("{:?}", VerifyOptions::new()),
        format!("{:?}", Secret::from_whsec(secret)),
        format!("{}", Secret::from_whsec(secret).unwrap_err()),
    ];
    for (platform, h, body) in all_platforms(secret.as_bytes()) {
        let mut wrong = body.clone();
        wrong[0] ^= 1;
        for result in [
            receive(platform, &h, &wrong, &[Secret::new(secret)]),
            receive(platform, &h, &body, &[Secret::new(format!("{secret}!"))]),
            receive(platform, &Vec::new(), &body, &[Secret::new(secret)]),
        ] {
            let error = result.unwrap_err();
            shown.push(format!("{error:?}"));
            shown.push(format!("{error}"));
        }
    }
    for text in shown {
        assert!(!text.contains(secret) && !text.contains(&encoded), "leaks the secret: {text}");
        assert!(!text.contains(&BASE64.encode(hmac(secret.as_bytes(), b"{\"id\":1}"))), "leaks a MAC: {text}");
    }
}

// ---- headers ------------------------------------------------------------------------------------

#[test]
fn missing_headers_are_named() {
    for (platform, h, body) in all_platforms(b"s") {
        let signature = match platform {
            "shopify" => "X-Shopify-Hmac-Sha256",
            "bigcommerce" => "webhook-signature",
            "shopware" => "shopware-shop-signature",
            _ => "X-Ecwid-Webhook-Signature",
        };
        let without: Headers = h.iter().filter(|(k, _)| k != signature).cloned().collect();
        let error = receive(platform, &without, &body, &[Secret::new("s")]).unwrap_err();
        assert_eq!(error, ReceiveError::MissingHeader { header: signature }, "{platform}");
        assert_eq!(error.status(), 401);
        assert!(error.to_string().contains(signature));
        // Present but empty is missing too.
        let mut empty = h.clone();
        empty.iter_mut().filter(|(k, _)| k == signature).for_each(|(_, v)| v.clear());
        assert_eq!(receive(platform, &empty, &body, &[Secret::new("s")]).unwrap_err(), error);
    }
    let body = br#"{"scope":"store/order/created","store_id":"1","data":{"type":"order","id":1}}"#;
    let h = bigcommerce_headers(b"s", BC_ID, BC_TS, body);
    for header in ["webhook-id", "webhook-timestamp"] {
        let without: Headers = h.iter().filter(|(k, _)| k != header).cloned().collect();
        let error = receive("bigcommerce", &without, body, &[Secret::new("s")]).unwrap_err();
        assert_eq!(error, ReceiveError::MissingHeader { header });
    }
    // Shopify's topic travels unsigned in a header: an authentic delivery without it still
    // reaches the application, undecoded.
    let h = shopify_headers(b"s", b"{}", "orders/create");
    let without: Headers = h.into_iter().filter(|(k, _)| k != "X-Shopify-Topic").collect();
    let outcome = receive("shopify", &without, b"{}", &[Secret::new("s")]).unwrap();
    assert_eq!(outcome, Err(DecodeError::MissingTopic { field: "X-Shopify-Topic" }));
}

#[test]
fn header_lookup_is_case_insensitive_everywhere() {
    let body = br#"{"id":1}"#;
    let signature = BASE64.encode(hmac(b"k", body));
    let secrets = [Secret::new("k")];
    let mut map = http::HeaderMap::new();
    map.insert("x-shopify-hmac-sha256", signature.parse().unwrap());
    map.insert("X-SHOPIFY-TOPIC", "a/b".parse().unwrap());
    Delivery::<shopify::Event>::verify_and_decode(&map, body, &secrets).unwrap();

    let pairs = [("x-shopify-HMAC-sha256", signature.as_str()), ("x-shopify-topic", "a/b")];
    Delivery::<shopify::Event>::verify_and_decode(&pairs, body, &secrets).unwrap();
    Delivery::<shopify::Event>::verify_and_decode(&pairs[..], body, &secrets).unwrap();
    let owned: std::collections::HashMap<String, String> =
        pairs.iter().map(|(k, v)| (k.to_uppercase(), v.to_string())).collect();
    Delivery::<shopify::Event>::verify_and_decode(&owned, body, &secrets).unwrap();
    let btree: std::collections::BTreeMap<&str, &[u8]> = pairs.iter().map(|(k, v)| (*k, v.as_bytes())).collect();
    Delivery::<shopify::Event>::verify_and_decode(&btree, body, &secrets).unwrap();
}

#[test]
fn malformed_signatures_are_401s_that_say_why() {
    let body = br#"{"id":1}"#;
    let cases: [(&str, &str, &str); 4] = [
        ("shopify", "X-Shopify-Hmac-Sha256", "not base64!"),
        ("shopify", "X-Shopify-Hmac-Sha256", "AAAA"),
        ("shopware", "shopware-shop-signature", &hex(&hmac(b"s", body)).to_uppercase()),
        ("bigcommerce", "webhook-signature", "v2,AAAA"),
    ];
    for (platform, header, value) in cases {
        let h = headers(&[(header, value), ("webhook-id", BC_ID), ("webhook-timestamp", "1649367553")]);
        let error = receive(platform, &h, body, &[Secret::new("s")]).unwrap_err();
        assert!(matches!(error, ReceiveError::MalformedSignature { .. }), "{platform} {value}: {error:?}");
        assert_eq!(error.status(), 401);
    }
}

// ---- timestamps (Standard Webhooks signs one) ---------------------------------------------------

#[test]
fn stale_and_future_timestamps_are_refused() {
    let body = br#"{"scope":"store/order/created","store_id":"1","data":{"type":"order","id":1}}"#;
    let h = bigcommerce_headers(b"s", BC_ID, BC_TS, body);
    let secrets = [Secret::new("s")];
    let verify = |options: VerifyOptions| Delivery::<bigcommerce::Event>::verify(&h, body, &secrets, &options);

    // Default tolerance: 5 minutes either way, inclusive.
    verify(at(BC_TS + 300)).unwrap();
    verify(at(BC_TS - 300)).unwrap();
    let error = verify(at(BC_TS + 301)).unwrap_err();
    assert_eq!(
        error,
        ReceiveError::StaleTimestamp { age: Duration::from_secs(301), tolerance: Duration::from_secs(300) }
    );
    assert_eq!(error.status(), 401);
    let error = verify(at(BC_TS - 301)).unwrap_err();
    assert_eq!(
        error,
        ReceiveError::FutureTimestamp { ahead: Duration::from_secs(301), tolerance: Duration::from_secs(300) }
    );
    assert_eq!(error.status(), 401);

    // Configurable, with any clock.
    let hour = Duration::from_secs(3600);
    verify(at(BC_TS + 3600).tolerance(hour)).unwrap();
    verify(at(BC_TS + 30).tolerance(Duration::ZERO)).unwrap_err();
    let later = || SystemTime::UNIX_EPOCH + Duration::from_secs(BC_TS + 10);
    verify(VerifyOptions::new().clock(later)).unwrap();
    // The real clock: 2022 is long stale.
    assert!(matches!(verify(VerifyOptions::new()).unwrap_err(), ReceiveError::StaleTimestamp { .. }));

    // A forged delivery is refused for its signature, whatever its time.
    let error = Delivery::<bigcommerce::Event>::verify(&h, body, &[Secret::new("x")], &at(BC_TS + 9999)).unwrap_err();
    assert!(matches!(error, ReceiveError::SignatureMismatch { .. }));

    for bad in ["", "-1", "1649367553.5", "+1649367553", "99999999999999999999", "0x10"] {
        let mut tampered = h.clone();
        tampered[1].1 = bad.as_bytes().to_vec();
        let error = Delivery::<bigcommerce::Event>::verify(&tampered, body, &secrets, &at(BC_TS)).unwrap_err();
        assert_eq!(error.status(), 401, "{bad}: {error:?}");
    }
}

// ---- verification strictly before decoding -------------------------------------------------------

#[test]
fn verification_comes_before_decoding() {
    for (platform, h, body) in all_platforms(b"s") {
        // The signature is for `body`; the body received is broken JSON. Not authentic: 401,
        // and nothing about the JSON is said.
        let broken = &body[..body.len() - 1];
        let error = receive(platform, &h, broken, &[Secret::new("s")]).unwrap_err();
        assert_eq!(error.status(), 401, "{platform}: {error:?}");
    }
    // The same broken body, correctly signed: authentic, so it reaches the application with
    // the JSON problem.
    for platform in ["shopify", "bigcommerce", "shopware"] {
        let broken = br#"{"scope":"store/order/created","data":{"event":"app.activated""#;
        let h = match platform {
            "shopify" => shopify_headers(b"s", broken, "orders/create"),
            "bigcommerce" => bigcommerce_headers(b"s", BC_ID, BC_TS, broken),
            _ => shopware_headers(b"s", broken),
        };
        let outcome = receive(platform, &h, broken, &[Secret::new("s")]).unwrap();
        assert!(matches!(outcome, Err(DecodeError::Syntax { .. })), "{platform}: {outcome:?}");
    }
    // Ecwid: the body must at least yield its signed fields; a correctly signed body with a
    // field of the wrong type decodes, the value kept as received.
    let body = br#"{"eventId":"abc-123","eventCreated":1700000000,"storeId":{"not":"an id"},"entityId":1,"eventType":"order.created"}"#;
    let h = ecwid_headers(b"s", "1700000000", "abc-123");
    let delivery =
        Delivery::<ecwid::Event>::verify_and_decode_with(&h, body, &[Secret::new("s")], &at(1_700_000_000)).unwrap();
    let paths: Vec<_> = delivery.mismatches().into_iter().map(|m| m.path).collect();
    assert_eq!(paths, ["storeId"]);
    assert_eq!(serde_json::to_vec(delivery.event().unwrap()).unwrap(), body.to_vec());
}
