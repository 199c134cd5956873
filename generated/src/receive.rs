//! Receiving a delivery: verify its signature, then decode it into the platform's typed
//! `Event`, with the delivery's metadata (topic, delivery id, store id, headers).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::Duration;

use bytes::Bytes;

use crate::body::{DeliveryBody, Field, Found};
use crate::secrets::{SecretLookupError, SecretSource};
use crate::verify::{self, Secret, VerifyOptions};
use crate::{DecodeError, DeliveryFacts, Location, MetadataHeader, WebhookEvent};

/// Request headers, looked up by name, ASCII case-insensitively.
///
/// Implemented for [`http::HeaderMap`] and for slices, arrays, vectors and maps of
/// `(name, value)` pairs (`&str`/`String` names; `&str`, `String`, `&[u8]` or `Vec<u8>`
/// values).
pub trait HeaderLookup {
    /// The value of the header `name` (first one if repeated), as received.
    fn header(&self, name: &str) -> Option<&[u8]>;
}

impl HeaderLookup for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.get(name).map(http::HeaderValue::as_bytes)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> HeaderLookup for [(K, V)] {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.iter().find(|(key, _)| key.as_ref().eq_ignore_ascii_case(name)).map(|(_, value)| value.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>, const N: usize> HeaderLookup for [(K, V); N] {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.as_slice().header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> HeaderLookup for Vec<(K, V)> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.as_slice().header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>, S> HeaderLookup for HashMap<K, V, S> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.iter().find(|(key, _)| key.as_ref().eq_ignore_ascii_case(name)).map(|(_, value)| value.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> HeaderLookup for BTreeMap<K, V> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.iter().find(|(key, _)| key.as_ref().eq_ignore_ascii_case(name)).map(|(_, value)| value.as_ref())
    }
}

impl<T: HeaderLookup + ?Sized> HeaderLookup for &T {
    fn header(&self, name: &str) -> Option<&[u8]> {
        (**self).header(name)
    }
}

/// Why a delivery was refused. [`ReceiveError::status`] says which HTTP status to answer
/// with: 401 when the delivery is not proven authentic, 500 when the receiver itself is
/// misconfigured, and 400 only from a [`Receiver::strict`](crate::Receiver::strict) receiver, for an authentic delivery
/// that does not decode (by default such a delivery reaches the application instead).
///
/// Never contains a secret, an expected signature or a value from the body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiveError {
    /// No secret to verify with (none given, or all empty). 500.
    NoSecrets,
    /// A header verification needs is absent or empty. 401.
    MissingHeader {
        /// The header.
        header: &'static str,
    },
    /// The signature header is not in the scheme's format. 401.
    MalformedSignature {
        /// The header.
        header: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// No secret produces the delivered signature. 401.
    SignatureMismatch {
        /// The signature header.
        header: &'static str,
    },
    /// A body field that is part of the signed message cannot be read (Ecwid signs
    /// `eventCreated` and `eventId`). 401.
    UnreadableSignedField {
        /// The field.
        field: &'static str,
        /// Why it cannot be read.
        reason: &'static str,
    },
    /// The signed timestamp header is not Unix seconds. 401.
    MalformedTimestamp {
        /// The header.
        header: &'static str,
    },
    /// The signature is genuine but older than the tolerance (a replay, a late retry, or a
    /// slow clock). 401.
    StaleTimestamp {
        /// How old it is.
        age: Duration,
        /// The tolerance.
        tolerance: Duration,
    },
    /// The signature is genuine but dated further ahead than the tolerance (a fast sender
    /// clock or a slow local one). 401.
    FutureTimestamp {
        /// How far ahead it is.
        ahead: Duration,
        /// The tolerance.
        tolerance: Duration,
    },
    /// The delivery is authentic but does not decode, and the receiver is
    /// [strict](crate::Receiver::strict). 400.
    Undecodable(DecodeError),
    /// The delivery is authentic and decodes, but some fields hold values of another type than
    /// documented (kept as received), and the receiver is [strict](crate::Receiver::strict). 400.
    Mismatched(Vec<crate::FieldMismatch>),
    /// A per-store receiver cannot tell which store the delivery is from (no store key, or it
    /// appears twice), or it does not know that store. 401.
    UnknownStore,
    /// The store the verified delivery reports is not the store whose secret verified it. 401.
    StoreMismatch,
    /// The secret source could not answer (or an async source was called synchronously). 503:
    /// the platform retries.
    SecretLookup(SecretLookupError),
}

impl ReceiveError {
    /// The HTTP status to answer with: 401, 400 (strict receivers only), 500 or 503.
    pub fn status(&self) -> http::StatusCode {
        match self {
            Self::NoSecrets => http::StatusCode::INTERNAL_SERVER_ERROR,
            Self::SecretLookup(_) => http::StatusCode::SERVICE_UNAVAILABLE,
            Self::Undecodable(_) | Self::Mismatched(_) => http::StatusCode::BAD_REQUEST,
            _ => http::StatusCode::UNAUTHORIZED,
        }
    }

    /// Whether the delivery was refused as not authentic (401): do not trust anything in it.
    pub fn is_unauthorized(&self) -> bool {
        self.status() == http::StatusCode::UNAUTHORIZED
    }

    /// What to answer the sender: generic, so that a caller probing the endpoint learns
    /// nothing about the receiver's configuration or the check that failed.
    pub fn public_text(&self) -> &'static str {
        match self.status().as_u16() {
            401 => "webhook not verified\n",
            400 => "webhook body not accepted\n",
            503 => "webhook receiver unavailable, retry later\n",
            _ => "webhook receiver error\n",
        }
    }
}

impl fmt::Display for ReceiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoSecrets => f.write_str(
                "no signing secret is configured for this receiver; give it the platform's secret (an empty one never verifies)",
            ),
            Self::MissingHeader { header } => {
                write!(f, "the `{header}` header is missing; deliveries without it cannot be verified")
            }
            Self::MalformedSignature { header, reason } => write!(f, "the `{header}` header is malformed: {reason}"),
            Self::SignatureMismatch { header } => write!(
                f,
                "the `{header}` signature does not match the delivery under any configured secret \
                 (check the secret, and that the body is passed exactly as received)"
            ),
            Self::UnreadableSignedField { field, reason } => {
                write!(f, "the signed body field `{field}` cannot be read: {reason}")
            }
            Self::MalformedTimestamp { header } => write!(f, "the `{header}` header is not Unix seconds"),
            Self::StaleTimestamp { age, tolerance } => write!(
                f,
                "the delivery was signed {}s ago, more than the {}s tolerance (a replay, or check the clock)",
                age.as_secs(),
                tolerance.as_secs()
            ),
            Self::FutureTimestamp { ahead, tolerance } => write!(
                f,
                "the delivery is dated {}s in the future, more than the {}s tolerance (check the clock)",
                ahead.as_secs(),
                tolerance.as_secs()
            ),
            Self::Undecodable(error) => write!(f, "the authentic delivery does not decode: {error}"),
            Self::UnknownStore => f.write_str(
                "the delivery names no store this receiver has secrets for (or names one twice); it cannot be verified",
            ),
            Self::StoreMismatch => f.write_str(
                "the verified delivery reports another store than the one whose secret verified it; refused as a forgery",
            ),
            Self::SecretLookup(error) => write!(f, "the secrets could not be looked up: {error}"),
            Self::Mismatched(found) => {
                f.write_str("the authentic delivery has fields that do not fit their types:")?;
                for mismatch in found {
                    write!(f, " {mismatch};")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ReceiveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Undecodable(error) => Some(error),
            Self::SecretLookup(error) => Some(error),
            _ => None,
        }
    }
}

/// An authentic webhook delivery of platform `E` (`shopify::Event`, …): the exact body, what
/// the delivery says about itself, and the typed event, or why the body did not decode.
///
/// Verification comes first; once it passes, the delivery always reaches the application,
/// even when the body does not fit the types (a platform that is answered with an error
/// retries, then disables the subscription). Keep such a delivery's [`body`](Self::body) for
/// replay once the crate catches up, and answer 2xx.
///
/// ```
/// # #[cfg(feature = "shopify")] {
/// use commerce_webhooks::{shopify, Delivery, Secret};
///
/// let headers = [
///     ("X-Shopify-Hmac-Sha256", "AsdkItclzjG20ZJ6IZQVt1E9shG3lPvXw9/GqURv0T4="),
///     ("X-Shopify-Topic", "orders/teleported"),
///     ("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"),
/// ];
/// let delivery = Delivery::<shopify::Event>::verify_and_decode(&headers, br#"{"id":1}"#, &[Secret::new("test_secret")])?;
/// assert_eq!(delivery.topic(), Some("orders/teleported"));
/// assert_eq!(delivery.delivery_id(), Some("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"));
/// match delivery.event() {
///     Ok(event) => assert!(matches!(event, shopify::Event::Unknown { .. })),
///     Err(error) => eprintln!("authentic, undecodable ({error}): keep {} bytes for replay", delivery.body().len()),
/// }
/// # }
/// # Ok::<(), commerce_webhooks::ReceiveError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery<E> {
    decoded: Result<E, DecodeError>,
    body: Bytes,
    facts: DeliveryFacts,
    topic: Option<String>,
    delivery_id: Option<String>,
    store_id: Option<String>,
    metadata: Vec<(&'static MetadataHeader, String)>,
    /// `None`: an HTTPS delivery whose signature was verified; else the bus that carried it.
    transport: Option<crate::bus::Transport>,
}

impl<E: WebhookEvent> Delivery<E> {
    /// Verifies the delivery's signature against `secrets` (any one may match: list the new
    /// and the old secret while rotating) and, only then, decodes it. `body` must be the raw
    /// request body, byte for byte. Uses [`VerifyOptions::default`].
    ///
    /// `Err` means the delivery is not authentic (or no secret is configured); an authentic
    /// delivery whose body does not decode is `Ok`, with [`Self::event`] giving the error.
    pub fn verify_and_decode<H: HeaderLookup + ?Sized>(
        headers: &H,
        body: &[u8],
        secrets: &[Secret],
    ) -> Result<Self, ReceiveError> {
        Self::verify_and_decode_with(headers, body, secrets, &VerifyOptions::default())
    }

    /// [`Self::verify_and_decode`] with a timestamp tolerance and clock.
    pub fn verify_and_decode_with<H: HeaderLookup + ?Sized>(
        headers: &H,
        body: &[u8],
        secrets: &[Secret],
        options: &VerifyOptions,
    ) -> Result<Self, ReceiveError> {
        let raw = Bytes::copy_from_slice(body);
        let (facts, delivery_body) = Self::read(headers, &raw);
        verify::verify(&facts, headers, &delivery_body, secrets, options)?;
        Ok(Self::decode_verified(facts, headers, &delivery_body).with_body(raw))
    }

    /// Verifies with the secrets of the store the delivery claims, looked up in `source`, and
    /// then decodes it: the verified delivery must report the store whose secret verified it.
    /// What an app serving several stores with their own secrets (Shopware's shops) uses.
    pub fn verify_and_decode_for_store<H: HeaderLookup + ?Sized>(
        headers: &H,
        body: &[u8],
        source: &dyn SecretSource,
        options: &VerifyOptions,
    ) -> Result<Self, ReceiveError> {
        let raw = Bytes::copy_from_slice(body);
        let (facts, delivery_body) = Self::read(headers, &raw);
        let store = Self::claimed_store(&facts, headers, &delivery_body)?;
        let secrets = source.secrets_for(&store).map_err(ReceiveError::SecretLookup)?;
        Self::verify_for_store(facts, headers, &delivery_body, &store, &secrets, options).map(|d| d.with_body(raw))
    }

    /// The header family `headers` use, and the body's fields to be read in one walk.
    pub(crate) fn read<'b, H: HeaderLookup + ?Sized>(headers: &H, raw: &'b [u8]) -> (DeliveryFacts, DeliveryBody<'b>) {
        let facts = E::DELIVERY.for_headers(headers);
        let body = DeliveryBody::new(&facts, raw);
        (facts, body)
    }

    /// Verifies with the secrets of `store` alone, decodes, and holds the delivery to the store.
    pub(crate) fn verify_for_store<H: HeaderLookup + ?Sized>(
        facts: DeliveryFacts,
        headers: &H,
        body: &DeliveryBody<'_>,
        store: &str,
        secrets: &[Secret],
        options: &VerifyOptions,
    ) -> Result<Self, ReceiveError> {
        if secrets.iter().all(Secret::is_empty) {
            return Err(ReceiveError::UnknownStore);
        }
        verify::verify(&facts, headers, body, secrets, options)?;
        let delivery = Self::decode_verified(facts, headers, body);
        if delivery.store_id() != Some(store) {
            return Err(ReceiveError::StoreMismatch);
        }
        Ok(delivery)
    }

    /// The store the delivery claims, unverified: the key its secrets are looked up by.
    pub(crate) fn claimed_store<H: HeaderLookup + ?Sized>(
        facts: &DeliveryFacts,
        headers: &H,
        body: &DeliveryBody<'_>,
    ) -> Result<String, ReceiveError> {
        match read_location(headers, facts.store_id, body.get(Field::StoreId)) {
            Ok(Some(store)) => Ok(store),
            Ok(None) | Err(_) => Err(ReceiveError::UnknownStore),
        }
    }

    /// Only verifies the signature: `Ok` means one of `secrets` signed this delivery.
    pub fn verify<H: HeaderLookup + ?Sized>(
        headers: &H,
        body: &[u8],
        secrets: &[Secret],
        options: &VerifyOptions,
    ) -> Result<(), ReceiveError> {
        let (facts, body) = Self::read(headers, body);
        verify::verify(&facts, headers, &body, secrets, options)
    }

    /// Checks, from the headers alone, that a delivery could be verified at all (its
    /// signature headers are there and well-formed), so that a server can refuse a request
    /// before reading its body.
    pub fn precheck<H: HeaderLookup + ?Sized>(headers: &H) -> Result<(), ReceiveError> {
        verify::precheck(&E::DELIVERY.for_headers(headers), headers)
    }

    /// The store id the delivery claims, read **without** verification: only to choose which
    /// secret to verify with when secrets are per store (as [`Self::verify_and_decode_for_store`]
    /// does). Never act on it before verification succeeds.
    pub fn unverified_store_id<H: HeaderLookup + ?Sized>(headers: &H, body: &[u8]) -> Option<String> {
        let (facts, body) = Self::read(headers, body);
        Self::claimed_store(&facts, headers, &body).ok()
    }

    /// The same delivery holding `raw` as its body.
    pub(crate) fn with_body(self, raw: Bytes) -> Self {
        Self { body: raw, ..self }
    }

    /// Reads the topic, decodes the payload and reads the ids, from a body whose signature
    /// was checked. Never fails: what cannot be read is the decode error.
    pub(crate) fn decode_verified<H: HeaderLookup + ?Sized>(
        facts: DeliveryFacts,
        headers: &H,
        body: &DeliveryBody<'_>,
    ) -> Self {
        let topic = match facts.topic {
            Location::Header(header) => header_text(headers, header).ok_or(DecodeError::MissingTopic { field: header }),
            Location::Body(field, _) => match body.get(Field::Topic) {
                Ok(Found::Text(topic) | Found::Integer(topic)) => Ok(topic),
                Ok(Found::Duplicate) => Err(DecodeError::DuplicateField { field }),
                Ok(Found::Absent | Found::NotText) => Err(DecodeError::MissingTopic { field }),
                Err(error) => Err(crate::decode::syntax(&error)),
            },
        };
        let delivery_id = read_location(headers, facts.delivery_id, body.get(Field::DeliveryId));
        let store_id = read_location(headers, facts.store_id, body.get(Field::StoreId));
        let decoded = match (&topic, &delivery_id, &store_id) {
            (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => Err(error.clone()),
            (Ok(topic), Ok(_), Ok(_)) => E::from_delivery(topic, body.raw()),
        };
        let metadata = facts
            .headers
            .iter()
            .filter_map(|meta| header_text(headers, meta.header).map(|value| (meta, value)))
            .collect();
        Self {
            decoded,
            body: Bytes::new(),
            facts,
            topic: topic.ok(),
            delivery_id: delivery_id.ok().flatten(),
            store_id: store_id.ok().flatten(),
            metadata,
            transport: None,
        }
    }

    /// A delivery that came through an event bus ([`crate::bus`]: Shopify's EventBridge and
    /// Pub/Sub deliveries), read and decoded exactly as an HTTPS delivery of the same webhook:
    /// the same topic, ids, store, metadata and typed event. No signature is checked: the bus
    /// authenticated the sender, and only messages from a queue or subscription nothing else
    /// can publish to may be handed here (see the module docs).
    pub fn from_bus(message: &crate::bus::BusMessage) -> Self {
        let headers = message.headers();
        let (facts, body) = Self::read(headers, message.body());
        Self::decode_verified(facts, headers, &body)
            .with_body(message.body().clone())
            .with_transport(message.transport())
    }

    /// The same delivery, marked as carried by `transport`.
    pub(crate) fn with_transport(self, transport: crate::bus::Transport) -> Self {
        Self { transport: Some(transport), ..self }
    }

    /// The bus the delivery came through, or `None` for an HTTPS delivery (whose signature was
    /// verified).
    pub fn transport(&self) -> Option<crate::bus::Transport> {
        self.transport
    }

    /// How the platform delivered this one: the header family its headers were read from
    /// (Shopify `webhooks` or `events`), and what the signature covers.
    pub fn facts(&self) -> &DeliveryFacts {
        &self.facts
    }

    /// Whether the verified signature covers `value` (never, for a [bus](Self::transport)
    /// delivery): one that it does not cover (Shopify's topic and
    /// shop headers, Ecwid's store and data) could have been changed by whoever captured an
    /// authentic delivery. Re-fetch the resource through the platform's API before acting on
    /// such a value where the platform advises it (Ecwid does).
    pub fn is_signed(&self, value: crate::DeliveryValue) -> bool {
        // A bus delivery was not verified here: the bus vouches for all of it, or none.
        self.transport.is_none() && self.facts.signs(value)
    }

    /// The decoded event, or why the authentic body did not decode (keep [`Self::body`] then).
    pub fn event(&self) -> Result<&E, &DecodeError> {
        self.decoded.as_ref()
    }

    /// The decoded event, consuming the delivery.
    pub fn into_event(self) -> Result<E, DecodeError> {
        self.decoded
    }

    /// Whether the body decoded into the typed event.
    pub fn is_decoded(&self) -> bool {
        self.decoded.is_ok()
    }

    /// Why the body did not decode, if it did not. The error names the JSON path and the
    /// expected type, never a value from the body, so it is safe to log.
    pub fn decode_error(&self) -> Option<&DecodeError> {
        self.decoded.as_ref().err()
    }

    /// Fields of the decoded event whose value did not fit its documented type and was kept
    /// as received ([`crate::Field::Mismatch`]); empty when the body did not decode.
    pub fn mismatches(&self) -> Vec<crate::FieldMismatch> {
        self.decoded.as_ref().map(crate::mismatches).unwrap_or_default()
    }

    /// The body exactly as received (the bytes that were verified).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The topic as delivered (`orders/create`, `store/order/created`, `product.written`, …);
    /// `None` when the delivery does not name one readably (then it did not decode).
    pub fn topic(&self) -> Option<&str> {
        self.topic.as_deref()
    }

    /// The delivery's id, the same for every retry of one delivery: record it and skip ids
    /// already handled to process each delivery once. Shopify `X-Shopify-Webhook-Id`,
    /// BigCommerce `webhook-id`, Shopware `source.eventId`, Ecwid `eventId` (see
    /// [`crate::DeliveryFacts::delivery_id`]). `None` if the delivery lacks it.
    pub fn delivery_id(&self) -> Option<&str> {
        self.delivery_id.as_deref()
    }

    /// The store the delivery is about: Shopify's shop domain, BigCommerce `store_id`, Shopware
    /// `source.shopId`, Ecwid `storeId` (see [`crate::DeliveryFacts::store_id`]).
    pub fn store_id(&self) -> Option<&str> {
        self.store_id.as_deref()
    }

    /// The value of a metadata header by its short name (`api_version`, `sw_version`, …; see
    /// the platform's `DELIVERY.headers`), if the delivery had it.
    pub fn metadata(&self, name: &str) -> Option<&str> {
        self.metadata.iter().find(|(meta, _)| meta.name == name).map(|(_, value)| value.as_str())
    }

    /// Every metadata header the delivery had, with its value.
    pub fn metadata_headers(&self) -> impl Iterator<Item = (&'static MetadataHeader, &str)> + '_ {
        self.metadata.iter().map(|(meta, value)| (*meta, value.as_str()))
    }
}

/// A header's value without the spaces and tabs around it (the bytes verification uses), if
/// present, non-empty and UTF-8.
fn header_text<H: HeaderLookup + ?Sized>(headers: &H, name: &str) -> Option<String> {
    let value = std::str::from_utf8(crate::verify::trim(headers.header(name)?)).ok()?;
    (!value.is_empty()).then(|| value.to_owned())
}

/// The value at `location`: the header's text, or, for a body field, what was `found` there.
fn read_location<H: HeaderLookup + ?Sized>(
    headers: &H,
    location: Location,
    found: Result<Found, serde_json::Error>,
) -> Result<Option<String>, DecodeError> {
    match location {
        Location::Header(name) => Ok(header_text(headers, name)),
        Location::Body(field, _) => match found {
            Ok(Found::Text(text) | Found::Integer(text)) => Ok(Some(text)),
            Ok(Found::Absent | Found::NotText) => Ok(None),
            Ok(Found::Duplicate) => Err(DecodeError::DuplicateField { field }),
            Err(error) => Err(crate::decode::syntax(&error)),
        },
    }
}
