//! A ready [`axum`] router for the webhook: it answers Feishu from the request handler and
//! hands each new event to the application through a bounded channel.
//!
//! # Example
//! ```no_run
//! use feishu_events::{EventKind, WebhookHandler};
//! use futures::StreamExt;
//!
//! # async fn sample(listener: tokio::net::TcpListener) -> Result<(), Box<dyn std::error::Error>> {
//! let handler = WebhookHandler::builder()
//!     .verification_token(std::env::var("FEISHU_VERIFICATION_TOKEN")?)
//!     .encrypt_key(std::env::var("FEISHU_ENCRYPT_KEY")?)
//!     .build()?;
//! let (router, mut events) = feishu_events::axum::router(handler, "/webhook/event");
//! tokio::spawn(async move {
//!     while let Some(event) = events.next().await {
//!         match event {
//!             Ok(event) => println!("{}: {:?}", event.event_type(), event.kind),
//!             Err(e) => eprintln!("undecodable event: {e}"),
//!         }
//!     }
//! });
//! // serve `router` with axum::serve(listener, router) (axum's `tokio` + `http1` features)
//! # let _ = (router, listener); Ok(()) }
//! ```

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::webhook::{
    DeliverySender, EventSender, WebhookDeliveries, WebhookEvents, WebhookHandler,
    delivery_channel, event_channel,
};

/// Options of [`router_with`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RouterOptions {
    /// Events waiting for the application before requests are answered 503
    /// ([`webhook::DEFAULT_CAPACITY`](crate::webhook::DEFAULT_CAPACITY)).
    pub capacity: usize,
    /// How long a request waits for room when the channel is full
    /// ([`webhook::DEFAULT_HANDOFF_TIMEOUT`](crate::webhook::DEFAULT_HANDOFF_TIMEOUT)).
    pub handoff_timeout: std::time::Duration,
}

impl Default for RouterOptions {
    fn default() -> Self {
        RouterOptions {
            capacity: crate::webhook::DEFAULT_CAPACITY,
            handoff_timeout: crate::webhook::DEFAULT_HANDOFF_TIMEOUT,
        }
    }
}

struct AdapterState {
    handler: WebhookHandler,
    sender: EventSender,
}

/// A router answering `POST path` with `handler`, and the stream of its events.
pub fn router(handler: WebhookHandler, path: &str) -> (Router, WebhookEvents) {
    router_with(handler, path, RouterOptions::default())
}

/// [`router`] with explicit options.
pub fn router_with(
    handler: WebhookHandler,
    path: &str,
    options: RouterOptions,
) -> (Router, WebhookEvents) {
    let (sender, events) = event_channel(options.capacity);
    let state = Arc::new(AdapterState {
        handler,
        sender: sender.handoff_timeout(options.handoff_timeout),
    });
    let router = Router::new().route(path, post(receive)).with_state(state);
    (router, events)
}

async fn receive(
    State(state): State<Arc<AdapterState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state
        .handler
        .handle_and_forward(&headers, &body, &state.sender)
        .await
        .into_http()
        .into_response()
}

struct DeliveryState {
    handler: WebhookHandler,
    sender: DeliverySender,
}

/// A router answering `POST path` with `handler` once the application acknowledged each
/// event ([`WebhookHandler::handle_and_deliver`]), and the stream of its deliveries. Up to
/// `capacity` events wait for the application; each request waits at most `ack_timeout`
/// (keep it under Feishu's 3 s; [`webhook::DEFAULT_ACK_TIMEOUT`](crate::webhook::DEFAULT_ACK_TIMEOUT)).
///
/// # Example
/// ```no_run
/// use feishu_events::WebhookHandler;
/// use futures::StreamExt;
///
/// # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
/// let handler = WebhookHandler::builder().verification_token("v-token").build()?;
/// let (router, mut deliveries) = feishu_events::axum::delivery_router(
///     handler,
///     "/",
///     1024,
///     feishu_events::webhook::DEFAULT_ACK_TIMEOUT,
/// );
/// tokio::spawn(async move {
///     while let Some(Ok(delivery)) = deliveries.next().await {
///         println!("{}", delivery.event.event_id());
///         delivery.ack.done();
///     }
/// });
/// # let _ = router; Ok(()) }
/// ```
pub fn delivery_router(
    handler: WebhookHandler,
    path: &str,
    capacity: usize,
    ack_timeout: std::time::Duration,
) -> (Router, WebhookDeliveries) {
    let (sender, deliveries) = delivery_channel(capacity);
    let state = Arc::new(DeliveryState {
        handler,
        sender: sender.ack_timeout(ack_timeout),
    });
    let router = Router::new().route(path, post(deliver)).with_state(state);
    (router, deliveries)
}

async fn deliver(
    State(state): State<Arc<DeliveryState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state
        .handler
        .handle_and_deliver(&headers, &body, &state.sender)
        .await
        .into_http()
        .into_response()
}
