//! Signed deliveries for your own tests (feature `testing`), and the catalog's example bodies
//! per topic (feature `fixtures`).
//!
//! A [`TestDelivery`] is what a platform would send: the body, and the headers a real delivery
//! carries (topic, delivery id, store, timestamp, signature), signed with your secret the way
//! the platform signs. Hand [`TestDelivery::request`] to your HTTP handler, or
//! [`TestDelivery::headers`] and [`TestDelivery::body`] to [`crate::Receiver`]; no signing
//! dependency of your own is needed.
//!
//! ```
//! use commerce_webhooks::testing::TestDelivery;
//! use commerce_webhooks::{shopify, Receiver, Secret};
//!
//! let body = br#"{"id": 820982911946154508, "email": "jon@example.com"}"#;
//! let delivery = TestDelivery::new::<shopify::Event>("orders/create", body).secret("my-client-secret");
//!
//! let receiver = Receiver::<shopify::Event>::new([Secret::new("my-client-secret")]);
//! let received = receiver.receive(&delivery.headers(), &delivery.body()).unwrap();
//! assert_eq!(received.topic(), Some("orders/create"));
//!
//! // The same delivery with its body changed after signing is refused.
//! let tampered = delivery.clone().tampered();
//! assert!(receiver.receive(&tampered.headers(), &tampered.body()).unwrap_err().is_unauthorized());
//! ```
//!
//! What each platform's delivery carries, and what the builder fills in:
//!
//! | platform | headers | body fields set when they differ |
//! | --- | --- | --- |
//! | Shopify | `X-Shopify-Topic`, `-Hmac-Sha256`, `-Shop-Domain`, `-Webhook-Id`, `-API-Version`, `-Triggered-At`, `-Event-Id` | — |
//! | BigCommerce | `webhook-id`, `webhook-timestamp`, `webhook-signature` | `scope` (topic), `store_id` |
//! | Shopware | `shopware-shop-signature` | `data.event` (topic), `source.eventId`, `source.shopId` |
//! | Ecwid | `X-Ecwid-Webhook-Signature` | `eventType` (topic), `eventId`, `eventCreated` (the signing time), `storeId` |
//!
//! A body whose fields the builder has to set is re-encoded (its keys then come out sorted);
//! [`TestDelivery::body`] is always the exact bytes the headers sign.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use crate::body::{self, Found};
#[cfg(feature = "fixtures")]
use crate::CatalogTopic;
use crate::{DeliveryFacts, FixedClock, Location, Secret, SignatureScheme, VerifyOptions, WebhookEvent};

/// The secret a [`TestDelivery`] is signed with unless [`TestDelivery::secret`] sets another.
pub const TEST_SECRET: &str = "commerce-webhooks test secret";

/// The shop domain a Shopify test delivery names unless [`TestDelivery::store`] sets another.
pub const TEST_SHOP_DOMAIN: &str = "example.myshopify.com";

/// A delivery as a platform would send it, signed with a secret you choose.
///
/// Built from a topic and a body ([`TestDelivery::new`]) or from the catalog's example of a
/// topic (`TestDelivery::example`, feature `fixtures`); the builder methods set what tests
/// vary. Nothing is signed until [`TestDelivery::headers`], [`TestDelivery::body`] or
/// [`TestDelivery::request`] asks.
#[derive(Clone)]
pub struct TestDelivery {
    facts: DeliveryFacts,
    topic: String,
    body: Vec<u8>,
    secret: Secret,
    signed_at: SystemTime,
    delivery_id: Option<String>,
    fresh_id: String,
    store: Option<String>,
    headers: Vec<(String, String)>,
    tampered: bool,
}

impl fmt::Debug for TestDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The secret stays out of test output, as `Secret`'s does.
        f.debug_struct("TestDelivery")
            .field("platform", &self.facts.scheme)
            .field("topic", &self.topic)
            .field("body_len", &self.body.len())
            .field("signed_at", &self.signed_at)
            .field("delivery_id", &self.delivery_id)
            .field("store", &self.store)
            .field("headers", &self.headers)
            .field("tampered", &self.tampered)
            .finish_non_exhaustive()
    }
}

/// A delivery id no other test delivery of this process has: the time and a counter.
fn fresh_delivery_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |since| since.as_nanos());
    format!("test-{nanos:x}-{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

impl TestDelivery {
    /// A delivery of `body` as `topic` for the platform of `E` (`shopify::Event`, …), signed
    /// with [`TEST_SECRET`] at the current time. Its delivery id is the body's where the
    /// platform puts it there (Shopware, Ecwid), else one no other test delivery has.
    pub fn new<E: WebhookEvent>(topic: impl AsRef<str>, body: impl AsRef<[u8]>) -> Self {
        Self {
            facts: E::DELIVERY,
            topic: topic.as_ref().to_owned(),
            body: body.as_ref().to_vec(),
            secret: Secret::new(TEST_SECRET),
            signed_at: SystemTime::now(),
            delivery_id: None,
            fresh_id: fresh_delivery_id(),
            store: None,
            headers: Vec::new(),
            tampered: false,
        }
    }

    /// A delivery of the catalog's first example body of `topic`, or `None` where the catalog
    /// has no example for it ([`Fixtures::examples`] lists them all).
    #[cfg(feature = "fixtures")]
    pub fn example<E: Fixtures>(topic: &E::Topic) -> Option<Self> {
        E::examples(topic).first().map(|example| Self::new::<E>(example.topic::<E>(topic), example.body))
    }

    /// Signs with `secret`: the bytes you give [`crate::Secret::new`] on the receiving side.
    pub fn secret(mut self, secret: impl AsRef<[u8]>) -> Self {
        self.secret = Secret::new(secret);
        self
    }

    /// Signs at `at` instead of now: the time the signed timestamp says (BigCommerce's
    /// `webhook-timestamp`, Ecwid's `eventCreated`, Shopify's `X-Shopify-Triggered-At`).
    /// Verify with [`TestDelivery::verify_options`] to check it at that time.
    pub fn signed_at(mut self, at: SystemTime) -> Self {
        self.signed_at = at;
        self
    }

    /// Signs as if `age` ago: an old delivery, to test replay limits.
    pub fn aged(self, age: Duration) -> Self {
        let at = self.signed_at.checked_sub(age).unwrap_or(SystemTime::UNIX_EPOCH);
        self.signed_at(at)
    }

    /// Sets the delivery id (for duplicate tests: two deliveries with one id are a retry).
    pub fn delivery_id(mut self, id: impl Into<String>) -> Self {
        self.delivery_id = Some(id.into());
        self
    }

    /// Sets the store the delivery comes from: Shopify's shop domain, BigCommerce's
    /// `store_id` (`stores/<hash>`), Shopware's shop id, Ecwid's store id.
    pub fn store(mut self, store: impl Into<String>) -> Self {
        self.store = Some(store.into());
        self
    }

    /// Sets a header (replacing one of that name the builder would send), e.g. Shopify's
    /// `X-Shopify-API-Version` or Shopware's `sw-version`. Headers are not signed by Shopify,
    /// Shopware or Ecwid, so this never changes the signature.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.headers.retain(|(existing, _)| !existing.eq_ignore_ascii_case(&name));
        self.headers.push((name, value.into()));
        self
    }

    /// Changes what the signature covers after signing, as a forger would: a space appended
    /// to the body (Shopify, BigCommerce, Shopware), or for Ecwid, whose signature covers only
    /// `eventCreated` and `eventId`, a different `eventId`. A receiver must refuse it.
    pub fn tampered(mut self) -> Self {
        self.tampered = true;
        self
    }

    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// The delivery id: the one [`TestDelivery::delivery_id`] set, else the body's where the
    /// platform puts it there (`None` for a body without one, as older Shopware versions
    /// send), else the fresh one made for this delivery.
    pub fn id(&self) -> Option<String> {
        if let Some(id) = &self.delivery_id {
            return Some(id.clone());
        }
        match self.facts.delivery_id {
            Location::Body(_, path) => body_text(&self.body, path),
            Location::Header(_) => Some(self.fresh_id.clone()),
        }
    }

    /// The time the delivery is signed at.
    pub fn time(&self) -> SystemTime {
        self.signed_at
    }

    /// Options that verify at the signing time ([`VerifyOptions::clock`] with a
    /// [`FixedClock`]), for deliveries signed at a fixed time in the past.
    pub fn verify_options(&self) -> VerifyOptions {
        VerifyOptions::new().clock(FixedClock(self.signed_at))
    }

    /// The body as sent: the one given, with the fields the table above names set where they
    /// differed, and changed after signing if [`TestDelivery::tampered`].
    pub fn body(&self) -> Vec<u8> {
        self.build().1
    }

    /// The headers the delivery carries, signature included.
    pub fn headers(&self) -> Vec<(String, String)> {
        self.build().0
    }

    /// The headers as an [`http::HeaderMap`] (a header value that is not valid in HTTP, which
    /// only [`TestDelivery::header`] can add, is left out).
    pub fn header_map(&self) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (name, value) in self.headers() {
            if let (Ok(name), Ok(value)) =
                (http::HeaderName::from_bytes(name.as_bytes()), http::HeaderValue::from_str(&value))
            {
                map.append(name, value);
            }
        }
        map
    }

    /// A complete `POST` request to `uri`, as the platform sends it; convert the body to your
    /// framework's (`request.map(axum::body::Body::from)`).
    ///
    /// # Panics
    ///
    /// If `uri` is not a valid request URI (a test's own literal).
    pub fn request(&self, uri: &str) -> http::Request<Vec<u8>> {
        let (_, body) = self.build();
        let mut request = http::Request::new(body);
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = uri.parse().unwrap_or_else(|e| panic!("`{uri}` is not a request URI: {e}"));
        *request.headers_mut() = self.header_map();
        request
    }

    /// The signed headers and the body.
    fn build(&self) -> (Vec<(String, String)>, Vec<u8>) {
        let facts = &self.facts;
        let seconds = self.signed_at.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |since| since.as_secs());
        let mut body = BodyEdit::new(&self.body);
        let mut headers: Vec<(String, String)> = vec![("Content-Type".into(), "application/json".into())];
        let mut put = |location: Location, value: &str, headers: &mut Vec<(String, String)>| match location {
            Location::Header(name) => headers.push((name.to_owned(), value.to_owned())),
            Location::Body(_, path) => body.set(path, value),
        };
        put(facts.topic, &self.topic, &mut headers);
        let delivery_id = self.id().unwrap_or_default();
        if self.delivery_id.is_some() || matches!(facts.delivery_id, Location::Header(_)) {
            put(facts.delivery_id, &delivery_id, &mut headers);
        }
        let store = self.store.as_deref().or(match facts.store_id {
            Location::Header(_) => Some(TEST_SHOP_DOMAIN),
            Location::Body(..) => None,
        });
        if let Some(store) = store {
            put(facts.store_id, store, &mut headers);
        }
        if facts.scheme == SignatureScheme::EcwidCreatedDotId {
            body.set(&[crate::verify::ECWID_CREATED], &seconds.to_string());
        }
        for metadata in facts.headers {
            let value = match metadata.name {
                "triggered_at" => crate::instant::format_utc(self.signed_at),
                "api_version" => self.api_version().unwrap_or_default().to_owned(),
                "event_id" => format!("{delivery_id}-event"),
                _ => continue,
            };
            if !value.is_empty() && !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case(metadata.header)) {
                headers.push((metadata.header.to_owned(), value));
            }
        }
        let mut body = body.finish();
        // The verifier's own MAC: tests of the crate sign independently (tests/src `sign`).
        let mac = |parts: &[&[u8]]| self.secret.tag(parts).expect("HMAC takes a key of any length");
        let signature = match facts.scheme {
            SignatureScheme::HmacSha256Base64Body => BASE64.encode(mac(&[&body])),
            SignatureScheme::HmacSha256HexBody => hex::encode(mac(&[&body])),
            SignatureScheme::StandardWebhooks => {
                let timestamp = seconds.to_string();
                headers.push((crate::verify::WEBHOOK_TIMESTAMP.to_owned(), timestamp.clone()));
                let id = delivery_id.as_bytes();
                format!("v1,{}", BASE64.encode(mac(&[id, b".", timestamp.as_bytes(), b".", &body])))
            }
            SignatureScheme::EcwidCreatedDotId => {
                let message = format!("{seconds}.{}", body_text(&body, &["eventId"]).unwrap_or_default());
                BASE64.encode(mac(&[message.as_bytes()]))
            }
        };
        headers.push((facts.signature_header.to_owned(), signature));
        if self.tampered {
            body = match facts.scheme {
                SignatureScheme::EcwidCreatedDotId => {
                    let mut edit = BodyEdit::new(&body);
                    edit.set(&["eventId"], &format!("{}-tampered", body_text(&body, &["eventId"]).unwrap_or_default()));
                    edit.finish()
                }
                _ => [body.as_slice(), b" "].concat(),
            };
        }
        for (name, value) in &self.headers {
            headers.retain(|(existing, _)| !existing.eq_ignore_ascii_case(name));
            headers.push((name.clone(), value.clone()));
        }
        (headers, body)
    }

    /// The API version a Shopify delivery names by default: the catalog's (a header set with
    /// [`TestDelivery::header`] replaces it).
    fn api_version(&self) -> Option<&str> {
        #[cfg(feature = "shopify")]
        if self.facts.scheme == SignatureScheme::HmacSha256Base64Body {
            return crate::shopify::CATALOG_API_VERSION;
        }
        None
    }
}

/// The body field at `path` read as the verifier reads ids and signed fields
/// ([`body::find`]): a string's text or an integer's digits.
fn body_text(body: &[u8], path: &[&str]) -> Option<String> {
    match body::find(body, path) {
        Ok(Found::Text(text) | Found::Integer(text)) => Some(text),
        _ => None,
    }
}

/// Sets fields of a JSON body, re-encoding it only when a value differs.
struct BodyEdit {
    original: Vec<u8>,
    value: Option<serde_json::Value>,
    changed: bool,
}

impl BodyEdit {
    fn new(body: &[u8]) -> Self {
        Self { original: body.to_vec(), value: serde_json::from_slice(body).ok(), changed: false }
    }

    /// Sets the field at `path` to `text`: as a number where the field holds a number and
    /// `text` is one (Ecwid's `storeId`, `eventCreated`), else as a string. Creates the
    /// objects on the way; leaves a body that is not a JSON object as it is.
    fn set(&mut self, path: &[&str], text: &str) {
        let Some(mut node) = self.value.as_mut().filter(|value| value.is_object()) else { return };
        for key in path {
            let Some(object) = node.as_object_mut() else { return };
            node = object.entry(*key).or_insert(serde_json::Value::Null);
        }
        let number = text.parse::<serde_json::Number>().ok().filter(|_| node.is_number() || node.is_null());
        let wanted = match number {
            Some(number) if !node.is_null() || path.last() == Some(&crate::verify::ECWID_CREATED) => {
                serde_json::Value::Number(number)
            }
            _ => serde_json::Value::String(text.to_owned()),
        };
        if *node != wanted {
            *node = wanted;
            self.changed = true;
        }
    }

    fn finish(self) -> Vec<u8> {
        match self.value {
            Some(value) if self.changed => serde_json::to_vec(&value).expect("a JSON value always encodes"),
            _ => self.original,
        }
    }
}

/// How a catalog example relates to the platform's documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExampleStatus {
    /// Copied from the platform's page as it is.
    Verbatim,
    /// Copied and mended (a truncated example completed, a missing brace added).
    Repaired,
    /// Taken from other public documentation of the platform.
    Sourced,
    /// Written from documented fields.
    Authored,
}

/// One of the catalog's example bodies of a topic (feature `fixtures`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Example {
    /// Its file in the catalog (`examples/shopify/orders_create.json`).
    pub file: &'static str,
    /// How it relates to the platform's documentation.
    pub status: ExampleStatus,
    /// Where it comes from (for anything not verbatim).
    pub source: Option<&'static str>,
    /// The body, byte for byte.
    pub body: &'static str,
}

#[cfg(feature = "fixtures")]
impl Example {
    /// The topic this example is delivered for, as an example of `topic`: its wire name, but
    /// for a template (`store/channel/{channel_id}/cart/created`) the name the example's body
    /// fills it with (`store/channel/1/cart/created`), where the platform puts the topic in the
    /// body and the body names one.
    pub fn topic<E: WebhookEvent>(&self, topic: &E::Topic) -> String {
        let from_body = match (topic.template(), E::DELIVERY.topic) {
            (Some(_), Location::Body(_, path)) => body_text(self.body.as_bytes(), path),
            _ => None,
        };
        from_body.unwrap_or_else(|| topic.as_str().to_owned())
    }
}

/// The catalog's example bodies per topic, implemented by each platform's `Event` when the
/// `fixtures` feature is on.
///
/// ```
/// # #[cfg(feature = "fixtures")] {
/// use commerce_webhooks::testing::Fixtures as _;
/// use commerce_webhooks::shopify;
///
/// let examples = shopify::Event::examples(&shopify::Topic::OrdersCreate);
/// assert!(examples[0].body.contains("\"line_items\""));
/// # }
/// ```
pub trait Fixtures: WebhookEvent {
    /// The examples of `topic` (empty for a topic the catalog has none for, and for an unknown
    /// topic).
    fn examples(topic: &Self::Topic) -> &'static [Example];
}
