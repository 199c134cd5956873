//! A deployable webhook receiver for all four platforms: verifies each delivery, decodes it,
//! logs its topic, meaning and store to stdout, and answers 200. An authentic delivery whose
//! body does not decode is written to the dead-letter directory (raw body and headers, for
//! replay) and answered 200 too, so the platform never disables the subscription over it.
//! A delivery that is not authentic gets 401 with a generic text.
//!
//! ```sh
//! SHOPIFY_SECRET=… BIGCOMMERCE_SECRET=… SHOPWARE_SECRET=… ECWID_SECRET=… DEAD_LETTER_DIR=dead-letters \
//!   cargo run -p commerce-webhooks --features axum --example receiver
//! # several replicas sharing de-duplication:
//! REDIS_URL=redis://127.0.0.1:6379/0 SHOPIFY_SECRET=… cargo run -p commerce-webhooks --features axum,redis --example receiver
//! ```
//!
//! | variable | meaning |
//! | --- | --- |
//! | `SHOPIFY_SECRET`, `BIGCOMMERCE_SECRET`, `SHOPWARE_SECRET`, `ECWID_SECRET` | the platform's signing secret; a platform without one is not served |
//! | `<NAME>_PREVIOUS` (e.g. `SHOPIFY_SECRET_PREVIOUS`) | the previous secret, accepted too while you rotate |
//! | `PORT` | the port (default 3000) |
//! | `HOST` | the address to listen on (default `0.0.0.0`) |
//! | `DEAD_LETTER_DIR` | where authentic undecodable deliveries are written (default: not written, only logged) |
//! | `REDIS_URL` | de-duplicate through this Redis server, shared by every replica (build with the `redis` feature); default: in memory, this process only |
//! | `HANDLED_LOG` | append the id of every delivery handled (not a duplicate) to this file, one per line (for load tests) |
//!
//! Each delivery is handled once: a retry of one already handled (by this replica or, with
//! `REDIS_URL`, any other) is answered 200 without running the handler again
//! ([`commerce_webhooks::dedup`]).
//!
//! Routes: `POST /webhooks/shopify`, `/webhooks/bigcommerce`, `/webhooks/shopware`,
//! `/webhooks/ecwid`. A client gets 10 s to send its request headers and 30 s for the whole
//! request; bodies are limited per platform ([`body_limit`]). Ctrl-C or SIGTERM stops it after
//! the requests in flight are answered.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use commerce_webhooks::axum::Deduplicated;
use commerce_webhooks::dedup::{Dedup, MemorySeen};
use commerce_webhooks::{bigcommerce, ecwid, shopify, shopware, Delivery, Receiver, Secret, WebhookEvent};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// How long a client may take to send its request headers (a slow client cannot hold a
/// connection open forever).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request may take, body included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest body each platform's route accepts. BigCommerce and Ecwid send lightweight
/// callbacks (ids and statuses, well under 10 KB); Shopify sends whole resources (an order with
/// hundreds of line items runs to megabytes); Shopware business events carry whole entities.
fn body_limit(platform: &str) -> usize {
    match platform {
        "shopify" => 8 << 20,
        "shopware" => 4 << 20,
        _ => 256 << 10,
    }
}

/// Where authentic undecodable deliveries go.
#[derive(Clone)]
struct DeadLetters {
    dir: Option<PathBuf>,
}

/// Makes every dead letter's name unique within this process.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

impl DeadLetters {
    /// Writes the raw body and the headers (`<stem>.body`, `<stem>.headers`), returning the body
    /// file's path. The name is built from the time, a counter and the platform only: the
    /// delivery's own ids come from the sender and never reach a path.
    fn write(&self, platform: &str, headers: &HeaderMap, body: &[u8]) -> std::io::Result<Option<PathBuf>> {
        let Some(dir) = &self.dir else { return Ok(None) };
        std::fs::create_dir_all(dir)?;
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let stem = format!("{nanos}-{}-{platform}", SEQUENCE.fetch_add(1, Ordering::Relaxed));
        let mut header_text = String::new();
        for (name, value) in headers {
            header_text.push_str(&format!("{name}: {}\n", String::from_utf8_lossy(value.as_bytes())));
        }
        std::fs::write(dir.join(format!("{stem}.headers")), header_text)?;
        let body_path = dir.join(format!("{stem}.body"));
        std::fs::write(&body_path, body)?;
        Ok(Some(body_path))
    }
}

/// What every route shares: where dead letters go, the de-duplication store, the handled log.
#[derive(Clone)]
struct Shared {
    dead_letters: DeadLetters,
    dedup: Dedup,
    handled_log: Option<Arc<Mutex<std::fs::File>>>,
}

/// One route's state: its platform's receiver and what the routes share.
struct RouteState<E> {
    receiver: Receiver<E>,
    shared: Shared,
}

impl<E> Clone for RouteState<E> {
    fn clone(&self) -> Self {
        Self { receiver: self.receiver.clone(), shared: self.shared.clone() }
    }
}

impl<E> FromRef<RouteState<E>> for Receiver<E> {
    fn from_ref(state: &RouteState<E>) -> Self {
        state.receiver.clone()
    }
}

impl<E> FromRef<RouteState<E>> for Dedup {
    fn from_ref(state: &RouteState<E>) -> Self {
        state.shared.dedup.clone()
    }
}

impl Shared {
    /// Appends the delivery's id to the handled log, if there is one.
    fn log_handled(&self, id: Option<&str>) {
        if let (Some(log), Some(id)) = (&self.handled_log, id) {
            let mut file = log.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Err(error) = writeln!(file, "{id}") {
                eprintln!("cannot append to HANDLED_LOG: {error}");
            }
        }
    }
}

/// Handles one verified delivery: logs it, and keeps it as a dead letter if it did not decode.
fn handle<E: WebhookEvent>(
    platform: &str,
    dead_letters: &DeadLetters,
    headers: &HeaderMap,
    delivery: &Delivery<E>,
) -> StatusCode {
    let topic = delivery.topic().unwrap_or("-");
    let store = delivery.store_id().unwrap_or("-");
    let id = delivery.delivery_id().unwrap_or("-");
    match delivery.event() {
        Ok(event) => {
            let meaning = match (event.entity(), event.action()) {
                (Some(entity), Some(action)) => format!("{entity}/{action}"),
                _ => "unknown topic".to_owned(),
            };
            println!("{platform}: {topic} ({meaning}) store={store} delivery={id}");
            for mismatch in delivery.mismatches() {
                println!("  kept as received: {mismatch}");
            }
            StatusCode::OK
        }
        Err(error) => {
            // The error names a path and a type, never a value: safe to log.
            println!("{platform}: {topic} store={store} delivery={id} does not decode: {error}");
            match dead_letters.write(platform, headers, delivery.body()) {
                Ok(Some(path)) => println!("  dead letter: {}", path.display()),
                Ok(None) => println!("  (set DEAD_LETTER_DIR to keep undecodable deliveries)"),
                Err(error) => {
                    // Nowhere to keep it: let the platform retry rather than lose it.
                    eprintln!("  cannot write the dead letter: {error}");
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
            }
            StatusCode::OK
        }
    }
}

/// The secrets in `$name` and `$name_PREVIOUS`, if `$name` is set.
fn secrets(name: &str) -> Option<Vec<Secret>> {
    let current = std::env::var(name).ok().filter(|s| !s.is_empty())?;
    let previous = std::env::var(format!("{name}_PREVIOUS")).ok().filter(|s| !s.is_empty());
    Some(std::iter::once(current).chain(previous).map(Secret::from).collect())
}

/// Adds `/webhooks/<platform>` when the secret variable `env` is set.
fn route<E: WebhookEvent + Send + Sync + 'static>(
    app: Router,
    platform: &'static str,
    env: &str,
    shared: &Shared,
) -> Router {
    let path = format!("/webhooks/{platform}");
    let Some(secrets) = secrets(env) else {
        println!("{path} disabled: set {env}");
        return app;
    };
    println!("POST {path} (secret from {env}, bodies up to {} KiB)", body_limit(platform) >> 10);
    let handler = move |axum::extract::State(state): axum::extract::State<RouteState<E>>,
                        headers: HeaderMap,
                        Deduplicated(delivery, claim): Deduplicated<E>| async move {
        let status = handle(platform, &state.shared.dead_letters, &headers, &delivery);
        if status.is_success() {
            state.shared.log_handled(delivery.delivery_id());
        } else if let Err(error) = claim.release().await {
            // The platform retries; with the id still marked, the retry would be skipped.
            eprintln!("  cannot release the delivery for its retry: {error}");
        }
        status
    };
    // A declared length over the limit is refused before any of the body is read, and a body
    // that grows past it while being read; axum's own 2 MB default gives way to the limit here.
    let route = Router::new()
        .route(&path, post(handler))
        .layer(RequestBodyLimitLayer::new(body_limit(platform)))
        .layer(DefaultBodyLimit::disable())
        .with_state(RouteState { receiver: Receiver::<E>::new(secrets), shared: shared.clone() });
    app.merge(route)
}

/// The de-duplication store: Redis at `REDIS_URL`, shared by the replicas, or this process's
/// memory (the last 100,000 deliveries).
async fn dedup() -> Result<Dedup, String> {
    let Some(url) = std::env::var("REDIS_URL").ok().filter(|url| !url.is_empty()) else {
        println!("de-duplication: in memory, this process only (set REDIS_URL to share it between replicas)");
        return Ok(Dedup::new(MemorySeen::new(100_000)));
    };
    #[cfg(feature = "redis")]
    {
        let seen = commerce_webhooks::dedup::RedisSeen::connect(&url).await.map_err(|e| format!("REDIS_URL: {e}"))?;
        println!("de-duplication: through Redis, shared by every replica using it");
        Ok(Dedup::new(seen))
    }
    #[cfg(not(feature = "redis"))]
    {
        let _ = url;
        Err("REDIS_URL is set, but this receiver was built without the `redis` feature".to_owned())
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// Serves `app` on `listener` until a shutdown signal, then lets open requests finish.
async fn serve(listener: tokio::net::TcpListener, app: Router) {
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else { continue };
                let service = TowerToHyperService::new(app.clone());
                let connection = builder.serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    // A client that goes away or times out ends only its own connection.
                    let _ = connection.await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    println!("shutting down: answering the requests in flight");
    let _ = tokio::time::timeout(REQUEST_TIMEOUT, graceful.shutdown()).await;
}

#[tokio::main]
async fn main() -> ExitCode {
    let dead_letters =
        DeadLetters { dir: std::env::var_os("DEAD_LETTER_DIR").filter(|d| !d.is_empty()).map(PathBuf::from) };
    let dedup = match dedup().await {
        Ok(dedup) => dedup,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let handled_log = match std::env::var_os("HANDLED_LOG").filter(|p| !p.is_empty()) {
        None => None,
        Some(path) => match std::fs::OpenOptions::new().create(true).append(true).open(&path) {
            Ok(file) => Some(Arc::new(Mutex::new(file))),
            Err(error) => {
                eprintln!("cannot open HANDLED_LOG {}: {error}", Path::new(&path).display());
                return ExitCode::from(2);
            }
        },
    };
    let shared = Shared { dead_letters, dedup, handled_log };
    let mut app = Router::new();
    app = route::<shopify::Event>(app, "shopify", "SHOPIFY_SECRET", &shared);
    app = route::<bigcommerce::Event>(app, "bigcommerce", "BIGCOMMERCE_SECRET", &shared);
    app = route::<shopware::Event>(app, "shopware", "SHOPWARE_SECRET", &shared);
    app = route::<ecwid::Event>(app, "ecwid", "ECWID_SECRET", &shared);
    if !app.has_routes() {
        eprintln!("no platform configured: set at least one of SHOPIFY_SECRET, BIGCOMMERCE_SECRET, SHOPWARE_SECRET, ECWID_SECRET");
        return ExitCode::from(2);
    }
    let app = app.layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT));
    match shared.dead_letters.dir.as_deref().map(Path::display) {
        Some(dir) => println!("dead letters go to {dir}"),
        None => println!("DEAD_LETTER_DIR not set: undecodable deliveries are only logged"),
    }

    let host = std::env::var("HOST").unwrap_or_else(|_| "0.0.0.0".to_owned());
    let port = match std::env::var("PORT").map(|port| port.parse::<u16>()) {
        Err(_) => 3000,
        Ok(Ok(port)) => port,
        Ok(Err(_)) => {
            eprintln!("PORT must be a port number (1-65535)");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind((host.as_str(), port)).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on {host}:{port}: {error} (set HOST or PORT)");
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(addr) => println!("listening on http://{addr}"),
        Err(_) => println!("listening on {host}:{port}"),
    }
    serve(listener, app).await;
    ExitCode::SUCCESS
}
