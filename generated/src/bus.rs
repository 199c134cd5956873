//! Deliveries through cloud event buses: Shopify's Amazon EventBridge and Google Cloud Pub/Sub
//! deliveries, and Pub/Sub messages of other platforms, unwrapped into the headers and body of
//! the webhook they carry, so that [`Delivery::from_bus`](crate::Delivery::from_bus) gives the
//! same topic, ids, store, metadata and typed event as an HTTPS delivery.
//!
//! **Nothing here verifies a signature.** Shopify: "HMAC verification applies to HTTPS
//! deliveries only. Google Cloud Pub/Sub and Amazon EventBridge deliveries don't require it"
//! (<https://shopify.dev/docs/apps/build/webhooks/verify-deliveries>): the bus only accepts
//! messages from the platform's partner event source or the service account you granted. That
//! makes the *bus* the boundary: read messages only from a queue, Lambda trigger or pull
//! subscription that nothing else can publish to, and authenticate a Pub/Sub **push** endpoint
//! (it is a public URL) with Pub/Sub's push authentication (a Google-signed OIDC token) before
//! unwrapping its body.
//!
//! What each envelope holds, and what that means for the body's bytes:
//!
//! | transport | headers from | body | the body's bytes |
//! | --- | --- | --- | --- |
//! | EventBridge (a Lambda target, or an SQS message `Body`) | `detail.metadata` | `detail.payload`, a JSON object | **re-serialized** by the bus: not the bytes Shopify signed; an `X-Shopify-Hmac-Sha256` in the metadata cannot be checked against them |
//! | Pub/Sub (push request, pull response, or a `PubsubMessage`) | `message.attributes` | `message.data`, base64 | the bytes the platform published |
//!
//! The EventBridge layout follows the AWS Quick Start fixture of Shopify's EventBridge
//! integration (`detail-type: shopifyWebhook`, `detail.metadata` with the `X-Shopify-*` header
//! values, `detail.payload`; aws-quickstart/eventbridge-integration-solution-shopify-image-processing)
//! and AWS's event structure (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html>);
//! the Pub/Sub layouts are Google's (<https://cloud.google.com/pubsub/docs/push>,
//! <https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.subscriptions/pull>).
//! Shopify does not document which headers become Pub/Sub attributes; apps read the `X-Shopify-*`
//! names, which is what this module expects (looked up case-insensitively, as every header).
//! BigCommerce documents Pub/Sub delivery but not the message
//! (<https://developer.bigcommerce.com/docs/integrations/webhooks/gcp-pubsub>): its callback body
//! is expected in `data`, and the topic, store and hash are read from that body as for HTTPS.

use std::collections::BTreeMap;
use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::value::RawValue;

/// The bus a delivery came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Transport {
    /// Amazon EventBridge (directly, or through an SQS queue).
    EventBridge,
    /// Google Cloud Pub/Sub (push or pull).
    PubSub,
}

impl Transport {
    /// Whether the body is the platform's own bytes (Pub/Sub) rather than a re-serialization
    /// of them (EventBridge's `detail.payload`).
    pub fn keeps_body_bytes(self) -> bool {
        matches!(self, Self::PubSub)
    }
}

/// A webhook delivery unwrapped from an event-bus message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusMessage {
    transport: Transport,
    headers: Vec<(String, String)>,
    body: Bytes,
    message_id: Option<String>,
}

/// One message of a Pub/Sub pull response ([`BusMessage::from_pubsub_pull`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledMessage {
    /// The id to acknowledge it with.
    pub ack_id: Option<String>,
    /// The delivery it carries, or why it is not a webhook envelope.
    pub message: Result<BusMessage, BusError>,
}

/// Why an envelope could not be unwrapped. Names the part that is missing or malformed, never
/// a value from the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusError {
    what: &'static str,
}

impl fmt::Display for BusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a webhook envelope: {}", self.what)
    }
}

impl std::error::Error for BusError {}

fn error(what: &'static str) -> BusError {
    BusError { what }
}

/// An EventBridge event: only what a webhook needs (`id` is EventBridge's own, per event).
#[derive(Deserialize)]
struct EventBridgeEvent<'a> {
    id: Option<String>,
    #[serde(borrow)]
    detail: Option<Detail<'a>>,
}

#[derive(Deserialize)]
struct Detail<'a> {
    #[serde(default)]
    metadata: BTreeMap<String, serde_json::Value>,
    #[serde(borrow)]
    payload: Option<&'a RawValue>,
}

/// Google's `PubsubMessage` (`messageId`, also sent as `message_id` in push requests).
#[derive(Deserialize)]
struct PubsubMessage {
    data: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
    #[serde(rename = "messageId")]
    message_id: Option<String>,
    // Push requests send both spellings; a serde alias would call that a duplicate field.
    #[serde(rename = "message_id")]
    message_id_snake: Option<String>,
}

#[derive(Deserialize)]
struct PushRequest {
    message: Option<PubsubMessage>,
}

#[derive(Deserialize)]
struct PullResponse {
    #[serde(rename = "receivedMessages", default)]
    received_messages: Vec<ReceivedMessage>,
}

#[derive(Deserialize)]
struct ReceivedMessage {
    #[serde(rename = "ackId")]
    ack_id: Option<String>,
    message: Option<PubsubMessage>,
}

/// A metadata value as header text: strings as they are, numbers and booleans as written;
/// anything else is not a header.
fn header_text(value: serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) => Some(text),
        serde_json::Value::Number(number) => Some(number.to_string()),
        serde_json::Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

impl BusMessage {
    /// An EventBridge event, as a Lambda target receives it or as the `Body` of the SQS
    /// message an SQS target gets (the whole event, by default).
    pub fn from_eventbridge(event: &[u8]) -> Result<Self, BusError> {
        let event: EventBridgeEvent<'_> = serde_json::from_slice(event)
            .map_err(|_| error("the EventBridge event is not a JSON object with `detail`"))?;
        let detail = event.detail.ok_or(error("the EventBridge event has no `detail`"))?;
        let payload = detail.payload.ok_or(error("the EventBridge event has no `detail.payload`"))?;
        let headers =
            detail.metadata.into_iter().filter_map(|(name, value)| Some((name, header_text(value)?))).collect();
        Ok(Self {
            transport: Transport::EventBridge,
            headers,
            body: Bytes::copy_from_slice(payload.get().as_bytes()),
            message_id: event.id,
        })
    }

    /// A Pub/Sub push request body (`{"message": {…}, "subscription": …}`). Authenticate the
    /// push request first (see the [module](self) docs).
    pub fn from_pubsub_push(request_body: &[u8]) -> Result<Self, BusError> {
        let request: PushRequest =
            serde_json::from_slice(request_body).map_err(|_| error("the Pub/Sub push request is not a JSON object"))?;
        Self::from_message(request.message.ok_or(error("the Pub/Sub push request has no `message`"))?)
    }

    /// A `PubsubMessage` object (`data`, `attributes`, `messageId`), as a client library hands
    /// one over.
    pub fn from_pubsub_message(message: &[u8]) -> Result<Self, BusError> {
        let message: PubsubMessage =
            serde_json::from_slice(message).map_err(|_| error("the Pub/Sub message is not a JSON object"))?;
        Self::from_message(message)
    }

    /// Every message of a Pub/Sub pull response (`{"receivedMessages": [{"ackId", "message"}]}`),
    /// in order; a message that is not a webhook envelope is its error (acknowledge or
    /// dead-letter it as you decide).
    pub fn from_pubsub_pull(response: &[u8]) -> Result<Vec<PulledMessage>, BusError> {
        let response: PullResponse =
            serde_json::from_slice(response).map_err(|_| error("the Pub/Sub pull response is not a JSON object"))?;
        Ok(response
            .received_messages
            .into_iter()
            .map(|received| PulledMessage {
                ack_id: received.ack_id,
                message: received
                    .message
                    .ok_or(error("a received Pub/Sub message has no `message`"))
                    .and_then(Self::from_message),
            })
            .collect())
    }

    fn from_message(message: PubsubMessage) -> Result<Self, BusError> {
        let data = message.data.ok_or(error("the Pub/Sub message has no `data`"))?;
        let body = BASE64.decode(data.trim()).map_err(|_| error("the Pub/Sub message's `data` is not base64"))?;
        Ok(Self {
            transport: Transport::PubSub,
            headers: message.attributes.into_iter().collect(),
            body: Bytes::from(body),
            message_id: message.message_id.or(message.message_id_snake),
        })
    }

    /// The bus it came through.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The webhook's headers, from the metadata or attributes (names as the bus gave them).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The webhook's body (see the [module](self) table for what its bytes are).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The bus's own message id (EventBridge's event `id`, Pub/Sub's `messageId`): the same
    /// for the bus's redeliveries of one message, but not for two publications of one webhook.
    /// De-duplicate by [`Delivery::delivery_id`](crate::Delivery::delivery_id) instead.
    pub fn message_id(&self) -> Option<&str> {
        self.message_id.as_deref()
    }
}
