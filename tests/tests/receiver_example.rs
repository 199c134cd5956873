//! `generated/examples/receiver.rs` as a user runs it: the compiled example (built by
//! `cargo test --workspace` with the other examples) is started with the documented
//! environment variables on a free loopback port, real HTTP requests are sent to it, and it is
//! stopped with SIGTERM. An authentic delivery that does not decode is answered 200 and written
//! to `DEAD_LETTER_DIR` byte for byte; a forged one is answered 401; a platform without a
//! secret is not served.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use commerce_webhooks::SignatureScheme;
use commerce_webhooks_tests::example::Running;
use commerce_webhooks_tests::{catalog_dir, raw_post, sign};

fn post(addr: &str, path: &str, headers: &[(String, String)], body: &[u8]) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut request = agent.post(format!("http://{addr}{path}")).header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    request.send(body).expect("the request completes").status().as_u16()
}

#[test]
fn the_receiver_example_serves_keeps_dead_letters_and_stops_on_sigterm() {
    let dead_letters = tempfile::tempdir().unwrap();
    let dead_letter_dir = dead_letters.path().to_string_lossy().into_owned();
    let mut receiver = Running::start(
        "receiver",
        &[("SHOPIFY_SECRET", sign::SECRET), ("SHOPWARE_SECRET", sign::SECRET), ("DEAD_LETTER_DIR", &dead_letter_dir)],
    );
    let banner = &receiver.banner;
    assert!(banner.iter().any(|l| l.contains("/webhooks/bigcommerce disabled: set BIGCOMMERCE_SECRET")), "{banner:?}");
    let addr = receiver.addr.clone();

    let order = std::fs::read(catalog_dir().join("examples/shopify/orders_create.json")).unwrap();
    let (headers, _) = sign::headers(SignatureScheme::HmacSha256Base64Body, "orders/create", &order);
    assert_eq!(post(&addr, "/webhooks/shopify", &headers, &order), 200);
    assert_eq!(std::fs::read_dir(dead_letters.path()).unwrap().count(), 0, "a decoded delivery is no dead letter");

    // The same delivery again (its retry, the same webhook id): answered 200, handled once.
    assert_eq!(post(&addr, "/webhooks/shopify", &headers, &order), 200);

    // Authentic, but cut short (another delivery, another id): answered 200, and kept byte for
    // byte with its headers.
    let cut = &order[..order.len() / 2];
    let (mut headers, _) = sign::headers(SignatureScheme::HmacSha256Base64Body, "orders/create", cut);
    for (name, value) in &mut headers {
        if name.eq_ignore_ascii_case("X-Shopify-Webhook-Id") {
            *value = "a-second-delivery".to_owned();
        }
    }
    assert_eq!(post(&addr, "/webhooks/shopify", &headers, cut), 200);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dead_letters.path()).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    let body_file = files.iter().find(|f| f.extension().is_some_and(|e| e == "body")).expect("a .body file");
    assert_eq!(std::fs::read(body_file).unwrap(), cut);
    let header_file = body_file.with_extension("headers");
    let header_text = std::fs::read_to_string(&header_file).unwrap();
    assert!(header_text.contains("x-shopify-topic: orders/create"), "{header_text}");

    // Forged: 401, nothing written. Not configured: not served.
    assert_eq!(post(&addr, "/webhooks/shopify", &headers, &order), 401);
    assert_eq!(post(&addr, "/webhooks/bigcommerce", &[], b"{}"), 404);
    let product = std::fs::read(catalog_dir().join("examples/shopware/product_written.json")).unwrap();
    let (headers, _) = sign::headers(SignatureScheme::HmacSha256HexBody, "", &product);
    assert_eq!(post(&addr, "/webhooks/shopware", &headers, &product), 200);
    assert_eq!(std::fs::read_dir(dead_letters.path()).unwrap().count(), 2);

    // A body declared over the platform's limit is refused before any of it is read.
    let huge = vec![b' '; 9 << 20];
    let (headers, _) = sign::headers(SignatureScheme::HmacSha256Base64Body, "orders/create", b"{}");
    let socket = addr.parse().unwrap();
    assert_eq!(raw_post(socket, "/webhooks/shopify", &headers, &huge[..1024], huge.len()).0, 413);

    // SIGTERM: a graceful stop, exit status 0.
    let stopped = Command::new("kill").args(["-TERM", &receiver.child.id().to_string()]).status().unwrap();
    assert!(stopped.success());
    let status = receiver.child.wait().unwrap();
    assert!(status.success(), "{status}");
}
