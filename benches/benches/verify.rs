//! Signature verification of a 10 KiB delivery, per platform scheme, against a bare
//! HMAC-SHA256 of the same body bytes (RustCrypto `hmac` + `sha2`, the primitives the crate
//! uses), so the difference is what verification adds: header lookup, decoding the tag
//! (base64 or hex), the key schedule, the constant-time comparison and, for Ecwid, reading the
//! signed fields out of the body.
//!
//! Each body is a real example (`catalog/examples/`) grown to exactly 10,240 bytes by
//! `commerce_webhooks_benches::pad_body`. Also timed, for context: the whole
//! `Delivery::verify_and_decode` and the typed decode alone.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use commerce_webhooks::{bigcommerce, ecwid, shopify, shopware, Delivery, Secret, VerifyOptions, WebhookEvent};
use commerce_webhooks_benches::{pad_body, Case, Platform, DECODE_CASES};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const BODY_LEN: usize = 10 * 1024;
const SECRET: &[u8] = b"hush-this-is-the-app-client-secret";
const WEBHOOK_ID: &str = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
const TIMESTAMP: u64 = 1_735_689_600;

fn hmac(parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).expect("any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

fn base64(tag: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(tag)
}

/// A correctly signed delivery of `case`'s (padded) body: its headers.
fn sign(case: &Case, body: &[u8]) -> Vec<(&'static str, String)> {
    match case.platform {
        Platform::Shopify => vec![
            ("X-Shopify-Hmac-Sha256", base64(&hmac(&[body]))),
            ("X-Shopify-Topic", case.topic.to_owned()),
            ("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043".to_owned()),
            ("X-Shopify-Shop-Domain", "example.myshopify.com".to_owned()),
        ],
        Platform::BigCommerce => {
            let timestamp = TIMESTAMP.to_string();
            let tag = hmac(&[WEBHOOK_ID.as_bytes(), b".", timestamp.as_bytes(), b".", body]);
            vec![
                ("webhook-id", WEBHOOK_ID.to_owned()),
                ("webhook-timestamp", timestamp),
                ("webhook-signature", format!("v1,{}", base64(&tag))),
            ]
        }
        Platform::Shopware => vec![("shopware-shop-signature", hex::encode(hmac(&[body])))],
        Platform::Ecwid => {
            let value: serde_json::Value = serde_json::from_slice(body).expect("JSON");
            let created = value["eventCreated"].to_string();
            let id = value["eventId"].as_str().expect("string eventId");
            let tag = hmac(&[created.as_bytes(), b".", id.as_bytes()]);
            vec![("X-Ecwid-Webhook-Signature", base64(&tag))]
        }
    }
}

fn scheme<E: WebhookEvent>(c: &mut Criterion, case: &Case) {
    let body = pad_body(case.body, BODY_LEN);
    let headers = sign(case, &body);
    let secrets = [Secret::new(SECRET)];
    // Ecwid's signed time is the body's `eventCreated`, checked against its age limit.
    let signed_at = match case.platform {
        Platform::Ecwid => serde_json::from_slice::<serde_json::Value>(&body).expect("JSON")["eventCreated"]
            .as_u64()
            .expect("integer eventCreated"),
        _ => TIMESTAMP,
    };
    let options = VerifyOptions::new().now(SystemTime::UNIX_EPOCH + Duration::from_secs(signed_at + 30));
    Delivery::<E>::verify(&headers, &body, &secrets, &options).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    Delivery::<E>::verify_and_decode_with(&headers, &body, &secrets, &options)
        .unwrap_or_else(|e| panic!("{}: {e}", case.name));

    let platform = case.name.split('/').next().expect("platform/name");
    let mut group = c.benchmark_group(format!("verify/{platform}"));
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("hmac_sha256_bare", |b| b.iter(|| hmac(&[black_box(&body)])));
    group.bench_function("verify", |b| {
        b.iter(|| Delivery::<E>::verify(black_box(&headers), black_box(&body), &secrets, &options))
    });
    group.bench_function("typed_decode", |b| b.iter(|| E::from_delivery(black_box(case.topic), black_box(&body))));
    group.bench_function("verify_and_decode", |b| {
        b.iter(|| Delivery::<E>::verify_and_decode_with(black_box(&headers), black_box(&body), &secrets, &options))
    });
    group.finish();
}

fn verify(c: &mut Criterion) {
    // One body per scheme: products/create stands for Shopify (orders/create is over 10 KiB).
    for name in [
        "shopify/products_create",
        "bigcommerce/store_order_created",
        "shopware/product_written",
        "ecwid/order_created",
    ] {
        let case = DECODE_CASES.iter().find(|c| c.name == name).expect("a decode case");
        match case.platform {
            Platform::Shopify => scheme::<shopify::Event>(c, case),
            Platform::BigCommerce => scheme::<bigcommerce::Event>(c, case),
            Platform::Shopware => scheme::<shopware::Event>(c, case),
            Platform::Ecwid => scheme::<ecwid::Event>(c, case),
        }
    }
}

criterion_group!(benches, verify);
criterion_main!(benches);
