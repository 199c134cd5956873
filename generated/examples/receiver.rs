//! A webhook receiver for all four platforms: verifies each delivery, decodes it, logs its
//! topic, meaning and store to stdout, and answers 200 (401/400 with a reason otherwise).
//!
//! ```sh
//! SHOPIFY_CLIENT_SECRET=… BIGCOMMERCE_CLIENT_SECRET=… SHOPWARE_SHOP_SECRET=… ECWID_CLIENT_SECRET=… \
//!   cargo run -p commerce-webhooks --features axum --example receiver
//! ```
//!
//! Routes: `POST /webhooks/shopify`, `/webhooks/bigcommerce`, `/webhooks/shopware`,
//! `/webhooks/ecwid`, each served only when its secret is set. `<NAME>_PREVIOUS` (e.g.
//! `SHOPIFY_CLIENT_SECRET_PREVIOUS`) adds the previous secret while you rotate.
//! `RECEIVER_ADDR` sets the address (default `127.0.0.1:3000`). Ctrl-C stops it.

use std::process::ExitCode;

use axum::routing::post;
use axum::Router;
use commerce_webhooks::axum::Verified;
use commerce_webhooks::{bigcommerce, ecwid, shopify, shopware, Delivery, Receiver, Secret, WebhookEvent};

/// Logs one verified delivery.
fn log<E: WebhookEvent>(platform: &str, delivery: &Delivery<E>) {
    let meaning = match (delivery.event().entity(), delivery.event().action()) {
        (Some(entity), Some(action)) => format!("{entity}/{action}"),
        _ => "unknown topic".to_owned(),
    };
    println!(
        "{platform}: {} ({meaning}) store={} delivery={}",
        delivery.topic(),
        delivery.store_id().unwrap_or("-"),
        delivery.delivery_id().unwrap_or("-"),
    );
}

async fn shopify(Verified(delivery): Verified<shopify::Event>) -> &'static str {
    log("shopify", &delivery);
    "ok"
}

async fn bigcommerce(Verified(delivery): Verified<bigcommerce::Event>) -> &'static str {
    log("bigcommerce", &delivery);
    "ok"
}

async fn shopware(Verified(delivery): Verified<shopware::Event>) -> &'static str {
    log("shopware", &delivery);
    "ok"
}

async fn ecwid(Verified(delivery): Verified<ecwid::Event>) -> &'static str {
    log("ecwid", &delivery);
    "ok"
}

/// The secrets in `$name` and `$name_PREVIOUS`, if `$name` is set.
fn secrets(name: &str) -> Option<Vec<Secret>> {
    let current = std::env::var(name).ok().filter(|s| !s.is_empty())?;
    let previous = std::env::var(format!("{name}_PREVIOUS")).ok().filter(|s| !s.is_empty());
    Some(std::iter::once(current).chain(previous).map(Secret::from).collect())
}

/// Adds `path` served by `handler` when the secret variable `env` is set.
fn route<E, H, T>(app: &mut Option<Router>, env: &str, path: &str, handler: H)
where
    E: WebhookEvent + Send + 'static,
    H: axum::handler::Handler<T, Receiver<E>>,
    T: 'static,
{
    let Some(secrets) = secrets(env) else {
        println!("{path} disabled: set {env}");
        return;
    };
    println!("POST {path} (secret from {env})");
    let route = Router::new().route(path, post(handler)).with_state(Receiver::<E>::new(secrets));
    *app = Some(app.take().unwrap_or_default().merge(route));
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut app = None;
    route::<shopify::Event, _, _>(&mut app, "SHOPIFY_CLIENT_SECRET", "/webhooks/shopify", shopify);
    route::<bigcommerce::Event, _, _>(&mut app, "BIGCOMMERCE_CLIENT_SECRET", "/webhooks/bigcommerce", bigcommerce);
    route::<shopware::Event, _, _>(&mut app, "SHOPWARE_SHOP_SECRET", "/webhooks/shopware", shopware);
    route::<ecwid::Event, _, _>(&mut app, "ECWID_CLIENT_SECRET", "/webhooks/ecwid", ecwid);
    let Some(app) = app else {
        eprintln!("no platform configured: set at least one of the secret variables above");
        return ExitCode::from(2);
    };

    let addr = std::env::var("RECEIVER_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on {addr}: {error} (set RECEIVER_ADDR to another address)");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on http://{addr}");
    let shutdown = async {
        // If Ctrl-C cannot be watched, run until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    match axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("server error: {error}");
            ExitCode::FAILURE
        }
    }
}
