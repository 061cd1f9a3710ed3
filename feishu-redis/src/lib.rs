//! Redis stores for feishu-rs: processes that call Feishu as the same app share their access
//! tokens and their rate-limit budget.
//!
//! - [`RedisTokenStore`] implements [`feishu_core::TokenStore`]: one token per app (and
//!   tenant) for every process, instead of one each, fetched by one process while the others
//!   wait for it (a refresh lease), and a rejection seen by one process refreshes the token
//!   once for all of them.
//! - [`RedisBudgetStore`] implements [`feishu_core::BudgetStore`]: the reservation-ahead
//!   sliding-window log of the budget, kept in Redis and updated atomically by Lua scripts,
//!   with Redis's clock (`TIME`) so processes on hosts whose clocks differ still agree.
//!   Together the processes never exceed Feishu's allowance, whatever their number.
//!
//! Both work over one [`redis::aio::ConnectionManager`], which multiplexes the calls of a
//! process over one connection and reconnects after Redis restarts. Keys expire on their
//! own. Requires Redis 5 or later (scripts that read `TIME` and then write).
//!
//! # Example
//! ```no_run
//! use std::sync::Arc;
//! use feishu_core::budget::Budget;
//! use feishu_core::{BudgetScope, Client, Credentials, RateLimit, RateLimits};
//! use feishu_redis::{RedisBudgetStore, RedisTokenStore};
//!
//! # async fn sample() -> feishu_core::Result<()> {
//! let redis = feishu_redis::connect("redis://127.0.0.1:6379/").await?;
//! let client = Client::builder()
//!     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
//!     .token_store(Arc::new(RedisTokenStore::new(redis.clone())))
//!     .build()?;
//! // The rate-limit budget every process of this app and tenant spends together:
//! let scope = BudgetScope::new("https://open.feishu.cn", "cli_a1b2c3", None);
//! let budget = Budget::new(Arc::new(RedisBudgetStore::new(redis)), RateLimits::documented());
//! budget.acquire(&scope, "contact.users.get", RateLimit::per_second(50)).await?;
//! # let _ = client; Ok(()) }
//! ```
//!
//! # TLS
//!
//! The crate enables no TLS of its own, to keep the build lean. For `rediss://` URLs, enable
//! TLS on the same `redis` version in your application (e.g. the `tokio-rustls-comp` feature,
//! re-exported here as [`redis`]); Cargo unifies the features.

mod budget_store;
mod token_store;

pub use budget_store::RedisBudgetStore;
pub use token_store::RedisTokenStore;

/// The `redis` version this crate is built with.
pub use redis;

use redis::aio::ConnectionManager;

/// Connects to the Redis at `url` (`redis://[:password@]host[:port][/db]`) with a connection
/// manager: calls are multiplexed over one connection, which is re-established after
/// failures; a call times out after 500 ms.
///
/// Fails with [`feishu_core::Error::Config`] for an unusable URL and
/// [`feishu_core::Error::Transport`] when Redis cannot be reached. Neither message contains
/// the URL (it may hold a password).
pub async fn connect(url: &str) -> feishu_core::Result<ConnectionManager> {
    let client = redis::Client::open(url)
        .map_err(|e| feishu_core::Error::Config(format!("unusable Redis URL: {e}")))?;
    client
        .get_connection_manager()
        .await
        .map_err(|e| redis_error("connecting to Redis", &e))
}

/// A Redis failure as the SDK's error: retryable, naming what failed.
pub(crate) fn redis_error(what: &str, e: &redis::RedisError) -> feishu_core::Error {
    feishu_core::Error::store_failure(what, e.to_string())
}

/// `namespace:` + `key`, or `key` alone.
pub(crate) fn namespaced(namespace: Option<&str>, key: &str) -> String {
    match namespace {
        Some(ns) => format!("{ns}:{key}"),
        None => key.to_string(),
    }
}
