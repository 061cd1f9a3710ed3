//! How the engine retries transient failures.

use std::time::Duration;

/// Retry budget and backoff for transient failures (5xx, connection errors, transient
/// Feishu codes, rate limits).
///
/// Permission and parameter errors are never retried. A rejected token triggers one refresh
/// and one retry outside this budget; a call gives up when the same token is rejected twice,
/// and refreshes at most three times in all.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use feishu_core::RetryPolicy;
/// let policy = RetryPolicy::default()
///     .with_max_attempts(8)
///     .with_max_elapsed(Duration::from_secs(120));
/// assert_eq!(policy.max_attempts(), 8);
/// ```
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    max_elapsed: Duration,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_rate_limit_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            max_elapsed: Duration::from_secs(90),
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(10),
            max_rate_limit_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Total attempts per call, the first included (at least 1).
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Time budget of one call: a retry is not scheduled when its wait would end later than
    /// this after the call began. (An attempt already under way is bounded by the client's
    /// per-request timeout, not by this.)
    pub fn with_max_elapsed(mut self, d: Duration) -> Self {
        self.max_elapsed = d;
        self
    }

    /// First backoff delay; it doubles per attempt, up to
    /// [`with_max_backoff`](Self::with_max_backoff), with equal jitter: each delay lies
    /// between half and all of its nominal value.
    pub fn with_initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// Upper bound of one backoff delay.
    pub fn with_max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// Upper bound of one wait on Feishu's `x-ogw-ratelimit-reset` header.
    pub fn with_max_rate_limit_wait(mut self, d: Duration) -> Self {
        self.max_rate_limit_wait = d;
        self
    }

    /// Total attempts per call.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Time budget of one call's retries.
    pub fn max_elapsed(&self) -> Duration {
        self.max_elapsed
    }

    /// The jittered delay before attempt `attempt + 1` (`attempt` counts from 1).
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let cap = exp.min(self.max_backoff);
        // Equal jitter: half fixed, half random, so retries of many callers spread out but a
        // delay never collapses to zero.
        let half = cap / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// The wait before retrying a rate-limited call: the server's reset time (plus a little
    /// jitter so waiting callers do not return in one burst), bounded.
    pub(crate) fn rate_limit_wait(&self, reset: Option<Duration>, attempt: u32) -> Duration {
        match reset {
            Some(r) => {
                let jitter = Duration::from_millis(fastrand::u64(0..=50));
                (r + jitter).min(self.max_rate_limit_wait)
            }
            None => self.backoff(attempt.max(2)),
        }
    }
}
