//! De-duplication: handling each delivery once, even when the platform delivers it twice or
//! retries it, and even across receiver replicas that share a store of seen ids.
//!
//! Every platform retries a delivery it has no 2xx answer for (a timeout counts), and may
//! deliver one twice anyway. [`Dedup::claim`] asks a [`SeenStore`] whether a delivery's key
//! ([`delivery_key`]: platform, store and delivery id) is new: [`MemorySeen`] for one process,
//! `RedisSeen` (cargo feature `redis`) for replicas behind a load balancer. The axum
//! integration is `axum::Deduplicated` (cargo feature `axum`).
//!
//! # Mark, handle, release on failure
//!
//! The key is marked *before* the handler runs, with one atomic set-if-absent, so two
//! replicas receiving the same delivery at the same moment cannot both handle it. If the
//! handler then fails, [`Claim::release`] forgets the key and the handler answers non-2xx, so
//! the platform's retry is handled rather than dropped as a duplicate. What this cannot cover:
//!
//! - a process that dies between marking and answering: the platform retries, and the retry
//!   is taken for a duplicate until the key expires. A handler that must never lose one
//!   should hand the delivery to durable storage (a queue, a table) before answering;
//! - a copy that arrives *while* the first is being handled (a handler slower than the
//!   platform's timeout, whose retry comes in meanwhile) is answered 2xx at once; if the
//!   first then fails, the platform takes that answer and does not deliver it again;
//! - a store error: the delivery is handled anyway (**fail open**, logged with the `tracing`
//!   feature), because an authentic delivery must never be lost to our bookkeeping; a
//!   duplicate may then get through, so handlers should still be idempotent where they can.
//!
//! De-duplication is not a defence against replays (signatures and their age limits are):
//! Shopify does not sign `X-Shopify-Webhook-Id`, so a captured delivery replayed under a new
//! id is no duplicate.
//!
//! # Which id, and for how long
//!
//! | platform | id ([`Delivery::delivery_id`]) | retries |
//! | --- | --- | --- |
//! | Shopify | `X-Shopify-Webhook-Id`: unique per delivery, the same for its retries. Not `X-Shopify-Event-Id`, which every delivery of one merchant action shares (one per subscription), so keying on it drops legitimate deliveries ([ignore duplicates](https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates)). Deliveries subscribed as events carry only `Shopify-Event-Id`, which is then the id (whether several event subscriptions share it is not documented). | 8 retries over 4 hours since 2024-09, 19 over 48 hours before ([HTTPS delivery](https://shopify.dev/docs/apps/build/webhooks/subscribe/https)) |
//! | BigCommerce | `webhook-id` (Standard Webhooks), the same for retries | 11 retries over 48 hours, then the hook is deactivated ([webhooks](https://developer.bigcommerce.com/docs/integrations/webhooks)) |
//! | Shopware | `source.eventId`, stable across retries since Shopware 6.4.11.0 | no documented window |
//! | Ecwid | `eventId` | 27 attempts over 24 hours (48 hours in older docs) ([webhooks](https://docs.ecwid.com/build-apps/webhook-automations/learn-ecwid-webhooks)) |
//!
//! [`KEEP_FOR`], 72 hours, is the recommendation for every platform: the longest documented
//! window is 48 hours (BigCommerce, Shopify before 2024-09, Ecwid's older docs), and a day on
//! top is the margin for schedules that change (Shopify's and Ecwid's have) and for Shopware,
//! which documents none. One number for all four: a key costs a few dozen bytes, and keeping
//! it longer than needed never drops a legitimate delivery (a retry keeps its id).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::{BoxFuture, CatalogTopic, Delivery, WebhookEvent};

/// How long to remember a delivery's key: 72 hours, longer than every platform's documented
/// retry window (see the [module documentation](self)).
pub const KEEP_FOR: Duration = Duration::from_secs(72 * 60 * 60);

/// Where the keys of handled deliveries are remembered, shared by every replica that uses the
/// same store. Implemented by [`MemorySeen`] and `RedisSeen` (cargo feature `redis`); async,
/// since a shared store is on the network.
pub trait SeenStore: Send + Sync {
    /// Marks `key` as seen for `keep_for`, atomically: `Ok(true)` the first time (handle the
    /// delivery), `Ok(false)` while it is remembered (a duplicate). Of several concurrent
    /// calls for one key, exactly one answers `true`.
    fn first_time<'a>(&'a self, key: &'a str, keep_for: Duration) -> BoxFuture<'a, Result<bool, DedupError>>;

    /// Forgets `key`, so the next delivery with it is handled (its handler failed).
    fn forget<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), DedupError>>;
}

impl<T: SeenStore + ?Sized> SeenStore for Arc<T> {
    fn first_time<'a>(&'a self, key: &'a str, keep_for: Duration) -> BoxFuture<'a, Result<bool, DedupError>> {
        (**self).first_time(key, keep_for)
    }

    fn forget<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), DedupError>> {
        (**self).forget(key)
    }
}

/// Why a [`SeenStore`] could not answer (Redis unreachable); the text says what to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DedupError(Arc<str>);

impl DedupError {
    /// An error described by `reason`.
    pub fn new(reason: impl fmt::Display) -> Self {
        Self(reason.to_string().into())
    }
}

impl fmt::Display for DedupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DedupError {}

/// The key `delivery` is remembered by: `commerce-webhooks:<platform>:<store>:<delivery id>`,
/// so that ids of different platforms and stores never collide (a `:` or `%` in the store is
/// percent-encoded; a delivery without a store has an empty one). `None` for a delivery
/// without an id, which is never taken for a duplicate.
pub fn delivery_key<E: WebhookEvent>(delivery: &Delivery<E>) -> Option<String> {
    let id = delivery.delivery_id().filter(|id| !id.is_empty())?;
    let platform = <E::Topic as CatalogTopic>::PLATFORM;
    let store = delivery.store_id().unwrap_or_default().replace('%', "%25").replace(':', "%3A");
    Some(format!("commerce-webhooks:{platform}:{store}:{id}"))
}

/// A [`SeenStore`] and how long it keeps keys: checks deliveries of any platform. Cheap to
/// clone (shared), so it can live in a web framework's state.
#[derive(Clone)]
pub struct Dedup {
    store: Arc<dyn SeenStore>,
    keep_for: Duration,
}

impl Dedup {
    /// Checks deliveries against `store`, keeping keys for [`KEEP_FOR`].
    pub fn new(store: impl SeenStore + 'static) -> Self {
        Self { store: Arc::new(store), keep_for: KEEP_FOR }
    }

    /// The same, keeping keys for `keep_for` instead.
    pub fn keep_for(mut self, keep_for: Duration) -> Self {
        self.keep_for = keep_for;
        self
    }

    /// Marks `delivery` as seen. A duplicate's claim [`is_duplicate`](Claim::is_duplicate):
    /// answer it 2xx without handling it. Otherwise handle it, and if handling fails,
    /// [`release`](Claim::release) the claim and answer non-2xx so the platform retries.
    /// A store error is not a duplicate (fail open, see the [module documentation](self)).
    pub fn claim<E: WebhookEvent>(&self, delivery: &Delivery<E>) -> impl Future<Output = Claim> + Send + 'static {
        let key = delivery_key(delivery);
        let (store, keep_for) = (self.store.clone(), self.keep_for);
        async move {
            let Some(key) = key else {
                return Claim { state: State::NoId };
            };
            match store.first_time(&key, keep_for).await {
                Ok(true) => Claim { state: State::First { store, key } },
                Ok(false) => {
                    #[cfg(feature = "tracing")]
                    tracing::debug!(key, "duplicate webhook delivery; not handled again");
                    Claim { state: State::Duplicate { key } }
                }
                Err(error) => {
                    #[cfg(feature = "tracing")]
                    tracing::warn!(key, %error, "de-duplication store failed; handling the delivery anyway");
                    Claim { state: State::Unchecked { store, key, error } }
                }
            }
        }
    }
}

impl fmt::Debug for Dedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dedup").field("keep_for", &self.keep_for).finish_non_exhaustive()
    }
}

/// What [`Dedup::claim`] found: a first delivery (released with [`Claim::release`] if its
/// handling fails), a duplicate, a delivery without an id, or a store error.
pub struct Claim {
    state: State,
}

enum State {
    First {
        store: Arc<dyn SeenStore>,
        key: String,
    },
    Duplicate {
        key: String,
    },
    NoId,
    /// The store failed; the key may be set all the same (a reply lost to a timeout).
    Unchecked {
        store: Arc<dyn SeenStore>,
        key: String,
        error: DedupError,
    },
}

impl Claim {
    /// Whether the delivery was seen before (within the keep duration): do not handle it again.
    pub fn is_duplicate(&self) -> bool {
        matches!(self.state, State::Duplicate { .. })
    }

    /// The delivery's key ([`delivery_key`]); `None` if it has no id.
    pub fn key(&self) -> Option<&str> {
        match &self.state {
            State::First { key, .. } | State::Duplicate { key } | State::Unchecked { key, .. } => Some(key),
            State::NoId => None,
        }
    }

    /// The store's error, if it could not answer (the delivery is then handled anyway).
    pub fn error(&self) -> Option<&DedupError> {
        match &self.state {
            State::Unchecked { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Forgets the delivery's key, so that the platform's retry is handled: call it when the
    /// handler failed, then answer non-2xx. Does nothing for a duplicate or a delivery
    /// without an id.
    pub async fn release(self) -> Result<(), DedupError> {
        match self.state {
            State::First { store, key } | State::Unchecked { store, key, .. } => store.forget(&key).await,
            State::Duplicate { .. } | State::NoId => Ok(()),
        }
    }
}

impl fmt::Debug for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::First { .. } => "first",
            State::Duplicate { .. } => "duplicate",
            State::NoId => "no id",
            State::Unchecked { .. } => "unchecked",
        };
        f.debug_struct("Claim").field("state", &state).field("key", &self.key()).field("error", &self.error()).finish()
    }
}

/// An in-memory [`SeenStore`] for a single process: at most `capacity` keys (the oldest is
/// evicted first), each kept until its expiry. Replicas need a shared store (`RedisSeen`).
///
/// ```
/// use std::time::Duration;
///
/// use commerce_webhooks::dedup::{MemorySeen, SeenStore, KEEP_FOR};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let seen = MemorySeen::new(100_000);
/// let key = "commerce-webhooks:shopify:toys.myshopify.com:b54557e4-bdd9-4b37-8a5f-bf7d70bcd043";
/// assert!(seen.first_time(key, KEEP_FOR).await.unwrap());
/// assert!(!seen.first_time(key, KEEP_FOR).await.unwrap()); // a retry
/// seen.forget(key).await.unwrap(); // its handler failed: handle the next retry
/// assert!(seen.first_time(key, Duration::from_secs(60)).await.unwrap());
/// # });
/// ```
#[derive(Debug)]
pub struct MemorySeen {
    capacity: usize,
    keys: Mutex<Keys>,
}

#[derive(Debug, Default)]
struct Keys {
    /// Key → (expiry, the insertion that set it).
    expiry: HashMap<String, (Instant, u64)>,
    /// Insertions, oldest first; one whose number no longer matches `expiry` is stale.
    order: VecDeque<(String, u64)>,
    inserted: u64,
}

impl MemorySeen {
    /// A store of at most `capacity` keys (at least one).
    pub fn new(capacity: usize) -> Self {
        Self { capacity: capacity.max(1), keys: Mutex::default() }
    }

    /// How many keys it holds (expired ones included, until they are evicted).
    pub fn len(&self) -> usize {
        self.lock().expiry.len()
    }

    /// Whether it holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The keys, even when another thread panicked holding them: they stay consistent, since
    /// every update is completed before anything can panic.
    fn lock(&self) -> std::sync::MutexGuard<'_, Keys> {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn mark(&self, key: &str, keep_for: Duration) -> bool {
        let now = Instant::now();
        let mut guard = self.lock();
        let keys = &mut *guard;
        if keys.expiry.get(key).is_some_and(|&(expires, _)| expires > now) {
            return false;
        }
        keys.inserted += 1;
        let inserted = keys.inserted;
        let expires = now.checked_add(keep_for).or_else(|| now.checked_add(KEEP_FOR)).unwrap_or(now);
        keys.expiry.insert(key.to_owned(), (expires, inserted));
        keys.order.push_back((key.to_owned(), inserted));
        // Evict the oldest insertions beyond capacity, and drop expired or stale ones at the front.
        while let Some((oldest, number)) = keys.order.front() {
            match keys.expiry.get(oldest) {
                Some(&(expires, n)) if n == *number => {
                    if keys.expiry.len() <= self.capacity && expires > now {
                        break;
                    }
                    keys.expiry.remove(oldest);
                }
                _ => {}
            }
            keys.order.pop_front();
        }
        // Stale insertions behind the front (forgotten, then marked again) must not pile up.
        if keys.order.len() > 2 * self.capacity {
            let Keys { expiry, order, .. } = keys;
            order.retain(|(key, number)| expiry.get(key).is_some_and(|&(_, n)| n == *number));
        }
        true
    }
}

impl SeenStore for MemorySeen {
    fn first_time<'a>(&'a self, key: &'a str, keep_for: Duration) -> BoxFuture<'a, Result<bool, DedupError>> {
        let first = self.mark(key, keep_for);
        Box::pin(std::future::ready(Ok(first)))
    }

    fn forget<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), DedupError>> {
        self.lock().expiry.remove(key);
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(feature = "redis")]
pub use self::redis_seen::RedisSeen;

#[cfg(feature = "redis")]
mod redis_seen {
    use std::time::Duration;

    use redis::aio::{ConnectionManager, ConnectionManagerConfig};

    use super::{DedupError, SeenStore};
    use crate::BoxFuture;

    /// A [`SeenStore`] in Redis (cargo feature `redis`, on a tokio runtime), shared by every
    /// replica that uses the same server: each key is set with one atomic
    /// `SET key 1 NX PX <ms>`, so exactly one replica sees a delivery first, and Redis expires
    /// the key. The connection reconnects by itself after the server went away. Make it on the
    /// runtime that serves the requests: the connection is driven by a task on the runtime it
    /// was made on, and ends with that runtime.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), commerce_webhooks::dedup::DedupError> {
    /// use commerce_webhooks::dedup::{Dedup, RedisSeen};
    ///
    /// let dedup = Dedup::new(RedisSeen::connect("redis://127.0.0.1:6379/0").await?);
    /// # Ok(()) }
    /// ```
    #[derive(Clone)]
    pub struct RedisSeen {
        connection: ConnectionManager,
    }

    impl RedisSeen {
        /// Connects to the server at `url` (`redis://[user:password@]host:port/db`,
        /// `rediss://` for TLS where redis' TLS features are enabled). Connecting and each
        /// command give up after 2 seconds, well within a platform's delivery timeout.
        pub async fn connect(url: &str) -> Result<Self, DedupError> {
            let client = redis::Client::open(url).map_err(|error| redis_error(&error))?;
            let config = ConnectionManagerConfig::new()
                .set_number_of_retries(1)
                .set_connection_timeout(Duration::from_secs(2))
                .set_response_timeout(Duration::from_secs(2));
            let connection =
                ConnectionManager::new_with_config(client, config).await.map_err(|error| redis_error(&error))?;
            Ok(Self { connection })
        }

        /// A store on a connection configured by the application.
        pub fn new(connection: ConnectionManager) -> Self {
            Self { connection }
        }
    }

    impl std::fmt::Debug for RedisSeen {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("RedisSeen").finish_non_exhaustive()
        }
    }

    impl SeenStore for RedisSeen {
        fn first_time<'a>(&'a self, key: &'a str, keep_for: Duration) -> BoxFuture<'a, Result<bool, DedupError>> {
            Box::pin(async move {
                let mut connection = self.connection.clone();
                // PX takes at least 1 ms; `None` is Redis' nil: the key was already there.
                let millis = u64::try_from(keep_for.as_millis()).unwrap_or(u64::MAX).max(1);
                let set: Option<String> = redis::cmd("SET")
                    .arg(key)
                    .arg(1)
                    .arg("NX")
                    .arg("PX")
                    .arg(millis)
                    .query_async(&mut connection)
                    .await
                    .map_err(|error| redis_error(&error))?;
                Ok(set.is_some())
            })
        }

        fn forget<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), DedupError>> {
            Box::pin(async move {
                let mut connection = self.connection.clone();
                redis::cmd("DEL")
                    .arg(key)
                    .query_async::<i64>(&mut connection)
                    .await
                    .map(drop)
                    .map_err(|error| redis_error(&error))
            })
        }
    }

    /// Says what to check. The URL (which may hold a password) is never part of the text.
    fn redis_error(error: &redis::RedisError) -> DedupError {
        let check = if error.is_connection_refusal() {
            "the Redis server refused the connection: check that redis-server is running and the URL's host and port"
        } else if error.is_timeout() {
            "the Redis server did not answer in time: check that it is reachable and not overloaded"
        } else if error.is_connection_dropped() || error.is_io_error() {
            "lost the connection to the Redis server: check that it is up and reachable (it reconnects by itself)"
        } else if error.kind() == redis::ErrorKind::AuthenticationFailed {
            "the Redis server refused the credentials: check the user and password in the URL"
        } else if error.kind() == redis::ErrorKind::InvalidClientConfig {
            "the Redis URL is not valid: use redis://[user:password@]host:port/db"
        } else if error.code() == Some("READONLY") {
            "the Redis server is a read-only replica: point the URL at the primary"
        } else {
            "Redis answered with an error"
        };
        DedupError::new(format_args!("{check} ({error})"))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Barrier;

    use super::*;

    fn block_on<T>(future: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
    }

    fn first(seen: &MemorySeen, key: &str, keep_for: Duration) -> bool {
        block_on(seen.first_time(key, keep_for)).unwrap()
    }

    #[test]
    fn a_duplicate_within_the_keep_duration_is_not_first() {
        let seen = MemorySeen::new(10);
        assert!(first(&seen, "a", KEEP_FOR));
        assert!(!first(&seen, "a", KEEP_FOR));
        assert!(first(&seen, "b", KEEP_FOR));
        assert_eq!(seen.len(), 2);
    }

    #[test]
    fn a_key_is_first_again_after_it_expires() {
        let seen = MemorySeen::new(10);
        let keep = Duration::from_millis(200);
        assert!(first(&seen, "a", keep));
        assert!(!first(&seen, "a", keep));
        std::thread::sleep(Duration::from_millis(250));
        assert!(first(&seen, "a", keep));
    }

    #[test]
    fn a_forgotten_key_is_first_again() {
        let seen = MemorySeen::new(10);
        assert!(first(&seen, "a", KEEP_FOR));
        block_on(seen.forget("a")).unwrap();
        assert!(seen.is_empty());
        assert!(first(&seen, "a", KEEP_FOR));
    }

    #[test]
    fn the_capacity_holds_and_the_oldest_keys_go_first() {
        let seen = MemorySeen::new(100);
        for i in 0..250 {
            assert!(first(&seen, &format!("k{i}"), KEEP_FOR));
            assert!(seen.len() <= 100);
        }
        assert_eq!(seen.len(), 100);
        assert!(!first(&seen, "k249", KEEP_FOR), "the newest are kept");
        assert!(!first(&seen, "k150", KEEP_FOR));
        assert!(first(&seen, "k149", KEEP_FOR), "the oldest were evicted");
        // Forgetting and marking one key again and again leaves no stale entries behind.
        for _ in 0..1000 {
            block_on(seen.forget("again")).unwrap();
            assert!(first(&seen, "again", KEEP_FOR));
        }
        assert!(seen.lock().order.len() <= 200);
        assert_eq!(seen.len(), 100);
    }

    #[test]
    fn of_many_threads_marking_one_key_exactly_one_is_first() {
        for round in 0..20 {
            let seen = MemorySeen::new(1000);
            let start = Barrier::new(16);
            let key = format!("key {round}");
            let firsts = std::thread::scope(|scope| {
                let threads: Vec<_> = (0..16)
                    .map(|_| {
                        scope.spawn(|| {
                            start.wait();
                            first(&seen, &key, KEEP_FOR)
                        })
                    })
                    .collect();
                threads.into_iter().map(|thread| thread.join().unwrap()).filter(|&f| f).count()
            });
            assert_eq!(firsts, 1, "round {round}");
        }
    }

    #[cfg(feature = "shopify")]
    fn shopify_delivery(shop: &str, webhook_id: Option<&str>) -> Delivery<crate::shopify::Event> {
        use base64::Engine as _;
        use hmac::Mac as _;
        let body = br#"{"id":1}"#;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"secret").unwrap();
        mac.update(body);
        let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let mut headers = vec![
            ("X-Shopify-Hmac-Sha256", signature.as_str()),
            ("X-Shopify-Topic", "orders/create"),
            ("X-Shopify-Shop-Domain", shop),
        ];
        headers.extend(webhook_id.map(|id| ("X-Shopify-Webhook-Id", id)));
        Delivery::verify_and_decode(&headers[..], body, &[crate::Secret::new("secret")]).unwrap()
    }

    #[cfg(feature = "shopify")]
    #[test]
    fn the_key_names_platform_store_and_id() {
        let key = |shop, id| delivery_key(&shopify_delivery(shop, id));
        assert_eq!(key("a.myshopify.com", Some("w1")).as_deref(), Some("commerce-webhooks:shopify:a.myshopify.com:w1"));
        assert_ne!(key("a.myshopify.com", Some("w1")), key("b.myshopify.com", Some("w1")));
        // A `:` in the store cannot shift the boundary between store and id.
        assert_ne!(key("a:b", Some("c")), key("a", Some("b:c")));
        assert_eq!(key("a:b%", Some("c")).as_deref(), Some("commerce-webhooks:shopify:a%3Ab%25:c"));
        assert_eq!(key("a.myshopify.com", None), None);
    }

    #[cfg(feature = "shopify")]
    #[test]
    fn a_delivery_without_an_id_is_never_a_duplicate() {
        let dedup = Dedup::new(MemorySeen::new(10));
        let delivery = shopify_delivery("a.myshopify.com", None);
        for _ in 0..3 {
            let claim = block_on(dedup.claim(&delivery));
            assert!(!claim.is_duplicate());
            assert_eq!(claim.key(), None);
        }
    }

    #[cfg(feature = "shopify")]
    #[test]
    fn a_released_claim_lets_the_retry_through() {
        let dedup = Dedup::new(MemorySeen::new(10));
        let delivery = shopify_delivery("a.myshopify.com", Some("w1"));
        let claim = block_on(dedup.claim(&delivery));
        assert!(!claim.is_duplicate());
        assert!(block_on(dedup.claim(&delivery)).is_duplicate());
        block_on(claim.release()).unwrap();
        assert!(!block_on(dedup.claim(&delivery)).is_duplicate());
    }
}
