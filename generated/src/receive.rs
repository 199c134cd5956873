//! Receiving a delivery: verify its signature, then decode it into the platform's typed
//! `Event`, with the delivery's metadata (topic, delivery id, store id, headers).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::body::{self, DeliveryBody, Field, Found};
use crate::verify::{self, Secret, VerifyOptions};
use crate::{DecodeError, Location, MetadataHeader, WebhookEvent};

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
/// misconfigured, and 400 only from a [`Receiver::strict`] receiver, for an authentic delivery
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
    /// [strict](Receiver::strict). 400.
    Undecodable(DecodeError),
    /// The delivery is authentic and decodes, but some fields hold values of another type than
    /// documented (kept as received), and the receiver is [strict](Receiver::strict). 400.
    Mismatched(Vec<crate::FieldMismatch>),
}

impl ReceiveError {
    /// The HTTP status to answer with: 401, 400 or 500.
    pub fn status(&self) -> http::StatusCode {
        match self {
            Self::NoSecrets => http::StatusCode::INTERNAL_SERVER_ERROR,
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
    topic: Option<String>,
    delivery_id: Option<String>,
    store_id: Option<String>,
    metadata: Vec<(&'static MetadataHeader, String)>,
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
        Self::receive_bytes(headers, Bytes::copy_from_slice(body), secrets, options)
    }

    /// Verifies and decodes a body the caller already holds as [`Bytes`] (no copy is made).
    pub(crate) fn receive_bytes<H: HeaderLookup + ?Sized>(
        headers: &H,
        raw: Bytes,
        secrets: &[Secret],
        options: &VerifyOptions,
    ) -> Result<Self, ReceiveError> {
        // One walk reads every body field the delivery needs: before the signature check for
        // Ecwid (whose signature covers body fields), after it for the others.
        let body = DeliveryBody::new(&E::DELIVERY, &raw);
        verify::verify(&E::DELIVERY, headers, &body, secrets, options)?;
        let delivery = Self::decode_verified(headers, &body);
        Ok(Self { body: raw, ..delivery })
    }

    /// Only verifies the signature: `Ok` means one of `secrets` signed this delivery.
    pub fn verify<H: HeaderLookup + ?Sized>(
        headers: &H,
        body: &[u8],
        secrets: &[Secret],
        options: &VerifyOptions,
    ) -> Result<(), ReceiveError> {
        verify::verify(&E::DELIVERY, headers, &DeliveryBody::new(&E::DELIVERY, body), secrets, options)
    }

    /// The store id the delivery claims, read **without** verification: only to choose which
    /// secret to verify with when secrets are per store (Shopware's shop secret is assigned per
    /// shop). Never act on it before [`Self::verify_and_decode`] succeeds.
    pub fn unverified_store_id<H: HeaderLookup + ?Sized>(headers: &H, body: &[u8]) -> Option<String> {
        let found = match E::DELIVERY.store_id {
            Location::Body(_, path) => body::find(body, path),
            Location::Header(_) => Ok(Found::Absent),
        };
        read_location(headers, E::DELIVERY.store_id, found).ok().flatten()
    }

    /// Reads the topic, decodes the payload and reads the ids, from a body whose signature
    /// was checked. Never fails: what cannot be read is the decode error.
    fn decode_verified<H: HeaderLookup + ?Sized>(headers: &H, body: &DeliveryBody<'_>) -> Self {
        let facts = E::DELIVERY;
        let topic = match facts.topic {
            Location::Header(header) => header_text(headers, header).ok_or(DecodeError::MissingTopic { field: header }),
            Location::Body(field, _) => match body.get(Field::Topic) {
                Ok(Found::Text(topic)) => Ok(topic),
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
            topic: topic.ok(),
            delivery_id: delivery_id.ok().flatten(),
            store_id: store_id.ok().flatten(),
            metadata,
        }
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

/// A header's value as trimmed text, if present, non-empty and UTF-8.
fn header_text<H: HeaderLookup + ?Sized>(headers: &H, name: &str) -> Option<String> {
    let value = std::str::from_utf8(headers.header(name)?).ok()?.trim();
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
            Ok(Found::Text(text)) => Ok(Some(text)),
            Ok(Found::Absent | Found::NotText) => Ok(None),
            Ok(Found::Duplicate) => Err(DecodeError::DuplicateField { field }),
            Err(error) => Err(crate::decode::syntax(&error)),
        },
    }
}

/// A receiver for platform `E`: its secrets and options, ready to take deliveries. Cheap to
/// clone (shared), so it can live in a web framework's state.
///
/// ```
/// # #[cfg(feature = "shopware")] {
/// use commerce_webhooks::{shopware, Receiver, Secret};
///
/// let receiver = Receiver::<shopware::Event>::new([Secret::new("test_secret")]);
/// let headers = [("shopware-shop-signature", "02c76422d725ce31b6d1927a219415b7513db211b794fbd7c3dfc6a9446fd13e")];
/// // Authentic, but `{"id":1}` names no topic (`data.event`): it still reaches the application.
/// let delivery = receiver.receive(&headers, br#"{"id":1}"#).unwrap();
/// assert!(delivery.event().is_err());
/// assert_eq!(&delivery.body()[..], br#"{"id":1}"#);
/// // A strict receiver refuses it with 400 instead (and the platform will retry, then give up).
/// let error = receiver.strict().receive(&headers, br#"{"id":1}"#).unwrap_err();
/// assert_eq!(error.status(), 400);
/// # }
/// ```
pub struct Receiver<E> {
    secrets: Arc<[Secret]>,
    options: VerifyOptions,
    strict: bool,
    event: PhantomData<fn() -> E>,
}

impl<E: WebhookEvent> Receiver<E> {
    /// A receiver accepting deliveries signed with any of `secrets`.
    pub fn new(secrets: impl IntoIterator<Item = Secret>) -> Self {
        Self {
            secrets: secrets.into_iter().collect(),
            options: VerifyOptions::default(),
            strict: false,
            event: PhantomData,
        }
    }

    /// The same receiver with other options (tolerance, clock).
    pub fn with_options(mut self, options: VerifyOptions) -> Self {
        self.options = options;
        self
    }

    /// The same receiver, refusing authentic deliveries that do not fit the types exactly (400)
    /// instead of handing them over: [`ReceiveError::Undecodable`] for a body that does not
    /// decode, [`ReceiveError::Mismatched`] for one with fields kept as received. Opt in only
    /// where losing such a delivery is acceptable: the platform retries it, then disables the
    /// subscription.
    pub fn strict(mut self) -> Self {
        self.strict = true;
        self
    }

    /// Verifies, then decodes, one delivery.
    pub fn receive<H: HeaderLookup + ?Sized>(&self, headers: &H, body: &[u8]) -> Result<Delivery<E>, ReceiveError> {
        self.receive_bytes(headers, Bytes::copy_from_slice(body))
    }

    /// [`Self::receive`] for a body held as [`Bytes`] (no copy is made).
    pub fn receive_bytes<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: Bytes,
    ) -> Result<Delivery<E>, ReceiveError> {
        let delivery = Delivery::receive_bytes(headers, body, &self.secrets, &self.options).inspect_err(log_refused)?;
        match delivery.decode_error() {
            Some(error) if self.strict => Err(ReceiveError::Undecodable(error.clone())).inspect_err(log_refused),
            None if self.strict => match delivery.mismatches() {
                found if found.is_empty() => Ok(delivery),
                found => Err(ReceiveError::Mismatched(found)).inspect_err(log_refused),
            },
            Some(_error) => {
                #[cfg(feature = "tracing")]
                tracing::warn!(
                    topic = delivery.topic(),
                    delivery_id = delivery.delivery_id(),
                    error = %_error,
                    "authentic webhook delivery does not decode; handed over with its raw body"
                );
                Ok(delivery)
            }
            None => Ok(delivery),
        }
    }
}

/// Tells `tracing` (feature `tracing`) why a delivery was refused: the sender only gets
/// [`ReceiveError::public_text`].
fn log_refused(_error: &ReceiveError) {
    #[cfg(feature = "tracing")]
    tracing::warn!(status = _error.status().as_u16(), error = %_error, "webhook delivery refused");
}

impl<E> Clone for Receiver<E> {
    fn clone(&self) -> Self {
        Self {
            secrets: Arc::clone(&self.secrets),
            options: self.options.clone(),
            strict: self.strict,
            event: PhantomData,
        }
    }
}

impl<E> fmt::Debug for Receiver<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("event", &std::any::type_name::<E>())
            .field("secrets", &self.secrets.len())
            .field("options", &self.options)
            .field("strict", &self.strict)
            .finish()
    }
}
