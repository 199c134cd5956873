//! Where a receiver finds the secrets to verify a delivery with, for an app that serves many
//! stores: a lookup by the store the delivery claims to come from, synchronous or async
//! (secrets usually live in a database).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::future::Future;
use std::hash::BuildHasher;
use std::pin::Pin;
use std::sync::Arc;

use crate::Secret;

/// A boxed future, as [`AsyncSecretSource`] returns (the trait stays object-safe).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a secret source could not answer (a database that is down). The delivery is answered
/// 503, so the platform retries it later; the text is for the application's logs only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretLookupError(Arc<str>);

impl SecretLookupError {
    /// An error described by `reason` (never shown to the sender).
    pub fn new(reason: impl fmt::Display) -> Self {
        Self(reason.to_string().into())
    }
}

impl fmt::Display for SecretLookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SecretLookupError {}

/// The secrets of each store, looked up by the store a delivery claims (Shopify's shop
/// domain, BigCommerce's `store_id`, Shopware's `source.shopId`, Ecwid's `storeId`; see the
/// platform's `DELIVERY.store_id`).
///
/// The claim is read before verification, so it is only a key: the delivery is then verified
/// with that store's secrets alone, and the store it reports afterwards must be the same, or
/// it is refused. An unknown store answers `Ok(vec![])` (the delivery is refused as not
/// authentic); list a store's previous secret too while it rotates
/// ([`Secret::valid_until`]).
///
/// Implemented for maps from store to secrets and for closures.
pub trait SecretSource: Send + Sync {
    /// The secrets `store` signs with; empty when the store is unknown.
    fn secrets_for(&self, store: &str) -> Result<Vec<Secret>, SecretLookupError>;
}

impl<F> SecretSource for F
where
    F: Fn(&str) -> Result<Vec<Secret>, SecretLookupError> + Send + Sync,
{
    fn secrets_for(&self, store: &str) -> Result<Vec<Secret>, SecretLookupError> {
        self(store)
    }
}

impl<S: BuildHasher + Send + Sync> SecretSource for HashMap<String, Vec<Secret>, S> {
    fn secrets_for(&self, store: &str) -> Result<Vec<Secret>, SecretLookupError> {
        Ok(self.get(store).cloned().unwrap_or_default())
    }
}

impl SecretSource for BTreeMap<String, Vec<Secret>> {
    fn secrets_for(&self, store: &str) -> Result<Vec<Secret>, SecretLookupError> {
        Ok(self.get(store).cloned().unwrap_or_default())
    }
}

impl<T: SecretSource + ?Sized> SecretSource for Arc<T> {
    fn secrets_for(&self, store: &str) -> Result<Vec<Secret>, SecretLookupError> {
        (**self).secrets_for(store)
    }
}

/// [`SecretSource`] for secrets that take an `await` to fetch (a database, a secrets
/// manager). Use it with [`Receiver::per_store_async`](crate::Receiver::per_store_async) and
/// [`Receiver::receive_async`](crate::Receiver::receive_async) (the axum extractor does).
///
/// ```
/// use commerce_webhooks::{AsyncSecretSource, BoxFuture, Secret, SecretLookupError};
///
/// struct Shops; // e.g. a connection pool
///
/// impl AsyncSecretSource for Shops {
///     fn secrets_for<'a>(&'a self, shop_id: &'a str) -> BoxFuture<'a, Result<Vec<Secret>, SecretLookupError>> {
///         Box::pin(async move {
///             // SELECT secret FROM shops WHERE id = $1
///             Ok(if shop_id == "dgrH7nLU6tlE" { vec![Secret::new("the shop's secret")] } else { vec![] })
///         })
///     }
/// }
/// ```
pub trait AsyncSecretSource: Send + Sync {
    /// The secrets `store` signs with; empty when the store is unknown.
    fn secrets_for<'a>(&'a self, store: &'a str) -> BoxFuture<'a, Result<Vec<Secret>, SecretLookupError>>;
}

impl<T: AsyncSecretSource + ?Sized> AsyncSecretSource for Arc<T> {
    fn secrets_for<'a>(&'a self, store: &'a str) -> BoxFuture<'a, Result<Vec<Secret>, SecretLookupError>> {
        (**self).secrets_for(store)
    }
}

/// What a receiver verifies with.
#[derive(Clone)]
pub(crate) enum Keys {
    /// One set for every delivery: a single-tenant app.
    Static(Arc<[Secret]>),
    /// Looked up per claimed store.
    PerStore(Arc<dyn SecretSource>),
    /// Looked up per claimed store, asynchronously.
    PerStoreAsync(Arc<dyn AsyncSecretSource>),
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Static(secrets) => write!(f, "{} static secret(s)", secrets.len()),
            Self::PerStore(_) => f.write_str("per store"),
            Self::PerStoreAsync(_) => f.write_str("per store (async)"),
        }
    }
}
