//! Server-side rate limits and the 429 reply Feishu's gateway sends when one is exceeded.
//!
//! Per-path-prefix limits are token buckets of capacity `per_second`, refilled at
//! `per_second` tokens per second (real time).

use std::time::{Duration, Instant};

use crate::reply::Reply;
use crate::request::RequestView;

#[derive(Debug)]
struct Bucket {
    prefix: String,
    per_second: u32,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        let capacity = f64::from(self.per_second);
        self.tokens = (self.tokens + elapsed * capacity).min(capacity);
        self.last = now;
    }

    /// Time until one token is available.
    fn wait(&self) -> Duration {
        let missing = (1.0 - self.tokens).max(0.0);
        Duration::from_secs_f64(missing / f64::from(self.per_second))
    }
}

/// All configured buckets.
#[derive(Debug, Default)]
pub(crate) struct RateLimits {
    buckets: Vec<Bucket>,
}

impl RateLimits {
    /// Sets (or replaces, full) the bucket of `prefix`; `per_second == 0` removes it.
    pub(crate) fn set(&mut self, prefix: &str, per_second: u32) {
        self.buckets.retain(|bucket| bucket.prefix != prefix);
        if per_second > 0 {
            self.buckets.push(Bucket {
                prefix: prefix.to_owned(),
                per_second,
                tokens: f64::from(per_second),
                last: Instant::now(),
            });
        }
    }

    pub(crate) fn clear(&mut self) {
        self.buckets.clear();
    }

    /// Takes one token from every bucket whose prefix matches; answers 429 if any is empty.
    pub(crate) fn check(&mut self, req: &RequestView) -> Option<Reply> {
        if self.buckets.is_empty() {
            return None;
        }
        let now = Instant::now();
        let mut blocked: Option<(u32, Duration)> = None;
        for bucket in self
            .buckets
            .iter_mut()
            .filter(|bucket| req.path.starts_with(bucket.prefix.as_str()))
        {
            bucket.refill(now);
            if bucket.tokens < 1.0 {
                let wait = bucket.wait();
                if blocked.is_none_or(|(_, longest)| wait > longest) {
                    blocked = Some((bucket.per_second, wait));
                }
            }
        }
        if let Some((limit, wait)) = blocked {
            return Some(rate_limited(limit, wait));
        }
        for bucket in self
            .buckets
            .iter_mut()
            .filter(|bucket| req.path.starts_with(bucket.prefix.as_str()))
        {
            bucket.tokens -= 1.0;
        }
        None
    }
}

/// HTTP 429, code 99991400, with the `x-ogw-ratelimit-*` headers: the gateway's answer
/// (<https://open.feishu.cn/document/ukTMukTMukTM/uUzN04SN3QjL1cDN>).
pub(crate) fn rate_limited(limit: u32, reset: Duration) -> Reply {
    throttled(
        429,
        99991400,
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
