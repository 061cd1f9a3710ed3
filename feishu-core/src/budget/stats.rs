//! What a budget did per endpoint family, for `ClientStats` and progress reports.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use crate::telemetry::FamilyStats;

#[derive(Debug, Default)]
pub(crate) struct FamilyCounters {
    requests: AtomicU64,
    waited_nanos: AtomicU64,
    rate_limited: AtomicU64,
}

impl FamilyCounters {
    pub(crate) fn record_request(&self, waited: Duration) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if !waited.is_zero() {
            let nanos = u64::try_from(waited.as_nanos()).unwrap_or(u64::MAX);
            self.waited_nanos.fetch_add(nanos, Ordering::Relaxed);
        }
    }

    pub(crate) fn record_rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> FamilyStats {
        FamilyStats {
            requests: self.requests.load(Ordering::Relaxed),
            waited: Duration::from_nanos(self.waited_nanos.load(Ordering::Relaxed)),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
        }
    }
}
