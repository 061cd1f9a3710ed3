//! Smooth per-path-prefix limits: a token bucket of capacity `per_second`, refilled at
//! `per_second` tokens per second (real time). Not how Feishu counts (its gateway uses fixed
//! windows, see [`super::window`]), but a steady budget some client tests want.

use std::time::{Duration, Instant};

use crate::request::RequestView;

/// One token bucket.
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
pub(super) struct Buckets {
    buckets: Vec<Bucket>,
}

impl Buckets {
    /// Sets (or replaces, full) the bucket of `prefix`; `per_second == 0` removes it.
    pub(super) fn set(&mut self, prefix: &str, per_second: u32) {
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

    pub(super) fn clear(&mut self) {
        self.buckets.clear();
    }

    /// Takes one token from every bucket whose prefix matches; when one is empty, takes none
    /// and returns the blocking bucket's `per_second` and the longest wait.
    pub(super) fn take(&mut self, req: &RequestView) -> Result<(), (u32, Duration)> {
        if self.buckets.is_empty() {
            return Ok(());
        }
        let now = Instant::now();
        let mut blocked: Option<(u32, Duration)> = None;
        for bucket in self.matching(req) {
            bucket.refill(now);
            if bucket.tokens < 1.0 {
                let wait = bucket.wait();
                if blocked.is_none_or(|(_, longest)| wait > longest) {
                    blocked = Some((bucket.per_second, wait));
                }
            }
        }
        if let Some(blocked) = blocked {
            return Err(blocked);
        }
        for bucket in self.matching(req) {
            bucket.tokens -= 1.0;
        }
        Ok(())
    }

    fn matching<'a>(&'a mut self, req: &'a RequestView) -> impl Iterator<Item = &'a mut Bucket> {
        self.buckets
            .iter_mut()
            .filter(|bucket| req.path.starts_with(bucket.prefix.as_str()))
    }
}
