//! Client-side rate limiting per endpoint family.
//!
//! Feishu counts limits per API, per app, per tenant (feishu-api.md §3). A client that fans
//! out detail fetches would collect 429s without a limiter of its own; with one, it runs just
//! under the documented rate. Limiters are shared by every clone of a [`Client`](crate::Client).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use governor::clock::DefaultClock;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter as Gcra};

/// A documented limit: requests per second and/or per minute. Both apply when both are set
/// (Feishu's "1000/min & 50/s").
///
/// # Example
/// ```
/// use feishu_core::RateLimit;
/// let contact = RateLimit::per_minute(1000).and_per_second(50);
/// assert_eq!(contact.per_second_limit(), Some(50));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimit {
    per_second: Option<NonZeroU32>,
    per_minute: Option<NonZeroU32>,
}

impl RateLimit {
    /// No client-side limit.
    pub const UNLIMITED: RateLimit = RateLimit {
        per_second: None,
        per_minute: None,
    };

    /// `n` requests per second (0 means unlimited).
    pub const fn per_second(n: u32) -> Self {
        RateLimit {
            per_second: NonZeroU32::new(n),
            per_minute: None,
        }
    }

    /// `n` requests per minute (0 means unlimited).
    pub const fn per_minute(n: u32) -> Self {
        RateLimit {
            per_second: None,
            per_minute: NonZeroU32::new(n),
        }
    }

    /// Adds a per-second limit to this one.
    pub const fn and_per_second(mut self, n: u32) -> Self {
        self.per_second = NonZeroU32::new(n);
        self
    }

    /// The per-second limit, if any.
    pub fn per_second_limit(&self) -> Option<u32> {
        self.per_second.map(NonZeroU32::get)
    }

    /// The per-minute limit, if any.
    pub fn per_minute_limit(&self) -> Option<u32> {
        self.per_minute.map(NonZeroU32::get)
    }

    /// Whether no limit applies.
    pub fn is_unlimited(&self) -> bool {
        self.per_second.is_none() && self.per_minute.is_none()
    }

    /// The sustained rate in requests per second (the tighter of the two limits).
    pub fn sustained_per_second(&self) -> Option<f64> {
        let s = self.per_second.map(|n| f64::from(n.get()));
        let m = self.per_minute.map(|n| f64::from(n.get()) / 60.0);
        match (s, m) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The client's rate-limit configuration: documented limits (carried by each request),
/// overridden per endpoint family, or switched off.
///
/// # Example
/// ```
/// use feishu_core::{RateLimit, RateLimits};
/// // A business-plan tenant with a raised limit for instance details:
/// let limits = RateLimits::documented()
///     .with_override("approval.instances.get", RateLimit::per_second(100));
/// # let _ = limits;
/// ```
#[derive(Debug, Clone)]
pub struct RateLimits {
    enabled: bool,
    overrides: HashMap<String, RateLimit>,
    burst_fraction: f64,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::documented()
    }
}

impl RateLimits {
    /// Feishu's documented limits (feishu-api.md §3.3), the default.
    pub fn documented() -> Self {
        RateLimits {
            enabled: true,
            overrides: HashMap::new(),
            burst_fraction: 0.2,
        }
    }

    /// No client-side limiting (Feishu's 429s are still honoured).
    pub fn disabled() -> Self {
        RateLimits {
            enabled: false,
            ..Self::documented()
        }
    }

    /// Uses `limit` for the endpoint family `endpoint` instead of the documented one.
    pub fn with_override(mut self, endpoint: impl Into<String>, limit: RateLimit) -> Self {
        self.overrides.insert(endpoint.into(), limit);
        self
    }

    /// The share of a window that may be sent at once (default 0.2: at 50/s, bursts of 10).
    /// Smaller bursts keep a margin against Feishu's own window; 1.0 allows a full window.
    pub fn with_burst_fraction(mut self, fraction: f64) -> Self {
        self.burst_fraction = fraction.clamp(0.0, 1.0);
        self
    }

    /// The limit that applies to `endpoint` whose documented limit is `documented`.
    pub fn effective(&self, endpoint: &str, documented: RateLimit) -> RateLimit {
        if !self.enabled {
            return RateLimit::UNLIMITED;
        }
        self.overrides.get(endpoint).copied().unwrap_or(documented)
    }
}

type Direct = Gcra<NotKeyed, InMemoryState, DefaultClock>;

/// One family's limiters (one per window).
struct FamilyLimiter {
    limiters: Vec<Direct>,
}

impl FamilyLimiter {
    fn new(limit: RateLimit, burst_fraction: f64) -> Self {
        let burst = |n: NonZeroU32| {
            let b = (f64::from(n.get()) * burst_fraction).floor() as u32;
            NonZeroU32::new(b.max(1)).unwrap_or(NonZeroU32::MIN)
        };
        let mut limiters = Vec::new();
        if let Some(n) = limit.per_second {
            limiters.push(Gcra::direct(Quota::per_second(n).allow_burst(burst(n))));
        }
        if let Some(n) = limit.per_minute {
            limiters.push(Gcra::direct(Quota::per_minute(n).allow_burst(burst(n))));
        }
        FamilyLimiter { limiters }
    }

    async fn acquire(&self) {
        for l in &self.limiters {
            l.until_ready().await;
        }
    }
}

/// The limiters of one client, created on first use of each family.
#[derive(Default)]
pub(crate) struct LimiterRegistry {
    families: Mutex<HashMap<String, (RateLimit, Arc<FamilyLimiter>)>>,
}

impl LimiterRegistry {
    /// Waits until `endpoint` may send one more request under `limit`.
    pub(crate) async fn acquire(&self, endpoint: &str, limit: RateLimit, burst_fraction: f64) {
        if limit.is_unlimited() {
            return;
        }
        let limiter = {
            let mut map = self.families.lock().unwrap_or_else(|e| e.into_inner());
            match map.get(endpoint) {
                Some((l, lim)) if *l == limit => lim.clone(),
                _ => {
                    let lim = Arc::new(FamilyLimiter::new(limit, burst_fraction));
                    map.insert(endpoint.to_string(), (limit, lim.clone()));
                    lim
                }
            }
        };
        limiter.acquire().await;
    }
}

impl RateLimits {
    pub(crate) fn burst_fraction(&self) -> f64 {
        self.burst_fraction
    }
}
