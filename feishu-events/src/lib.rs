//! Feishu / Lark Open Platform events: decoded, verified and received.
//!
//! Feishu tells an app about changes (an approval finished, a user joined, Bitable records
//! changed, a store app's hourly `app_ticket`) by pushing events, in one of two ways
//! configured in the developer console
//! ([event overview](https://open.feishu.cn/document/ukTMukTMukTM/uUTNz4SN1MjL1UzM)):
//!
//! - **Webhook**: Feishu POSTs each event to the app's public URL. [`WebhookHandler`]
//!   answers the challenge, decrypts, checks the signature or verification token, drops
//!   redeliveries and decodes; the `axum` feature adds a ready router ([`axum::router`]).
//! - **Long connection** (self-built apps only): the app dials out to Feishu over a
//!   websocket, so it needs no public URL. [`LongConnection`] opens it, keeps it alive,
//!   reconnects, acknowledges each event and yields a `Stream` of events.
//!
//! Either way an event is an [`Event`]: an [`EventHeader`] (id, type, time, app, tenant) and
//! an [`EventKind`], typed for the events this SDK reads and
//! [`EventKind::Unknown`] (raw JSON) for the rest. Nothing is dropped: a known type whose
//! body does not fit arrives as [`Error::Decode`] with the raw event kept.
//!
//! # Example: long connection
//! ```no_run
//! use feishu_events::{EventKind, LongConnection};
//! use futures::StreamExt;
//!
//! # async fn sample() -> Result<(), feishu_events::Error> {
//! let mut events = LongConnection::builder("cli_a1b2c3", std::env::var("FEISHU_APP_SECRET").unwrap())
//!     .build()?
//!     .connect();
//! while let Some(event) = events.next().await {
//!     match event?.kind {
//!         EventKind::ApprovalInstance(change) => println!("{} is {}", change.instance_code, change.status),
//!         EventKind::UserDeleted(user) => println!("{:?} left", user.object.name),
//!         other => println!("{other:?}"),
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Example: webhook
//! ```
//! use feishu_events::{EventKind, WebhookHandler};
//!
//! let handler = WebhookHandler::builder().verification_token("v-token").build().unwrap();
//! let body = br#"{"ts":"1502199207.7171419","uuid":"bc44","token":"v-token","type":"event_callback",
//!   "event":{"app_id":"cli_x","tenant_key":"tk","type":"approval_instance",
//!   "approval_code":"A","instance_code":"I","status":"APPROVED","operate_time":"1666079207003"}}"#;
//! let outcome = handler.handle(&http::HeaderMap::new(), body);
//! assert_eq!(outcome.response.status(), 200);
//! let event = outcome.result.unwrap().unwrap();
//! assert!(matches!(event.kind, EventKind::ApprovalInstance(_)));
//! // the same delivery again is recognised
//! assert!(handler.handle(&http::HeaderMap::new(), body).result.unwrap().is_none());
//! ```
//!
//! # Features
//! - `axum`: [`axum::router`], a ready webhook route.
//!
//! See `docs/events.md` in the repository for the console settings and the delivery
//! guarantees.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod app_ticket;
pub mod approval;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
pub mod bitable;
pub mod contact;
pub mod crypto;
mod de;
mod dedup;
mod delivery;
mod envelope;
mod error;
mod kind;
pub mod webhook;
pub mod ws;

pub use dedup::{DEFAULT_CAPACITY as DEDUP_CAPACITY, DEFAULT_WINDOW as DEDUP_WINDOW, Deduplicator};
pub use delivery::{Ack, AckReceipt, Delivery};
pub use envelope::{Event, EventHeader, Schema};
pub use error::{DecodeError, DecryptError, Error, Result, SignatureError};
pub use kind::{EventKind, types};
pub use webhook::{
    SignatureHeaders, WebhookHandler, WebhookHandlerBuilder, WebhookOutcome, WebhookResponse,
};
pub use ws::{
    LongConnection, LongConnectionBuilder, LongConnectionDeliveries, LongConnectionEvents,
};

/// The `secrecy` version this crate takes secrets in.
pub use secrecy;
