//! A Shopware app backend serving many shops: each shop registers with the app and gets a
//! secret of its own, kept in a store this example owns (in memory; a database in a real
//! app), and every webhook is verified with the secret of the shop it claims to come from, so
//! one shop cannot sign deliveries for another.
//!
//! ```sh
//! SHOPWARE_APP_NAME=MyApp SHOPWARE_APP_SECRET=… APP_URL=https://app.example.com \
//!   cargo run -p commerce-webhooks --features axum --example shopware_app
//! ```
//!
//! | variable | meaning |
//! | --- | --- |
//! | `SHOPWARE_APP_NAME` | the app's name, as in its manifest (part of the registration proof) |
//! | `SHOPWARE_APP_SECRET` | the app secret, which signs registration requests |
//! | `APP_URL` | this server's public URL, for the confirmation URL given to shops (default `http://127.0.0.1:$PORT`) |
//! | `PORT`, `HOST` | where to listen (default 3000 on `0.0.0.0`) |
//!
//! Routes, as Shopware's app registration documents them
//! (<https://developer.shopware.com/docs/guides/plugins/apps/lifecycle/app-registration-setup.html>):
//!
//! - `GET /register`: the registration request, signed with the app secret over the query
//!   string (`shopware-app-signature`); a shop that is already registered must also sign with
//!   its current shop secret (`shopware-shop-signature`). Answers the proof, a new shop secret
//!   and the confirmation URL.
//! - `POST /register/confirm`: the confirmation, signed with the new secret (and, when
//!   re-registering, `shopware-shop-signature-previous` with the old one). Only then does the
//!   new secret take effect; the old one keeps verifying for
//!   [`SHOPWARE_PREVIOUS_SECRET_ALLOWANCE`] so deliveries in flight are not lost.
//! - `POST /webhooks`: deliveries, verified per shop.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use axum::Router;
use commerce_webhooks::axum::Verified;
use commerce_webhooks::{
    shopware, Receiver, Secret, SecretLookupError, SecretSource, WebhookEvent, SHOPWARE_PREVIOUS_SECRET_ALLOWANCE,
};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// One registered shop.
struct Shop {
    url: String,
    secret: Option<String>,
    /// Handed out by a registration, effective once confirmed.
    pending: Option<String>,
    /// The secret before the last rotation, and when it rotated.
    previous: Option<(String, SystemTime)>,
}

/// The shops, by shop id: the store this example owns.
#[derive(Clone, Default)]
struct Shops(Arc<Mutex<HashMap<String, Shop>>>);

impl SecretSource for Shops {
    fn secrets_for(&self, shop_id: &str) -> Result<Vec<Secret>, SecretLookupError> {
        let shops = self.0.lock().map_err(|_| SecretLookupError::new("the shop store is poisoned"))?;
        let Some(shop) = shops.get(shop_id) else { return Ok(Vec::new()) };
        let current = shop.secret.iter().map(Secret::new);
        let previous = shop.previous.iter().map(|(secret, rotated_at)| {
            Secret::new(secret).valid_until(*rotated_at + SHOPWARE_PREVIOUS_SECRET_ALLOWANCE)
        });
        Ok(current.chain(previous).collect())
    }
}

#[derive(Clone)]
struct App {
    name: String,
    secret: String,
    url: String,
    shops: Shops,
}

fn hmac_hex(secret: &str, message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `header` holds the hex HMAC of `message` under `secret` (compared in constant time).
fn signed(headers: &HeaderMap, header: &str, secret: &str, message: &[u8]) -> bool {
    let Some(Ok(signature)) = headers.get(header).map(|value| hex::decode(value.as_bytes())) else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(message);
    mac.verify_slice(&signature).is_ok()
}

/// A new shop secret: 64 random bytes as hex (Shopware wants 64 to 255 characters).
fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 64];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

fn refuse(status: StatusCode, text: &'static str) -> Response {
    (status, text).into_response()
}

#[derive(serde::Deserialize)]
struct Registration {
    #[serde(rename = "shop-id")]
    shop_id: String,
    #[serde(rename = "shop-url")]
    shop_url: String,
}

async fn register(
    State(app): State<App>,
    RawQuery(query): RawQuery,
    Query(registration): Query<Registration>,
    headers: HeaderMap,
) -> Response {
    let query = query.unwrap_or_default();
    if !signed(&headers, "shopware-app-signature", &app.secret, query.as_bytes()) {
        return refuse(StatusCode::UNAUTHORIZED, "registration not signed with the app secret\n");
    }
    let Ok(secret) = new_secret() else { return refuse(StatusCode::SERVICE_UNAVAILABLE, "try again\n") };
    let Ok(mut shops) = app.shops.0.lock() else { return refuse(StatusCode::INTERNAL_SERVER_ERROR, "store error\n") };
    match shops.get_mut(&registration.shop_id) {
        // A registered shop re-registers (a rotation, or a new URL): it must prove it is the
        // same shop by signing with its current secret too.
        Some(shop) if shop.secret.is_some() => {
            let current = shop.secret.as_deref().unwrap_or_default();
            if !signed(&headers, "shopware-shop-signature", current, query.as_bytes()) {
                return refuse(StatusCode::UNAUTHORIZED, "re-registration not signed with the shop's secret\n");
            }
            shop.pending = Some(secret.clone());
        }
        _ => {
            shops.insert(
                registration.shop_id.clone(),
                Shop {
                    url: registration.shop_url.clone(),
                    secret: None,
                    pending: Some(secret.clone()),
                    previous: None,
                },
            );
        }
    }
    let proof =
        hmac_hex(&app.secret, format!("{}{}{}", registration.shop_id, registration.shop_url, app.name).as_bytes());
    Json(serde_json::json!({
        "proof": proof,
        "secret": secret,
        "confirmation_url": format!("{}/register/confirm", app.url),
    }))
    .into_response()
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Confirmation {
    shop_id: String,
    shop_url: String,
}

async fn confirm(State(app): State<App>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let Ok(confirmation) = serde_json::from_slice::<Confirmation>(&body) else {
        return refuse(StatusCode::BAD_REQUEST, "not a confirmation\n");
    };
    let Ok(mut shops) = app.shops.0.lock() else { return refuse(StatusCode::INTERNAL_SERVER_ERROR, "store error\n") };
    let Some(shop) = shops.get_mut(&confirmation.shop_id) else {
        return refuse(StatusCode::UNAUTHORIZED, "no registration for this shop\n");
    };
    let Some(pending) = shop.pending.clone() else {
        return refuse(StatusCode::UNAUTHORIZED, "no registration for this shop\n");
    };
    if !signed(&headers, "shopware-shop-signature", &pending, &body) {
        return refuse(StatusCode::UNAUTHORIZED, "confirmation not signed with the new secret\n");
    }
    if let Some(current) = &shop.secret {
        if !signed(&headers, "shopware-shop-signature-previous", current, &body) {
            return refuse(StatusCode::UNAUTHORIZED, "re-registration not confirmed with the previous secret\n");
        }
    }
    // Store the Admin API credentials (`apiKey`, `secretKey`) here in a real app.
    let old = shop.secret.replace(pending);
    shop.pending = None;
    shop.previous = old.map(|secret| (secret, SystemTime::now()));
    shop.url = confirmation.shop_url;
    println!("shop {} registered ({})", confirmation.shop_id, shop.url);
    StatusCode::NO_CONTENT.into_response()
}

async fn webhook(Verified(delivery): Verified<shopware::Event>) -> StatusCode {
    let shop = delivery.store_id().unwrap_or("-");
    match delivery.event() {
        Ok(event) => println!("{shop}: {:?} {:?}/{:?}", delivery.topic(), event.entity(), event.action()),
        Err(error) => println!("{shop}: {:?} does not decode ({error}); keep it for replay", delivery.topic()),
    }
    StatusCode::OK
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (Ok(name), Ok(secret)) = (std::env::var("SHOPWARE_APP_NAME"), std::env::var("SHOPWARE_APP_SECRET")) else {
        eprintln!("set SHOPWARE_APP_NAME and SHOPWARE_APP_SECRET");
        return std::process::ExitCode::from(2);
    };
    let host = std::env::var("HOST").unwrap_or_else(|_| "0.0.0.0".to_owned());
    let port: u16 = std::env::var("PORT").ok().and_then(|port| port.parse().ok()).unwrap_or(3000);
    let listener = match tokio::net::TcpListener::bind((host.as_str(), port)).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on {host}:{port}: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().expect("a bound listener has an address");
    let url = std::env::var("APP_URL").unwrap_or_else(|_| format!("http://{addr}"));
    let shops = Shops::default();
    let app = App { name, secret, url, shops: shops.clone() };
    let registration =
        Router::new().route("/register", get(register)).route("/register/confirm", post(confirm)).with_state(app);
    let webhooks =
        Router::new().route("/webhooks", post(webhook)).with_state(Receiver::<shopware::Event>::per_store(shops));
    println!("listening on http://{addr}");
    let served = axum::serve(listener, registration.merge(webhooks))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    match served {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("server error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
