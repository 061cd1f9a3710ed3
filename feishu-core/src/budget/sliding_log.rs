//! The reservation-ahead sliding-window log of one window of one key.
//!
//! Times are offsets from the store's origin. The log holds, sorted, every reserved departure
//! still in the future and at most `allowance` departures at or before now (older ones cannot
//! constrain anything: only the `allowance`-th most recent departure does).
//!
//! # Why no interval of `span` holds more than `allowance` departures
//!
//! Let `A` be the allowance and `S` the span. Each new departure `t` is at least `S` after
//! the `A`-th most recent logged time, and the log dominates the true departures: sorted from
//! the newest, its `j`-th entry is never earlier than the `j`-th newest departure that
//! happened or is still reserved (for `j ≤ A`). So `t` is at least `S` after the `A`-th newest
//! departure before it, and any `A + 1` consecutive departures span at least `S`: a half-open
//! interval of length `S` holds at most `A`. Every operation keeps the dominance: reserving
//! appends `t` (which is never earlier than the last entry, as every constraint only moves
//! forward), pruning drops only entries beyond the `A`-th newest or older than `now − S`, and
//! a rate-limit reply drops only reservations that will never be used (their holders are
//! rescheduled).

use std::collections::VecDeque;
use std::time::Duration;

use super::store::WindowRule;

#[derive(Debug, Default)]
pub(crate) struct SlidingLog {
    times: VecDeque<Duration>,
}

impl SlidingLog {
    /// The earliest departure at or after `now` this window allows.
    pub(crate) fn earliest(&mut self, now: Duration, rule: &WindowRule) -> Duration {
        self.prune(now, rule);
        let allowance = rule.allowance.max(1) as usize;
        match self.times.len().checked_sub(allowance) {
            Some(i) => now.max(self.times[i].saturating_add(rule.span)),
            None => now,
        }
    }

    /// Logs a departure at `at`.
    pub(crate) fn push(&mut self, at: Duration) {
        // `at` is never earlier than the last entry (see the module docs); inserting in order
        // keeps the log sorted even if it were.
        let i = self.times.partition_point(|t| *t <= at);
        self.times.insert(i, at);
    }

    /// A rate-limit reply at `now`: the reservations after `now` are dropped (their holders
    /// reserve again; the key's block keeps everyone out until the reset).
    pub(crate) fn drop_reservations(&mut self, now: Duration) {
        let kept = self.times.partition_point(|t| *t <= now);
        self.times.truncate(kept);
    }

    /// Whether nothing logged can constrain a departure at `now` or later.
    pub(crate) fn is_idle(&self, now: Duration, span: Duration) -> bool {
        self.times
            .back()
            .is_none_or(|last| last.saturating_add(span) <= now)
    }

    fn prune(&mut self, now: Duration, rule: &WindowRule) {
        let expired = self
            .times
            .partition_point(|t| t.saturating_add(rule.span) <= now);
        let past = self.times.partition_point(|t| *t <= now);
        let surplus = past.saturating_sub(rule.allowance.max(1) as usize);
        self.times.drain(..expired.max(surplus));
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.times.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn rule(allowance: u32, span_ms: u64) -> WindowRule {
        WindowRule::new(ms(span_ms), ms(span_ms), allowance)
    }

    fn reserve(log: &mut SlidingLog, now: Duration, rule: &WindowRule) -> Duration {
        let at = log.earliest(now, rule);
        log.push(at);
        at
    }

    #[test]
    fn a_whole_allowance_goes_at_once_then_the_next_window() {
        let r = rule(3, 1000);
        let mut log = SlidingLog::default();
        let got: Vec<_> = (0..7).map(|_| reserve(&mut log, ms(5), &r)).collect();
        assert_eq!(
            got,
            [ms(5), ms(5), ms(5), ms(1005), ms(1005), ms(1005), ms(2005)]
        );
    }

    #[test]
    fn memory_is_bounded_by_the_allowance_plus_pending_reservations() {
        let r = rule(5, 100);
        let mut log = SlidingLog::default();
        for i in 0..10_000 {
            reserve(&mut log, ms(i * 50), &r);
            assert!(log.len() <= 5 + 5, "{}", log.len());
        }
    }

    #[test]
    fn dropped_reservations_free_their_slots_and_history_stays() {
        let r = rule(4, 1000);
        let mut log = SlidingLog::default();
        for _ in 0..10 {
            reserve(&mut log, ms(0), &r);
        }
        // 4 at 0, 4 reserved at 1000, 2 at 2000; a 429 at 100 drops the reservations.
        log.drop_reservations(ms(100));
        assert_eq!(log.len(), 4);
        let got: Vec<_> = (0..6).map(|_| reserve(&mut log, ms(100), &r)).collect();
        // The four real departures at 0 still hold their slots until 1000.
        assert_eq!(
            got,
            [ms(1000), ms(1000), ms(1000), ms(1000), ms(2000), ms(2000)]
        );
    }
}
