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

/// Why [`Verified`] refused a request; answers with its status and a generic text (the reason
/// is in [`DeliveryRejection::error`], for the application's logs).
pub struct DeliveryRejection {
    inner: Inner,
}

enum Inner {
    /// The body could not be read (too large, connection error): axum's own response.
    Body(Response),
    /// Verification or decoding failed.
    Delivery(ReceiveError),
}

impl DeliveryRejection {
    /// The HTTP status the rejection answers with.
    pub fn status(&self) -> http::StatusCode {
        match &self.inner {
            Inner::Body(response) => response.status(),
            Inner::Delivery(error) => error.status(),
        }
    }

    /// The verification or decoding error, if that is why the request was refused.
    pub fn error(&self) -> Option<&ReceiveError> {
        match &self.inner {
            Inner::Body(_) => None,
            Inner::Delivery(error) => Some(error),
        }
    }
}

impl fmt::Debug for DeliveryRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Body(response) => f.debug_tuple("DeliveryRejection::Body").field(&response.status()).finish(),
            Inner::Delivery(error) => f.debug_tuple("DeliveryRejection::Delivery").field(error).finish(),
        }
    }
}

impl fmt::Display for DeliveryRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Body(response) => write!(f, "the request body could not be read ({})", response.status()),
            Inner::Delivery(error) => error.fmt(f),
        }
    }
}

impl IntoResponse for DeliveryRejection {
    fn into_response(self) -> Response {
        match self.inner {
            Inner::Body(response) => response,
            Inner::Delivery(error) => error.into_response(),
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
