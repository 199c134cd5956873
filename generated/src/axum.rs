//! [axum](https://docs.rs/axum/0.8) integration (cargo feature `axum`): an extractor that
//! hands a handler only verified, decoded deliveries.
//!
//! Put a [`Receiver`] per platform in the router's state (directly, or in your own state
//! with [`axum::extract::FromRef`]) and take [`Verified<E>`] as the handler's argument; a
//! multi-store app uses [`Receiver::per_store`] or [`Receiver::per_store_async`] (looked up
//! per delivery, awaited by the extractor). A request without well-formed signature headers
//! is refused before its body is read. A delivery that is not authentic is answered 401 with a
//! generic text, and the handler never runs for it. An authentic delivery always reaches the handler, even when its body does not
//! decode ([`Delivery::event`] is then the error and [`Delivery::body`] the exact bytes): keep
//! it and answer 2xx, or the platform retries and then disables the subscription. Only a
//! [`Receiver::strict`] receiver answers such a delivery 400 instead. Bodies larger than axum's
//! [`DefaultBodyLimit`](::axum::extract::DefaultBodyLimit) (2 MB unless changed) are refused
//! with axum's 413 before verification.
//!
//! To handle each delivery once, take [`Deduplicated<E>`] instead, with a [`Dedup`] in the
//! state too: a duplicate is answered 200 and never reaches the handler (see [`crate::dedup`]
//! for the semantics).
//!
//! ```
//! # #[cfg(feature = "shopify")] {
//! use axum::{routing::post, Router};
//! use commerce_webhooks::{axum::Verified, shopify, Receiver, Secret, WebhookEvent};
//!
//! async fn shopify_webhook(Verified(delivery): Verified<shopify::Event>) -> &'static str {
//!     match delivery.event() {
//!         Ok(event) => println!("{:?} from {:?}: {:?}", delivery.topic(), delivery.store_id(), event.entity()),
//!         // Authentic but not decodable: keep the raw body for replay, still answer 2xx.
//!         Err(error) => eprintln!("undecodable ({error}), {} bytes kept", delivery.body().len()),
//!     }
//!     "ok"
//! }
//!
//! let receiver = Receiver::<shopify::Event>::new([Secret::new("shopify client secret")]);
//! let app: Router = Router::new().route("/webhooks/shopify", post(shopify_webhook)).with_state(receiver);
//! # }
//! ```

use std::fmt;

use ::axum::body::Bytes;
use ::axum::extract::{FromRef, FromRequest, Request};
use ::axum::response::{IntoResponse, Response};

use crate::dedup::{Claim, Dedup};
use crate::{Delivery, ReceiveError, Receiver, WebhookEvent};

/// Extracts a verified, decoded [`Delivery<E>`] from the request, using the
/// [`Receiver<E>`] in the state. Rejects with [`DeliveryRejection`].
#[derive(Debug, Clone)]
pub struct Verified<E>(pub Delivery<E>);

impl<S, E> FromRequest<S> for Verified<E>
where
    S: Send + Sync,
    E: WebhookEvent + Send + 'static,
    Receiver<E>: FromRef<S>,
{
    type Rejection = DeliveryRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let receiver = Receiver::<E>::from_ref(state);
        let refused = |error| DeliveryRejection { inner: Inner::Delivery(error) };
        // A request that cannot be verified is refused before its body is read.
        receiver.precheck(request.headers()).map_err(refused)?;
        let headers = request.headers().clone();
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| DeliveryRejection { inner: Inner::Body(rejection.into_response()) })?;
        receiver.receive_async(&headers, body).await.map(Verified).map_err(refused)
    }
}

/// A verified delivery not handled before: [`Verified`], then a [`Dedup::claim`] with the
/// [`Dedup`] in the state. A duplicate is refused with a 200 [`DeliveryRejection`] (the
/// platform needs no retry), so the handler runs once per delivery. If the handler fails,
/// [`Claim::release`] the claim and answer non-2xx, so that the platform's retry is handled.
/// A store that cannot answer does not hold up an authentic delivery: it is handed over, with
/// [`Claim::error`] saying why it was not checked (and logged with the `tracing` feature).
///
/// ```
/// # #[cfg(feature = "shopify")] {
/// use axum::extract::FromRef;
/// use axum::http::StatusCode;
/// use axum::{routing::post, Router};
/// use commerce_webhooks::axum::Deduplicated;
/// use commerce_webhooks::dedup::{Dedup, MemorySeen};
/// use commerce_webhooks::{shopify, Delivery, Receiver, Secret};
///
/// #[derive(Clone)]
/// struct App {
///     shopify: Receiver<shopify::Event>,
///     dedup: Dedup,
/// }
/// impl FromRef<App> for Receiver<shopify::Event> {
///     fn from_ref(app: &App) -> Self {
///         app.shopify.clone()
///     }
/// }
/// impl FromRef<App> for Dedup {
///     fn from_ref(app: &App) -> Self {
///         app.dedup.clone()
///     }
/// }
///
/// async fn handle(_delivery: &Delivery<shopify::Event>) -> Result<(), String> {
///     Ok(()) // e.g. write it to the database
/// }
///
/// async fn shopify_webhook(Deduplicated(delivery, claim): Deduplicated<shopify::Event>) -> StatusCode {
///     match handle(&delivery).await {
///         Ok(()) => StatusCode::OK,
///         Err(_) => {
///             let _ = claim.release().await; // let the platform's retry through
///             StatusCode::SERVICE_UNAVAILABLE
///         }
///     }
/// }
///
/// let app = App {
///     shopify: Receiver::new([Secret::new("shopify client secret")]),
///     dedup: Dedup::new(MemorySeen::new(100_000)),
/// };
/// let router: Router = Router::new().route("/webhooks/shopify", post(shopify_webhook)).with_state(app);
/// # }
/// ```
#[derive(Debug)]
pub struct Deduplicated<E>(pub Delivery<E>, pub Claim);

impl<S, E> FromRequest<S> for Deduplicated<E>
where
    S: Send + Sync,
    E: WebhookEvent + Send + 'static,
    Receiver<E>: FromRef<S>,
    Dedup: FromRef<S>,
{
    type Rejection = DeliveryRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Verified(delivery) = Verified::<E>::from_request(request, state).await?;
        let claim = Dedup::from_ref(state).claim(&delivery).await;
        if claim.is_duplicate() {
            return Err(DeliveryRejection { inner: Inner::Duplicate });
        }
        Ok(Self(delivery, claim))
    }
}

/// Why [`Verified`] refused a request, or [`Deduplicated`] a duplicate; answers with its status
/// and a generic text (the reason is in [`DeliveryRejection::error`], for the application's
/// logs).
pub struct DeliveryRejection {
    inner: Inner,
}

enum Inner {
    /// The body could not be read (too large, connection error): axum's own response.
    Body(Response),
    /// Verification or decoding failed.
    Delivery(ReceiveError),
    /// An authentic delivery already handled: answered 200.
    Duplicate,
}

impl DeliveryRejection {
    /// The HTTP status the rejection answers with.
    pub fn status(&self) -> http::StatusCode {
        match &self.inner {
            Inner::Body(response) => response.status(),
            Inner::Delivery(error) => error.status(),
            Inner::Duplicate => http::StatusCode::OK,
        }
    }

    /// Whether this is a duplicate of a delivery already handled (answered 200).
    pub fn is_duplicate(&self) -> bool {
        matches!(self.inner, Inner::Duplicate)
    }

    /// The verification or decoding error, if that is why the request was refused.
    pub fn error(&self) -> Option<&ReceiveError> {
        match &self.inner {
            Inner::Body(_) | Inner::Duplicate => None,
            Inner::Delivery(error) => Some(error),
        }
    }
}

impl fmt::Debug for DeliveryRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Body(response) => f.debug_tuple("DeliveryRejection::Body").field(&response.status()).finish(),
            Inner::Delivery(error) => f.debug_tuple("DeliveryRejection::Delivery").field(error).finish(),
            Inner::Duplicate => f.write_str("DeliveryRejection::Duplicate"),
        }
    }
}

impl fmt::Display for DeliveryRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Body(response) => write!(f, "the request body could not be read ({})", response.status()),
            Inner::Delivery(error) => error.fmt(f),
            Inner::Duplicate => f.write_str("the delivery was already handled (a duplicate or a retry)"),
        }
    }
}

impl IntoResponse for DeliveryRejection {
    fn into_response(self) -> Response {
        match self.inner {
            Inner::Body(response) => response,
            Inner::Delivery(error) => error.into_response(),
            Inner::Duplicate => (http::StatusCode::OK, "duplicate delivery, already handled").into_response(),
        }
    }
}

impl IntoResponse for ReceiveError {
    /// The error's [`status`](ReceiveError::status) with its generic
    /// [`public_text`](ReceiveError::public_text): the details are for the application (and
    /// `tracing`), not for whoever sent the request.
    fn into_response(self) -> Response {
        (self.status(), self.public_text()).into_response()
    }
}
