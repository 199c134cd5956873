//! Typed webhook events for **Shopify**, **BigCommerce**, **Shopware 6** and **Ecwid**: topics,
//! scopes, subscription matchers, lossless typed payloads and signature verification, generated
//! from the YAML catalogs in the repository's `catalog/` folder by `cargo xtask codegen`.
//!
//! Each platform is a module behind a cargo feature of the same name (all on by default):
//! [`shopify`], [`bigcommerce`], [`shopware`], [`ecwid`]. Each has
//!
//! - `Topic`: every documented webhook topic, with its wire name, description, required
//!   scopes and normalized [`Entity`]/[`Action`]; an unknown wire topic parses to
//!   `Topic::Unknown(String)` instead of failing, so a platform adding topics never breaks you;
//! - `Scope`: the platform's scope (permission) vocabulary, same conventions;
//! - `GROUPS`: the wildcard groups the platform documents, and `Subscription`, a set of
//!   patterns (`orders/*`, `store/cart/*`, `*`) that answers "does it cover this topic" in
//!   constant time;
//! - `Event`: one variant per topic holding its typed payload (structs that keep unknown keys
//!   in [`Extra`], [`Field`] where absent and `null` both occur, [`Money`] kept as sent,
//!   strings as [`Text`], inline up to 24 bytes), decoded with `Event::from_delivery(topic, body)` or, where the body
//!   names its topic, `Event::from_body`;
//!   errors name the JSON path ([`DecodeError`]);
//! - `DELIVERY`: how the platform signs and identifies deliveries, used by
//!   [`Delivery::verify_and_decode`], which checks the signature before decoding anything.
//!
//! ```
//! # #[cfg(all(feature = "shopify", feature = "bigcommerce"))] {
//! use commerce_webhooks::{bigcommerce, shopify, Action, Entity, ScopeRequirement};
//!
//! let topic: shopify::Topic = "orders/create".parse().unwrap();
//! assert_eq!(topic, shopify::Topic::OrdersCreate);
//! assert_eq!(topic.entity(), Some(Entity::Order));
//! assert!(matches!(topic.scopes(), ScopeRequirement::AnyOf(_)));
//!
//! // The same business event on another platform.
//! let mut created = bigcommerce::Topic::with_meaning(Entity::Order, Action::Created);
//! assert_eq!(created.next().map(|t| t.as_str()), Some("store/order/created"));
//!
//! // Subscriptions: documented groups cover deeper paths.
//! let cart = bigcommerce::Subscription::new(["store/cart/*"]).unwrap();
//! assert!(cart.covers(&bigcommerce::Topic::StoreCartLineItemCreated));
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// Generated code names this crate by its absolute path, so that the same emitted module
// compiles here and in the snapshot tests.
extern crate self as commerce_webhooks;

#[cfg(any(feature = "shopify", feature = "bigcommerce", feature = "shopware", feature = "ecwid"))]
pub mod app_config;
#[cfg(feature = "axum")]
pub mod axum;
mod body;
pub mod bus;
mod decode;
pub mod dedup;
mod delivery;
mod drift;
mod extra;
mod instant;
mod path;
mod pattern;
mod receive;
mod receiver;
mod record;
mod scope;
mod secrets;
mod subscription;
#[cfg(feature = "testing")]
pub mod testing;
mod tolerate;
mod topic;
mod value;
mod verify;
mod version;
mod visit;
#[doc(hidden)]
pub mod wire;

#[rustfmt::skip]
#[path = "platforms/mod.rs"]
mod platforms;

pub use decode::DecodeError;
pub use delivery::{DeliveryFacts, DeliveryValue, Location, MetadataHeader, SignatureScheme, WebhookEvent};
pub use drift::{mismatches, FieldMismatch};
pub use extra::Extra;
pub use instant::TimestampError;
pub use pattern::{Pattern, PatternError};
pub use platforms::*;
pub use receive::{Delivery, HeaderLookup, ReceiveError};
pub use receiver::Receiver;
pub use record::{Authentication, DeliveryRecord, RecordBody, RecordError};
pub use scope::ScopeRequirement;
pub use secrets::{AsyncSecretSource, BoxFuture, SecretLookupError, SecretSource};
pub use subscription::{Coverage, Subscription};
pub use topic::{CatalogTopic, Group, TemplateTopic, UnknownName};
pub use value::{Field, Id, Mismatch, Money, MoneyError, StringOrNumber, Text, Timestamp};
pub use verify::{
    Clock, FixedClock, Secret, SecretError, SystemClock, VerifyOptions, SHOPWARE_PREVIOUS_SECRET_ALLOWANCE,
};
pub use version::ApiVersion;
pub use vocabulary::{Action, Entity};

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
