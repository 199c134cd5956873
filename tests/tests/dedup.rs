//! De-duplication end to end: the axum `Deduplicated` extractor on an in-process server, with
//! the in-memory store and with Redis shared by two replicas, and `RedisSeen` against a real
//! `redis-server` that each test starts on a free loopback port and kills when it ends.
//!
//! Without `redis-server` installed, the Redis tests say so loudly and pass, except under
//! `CI=true`, where they fail (`.ci/run` installs it).

use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use commerce_webhooks::axum::Deduplicated;
use commerce_webhooks::dedup::{Dedup, DedupError, MemorySeen, RedisSeen, SeenStore};
use commerce_webhooks::{shopify, BoxFuture, Receiver, Secret};
use commerce_webhooks_tests::{raw_post, sign};

const SECRET: &str = "dedup test secret";

/// What the handler saw, in order: `shop/id`; and whether it should fail the next one.
#[derive(Default)]
struct Handled {
    deliveries: Mutex<Vec<String>>,
    fail_next: Mutex<bool>,
}

#[derive(Clone)]
struct App {
    receiver: Receiver<shopify::Event>,
    dedup: Dedup,
    handled: Arc<Handled>,
}

impl FromRef<App> for Receiver<shopify::Event> {
    fn from_ref(app: &App) -> Self {
        app.receiver.clone()
    }
}

impl FromRef<App> for Dedup {
    fn from_ref(app: &App) -> Self {
        app.dedup.clone()
    }
}

impl FromRef<App> for Arc<Handled> {
    fn from_ref(app: &App) -> Self {
        app.handled.clone()
    }
}

/// Records the delivery; a failure releases the claim and answers 503, as a real handler should.
async fn handler(
    State(handled): State<Arc<Handled>>,
    Deduplicated(delivery, claim): Deduplicated<shopify::Event>,
) -> (StatusCode, String) {
    let seen = format!("{}/{}", delivery.store_id().unwrap_or("-"), delivery.delivery_id().unwrap_or("-"));
    handled.deliveries.lock().unwrap().push(seen);
    let unchecked = claim.error().map(|error| format!(": {error}")).unwrap_or_default();
    if std::mem::take(&mut *handled.fail_next.lock().unwrap()) {
        claim.release().await.expect("the key is forgotten");
        return (StatusCode::SERVICE_UNAVAILABLE, "failed".to_owned());
    }
    (StatusCode::OK, format!("handled{unchecked}"))
}

/// A receiver replica on a runtime of its own, with the `Dedup` that `dedup` makes there (a
/// Redis connection lives on the runtime it was made on); stopped on drop.
struct Server {
    addr: SocketAddr,
    handled: Arc<Handled>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    runtime: tokio::runtime::Runtime,
}

impl Server {
    fn start(dedup: impl std::future::Future<Output = Dedup>) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let dedup = runtime.block_on(dedup);
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let handled = Arc::<Handled>::default();
        let app = App { receiver: Receiver::new([Secret::new(SECRET)]), dedup, handled: handled.clone() };
        let router = Router::new().route("/webhooks/shopify", post(handler)).with_state(app);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        runtime.spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Self { addr, handled, stop: Some(stop), runtime }
    }

    /// Posts a signed Shopify delivery from `shop` with `webhook_id` (none if `None`).
    fn post(&self, shop: &str, webhook_id: Option<&str>) -> (u16, String) {
        let body = br#"{"id":820982911946154508}"#;
        let mut headers = vec![
            ("X-Shopify-Hmac-Sha256".to_owned(), BASE64.encode(sign::hmac(SECRET, body))),
            ("X-Shopify-Topic".to_owned(), "orders/create".to_owned()),
            ("X-Shopify-Shop-Domain".to_owned(), shop.to_owned()),
        ];
        headers.extend(webhook_id.map(|id| ("X-Shopify-Webhook-Id".to_owned(), id.to_owned())));
        raw_post(self.addr, "/webhooks/shopify", &headers, body, body.len())
    }

    fn handled(&self) -> Vec<String> {
        self.handled.deliveries.lock().unwrap().clone()
    }

    fn fail_next(&self) {
        *self.handled.fail_next.lock().unwrap() = true;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let runtime =
            std::mem::replace(&mut self.runtime, tokio::runtime::Builder::new_current_thread().build().unwrap());
        runtime.shutdown_timeout(Duration::from_secs(5));
    }
}

async fn memory() -> Dedup {
    Dedup::new(MemorySeen::new(1000))
}

#[test]
fn a_duplicate_is_answered_200_and_handled_once() {
    let server = Server::start(memory());
    assert_eq!(server.post("a.myshopify.com", Some("w1")), (200, "handled".to_owned()));
    for _ in 0..3 {
        assert_eq!(server.post("a.myshopify.com", Some("w1")), (200, "duplicate delivery, already handled".to_owned()));
    }
    assert_eq!(server.handled(), ["a.myshopify.com/w1"]);
}

#[test]
fn the_same_id_from_another_store_is_not_a_duplicate() {
    let server = Server::start(memory());
    assert_eq!(server.post("a.myshopify.com", Some("w1")).0, 200);
    assert_eq!(server.post("b.myshopify.com", Some("w1")), (200, "handled".to_owned()));
    assert_eq!(server.post("a.myshopify.com", Some("w2")), (200, "handled".to_owned()));
    assert_eq!(server.handled(), ["a.myshopify.com/w1", "b.myshopify.com/w1", "a.myshopify.com/w2"]);
}

#[test]
fn a_failed_handler_releases_the_delivery_so_the_retry_is_handled() {
    let server = Server::start(memory());
    server.fail_next();
    assert_eq!(server.post("a.myshopify.com", Some("w1")).0, 503);
    assert_eq!(server.post("a.myshopify.com", Some("w1")), (200, "handled".to_owned()), "the retry");
    assert_eq!(server.post("a.myshopify.com", Some("w1")).1, "duplicate delivery, already handled");
    assert_eq!(server.handled(), ["a.myshopify.com/w1", "a.myshopify.com/w1"]);
}

#[test]
fn a_delivery_without_an_id_is_always_handled() {
    let server = Server::start(memory());
    assert_eq!(server.post("a.myshopify.com", None), (200, "handled".to_owned()));
    assert_eq!(server.post("a.myshopify.com", None), (200, "handled".to_owned()));
    assert_eq!(server.handled().len(), 2);
}

#[test]
fn an_unauthentic_delivery_is_refused_before_the_store_is_asked() {
    let server = Server::start(memory());
    let headers = [
        ("X-Shopify-Hmac-Sha256".to_owned(), BASE64.encode(sign::hmac("another secret", b"{}"))),
        ("X-Shopify-Topic".to_owned(), "orders/create".to_owned()),
        ("X-Shopify-Webhook-Id".to_owned(), "w1".to_owned()),
    ];
    assert_eq!(raw_post(server.addr, "/webhooks/shopify", &headers, b"{}", 2).0, 401);
    assert!(server.handled().is_empty());
    // The forged copy did not mark the id: the authentic delivery is handled.
    assert_eq!(server.post("a.myshopify.com", Some("w1")).0, 200);
    assert_eq!(server.handled().len(), 1);
}

/// A store that is always down.
struct Down;

impl SeenStore for Down {
    fn first_time<'a>(&'a self, _: &'a str, _: Duration) -> BoxFuture<'a, Result<bool, DedupError>> {
        Box::pin(async { Err(DedupError::new("the store is down")) })
    }

    fn forget<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<(), DedupError>> {
        Box::pin(async { Err(DedupError::new("the store is down")) })
    }
}

#[test]
fn a_store_error_hands_the_delivery_over() {
    let server = Server::start(async { Dedup::new(Down) });
    for _ in 0..2 {
        assert_eq!(server.post("a.myshopify.com", Some("w1")), (200, "handled: the store is down".to_owned()));
    }
    assert_eq!(server.handled().len(), 2, "fail open: an authentic delivery is never dropped");
}

// ---------------------------------------------------------------------------------------------
// Redis

use commerce_webhooks_tests::RedisServer;

#[tokio::test]
async fn redis_marks_once_forgets_and_expires() {
    let Some(server) = RedisServer::start() else { return };
    let seen = RedisSeen::connect(&server.url()).await.unwrap();
    let keep = Duration::from_millis(300);
    assert!(seen.first_time("k", keep).await.unwrap());
    assert!(!seen.first_time("k", keep).await.unwrap());
    seen.forget("k").await.unwrap();
    assert!(seen.first_time("k", keep).await.unwrap(), "a forgotten key is first again");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(seen.first_time("k", keep).await.unwrap(), "an expired key is first again");
    seen.forget("never marked").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_redis_replicas_racing_on_200_ids_see_each_first_once() {
    let Some(server) = RedisServer::start() else { return };
    let replicas = [RedisSeen::connect(&server.url()).await.unwrap(), RedisSeen::connect(&server.url()).await.unwrap()];
    let started = Instant::now();
    let mut tasks = Vec::new();
    for id in 0..200 {
        for (replica, seen) in replicas.iter().enumerate() {
            let seen = seen.clone();
            tasks.push(tokio::spawn(async move {
                let key = format!("commerce-webhooks:shopify:a:{id}");
                (id, replica, seen.first_time(&key, Duration::from_secs(60)).await.unwrap())
            }));
        }
    }
    let mut firsts = [0; 200];
    let mut per_replica = [0; 2];
    for task in tasks {
        let (id, replica, first) = task.await.unwrap();
        firsts[id] += usize::from(first);
        per_replica[replica] += usize::from(first);
    }
    assert!(firsts.iter().all(|&n| n == 1), "each id is first exactly once: {firsts:?}");
    eprintln!("400 racing SET NX in {:?}; first per replica: {per_replica:?}", started.elapsed());
}

#[test]
fn two_replicas_sharing_redis_handle_a_delivery_once() {
    let Some(redis) = RedisServer::start() else { return };
    let connect = || async { Dedup::new(RedisSeen::connect(&redis.url()).await.unwrap()) };
    let (a, b) = (Server::start(connect()), Server::start(connect()));
    assert_eq!(a.post("a.myshopify.com", Some("w1")), (200, "handled".to_owned()));
    assert_eq!(b.post("a.myshopify.com", Some("w1")), (200, "duplicate delivery, already handled".to_owned()));
    assert_eq!(b.post("b.myshopify.com", Some("w1")), (200, "handled".to_owned()), "another store");
    // Replica A fails the next one and releases it; the platform's retry lands on B.
    a.fail_next();
    assert_eq!(a.post("a.myshopify.com", Some("w2")).0, 503);
    assert_eq!(b.post("a.myshopify.com", Some("w2")), (200, "handled".to_owned()));
    assert_eq!(a.handled(), ["a.myshopify.com/w1", "a.myshopify.com/w2"]);
    assert_eq!(b.handled(), ["b.myshopify.com/w1", "a.myshopify.com/w2"]);
}

#[test]
fn a_redis_server_that_goes_away_fails_open_with_an_error_that_says_what_to_check() {
    let Some(mut redis) = RedisServer::start() else { return };
    let server = Server::start(async { Dedup::new(RedisSeen::connect(&redis.url()).await.unwrap()) });
    assert_eq!(server.post("a.myshopify.com", Some("w1")), (200, "handled".to_owned()));
    redis.stop();
    // The duplicate cannot be recognized now: it is handled rather than risk losing a delivery.
    let (status, text) = server.post("a.myshopify.com", Some("w1"));
    assert_eq!(status, 200);
    assert!(text.starts_with("handled") && text.contains("check that"), "{text}");
    assert_eq!(server.handled().len(), 2);
}

#[tokio::test]
async fn an_unreachable_redis_server_is_an_error_that_says_what_to_check() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let started = Instant::now();
    let error = RedisSeen::connect(&format!("redis://127.0.0.1:{port}/0")).await.unwrap_err().to_string();
    assert!(error.contains("check that redis-server is running"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5), "gives up quickly: {:?}", started.elapsed());
    let error = RedisSeen::connect("redis://:hunter2@127.0.0.1:notaport/0").await.unwrap_err().to_string();
    assert!(error.contains("the Redis URL is not valid") && !error.contains("hunter2"), "{error}");
}
