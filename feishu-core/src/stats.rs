//! Counters of what a client did, for progress reports and benchmarks.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::auth::TokenKind;

/// Something the client did that a caller may want to surface (progress, connector trace
/// messages). Delivered to the hook set with
/// [`ClientBuilder::on_event`](crate::ClientBuilder::on_event); keep the hook fast.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ClientEvent {
    /// Feishu said "too many requests"; the call waits `wait` before retrying.
    RateLimited {
        /// The endpoint family.
        endpoint: String,
        /// How long the call waits.
        wait: Duration,
    },
    /// A transient failure; the call is retried after `wait`.
    Retrying {
        /// The endpoint family.
        endpoint: String,
        /// The attempt that failed (from 1).
        attempt: u32,
        /// How long the call waits.
        wait: Duration,
        /// What failed (no secrets).
        reason: String,
    },
    /// A token was fetched from Feishu.
    TokenFetched {
        /// Which token.
        kind: TokenKind,
        /// Its lifetime as Feishu reported it.
        expires_in: Duration,
    },
}

/// A snapshot of a client's counters (shared by all its clones).
///
/// # Example
/// ```
/// # use feishu_core::{Client, Credentials};
/// # fn f(client: &Client) {
/// let stats = client.stats();
/// println!("{} requests, {} rate limited", stats.requests, stats.rate_limited);
/// # }
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ClientStats {
    /// HTTP requests sent (every attempt, token requests included).
    pub requests: u64,
    /// Attempts that were retried.
    pub retries: u64,
    /// Replies that said "rate limited" (HTTP 429, code 99991400, or Bitable's 1254290).
    pub rate_limited: u64,
    /// Tokens fetched from Feishu.
    pub token_fetches: u64,
    /// Calls that finished with an error.
    pub failed_calls: u64,
    /// Requests per endpoint family.
    pub requests_by_endpoint: BTreeMap<String, u64>,
}

#[derive(Default)]
pub(crate) struct StatsInner {
    requests: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
    token_fetches: AtomicU64,
    failed_calls: AtomicU64,
    by_endpoint: Mutex<BTreeMap<String, u64>>,
}

impl StatsInner {
    pub(crate) fn record_request(&self, endpoint: &str) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut map = self.by_endpoint.lock().unwrap_or_else(|e| e.into_inner());
        match map.get_mut(endpoint) {
            Some(n) => *n += 1,
            None => {
                map.insert(endpoint.to_string(), 1);
            }
        }
    }

    pub(crate) fn record_retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_token_fetch(&self) {
        self.token_fetches.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_failure(&self) {
        self.failed_calls.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> ClientStats {
        ClientStats {
            requests: self.requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            token_fetches: self.token_fetches.load(Ordering::Relaxed),
            failed_calls: self.failed_calls.load(Ordering::Relaxed),
            requests_by_endpoint: self
                .by_endpoint
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        }
    }
}
