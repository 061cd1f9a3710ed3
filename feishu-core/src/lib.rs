//! The core of the feishu-rs SDK for the Feishu / Lark Open Platform.
//!
//! It knows nothing about Approval, Bitable, Attendance or Contact; the module crates build on
//! it. It is three layers, each using only the one below:
//!
//! - the **transport**: one call to an [`Endpoint`] with a given token: the `{code, msg, data}`
//!   envelope, success decided on `code`, rate-limit waits, jittered retries of what is safe to
//!   repeat, one [`Error`] type;
//! - **auth**: the token provider: [`Credentials`] (self-built app, store app with the
//!   `app_ticket` flow, pre-minted app token + tenant key, pre-minted tenant token), a
//!   single-flight cache refreshed ahead of expiry, a pluggable [`TokenStore`];
//! - the **client** ([`Client`], built by [`ClientBuilder`]): both composed, plus the rule that
//!   a rejected token is refreshed once and the call repeated.
//!
//! An endpoint is data: a `const` [`Endpoint`] (name, method, path template, documented
//! [`RateLimit`], its module's [`CodeTable`], [`Idempotency`]). A call is a [`Request`] on it.
//! Every listing implements [`ListRequest`] and so runs as one page (`send`), a stream of pages
//! (`by_page`) or a stream of items (`into_stream`). Times are [`OffsetDateTime`](time::OffsetDateTime)
//! and ranges one half-open [`TimeRange`].
//!
//! # Example
//! ```no_run
//! use feishu_core::{Client, Credentials, Endpoint, RateLimit, Request};
//!
//! // An endpoint the SDK does not wrap, declared as data:
//! // https://open.feishu.cn/document/server-docs/contact-v3/scope/list
//! const SCOPES: Endpoint = Endpoint::get("contact.scopes", "contact/v3/scopes")
//!     .limit(RateLimit::per_minute(1000).and_per_second(50));
//!
//! # async fn sample() -> feishu_core::Result<()> {
//! let client = Client::builder()
//!     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
//!     .build()?;
//! let scopes: serde_json::Value = client.send(Request::new(SCOPES, &[])?).await?;
//! println!("{scopes}");
//! # Ok(()) }
//! ```

mod auth;
pub mod budget;
mod builder;
mod client;
pub mod codes;
mod credentials;
mod domain;
mod endpoint;
mod error;
mod ids;
#[doc(hidden)]
pub mod internal;
mod page;
mod page_request;
mod redact;
mod request;
mod retry;
mod telemetry;
mod time_range;
mod token;
mod transport;

pub use budget::{BudgetKey, BudgetScope, BudgetStore, InMemoryBudgetStore, RateLimit, RateLimits};
pub use builder::ClientBuilder;
pub use client::Client;
pub use codes::CodeTable;
pub use credentials::{AppTicketEvent, Credentials};
pub use domain::Domain;
pub use endpoint::{Endpoint, Idempotency, Method, ReplyShape};
pub use error::{
    ApiError, ArgumentError, AuthError, DecodeError, Error, ErrorDetail, FieldViolation, HelpLink,
    HttpError, PermissionViolation, Result, TimeoutError, TransportError,
};
pub use ids::{DepartmentId, DepartmentIdType, OpenId, UnionId, UserId, UserIdType};
pub use page::{ListRequest, MAX_EMPTY_PAGES, MAX_PAGES, Page};
pub use request::Request;
pub use retry::RetryPolicy;
pub use telemetry::{ClientEvent, ClientStats, FamilyStats};
pub use time_range::TimeRange;
pub use token::{CachedToken, InMemoryTokenStore, TokenKey, TokenKind, TokenStore};

/// The `secrecy` version this crate is built with (tokens are `SecretString`s).
pub use secrecy;
/// The `time` version this crate is built with (times are `OffsetDateTime`s).
pub use time;
