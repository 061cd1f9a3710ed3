//! Fixed-window counting as Feishu's gateway does it: each window of a family starts at a
//! multiple of its length (shifted by the tenant's window offset) on the wall clock, and
//! its count starts from zero there. Counts are kept per app, tenant and family; statistics
//! per family.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::family::FamilyLimit;

/// Windows of statistics kept per family (older ones are dropped).
const KEPT_WINDOWS: usize = 10_000;

/// What one window of a family's shortest length saw, over every app and tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WindowStats {
    /// When the window started.
    pub start: SystemTime,
    /// Requests let through in the window.
    pub requests: usize,
    /// Requests answered 429 in the window.
    pub throttled: usize,
}

/// Rate-limit statistics of one family since it was set (or the last `clear_rate_limits`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RateLimitStats {
    /// Requests answered 429 because of this family's limit.
    pub throttled: usize,
    /// The family's shortest windows that saw requests, oldest first.
    pub windows: Vec<WindowStats>,
}

/// A refused request: the cap of the window that refused it and the time to that window's
/// end.
pub(super) struct Refusal {
    pub(super) limit: u32,
    pub(super) reset: Duration,
}

/// The fixed-window counters of a tenant.
#[derive(Debug, Default)]
pub(super) struct WindowCounters {
    /// Windows start at `k * length + offset`.
    offset: Duration,
    /// Per (app, tenant, family): per window of the family, (window index, requests).
    counts: HashMap<(String, String, String), Vec<(i128, u32)>>,
    /// Per family name.
    stats: HashMap<String, FamilyTally>,
}

/// The running statistics of one family.
#[derive(Debug, Default)]
struct FamilyTally {
    throttled: usize,
    /// Per shortest-window index: (requests let through, requests refused).
    windows: BTreeMap<i128, (usize, usize)>,
}

impl WindowCounters {
    pub(super) fn set_offset(&mut self, offset: Duration) {
        self.offset = offset;
        self.counts.clear();
    }

    pub(super) fn clear(&mut self) {
        self.counts.clear();
        self.stats.clear();
    }

    /// Counts one request of `app` / `tenant` against `family`, or refuses it (a refused
    /// request uses up nothing).
    pub(super) fn admit(
        &mut self,
        family: &FamilyLimit,
        app: &str,
        tenant: &str,
        now: SystemTime,
    ) -> Result<(), Refusal> {
        let now = nanos_since_epoch(now);
        let key = (app.to_owned(), tenant.to_owned(), family.family.clone());
        let counts = self
            .counts
            .entry(key)
            .or_insert_with(|| vec![(i128::MIN, 0); family.windows.len()]);
        counts.resize(family.windows.len(), (i128::MIN, 0));
        let mut refusal: Option<Refusal> = None;
        for ((limit, length), (index, count)) in family.windows.iter().zip(counts.iter_mut()) {
            let (current, end) = window_of(now, *length, self.offset);
            if *index != current {
                *index = current;
                *count = 0;
            }
            if *count >= *limit {
                let reset = Duration::from_nanos(u64::try_from(end - now).unwrap_or(0));
                if refusal.as_ref().is_none_or(|r| reset > r.reset) {
                    refusal = Some(Refusal {
                        limit: *limit,
                        reset,
                    });
                }
            }
        }
        if refusal.is_none() {
            for (_, count) in counts.iter_mut() {
                *count += 1;
            }
        }
        self.record(family, now, refusal.is_some());
        refusal.map_or(Ok(()), Err)
    }

    fn record(&mut self, family: &FamilyLimit, now: i128, refused: bool) {
        let Some((_, shortest)) = family.windows.first() else {
            return;
        };
        let (index, _) = window_of(now, *shortest, self.offset);
        let tally = self.stats.entry(family.family.clone()).or_default();
        let slot = tally.windows.entry(index).or_default();
        if refused {
            tally.throttled += 1;
            slot.1 += 1;
        } else {
            slot.0 += 1;
        }
        while tally.windows.len() > KEPT_WINDOWS {
            tally.windows.pop_first();
        }
    }

    /// The statistics of `family` (with its shortest window `length`).
    pub(super) fn stats(&self, family: &str, length: Duration) -> RateLimitStats {
        let Some(tally) = self.stats.get(family) else {
            return RateLimitStats::default();
        };
        let length = nanos(length).max(1);
        let offset = nanos(self.offset) % length;
        RateLimitStats {
            throttled: tally.throttled,
            windows: tally
                .windows
                .iter()
                .map(|(&index, &(requests, throttled))| WindowStats {
                    start: time_at(index * length + offset),
                    requests,
                    throttled,
                })
                .collect(),
        }
    }
}

/// The index of the window of `length` containing `now`, and when it ends (ns since epoch).
fn window_of(now: i128, length: Duration, offset: Duration) -> (i128, i128) {
    let length = nanos(length).max(1);
    let offset = nanos(offset) % length;
    let index = (now - offset).div_euclid(length);
    (index, (index + 1) * length + offset)
}

fn nanos(duration: Duration) -> i128 {
    i128::try_from(duration.as_nanos()).unwrap_or(i128::MAX)
}

fn nanos_since_epoch(time: SystemTime) -> i128 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => nanos(after),
        Err(before) => -nanos(before.duration()),
    }
}

fn time_at(nanos: i128) -> SystemTime {
    let magnitude = Duration::from_nanos(u64::try_from(nanos.unsigned_abs()).unwrap_or(u64::MAX));
    if nanos >= 0 {
        UNIX_EPOCH + magnitude
    } else {
        UNIX_EPOCH - magnitude
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i128 = 1_000_000_000;

    #[test]
    fn windows_are_aligned_and_shifted() {
        let second = Duration::from_secs(1);
        assert_eq!(
            window_of(5 * SECOND + 3, second, Duration::ZERO),
            (5, 6 * SECOND)
        );
        let half = Duration::from_millis(500);
        // Shifted by half a second: 5.3 s lies in the window [4.5 s, 5.5 s).
        assert_eq!(
            window_of(5 * SECOND + SECOND * 3 / 10, second, half),
            (4, 5 * SECOND + SECOND / 2)
        );
        // An offset longer than the window wraps.
        assert_eq!(
            window_of(5 * SECOND, second, Duration::from_millis(2500)).1,
            5 * SECOND + SECOND / 2
        );
    }

    #[test]
    fn fixed_window_admits_up_to_the_cap_then_refuses_until_its_end() {
        let mut counters = WindowCounters::default();
        let family = FamilyLimit::new("/x").per(3, Duration::from_secs(2));
        let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
        for ms in [0, 100, 1999] {
            assert!(counters.admit(&family, "a", "t", at(ms)).is_ok());
        }
        let refused = counters.admit(&family, "a", "t", at(1500)).unwrap_err();
        assert_eq!(
            (refused.limit, refused.reset),
            (3, Duration::from_millis(500))
        );
        // Another app has its own count; the next window starts from zero.
        assert!(counters.admit(&family, "b", "t", at(1500)).is_ok());
        assert!(counters.admit(&family, "a", "t", at(2000)).is_ok());
        let stats = counters.stats("/x", Duration::from_secs(2));
        assert_eq!(stats.throttled, 1);
        assert_eq!(
            stats
                .windows
                .iter()
                .map(|w| (w.requests, w.throttled))
                .collect::<Vec<_>>(),
            [(4, 1), (1, 0)]
        );
    }
}
