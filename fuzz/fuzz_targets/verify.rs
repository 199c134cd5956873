//! Receiving a delivery on every platform with arbitrary headers and body, a fixed clock and a
//! fixed secret: `Delivery::verify_and_decode_with`, `Delivery::verify`, `Delivery::precheck`,
//! `Delivery::unverified_store_id`, `Delivery::verify_and_decode_for_store` and `Receiver`
//! (shared secrets and per store, strict and not). Never panics; the entry points agree; an
//! authentic delivery keeps its body byte for byte.
//!
//! Then the same body, signed in this target exactly as the platform signs it (and verified in
//! time), must verify: it is never refused as inauthentic. It may be undecodable: then the
//! delivery holds the body, and its decode error quotes no body value.
//!
//! Input: a platform byte, an options byte (secrets, age limit, Shopify header family), a time
//! byte (when the signature was made), then `Name: value` header lines up to the first empty
//! line, then the body.
#![no_main]

use std::collections::HashMap;
use std::time::Duration;

use commerce_webhooks::{
    bigcommerce, ecwid, shopify, shopware, Delivery, HeaderLookup, ReceiveError, Receiver, Secret, SecretLookupError,
    VerifyOptions, WebhookEvent,
};
use fuzz_support::{assert_no_leak, at, now, parse_headers, sign, split_head, Headers, NOW, SECRET};
use libfuzzer_sys::fuzz_target;

fn secrets(selector: u8) -> Vec<Secret> {
    let fixed = Secret::new(SECRET);
    match selector % 6 {
        0 => vec![fixed],
        1 => vec![Secret::new(""), fixed],
        2 => vec![Secret::new("an old secret").valid_until(at(NOW - 1)), fixed],
        3 => vec![],
        4 => vec![Secret::new("")],
        _ => vec![fixed.valid_until(at(NOW - 1))],
    }
}

/// A per-store secret source that gives `secrets` for every store but `unknown`, and fails for
/// `down`.
fn source(secrets: Vec<Secret>) -> impl Fn(&str) -> Result<Vec<Secret>, SecretLookupError> + Send + Sync {
    move |store: &str| match store {
        "unknown" => Ok(Vec::new()),
        "down" => Err(SecretLookupError::new("the secret store is down")),
        _ => Ok(secrets.clone()),
    }
}

type Event<E> = Result<Delivery<E>, ReceiveError>;

/// Everything one set of headers and body can go through.
fn receive_any<E: WebhookEvent + PartialEq + std::fmt::Debug>(headers: &Headers, body: &[u8], options_byte: u8) {
    let secrets = secrets(options_byte);
    let mut options = VerifyOptions::new().now(now());
    if options_byte / 6 % 2 == 1 {
        options = options.max_age(Duration::from_secs(3600));
    }
    let received: Event<E> = Delivery::verify_and_decode_with(headers, body, &secrets, &options);
    let verified = Delivery::<E>::verify(headers, body, &secrets, &options);
    assert_eq!(received.as_ref().err(), verified.as_ref().err(), "verify and verify_and_decode_with agree");
    if secrets.iter().all(Secret::is_empty) {
        assert_eq!(received.as_ref().err(), Some(&ReceiveError::NoSecrets));
    }
    let prechecked = Delivery::<E>::precheck(headers);
    if received.is_ok() {
        assert_eq!(prechecked, Ok(()), "precheck refuses a delivery that verifies");
    }
    let claimed = Delivery::<E>::unverified_store_id(headers, body);
    let receiver = Receiver::<E>::new(secrets.iter().cloned()).with_options(options.clone());
    assert_eq!(receiver.precheck(headers), prechecked, "Receiver::precheck is Delivery::precheck");
    let lenient = receiver.receive(headers, body);
    let strict = receiver.strict().receive(headers, body);
    match &received {
        Ok(delivery) => {
            assert_eq!(&delivery.body()[..], body, "an authentic delivery holds the body as received");
            let _ = (delivery.topic(), delivery.delivery_id(), delivery.metadata_headers().count(), delivery.facts());
            assert_eq!(delivery.store_id().map(str::to_owned), claimed, "the store claimed is the store read");
            let mismatches = delivery.mismatches();
            if let Ok(event) = delivery.event() {
                let parsed: serde_json::Value = serde_json::from_slice(body).expect("a decoded body is JSON");
                assert!(serde_json::to_value(event).unwrap() == parsed, "a received event re-encodes losslessly");
            }
            assert_eq!(lenient.as_ref().ok(), Some(delivery), "Receiver::receive gives the same delivery");
            match (&strict, delivery.decode_error()) {
                (Err(ReceiveError::Undecodable(error)), Some(expected)) => assert_eq!(error, expected),
                (Err(ReceiveError::Mismatched(found)), None) => assert_eq!(found, &mismatches),
                (Ok(d), None) => assert!(d == delivery && mismatches.is_empty()),
                other => panic!("strict receiver: {other:?}"),
            }
        }
        Err(error) => {
            assert!(error.is_unauthorized() || *error == ReceiveError::NoSecrets, "refusal {error:?} is a 401");
            assert!(!error.to_string().is_empty() && !error.public_text().is_empty());
            assert_eq!(lenient.as_ref().err(), Some(error));
            assert_eq!(strict.as_ref().err(), Some(error));
        }
    }
    // Per store: the store's secrets are `secrets`.
    let per_store: Event<E> = Delivery::verify_and_decode_for_store(headers, body, &source(secrets.clone()), &options);
    let by_receiver = Receiver::<E>::per_store(source(secrets.clone())).with_options(options.clone()).receive(headers, body);
    assert_eq!(per_store.as_ref().err(), by_receiver.as_ref().err(), "per-store Receiver and Delivery agree");
    match (&claimed, &per_store) {
        (None, result) => assert_eq!(result.as_ref().err(), Some(&ReceiveError::UnknownStore), "no store claimed"),
        (Some(store), Ok(delivery)) => {
            assert_eq!(delivery.store_id(), Some(store.as_str()), "a per-store delivery is the store's");
            assert_eq!(received.as_ref().ok(), Some(delivery), "per store, the same delivery");
        }
        (Some(store), Err(error)) => match store.as_str() {
            "unknown" => assert_eq!(error, &ReceiveError::UnknownStore),
            "down" => assert!(matches!(error, ReceiveError::SecretLookup(_)), "{error:?}"),
            _ if secrets.iter().all(Secret::is_empty) => assert_eq!(error, &ReceiveError::UnknownStore),
            _ => assert!(received.is_err(), "refused per store ({error:?}), accepted with the same secrets"),
        },
    }
}

/// The Standard Webhooks id to sign with: the input's own `webhook-id` when it is a plain token.
fn message_id(headers: &Headers) -> String {
    match headers.as_slice().header("webhook-id") {
        Some(id) if !id.is_empty() && id.len() <= 64 && id.iter().all(|b| b.is_ascii_graphic()) => {
            String::from_utf8(id.to_vec()).unwrap()
        }
        _ => "msg_fuzz".to_owned(),
    }
}

/// How far ahead of the clock the signature is dated: within the default tolerance (±300 s),
/// boundaries included.
fn offset(selector: u8) -> i64 {
    match selector {
        0 => -300,
        1 => 300,
        b => (i64::from(b) - 2) * 600 / 253 - 300,
    }
}

/// The headers of every family's signature and signed values, which a signed delivery carries
/// only as the signer writes them.
const SIGNING: [&str; 7] = [
    "X-Shopify-Hmac-Sha256",
    "Shopify-Hmac-Sha256",
    "shopware-shop-signature",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "X-Ecwid-Webhook-Signature",
];

/// `body` signed as the platform signs it (the input's other headers after the signing ones),
/// and the options to verify it with in time.
fn signed<E: WebhookEvent>(body: &[u8], extra: &Headers, id: &str, offset: i64, alternate: bool) -> Option<(Headers, VerifyOptions)> {
    let signed = sign(E::DELIVERY.scheme, body, id, offset, alternate)?;
    let mut headers = signed.headers;
    headers.extend(extra.iter().filter(|(name, _)| !SIGNING.iter().any(|s| s.eq_ignore_ascii_case(name))).cloned());
    Some((headers, VerifyOptions::new().now(at(signed.now))))
}

fn receive_signed<E: WebhookEvent + PartialEq + std::fmt::Debug>(extra: &Headers, body: &[u8], options_byte: u8, time_byte: u8) {
    let id = message_id(extra);
    let (offset, alternate) = (offset(time_byte), options_byte & 0x80 != 0);
    let Some((headers, options)) = signed::<E>(body, extra, &id, offset, alternate) else { return };
    let secrets = [Secret::new(SECRET)];
    let delivery: Delivery<E> = match Delivery::verify_and_decode_with(&headers, body, &secrets, &options) {
        Ok(delivery) => delivery,
        Err(error) => panic!("a correctly signed delivery was refused: {error:?} ({error})"),
    };
    assert_eq!(&delivery.body()[..], body, "the signed delivery holds the body as received");
    let receiver = Receiver::<E>::new(secrets.clone()).with_options(options.clone());
    if let Err(error) = receiver.receive(&headers, body) {
        panic!("Receiver refused a correctly signed delivery: {error:?}");
    }
    if let Err(error) = receiver.strict().receive(&headers, body) {
        assert!(!error.is_unauthorized(), "strict Receiver refused a correctly signed delivery as inauthentic: {error:?}");
    }
    // Per store, with the store's secret: accepted whenever the delivery claims a store.
    let stores: HashMap<String, Vec<Secret>> =
        delivery.store_id().map(|store| (store.to_owned(), secrets.to_vec())).into_iter().collect();
    match Delivery::<E>::verify_and_decode_for_store(&headers, body, &stores, &options) {
        Ok(per_store) => assert_eq!(per_store, delivery),
        Err(error) if delivery.store_id().is_none() => assert_eq!(error, ReceiveError::UnknownStore),
        Err(error) => panic!("a correctly signed delivery was refused per store: {error:?}"),
    }
    if let Some(error) = delivery.decode_error() {
        let allowed: Vec<String> = extra.iter().map(|(_, v)| String::from_utf8_lossy(v).into_owned()).collect();
        let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
        assert_no_leak("an authentic delivery's decode error", &error.to_string(), body, &allowed, |other| {
            let (headers, options) = signed::<E>(other, extra, &id, offset, alternate)?;
            let delivery: Delivery<E> = Delivery::verify_and_decode_with(&headers, other, &secrets, &options).ok()?;
            delivery.decode_error().map(|e| e.to_string())
        });
    }
}

fn run<E: WebhookEvent + PartialEq + std::fmt::Debug>(headers: &Headers, body: &[u8], options_byte: u8, time_byte: u8) {
    receive_any::<E>(headers, body, options_byte);
    receive_signed::<E>(headers, body, options_byte, time_byte);
}

fuzz_target!(|data: &[u8]| {
    let [platform, options_byte, time_byte, rest @ ..] = data else { return };
    let (head, body) = split_head(rest);
    let headers = parse_headers(head);
    for (name, value) in &headers {
        if name.eq_ignore_ascii_case("x-fuzz-secret") {
            let text = String::from_utf8_lossy(value);
            let _ = (Secret::from_whsec(&text), Secret::from_base64(&text));
        }
    }
    match platform % 4 {
        0 => run::<shopify::Event>(&headers, body, *options_byte, *time_byte),
        1 => run::<bigcommerce::Event>(&headers, body, *options_byte, *time_byte),
        2 => run::<shopware::Event>(&headers, body, *options_byte, *time_byte),
        _ => run::<ecwid::Event>(&headers, body, *options_byte, *time_byte),
    }
});
