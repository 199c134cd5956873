//! [`Receiver`]: the secrets (one set, or a lookup per store), the options, and strictness,
//! held together so a web framework can keep them in its state.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use bytes::Bytes;

use crate::secrets::{AsyncSecretSource, Keys, SecretLookupError, SecretSource};
use crate::verify::{self, Secret, VerifyOptions};
use crate::{Delivery, HeaderLookup, ReceiveError, WebhookEvent};

/// A receiver for platform `E`: where its secrets come from, its options, and whether it is
/// strict. Cheap to clone (shared), so it can live in a web framework's state.
///
/// - [`Receiver::new`]: one set of secrets for every delivery, for a **single-tenant** app
///   (one Shopify or BigCommerce app, one Ecwid app). Any of them may match, so a store that
///   knows one of the secrets can sign deliveries claiming to be any store: do not use it for
///   secrets that belong to different stores.
/// - [`Receiver::per_store`] / [`Receiver::per_store_async`]: the secrets of the store the
///   delivery claims, looked up per delivery; the verified delivery must report that store.
///   What a Shopware app (every shop registers its own secret) needs.
///
/// ```
/// # #[cfg(feature = "shopware")] {
/// use std::collections::HashMap;
///
/// use commerce_webhooks::{shopware, Receiver, Secret};
///
/// let receiver = Receiver::<shopware::Event>::new([Secret::new("test_secret")]);
/// let headers = [("shopware-shop-signature", "02c76422d725ce31b6d1927a219415b7513db211b794fbd7c3dfc6a9446fd13e")];
/// // Authentic, but `{"id":1}` names no topic (`data.event`): it still reaches the application.
/// let delivery = receiver.receive(&headers, br#"{"id":1}"#).unwrap();
/// assert!(delivery.event().is_err());
/// assert_eq!(&delivery.body()[..], br#"{"id":1}"#);
/// // A strict receiver refuses it with 400 instead (and the platform will retry, then give up).
/// let error = receiver.clone().strict().receive(&headers, br#"{"id":1}"#).unwrap_err();
/// assert_eq!(error.status(), 400);
///
/// // Per shop: the same signature, but `{"id":1}` claims no shop, so no secret applies.
/// let shops = HashMap::from([("dgrH7nLU6tlE".to_owned(), vec![Secret::new("test_secret")])]);
/// let per_shop = Receiver::<shopware::Event>::per_store(shops);
/// assert_eq!(per_shop.receive(&headers, br#"{"id":1}"#).unwrap_err().status(), 401);
/// # }
/// ```
pub struct Receiver<E> {
    keys: Keys,
    options: VerifyOptions,
    strict: bool,
    event: PhantomData<fn() -> E>,
}

impl<E: WebhookEvent> Receiver<E> {
    /// A single-tenant receiver accepting deliveries signed with any of `secrets` (list the
    /// new and the old secret while rotating).
    pub fn new(secrets: impl IntoIterator<Item = Secret>) -> Self {
        Self::with_keys(Keys::Static(secrets.into_iter().collect()))
    }

    /// A multi-store receiver: each delivery is verified with the secrets `source` gives for
    /// the store it claims, and refused unless the verified delivery reports that store.
    pub fn per_store(source: impl SecretSource + 'static) -> Self {
        Self::with_keys(Keys::PerStore(Arc::new(source)))
    }

    /// [`Self::per_store`] with a source that has to `await` (use [`Self::receive_async`]).
    pub fn per_store_async(source: impl AsyncSecretSource + 'static) -> Self {
        Self::with_keys(Keys::PerStoreAsync(Arc::new(source)))
    }

    fn with_keys(keys: Keys) -> Self {
        Self { keys, options: VerifyOptions::default(), strict: false, event: PhantomData }
    }

    /// The same receiver with other options (tolerance, age limits, clock).
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

    /// Checks a request's headers before its body is read (see [`Delivery::precheck`]).
    pub fn precheck<H: HeaderLookup + ?Sized>(&self, headers: &H) -> Result<(), ReceiveError> {
        Delivery::<E>::precheck(headers).inspect_err(log_refused)
    }

    /// Verifies, then decodes, one delivery. A receiver with an async secret source answers
    /// [`ReceiveError::SecretLookup`]: use [`Self::receive_async`].
    pub fn receive<H: HeaderLookup + ?Sized>(&self, headers: &H, body: &[u8]) -> Result<Delivery<E>, ReceiveError> {
        self.receive_bytes(headers, Bytes::copy_from_slice(body))
    }

    /// [`Self::receive`] for a body held as [`Bytes`] (no copy is made).
    pub fn receive_bytes<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: Bytes,
    ) -> Result<Delivery<E>, ReceiveError> {
        let (facts, delivery_body) = Delivery::<E>::read(headers, &body);
        let delivery = match &self.keys {
            Keys::Static(secrets) => verify::verify(&facts, headers, &delivery_body, secrets, &self.options)
                .map(|()| Delivery::decode_verified(facts, headers, &delivery_body)),
            Keys::PerStore(source) => Delivery::<E>::claimed_store(&facts, headers, &delivery_body).and_then(|store| {
                let secrets = source.secrets_for(&store).map_err(ReceiveError::SecretLookup)?;
                Delivery::verify_for_store(facts, headers, &delivery_body, &store, &secrets, &self.options)
            }),
            Keys::PerStoreAsync(_) => Err(ReceiveError::SecretLookup(SecretLookupError::new(
                "this receiver's secrets come from an async source: call `receive_async`",
            ))),
        };
        let delivery = delivery.inspect_err(log_refused)?.with_body(body);
        self.hand_over(delivery)
    }

    /// Verifies, then decodes, one delivery, looking its secrets up asynchronously where the
    /// source is async (works with every receiver).
    pub async fn receive_async<H: HeaderLookup + Sync + ?Sized>(
        &self,
        headers: &H,
        body: Bytes,
    ) -> Result<Delivery<E>, ReceiveError> {
        let Keys::PerStoreAsync(source) = &self.keys else {
            return self.receive_bytes(headers, body);
        };
        let (facts, delivery_body) = Delivery::<E>::read(headers, &body);
        let delivery = match Delivery::<E>::claimed_store(&facts, headers, &delivery_body) {
            Ok(store) => match source.secrets_for(&store).await {
                Ok(secrets) => {
                    Delivery::verify_for_store(facts, headers, &delivery_body, &store, &secrets, &self.options)
                }
                Err(error) => Err(ReceiveError::SecretLookup(error)),
            },
            Err(error) => Err(error),
        };
        let delivery = delivery.inspect_err(log_refused)?.with_body(body);
        self.hand_over(delivery)
    }

    /// An authentic delivery reaches the application, unless the receiver is strict and the
    /// delivery does not fit the types exactly.
    fn hand_over(&self, delivery: Delivery<E>) -> Result<Delivery<E>, ReceiveError> {
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
        Self { keys: self.keys.clone(), options: self.options.clone(), strict: self.strict, event: PhantomData }
    }
}

impl<E> fmt::Debug for Receiver<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("event", &std::any::type_name::<E>())
            .field("secrets", &self.keys)
            .field("options", &self.options)
            .field("strict", &self.strict)
            .finish()
    }
}
