//! The core of the feishu-rs SDK for the Feishu / Lark Open Platform.
//!
//! It knows nothing about Approval, Bitable, Attendance or Contact; the module crates build on
//! it. What it does:
//!
//! - [`Client`]: a cheap-to-clone handle built by [`ClientBuilder`] (domain, credentials,
//!   timeouts, retries, rate limits).
//! - [`Credentials`]: self-built app, store app (with the `app_ticket` flow), pre-minted app
//!   token + tenant key, pre-minted tenant token. Secrets stay in `secrecy` types.
//! - Tokens: cached per app and tenant, refreshed ahead of expiry, single flight, evicted and
//!   refreshed once when Feishu rejects them; the cache is a pluggable [`TokenStore`].
//! - The request engine: per-segment percent-encoding, the `{code, msg, data}` envelope,
//!   success decided on `code`, rate-limit waits, jittered retries, one [`Error`] type.
//! - [`RateLimits`]: client-side limiters per endpoint family, shared by clones.
//! - [`page`]: [`Page`] and the adapter from page fetches to lazy streams.
//!
//! # Example
//! ```no_run
//! use feishu_core::{ApiRequest, Client, Credentials, RateLimit};
//! # async fn sample() -> feishu_core::Result<()> {
//! let client = Client::builder()
//!     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
//!     .build()?;
//! let scopes: serde_json::Value = client
//!     .send(ApiRequest::get("contact.scopes", RateLimit::per_second(50)).path("contact/v3/scopes"))
//!     .await?;
//! println!("{scopes}");
//! # Ok(()) }
//! ```

mod auth;
pub mod budget;
mod client;
pub mod codes;
mod credentials;
pub mod de;
mod domain;
mod error;
mod ids;
pub mod page;
mod rate_limit;
mod redact;
mod request;
mod retry;
mod stats;

pub use auth::{CachedToken, InMemoryTokenStore, TokenKey, TokenKind, TokenStore};
pub use budget::{BudgetKey, BudgetScope, BudgetStore, InMemoryBudgetStore, RateLimit, RateLimits};
pub use client::{Client, ClientBuilder};
pub use credentials::{AppTicketEvent, Credentials};
pub use domain::Domain;
pub use error::{
    ApiError, AuthError, DecodeError, Error, ErrorDetail, FieldViolation, HelpLink, HttpError,
    PermissionViolation, Result,
};
pub use ids::{DepartmentIdType, UserIdType};
pub use page::Page;
pub use request::{ApiRequest, Method};
pub use retry::RetryPolicy;
pub use stats::{ClientEvent, ClientStats};

/// The `reqwest` version this crate is built with, for [`ClientBuilder::http_client`].
pub use reqwest;
/// The `secrecy` version this crate is built with.
pub use secrecy;
