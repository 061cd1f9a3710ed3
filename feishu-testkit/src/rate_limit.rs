//! Server-side per-path-prefix rate limits: a token bucket of capacity `per_second`, refilled
//! at `per_second` tokens per second (real time).

use std::time::{Duration, Instant};

use crate::faults;
use crate::reply::Reply;
use crate::router::RequestView;
use crate::state::{State, lock};

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
}

/// Takes one token from every bucket whose prefix matches; answers 429 if any is empty.
pub(crate) fn check(state: &State, req: &RequestView) -> Option<Reply> {
    let mut limits = lock(&state.limits);
    if limits.buckets.is_empty() {
        return None;
    }
    let now = Instant::now();
    let mut blocked: Option<(u32, Duration)> = None;
    for bucket in limits
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
        return Some(faults::rate_limited(limit, wait));
    }
    for bucket in limits
        .buckets
        .iter_mut()
        .filter(|bucket| req.path.starts_with(bucket.prefix.as_str()))
    {
        bucket.tokens -= 1.0;
    }
    None
}
