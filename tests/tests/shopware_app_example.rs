//! `generated/examples/shopware_app.rs` end to end over loopback, with this test playing two
//! Shopware shops: each registers (signed with the app secret), confirms with the secret the
//! app handed it, and sends webhooks signed with its own secret. A shop signing a delivery that
//! claims the other shop is refused; a re-registration rotates a shop's secret, and the old one
//! keeps verifying only for the documented grace period.

use std::time::Duration;

use commerce_webhooks::SignatureScheme;
use commerce_webhooks_tests::example::Running;
use commerce_webhooks_tests::sign;

const APP_NAME: &str = "TestApp";
const APP_SECRET: &str = "the app secret";

fn hex_hmac(secret: &str, message: &[u8]) -> String {
    sign::hmac(secret, message).iter().map(|b| format!("{b:02x}")).collect()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// Sends `shop`'s registration request (signed with `current` too when re-registering) and
/// returns the secret the app hands out, not yet confirmed.
fn start_registration(addr: &str, shop: &str, current: Option<&str>) -> String {
    let query = format!("shop-id={shop}&shop-url=http%3A%2F%2F{shop}.test&timestamp=1702212669");
    let mut request = agent()
        .get(format!("http://{addr}/register?{query}"))
        .header("shopware-app-signature", hex_hmac(APP_SECRET, query.as_bytes()));
    if let Some(current) = current {
        request = request.header("shopware-shop-signature", hex_hmac(current, query.as_bytes()));
    }
    let mut response = request.call().unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let answer: serde_json::Value = serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
    // The proof shows the app holds the app secret.
    let proof = hex_hmac(APP_SECRET, format!("{shop}http://{shop}.test{APP_NAME}").as_bytes());
    assert_eq!(answer["proof"], proof.as_str());
    assert_eq!(answer["confirmation_url"], format!("http://{addr}/register/confirm").as_str());
    let secret = answer["secret"].as_str().unwrap().to_owned();
    assert!((64..=255).contains(&secret.len()), "{secret}");
    secret
}

/// Registers `shop` (re-registering when `current` is its secret) and returns its new secret.
fn register(addr: &str, shop: &str, current: Option<&str>) -> String {
    let secret = start_registration(addr, shop, current);

    let body = format!(
        r#"{{"apiKey":"SWIA","secretKey":"KEY","timestamp":"1702212669","shopUrl":"http://{shop}.test","shopId":"{shop}"}}"#
    );
    let mut request = agent()
        .post(format!("http://{addr}/register/confirm"))
        .header("shopware-shop-signature", hex_hmac(&secret, body.as_bytes()));
    if let Some(current) = current {
        request = request.header("shopware-shop-signature-previous", hex_hmac(current, body.as_bytes()));
    }
    assert_eq!(request.send(body.as_bytes()).unwrap().status().as_u16(), 204);
    secret
}

fn webhook(addr: &str, claimed_shop: &str, signing_secret: &str) -> u16 {
    let body = format!(
        r#"{{"data":{{"payload":[{{"entity":"product","operation":"update","primaryKey":"7b04ebe416db4ebc93de4d791325e1d9","updatedFields":["stock"]}}],"event":"product.written"}},"source":{{"url":"http://{claimed_shop}.test","appVersion":"1.0.0","shopId":"{claimed_shop}","eventId":"e1"}},"timestamp":1702212669}}"#
    );
    let (headers, _) = sign::headers_with(signing_secret, SignatureScheme::HmacSha256HexBody, "", body.as_bytes());
    let mut request = agent().post(format!("http://{addr}/webhooks")).header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.send(body.as_bytes()).unwrap().status().as_u16()
}

#[test]
fn shops_register_with_their_own_secrets_and_cannot_forge_each_other() {
    let app = Running::start("shopware_app", &[("SHOPWARE_APP_NAME", APP_NAME), ("SHOPWARE_APP_SECRET", APP_SECRET)]);
    let addr = app.addr.as_str();

    // A registration not signed with the app secret is refused.
    let query = "shop-id=EVIL&shop-url=http%3A%2F%2Fevil.test&timestamp=1";
    let forged = agent()
        .get(format!("http://{addr}/register?{query}"))
        .header("shopware-app-signature", hex_hmac("not the app secret", query.as_bytes()))
        .call()
        .unwrap();
    assert_eq!(forged.status().as_u16(), 401);

    let secret_a = register(addr, "SHOP_A", None);
    let secret_b = register(addr, "SHOP_B", None);
    assert_ne!(secret_a, secret_b);
    assert_eq!(webhook(addr, "SHOP_A", &secret_a), 200);
    assert_eq!(webhook(addr, "SHOP_B", &secret_b), 200);
    // Shop A's owner knows shop A's secret, and signs a delivery claiming shop B: refused.
    assert_eq!(webhook(addr, "SHOP_B", &secret_a), 401);
    // An unregistered shop, and a shop that registered but never confirmed.
    assert_eq!(webhook(addr, "SHOP_C", &secret_a), 401);
    let unconfirmed = start_registration(addr, "SHOP_D", None);
    assert_eq!(webhook(addr, "SHOP_D", &unconfirmed), 401);

    // Re-registering without the shop's current secret is refused: nobody else can take the
    // shop over by registering its id again.
    let query = "shop-id=SHOP_A&shop-url=http%3A%2F%2Fevil.test&timestamp=1702212669";
    let takeover = agent()
        .get(format!("http://{addr}/register?{query}"))
        .header("shopware-app-signature", hex_hmac(APP_SECRET, query.as_bytes()))
        .call()
        .unwrap();
    assert_eq!(takeover.status().as_u16(), 401);

    // A rotation: the new secret verifies, and the old one still does within the grace period.
    let rotated = register(addr, "SHOP_A", Some(&secret_a));
    assert_ne!(rotated, secret_a);
    assert_eq!(webhook(addr, "SHOP_A", &rotated), 200);
    assert_eq!(webhook(addr, "SHOP_A", &secret_a), 200, "deliveries in flight within 60 s still verify");
    assert_eq!(webhook(addr, "SHOP_B", &rotated), 401);
}
