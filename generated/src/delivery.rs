//! What the catalogs say about how each platform delivers a webhook, and the trait every
//! platform's `Event` implements so receiving code can be written once for all four.

use crate::{Action, CatalogTopic, DecodeError, Entity};

/// Where a delivery carries a value: an HTTP header, or a field of the JSON body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    /// An HTTP header (names are case-insensitive).
    Header(&'static str),
    /// A body field: its dotted path and the path's segments.
    Body(&'static str, &'static [&'static str]),
}

/// How a platform signs a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// base64(HMAC-SHA256(secret, raw body)) in one header (Shopify).
    HmacSha256Base64Body,
    /// hex(HMAC-SHA256(secret, raw body)) in one header (Shopware).
    HmacSha256HexBody,
    /// Standard Webhooks: `v1,<base64>` signatures of `"{id}.{timestamp}.{body}"`, with the id
    /// and timestamp in their own headers (BigCommerce).
    StandardWebhooks,
    /// base64(HMAC-SHA256(secret, `"{eventCreated}.{eventId}"`)), both taken from the body,
    /// which the signature does not cover otherwise (Ecwid).
    EcwidCreatedDotId,
}

/// A delivery header worth exposing to applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MetadataHeader {
    /// A short `snake_case` name (`shop_domain`).
    pub name: &'static str,
    /// The header.
    pub header: &'static str,
    /// What it carries.
    pub description: &'static str,
}

/// How a platform delivers webhooks, as its catalog documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeliveryFacts {
    /// Which header family this is: `webhooks`, or an alternate's name (Shopify `events`).
    pub family: &'static str,
    /// Where this family's headers are documented.
    pub family_source: &'static str,
    /// Where the topic is.
    pub topic: Location,
    /// The header that carries the signature.
    pub signature_header: &'static str,
    /// How the signature is computed.
    pub scheme: SignatureScheme,
    /// Where the scheme is documented.
    pub scheme_source: &'static str,
    /// Where the delivery's id is (to drop duplicates and retries).
    pub delivery_id: Location,
    /// Where the store's identity is.
    pub store_id: Location,
    /// Other headers worth exposing.
    pub headers: &'static [MetadataHeader],
    /// The platform's other header family, signed the same way: used for a delivery that
    /// carries its signature header and not this one's (Shopify's `events` deliveries send
    /// `Shopify-Hmac-Sha256`, `Shopify-Topic`, … instead of `X-Shopify-*`).
    pub alternate: Option<&'static DeliveryFacts>,
}

/// A value a delivery carries, to ask whether its signature covers it
/// ([`DeliveryFacts::signs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeliveryValue {
    /// The body as a whole.
    Body,
    /// The topic.
    Topic,
    /// The delivery id.
    DeliveryId,
    /// The store id.
    StoreId,
    /// The metadata headers, as a whole (see [`DeliveryFacts::signs_header`] for each one).
    Metadata,
}

impl DeliveryFacts {
    /// Whether the platform's signature covers the header `name` (only Standard Webhooks signs
    /// headers: `webhook-id` and `webhook-timestamp`).
    pub fn signs_header(&self, name: &str) -> bool {
        self.scheme == SignatureScheme::StandardWebhooks
            && (name.eq_ignore_ascii_case("webhook-id") || name.eq_ignore_ascii_case("webhook-timestamp"))
    }

    /// Whether the platform's signature covers `value`.
    ///
    /// | platform | signed | not signed |
    /// | --- | --- | --- |
    /// | Shopify | the body | every header: topic, shop domain, webhook and event ids, API version |
    /// | BigCommerce | `webhook-id`, `webhook-timestamp` and the body (topic and store in it) | — |
    /// | Shopware | the body (topic, shop id, event id in it) | the headers (`sw-version`, …) |
    /// | Ecwid | `eventCreated` and `eventId` only | the topic, the store, the entity, `data` |
    pub fn signs(&self, value: DeliveryValue) -> bool {
        let body_signed = self.scheme != SignatureScheme::EcwidCreatedDotId;
        let at = |location: Location| match location {
            // Ecwid signs `eventId` (with `eventCreated`) and nothing else of its body.
            Location::Body(field, _) => body_signed || field == "eventId",
            Location::Header(header) => self.signs_header(header),
        };
        match value {
            DeliveryValue::Body => body_signed,
            DeliveryValue::Topic => at(self.topic),
            DeliveryValue::DeliveryId => at(self.delivery_id),
            DeliveryValue::StoreId => at(self.store_id),
            DeliveryValue::Metadata => false,
        }
    }

    /// The facts of the header family `headers` use: the alternate when its signature header
    /// is there and this one's is not, else these. Every header of a delivery is then read
    /// from that one family.
    pub fn for_headers<H: crate::HeaderLookup + ?Sized>(self, headers: &H) -> DeliveryFacts {
        match self.alternate {
            Some(alternate)
                if headers.header(self.signature_header).is_none()
                    && headers.header(alternate.signature_header).is_some() =>
            {
                *alternate
            }
            _ => self,
        }
    }
}

/// A platform's decoded `Event`: what receiving code needs, the same way for every platform.
pub trait WebhookEvent: Sized + serde::Serialize {
    /// The platform's topic type.
    type Topic: CatalogTopic;

    /// How the platform delivers webhooks.
    const DELIVERY: DeliveryFacts;

    /// Decodes `body`, delivered for `topic`.
    fn from_delivery(topic: &str, body: &[u8]) -> Result<Self, DecodeError>;

    /// The event's topic.
    fn topic(&self) -> Self::Topic;

    /// Decodes a body that names its own topic; for a platform whose topic travels in a
    /// header, this is [`DecodeError::MissingTopic`].
    fn from_body(body: &[u8]) -> Result<Self, DecodeError> {
        match Self::DELIVERY.topic {
            Location::Body(field, path) => {
                let topic = crate::wire::topic_in_body(body, path, field)?;
                Self::from_delivery(&topic, body)
            }
            Location::Header(header) => Err(DecodeError::MissingTopic { field: header }),
        }
    }

    /// The platform's catalog id (`"shopify"`, `"bigcommerce"`, …), for code that serves several.
    fn platform(&self) -> &'static str {
        <Self::Topic as CatalogTopic>::PLATFORM
    }

    /// The normalized entity of the event's topic; `None` for an unknown topic.
    fn entity(&self) -> Option<Entity> {
        self.topic().entity()
    }

    /// The normalized action of the event's topic; `None` for an unknown topic.
    fn action(&self) -> Option<Action> {
        self.topic().action()
    }
}
