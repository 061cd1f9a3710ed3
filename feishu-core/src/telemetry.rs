//! What a client did: events for a caller's hook, and counters for progress reports and
//! benchmarks. A leaf: it depends on nothing of the engine.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::token::TokenKind;

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
        /// Its lifetime as used by the cache.
        expires_in: Duration,
    },
}

/// Counters of one endpoint family (of a client, or of a shared
/// [`Budget`](crate::budget::Budget)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FamilyStats {
    /// HTTP requests sent (every attempt).
    pub requests: u64,
    /// Time spent waiting for the rate-limit budget, summed over calls.
    pub waited: Duration,
    /// Replies that said "rate limited".
    pub rate_limited: u64,
}

/// A snapshot of a client's counters (shared by all its clones).
///
/// # Example
/// ```
/// # use feishu_core::{Client, Credentials};
/// # fn f(client: &Client) {
/// let stats = client.stats();
/// println!("{} requests, {} rate limited", stats.requests, stats.rate_limited);
/// for (family, f) in &stats.families {
///     println!("{family}: {} requests, waited {:?}", f.requests, f.waited);
/// }
/// # }
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ClientStats {
    /// HTTP requests sent (every attempt, token requests included).
    pub requests: u64,
    /// Attempts that were retried.
    pub retries: u64,
    /// Replies that said "rate limited" (HTTP 429 or a throttle code of the endpoint).
    pub rate_limited: u64,
    /// Tokens fetched from Feishu.
    pub token_fetches: u64,
    /// Calls that finished with an error.
    pub failed_calls: u64,
    /// Counters per endpoint family.
    pub families: BTreeMap<String, FamilyStats>,
}

type EventHook = Arc<dyn Fn(&ClientEvent) + Send + Sync>;

/// The counters and the event hook of one client and its clones.
#[derive(Default)]
pub(crate) struct Telemetry {
    requests: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
    token_fetches: AtomicU64,
    failed_calls: AtomicU64,
    families: Mutex<BTreeMap<&'static str, FamilyStats>>,
    hook: Option<EventHook>,
}

impl fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Telemetry").finish_non_exhaustive()
    }
}

impl FamilyStats {
    pub(crate) fn add(&mut self, other: FamilyStats) {
        self.requests += other.requests;
        self.waited = self.waited.saturating_add(other.waited);
        self.rate_limited += other.rate_limited;
    }
}

impl Telemetry {
    pub(crate) fn with_hook(hook: Option<EventHook>) -> Self {
        Telemetry {
            hook,
            ..Telemetry::default()
        }
    }

    pub(crate) fn emit(&self, event: &ClientEvent) {
        if let Some(hook) = &self.hook {
            hook(event);
        }
    }

    fn family(&self, family: &'static str, f: impl FnOnce(&mut FamilyStats)) {
        let mut map = self.families.lock().unwrap_or_else(|e| e.into_inner());
        f(map.entry(family).or_default());
    }

    pub(crate) fn record_request(&self, family: &'static str, waited: Duration) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.family(family, |s| {
            s.requests += 1;
            s.waited += waited;
        });
    }

    pub(crate) fn record_retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_rate_limited(&self, family: &'static str) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
        self.family(family, |s| s.rate_limited += 1);
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
            families: self
                .families
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
        }
    }
}
