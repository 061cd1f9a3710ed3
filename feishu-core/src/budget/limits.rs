//! The client's rate-limit configuration.

use std::collections::HashMap;

use super::limit::RateLimit;

/// The safety margin used unless [`RateLimits::with_safety_margin`] says otherwise: 3 % of each
/// window (30 ms of a second, 1.8 s of a minute). See [`RateLimits::with_safety_margin`].
pub const DEFAULT_SAFETY_MARGIN: f64 = 0.03;

/// The client's rate-limit configuration: the documented limit each request carries, composed
/// with per-family overrides and a switch, plus a safety margin.
///
/// - [`RateLimits::documented`] (the default) paces every endpoint family at the limit its
///   declaration documents.
/// - [`RateLimits::disabled`] paces nothing, except the families given an override: overrides
///   and the switch compose, so limiting one family needs one line.
/// - [`RateLimits::with_override`] replaces a family's documented limit (a tenant whose plan
///   raised it, or a share of the quota left to other programs).
///
/// # Example
/// ```
/// use feishu_core::{RateLimit, RateLimits};
///
/// // A business-plan tenant with a raised limit for instance details:
/// let limits = RateLimits::documented()
///     .with_override("approval.instances.get", RateLimit::per_second(100));
/// assert_eq!(
///     limits.effective("approval.instances.get", RateLimit::per_second(50)),
///     RateLimit::per_second(100)
/// );
///
/// // Nothing limited but the approval list:
/// let limits = RateLimits::disabled()
///     .with_override("approval.instances.list", RateLimit::per_minute(100));
/// assert!(limits.effective("contact.users.get", RateLimit::per_second(50)).is_unlimited());
/// assert_eq!(
///     limits.effective("approval.instances.list", RateLimit::per_minute(100)),
///     RateLimit::per_minute(100)
/// );
/// ```
#[derive(Debug, Clone)]
pub struct RateLimits {
    enabled: bool,
    overrides: HashMap<String, RateLimit>,
    safety_margin: f64,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::documented()
    }
}

impl RateLimits {
    /// Feishu's documented limits, the default.
    pub fn documented() -> Self {
        RateLimits {
            enabled: true,
            overrides: HashMap::new(),
            safety_margin: DEFAULT_SAFETY_MARGIN,
        }
    }

    /// No client-side pacing except for families given an override. Feishu's "too many
    /// requests" replies are still honoured.
    pub fn disabled() -> Self {
        RateLimits {
            enabled: false,
            ..Self::documented()
        }
    }

    /// Uses `limit` for the endpoint family `family` instead of its documented limit, whether
    /// or not the documented limits are enabled. [`RateLimit::UNLIMITED`] exempts the family.
    ///
    /// A limit the server advertises (`x-ogw-ratelimit-limit`) may lower an override, never
    /// raise it.
    pub fn with_override(mut self, family: impl Into<String>, limit: RateLimit) -> Self {
        self.overrides.insert(family.into(), limit);
        self
    }

    /// How much longer than its nominal length each window is kept, as a fraction of it
    /// (default [`DEFAULT_SAFETY_MARGIN`], 3 %; clamped to 0..=1, a non-finite value keeps the
    /// default).
    ///
    /// The budget guarantees its limits at the moment a request leaves; Feishu counts when it
    /// arrives. Arrival times shift with latency jitter (scheduling, a slow connection), so a
    /// request sent exactly one window after another could land inside the same server window.
    /// The margin absorbs that shift. It is proportional because a mistake costs in proportion
    /// to the window: a 429 on a per-second window costs at most a second, one on a per-minute
    /// window up to a minute, so a minute window earns a wider margin (1.8 s) than a second
    /// (30 ms). The price is throughput: at most the margin's share of each window.
    pub fn with_safety_margin(mut self, fraction: f64) -> Self {
        if fraction.is_finite() {
            self.safety_margin = fraction.clamp(0.0, 1.0);
        }
        self
    }

    /// The safety margin, as a fraction of each window.
    pub fn safety_margin(&self) -> f64 {
        self.safety_margin
    }

    /// Whether documented limits apply to families without an override.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The override of `family`, if one was set.
    pub fn override_for(&self, family: &str) -> Option<RateLimit> {
        self.overrides.get(family).copied()
    }

    /// The limit that applies to `family`, whose documented limit is `documented` (before
    /// any server-advertised figure).
    pub fn effective(&self, family: &str, documented: RateLimit) -> RateLimit {
        match self.override_for(family) {
            Some(limit) => limit,
            None if self.enabled => documented,
            None => RateLimit::UNLIMITED,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_compose_with_the_switch() {
        let doc = RateLimit::per_second(50);
        let five = RateLimit::per_second(5);
        let on = RateLimits::documented().with_override("x", five);
        assert_eq!(on.effective("x", doc), five);
        assert_eq!(on.effective("y", doc), doc);
        let off = RateLimits::disabled().with_override("x", five);
        assert_eq!(off.effective("x", doc), five);
        assert!(off.effective("y", doc).is_unlimited());
        let exempt = RateLimits::documented().with_override("x", RateLimit::UNLIMITED);
        assert!(exempt.effective("x", doc).is_unlimited());
    }

    #[test]
    fn safety_margin_is_clamped() {
        assert_eq!(RateLimits::default().safety_margin(), DEFAULT_SAFETY_MARGIN);
        assert_eq!(
            RateLimits::default()
                .with_safety_margin(-1.0)
                .safety_margin(),
            0.0
        );
        assert_eq!(
            RateLimits::default()
                .with_safety_margin(7.0)
                .safety_margin(),
            1.0
        );
        assert_eq!(
            RateLimits::default()
                .with_safety_margin(f64::NAN)
                .safety_margin(),
            DEFAULT_SAFETY_MARGIN
        );
    }
}
