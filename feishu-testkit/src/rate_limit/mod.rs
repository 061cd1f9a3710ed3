//! Server-side rate limits and the replies Feishu's gateway sends when one is exceeded
//! (<https://open.feishu.cn/document/ukTMukTMukTM/uUzN04SN3QjL1cDN>).
//!
//! Two kinds: Feishu's own fixed windows per endpoint family, counted per app and tenant
//! ([`FamilyLimit`]), and smooth per-prefix token buckets. A family's replies carry
//! `x-ogw-ratelimit-limit`: the cap of the window that refused the request, or on requests
//! let through, the cap of the family's shortest window. Feishu documents the header only on
//! throttled replies, as "the window's cap", with `x-ogw-ratelimit-reset` the seconds until
//! the limit recovers (the guide's example: limit 100, reset 52, a per-minute window); that
//! it comes on other replies too is not documented.

mod bucket;
mod documented;
mod family;
mod window;

use std::time::{Duration, SystemTime};

use crate::reply::Reply;
use crate::request::RequestView;

use self::bucket::Buckets;
pub use self::family::FamilyLimit;
use self::window::WindowCounters;
pub use self::window::{RateLimitStats, WindowStats};

/// Gateway code of a throttled request.
const RATE_LIMITED: i64 = 99991400;

/// Every rate limit of a tenant.
#[derive(Debug, Default)]
pub(crate) struct RateLimits {
    buckets: Buckets,
    families: Vec<FamilyLimit>,
    windows: WindowCounters,
}

impl RateLimits {
    /// Sets (or replaces, full) the token bucket of `prefix`; `per_second == 0` removes it.
    pub(crate) fn set_bucket(&mut self, prefix: &str, per_second: u32) {
        self.buckets.set(prefix, per_second);
    }

    /// Sets (or replaces) a family's fixed windows; no windows removes the family.
    pub(crate) fn set_family(&mut self, limit: FamilyLimit) {
        if limit.windows.is_empty() {
            self.families.retain(|f| f.family != limit.family);
            return;
        }
        match self.families.iter_mut().find(|f| f.family == limit.family) {
            Some(existing) => *existing = limit,
            None => self.families.push(limit),
        }
    }

    /// Sets Feishu's documented limit on every endpoint family the tenant serves.
    pub(crate) fn set_documented(&mut self) {
        for limit in documented::documented() {
            self.set_family(limit);
        }
    }

    /// Shifts every fixed window: windows start at `k * length + offset`.
    pub(crate) fn set_window_offset(&mut self, offset: Duration) {
        self.windows.set_offset(offset);
    }

    /// The statistics of a family's shortest windows.
    pub(crate) fn stats(&self, family: &str) -> RateLimitStats {
        let shortest = self
            .families
            .iter()
            .find(|f| f.family == family)
            .and_then(|f| f.windows.first())
            .map_or(Duration::from_secs(1), |(_, length)| *length);
        self.windows.stats(family, shortest)
    }

    /// Removes every limit and forgets every count.
    pub(crate) fn clear(&mut self) {
        self.buckets.clear();
        self.families.clear();
        self.windows.clear();
    }

    /// Counts `req` (of an accepted caller) against its family and the buckets. `Ok` carries
    /// the family's advertised cap for the reply's `x-ogw-ratelimit-limit`; `Err` is the 429.
    pub(crate) fn check(&mut self, req: &RequestView) -> Result<Option<u32>, Reply> {
        if let Err((limit, wait)) = self.buckets.take(req) {
            return Err(rate_limited(limit, wait));
        }
        let Some(family) = self.families.iter().find(|f| f.matches(req)) else {
            return Ok(None);
        };
        let (app, tenant) = req
            .caller
            .as_ref()
            .map_or(("", ""), |c| (c.app_id.as_str(), c.tenant_key.as_str()));
        match self.windows.admit(family, app, tenant, SystemTime::now()) {
            Ok(()) => Ok(family.advertised()),
            Err(refusal) => Err(rate_limited(refusal.limit, refusal.reset)),
        }
    }
}

/// HTTP 429, code 99991400, with the `x-ogw-ratelimit-*` headers: the gateway's answer.
pub(crate) fn rate_limited(limit: u32, reset: Duration) -> Reply {
    throttled(
        429,
        RATE_LIMITED,
        "request trigger frequency limit",
        limit,
        reset,
    )
}

/// A throttling reply: HTTP `status`, `code` and `msg`, `x-ogw-ratelimit-limit: limit` and
/// `x-ogw-ratelimit-reset` = seconds until the window resets.
pub(crate) fn throttled(status: u16, code: i64, msg: &str, limit: u32, reset: Duration) -> Reply {
    Reply::err(status, code, msg)
        .with_header("x-ogw-ratelimit-limit", limit.to_string())
        .with_header("x-ogw-ratelimit-reset", format_seconds(reset))
}

/// Seconds with up to three decimals, trailing zeros trimmed (`1`, `0.5`, `0.125`), rounded
/// up to the millisecond and never below `0.001`.
pub(crate) fn format_seconds(duration: Duration) -> String {
    let millis = duration.as_nanos().div_ceil(1_000_000).max(1);
    let whole = millis / 1000;
    let fraction = millis % 1000;
    if fraction == 0 {
        whole.to_string()
    } else {
        let text = format!("{whole}.{fraction:03}");
        text.trim_end_matches('0').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_seconds() {
        assert_eq!(format_seconds(Duration::from_secs(1)), "1");
        assert_eq!(format_seconds(Duration::from_millis(500)), "0.5");
        assert_eq!(format_seconds(Duration::from_millis(1250)), "1.25");
        assert_eq!(format_seconds(Duration::from_nanos(1)), "0.001");
        assert_eq!(format_seconds(Duration::ZERO), "0.001");
    }
}
