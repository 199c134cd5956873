//! Nothing from a body reaches an error's text: a card number in a mismatched field must not
//! end up in a log line. Every scalar of every example is replaced in turn by a sentinel (as a
//! string, as a number, as an object), every body is also cut short and broken inside the
//! sentinel, and every error and mismatch report this produces — decoding, receiving, strict
//! receiving — is searched for the sentinel.

use commerce_webhooks::{Mismatch, ReceiveError};
use commerce_webhooks_tests::api::apis;
use commerce_webhooks_tests::{assert_no_failures, catalog_dir, model, node_mut, node_paths};
use serde_json::Value;

/// Digits that look like a card number, so a leak of a number is caught too.
const SENTINEL: &str = "4111111111111111";

fn leaks(text: &str) -> bool {
    text.contains(SENTINEL) || text.contains("SENTINEL")
}

/// The bodies to try for one example: each scalar replaced by each sentinel form, plus broken
/// JSON around the sentinel.
fn sentinel_bodies(value: &Value) -> Vec<Vec<u8>> {
    let forms = [
        Value::String(format!("SENTINEL {SENTINEL}")),
        serde_json::from_str(SENTINEL).unwrap(),
        serde_json::json!({ "SENTINEL": SENTINEL }),
        serde_json::json!([SENTINEL]),
    ];
    let mut bodies = Vec::new();
    for path in node_paths(value) {
        let mut copy = value.clone();
        if node_mut(&mut copy, &path).is_object() || node_mut(&mut copy, &path).is_array() {
            continue;
        }
        for form in &forms {
            *node_mut(&mut copy, &path) = form.clone();
            let body = serde_json::to_vec(&copy).unwrap();
            // Cut short right after the sentinel, and with a broken escape inside it (once per
            // example is enough: syntax errors do not depend on where they are).
            if bodies.is_empty() {
                let at = String::from_utf8_lossy(&body).find(SENTINEL).expect("the sentinel is in the body");
                bodies.push(body[..at + SENTINEL.len()].to_vec());
                let mut escaped = body.clone();
                escaped.splice(at..at, b"\\q".iter().copied());
                bodies.push(escaped);
            }
            bodies.push(body);
        }
    }
    bodies.push(format!("\"SENTINEL {SENTINEL}\"").into_bytes());
    bodies.push(SENTINEL.as_bytes().to_vec());
    bodies
}

#[test]
fn no_error_or_report_quotes_the_body() {
    let model = model();
    let mut failures = Vec::new();
    let mut checked = 0;
    for api in apis() {
        let platform = model.platforms.iter().find(|p| p.id == api.id).unwrap();
        // One example per event keeps this fast and still reaches every shape the catalog uses.
        for event in &platform.events {
            let Some(example) = event.examples.first() else { continue };
            let text = std::fs::read(catalog_dir().join(&example.file)).unwrap();
            let value: Value = serde_json::from_slice(&text).unwrap();
            for (index, body) in sentinel_bodies(&value).into_iter().enumerate() {
                let label = format!("{} {}", api.id, example.file);
                if let Err(error) = (api.from_delivery)(&event.topic, &body) {
                    checked += 1;
                    if leaks(&error.to_string()) {
                        failures.push(format!("{label}: decode error quotes the body: {error}"));
                    }
                }
                // Receiving (sign, verify, decode) adds no error texts of its own beyond the
                // refusals; a sample of the bodies goes through it.
                if index % 8 != 0 {
                    continue;
                }
                match (api.receive)(&event.topic, &body) {
                    Ok(received) => {
                        if let Err(error) = &received.decoded {
                            checked += 1;
                            let refused = ReceiveError::Undecodable(error.clone());
                            if leaks(&error.to_string()) || leaks(&refused.to_string()) {
                                failures.push(format!("{label}: receive error quotes the body: {refused}"));
                            }
                        }
                        if let Ok(decoded) = &received.decoded {
                            if decoded.mismatches.iter().any(|path| leaks(path)) {
                                failures.push(format!("{label}: a mismatch path quotes the body"));
                            }
                        }
                    }
                    Err(refused) => {
                        checked += 1;
                        if leaks(&refused.to_string()) || leaks(refused.public_text()) {
                            failures.push(format!("{label}: refusal quotes the body: {refused}"));
                        }
                    }
                }
            }
        }
    }
    // A mismatch report of a sentinel value names path and type only.
    let report = commerce_webhooks::FieldMismatch { path: "card".into(), expected: "a string" };
    let held = Mismatch::new("a string", Value::from(SENTINEL));
    assert!(!leaks(&report.to_string()) && !leaks(&ReceiveError::Mismatched(vec![report]).to_string()));
    assert!(leaks(&held.value().to_string()), "the value stays available through its accessor");
    assert!(checked > 1000, "only {checked} errors were produced: is the sentinel reaching the decoder?");
    assert_no_failures("error texts that quote a body value", &failures);
}
