//! The platform argument, and running code generic over a platform's `Event`.

use commerce_webhooks::testing::Fixtures;
use commerce_webhooks::{bigcommerce, ecwid, shopify, shopware};

/// A platform, as the commands name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Platform {
    /// Shopify (HTTPS deliveries, `X-Shopify-*` headers).
    Shopify,
    /// BigCommerce (Standard Webhooks signatures).
    Bigcommerce,
    /// Shopware 6 (app system webhooks).
    Shopware,
    /// Ecwid.
    Ecwid,
}

/// Code to run with a platform's `Event` type.
pub trait WithEvent {
    /// What it returns.
    type Output;
    /// Runs it for `E`.
    fn run<E: Fixtures + Send + Sync + 'static>(self) -> Self::Output;
}

impl Platform {
    /// Runs `job` with this platform's `Event` type.
    pub fn with_event<J: WithEvent>(self, job: J) -> J::Output {
        match self {
            Self::Shopify => job.run::<shopify::Event>(),
            Self::Bigcommerce => job.run::<bigcommerce::Event>(),
            Self::Shopware => job.run::<shopware::Event>(),
            Self::Ecwid => job.run::<ecwid::Event>(),
        }
    }
}
