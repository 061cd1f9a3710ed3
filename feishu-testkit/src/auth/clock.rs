//! The tenant's token clock: real time plus an offset tests can move forward.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// About a century: where an absurd offset or lifetime pins the clock instead of overflowing.
pub(crate) const FAR_FUTURE: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Real time plus a forward-only offset, so tokens can age without waiting.
#[derive(Debug, Default)]
pub(crate) struct VirtualClock {
    /// Offset in nanoseconds, added to `Instant::now()`.
    offset_nanos: AtomicU64,
}

impl VirtualClock {
    /// The tenant's notion of "now" for token lifetimes.
    pub(crate) fn now(&self) -> Instant {
        let now = Instant::now();
        let offset = Duration::from_nanos(self.offset_nanos.load(Ordering::Relaxed));
        now.checked_add(offset)
            .or_else(|| now.checked_add(FAR_FUTURE))
            .unwrap_or(now)
    }

    /// Moves the clock forward (saturating: it never wraps back).
    pub(crate) fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        let _ = self
            .offset_nanos
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |cur| {
                Some(cur.saturating_add(nanos))
            });
    }
}
