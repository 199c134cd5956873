//! Verified deliveries as data, for queues ([`DeliveryRecord`]).

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::bus::Transport;
use crate::{CatalogTopic, Delivery, Location, WebhookEvent};

/// How the recorded delivery was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Authentication {
    /// Its signature was verified.
    Signature,
    /// The bus it came through authenticated the sender ([`crate::bus`]).
    Bus(Transport),
}

/// A verified delivery as data: put it on any queue when the request arrives, answer the
/// platform at once (Shopify allows 5 seconds), and decode it in a worker later.
///
/// ```
/// # #[cfg(feature = "shopify")] {
/// use commerce_webhooks::{shopify, Delivery, DeliveryRecord, Secret};
///
/// let headers = [
///     ("X-Shopify-Hmac-Sha256", "AsdkItclzjG20ZJ6IZQVt1E9shG3lPvXw9/GqURv0T4="),
///     ("X-Shopify-Topic", "orders/teleported"),
///     ("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"),
/// ];
/// let delivery = Delivery::<shopify::Event>::verify_and_decode(&headers, br#"{"id":1}"#, &[Secret::new("test_secret")])?;
///
/// // In the request handler: serialize it for the queue, then answer 200.
/// let queued: String = serde_json::to_string(&delivery.to_record())?;
///
/// // In the worker: the same delivery, decoded again.
/// let record: DeliveryRecord = serde_json::from_str(&queued)?;
/// let again = Delivery::<shopify::Event>::from_record(&record)?;
/// assert_eq!(again, delivery);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The record holds what the delivery was verified from (the platform's headers and the exact
/// body) and how it was authenticated; a worker trusts it because only your receiver writes
/// to your queue. It is not signed again: keep the queue private.
///
/// Made by [`Delivery::to_record`], decoded by [`Delivery::from_record`]. Serializes to JSON
/// (or any serde format) with the body as text when it is UTF-8 (JSON bodies are) and as
/// base64 otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    /// The catalog's platform id (`shopify`, …).
    pub platform: String,
    /// The header family the delivery used (`webhooks`; Shopify `events`).
    pub family: String,
    /// The topic, as delivered.
    pub topic: Option<String>,
    /// The delivery id.
    pub delivery_id: Option<String>,
    /// The store.
    pub store_id: Option<String>,
    /// The delivery's headers that the platform's catalog names (topic, ids, store, metadata),
    /// with their values.
    pub headers: Vec<(String, String)>,
    /// How it was authenticated.
    pub authenticated_by: Authentication,
    /// The exact body.
    #[serde(flatten)]
    pub body: RecordBody,
}

/// A recorded body: text when it is UTF-8, else base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordBody {
    /// The body's text, exactly.
    Body(String),
    /// The body's bytes, base64 (standard alphabet, padded).
    BodyBase64(String),
}

impl RecordBody {
    fn new(body: &[u8]) -> Self {
        match std::str::from_utf8(body) {
            Ok(text) => Self::Body(text.to_owned()),
            Err(_) => Self::BodyBase64(BASE64.encode(body)),
        }
    }

    fn bytes(&self) -> Result<Bytes, RecordError> {
        match self {
            Self::Body(text) => Ok(Bytes::copy_from_slice(text.as_bytes())),
            Self::BodyBase64(encoded) => {
                BASE64.decode(encoded).map(Bytes::from).map_err(|_| RecordError::BodyNotBase64)
            }
        }
    }
}

/// Why a record is not a delivery of the platform asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordError {
    /// The record is of another platform.
    OtherPlatform {
        /// The record's platform.
        recorded: String,
        /// The platform asked for.
        expected: &'static str,
    },
    /// `body_base64` is not base64.
    BodyNotBase64,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OtherPlatform { recorded, expected } => {
                write!(
                    f,
                    "the record is a `{recorded}` delivery, not `{expected}`: decode it with that platform's Event"
                )
            }
            Self::BodyNotBase64 => f.write_str("the record's `body_base64` is not base64"),
        }
    }
}

impl std::error::Error for RecordError {}

impl<E: WebhookEvent> Delivery<E> {
    /// This delivery as a [`DeliveryRecord`], to queue and decode later ([`Self::from_record`]).
    pub fn to_record(&self) -> DeliveryRecord {
        let facts = self.facts();
        let mut headers = Vec::new();
        for (location, value) in
            [(facts.topic, self.topic()), (facts.delivery_id, self.delivery_id()), (facts.store_id, self.store_id())]
        {
            if let (Location::Header(name), Some(value)) = (location, value) {
                headers.push((name.to_owned(), value.to_owned()));
            }
        }
        for (meta, value) in self.metadata_headers() {
            if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case(meta.header)) {
                headers.push((meta.header.to_owned(), value.to_owned()));
            }
        }
        DeliveryRecord {
            platform: <E::Topic as CatalogTopic>::PLATFORM.to_owned(),
            family: facts.family.to_owned(),
            topic: self.topic().map(str::to_owned),
            delivery_id: self.delivery_id().map(str::to_owned),
            store_id: self.store_id().map(str::to_owned),
            headers,
            authenticated_by: self.transport().map_or(Authentication::Signature, Authentication::Bus),
            body: RecordBody::new(self.body()),
        }
    }

    /// The recorded delivery, decoded again (by this version of the crate: a body that did
    /// not decode when it was received may decode now). Not verified again: the record says
    /// how it was authenticated when it arrived.
    pub fn from_record(record: &DeliveryRecord) -> Result<Self, RecordError> {
        let expected = <E::Topic as CatalogTopic>::PLATFORM;
        if record.platform != expected {
            return Err(RecordError::OtherPlatform { recorded: record.platform.clone(), expected });
        }
        let facts = match E::DELIVERY.alternate {
            Some(alternate) if alternate.family == record.family => *alternate,
            _ => E::DELIVERY,
        };
        let raw = record.body.bytes()?;
        let body = crate::body::DeliveryBody::new(&facts, &raw);
        let delivery = Self::decode_verified(facts, &record.headers, &body).with_body(raw.clone());
        Ok(match record.authenticated_by {
            Authentication::Signature => delivery,
            Authentication::Bus(transport) => delivery.with_transport(transport),
        })
    }
}
