//! A rate limit as Feishu documents it: fixed windows, each with an allowance.

use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;

/// Most windows one [`RateLimit`] holds (Feishu's limits use one or two).
pub const MAX_WINDOWS: usize = 4;

/// One window of a [`RateLimit`]: at most `allowance` requests in `length`.
///
/// Feishu counts fixed windows (per second, per minute); the budget keeps every interval of
/// `length` under the allowance, whatever the alignment of the server's windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Window {
    length: Duration,
    allowance: NonZeroU32,
}

impl Window {
    /// The window's length (1 s for "50/s").
    pub const fn length(&self) -> Duration {
        self.length
    }

    /// Requests allowed per window (50 for "50/s").
    pub const fn allowance(&self) -> u32 {
        self.allowance.get()
    }
}

/// A documented limit: a few fixed windows, each with an allowance. All apply at once
/// (Feishu's "1000/min & 50/s": reaching either triggers throttling).
///
/// Endpoint declarations carry their documented limit as a constant; the client's
/// [`RateLimits`](crate::RateLimits) may override it per endpoint family.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use feishu_core::RateLimit;
///
/// // Contact v3 documents "1000/min & 50/s" for its user reads.
/// const CONTACT: RateLimit = RateLimit::per_minute(1000).and_per_second(50);
/// assert_eq!(CONTACT.per_second_limit(), Some(50));
/// assert_eq!(CONTACT.windows().count(), 2);
///
/// // Any window length, e.g. for tests: 100 per 2 s.
/// let slow = RateLimit::per(Duration::from_secs(2), 100);
/// assert_eq!(slow.allowance_per(Duration::from_secs(2)), Some(100));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RateLimit {
    /// Sorted by length, `None`s last; at most one window per length.
    windows: [Option<Window>; MAX_WINDOWS],
}

impl RateLimit {
    /// No limit.
    pub const UNLIMITED: RateLimit = RateLimit {
        windows: [None; MAX_WINDOWS],
    };

    /// `n` requests per second (0 means unlimited).
    pub const fn per_second(n: u32) -> Self {
        Self::UNLIMITED.and_per(Duration::from_secs(1), n)
    }

    /// `n` requests per minute (0 means unlimited).
    pub const fn per_minute(n: u32) -> Self {
        Self::UNLIMITED.and_per(Duration::from_secs(60), n)
    }

    /// `n` requests per `window` of any length (0 requests or a zero window means unlimited).
    pub const fn per(window: Duration, n: u32) -> Self {
        Self::UNLIMITED.and_per(window, n)
    }

    /// Adds (or replaces) the per-second window.
    pub const fn and_per_second(self, n: u32) -> Self {
        self.and_per(Duration::from_secs(1), n)
    }

    /// Adds (or replaces) the per-minute window.
    pub const fn and_per_minute(self, n: u32) -> Self {
        self.and_per(Duration::from_secs(60), n)
    }

    /// Adds a window of `length` allowing `n` requests, replacing a window of the same length;
    /// `n == 0` removes it. A limit keeps at most [`MAX_WINDOWS`] windows: past that, the
    /// longest is dropped.
    pub const fn and_per(self, length: Duration, n: u32) -> Self {
        let new = match NonZeroU32::new(n) {
            Some(allowance) if !length.is_zero() => Some(Window { length, allowance }),
            _ => None,
        };
        let mut windows = [None; MAX_WINDOWS];
        let mut count = 0;
        let mut pending = new;
        let mut i = 0;
        while i < MAX_WINDOWS {
            if let Some(old) = self.windows[i]
                && old.length.as_nanos() != length.as_nanos()
            {
                if let Some(w) = pending
                    && w.length.as_nanos() < old.length.as_nanos()
                {
                    if count < MAX_WINDOWS {
                        windows[count] = Some(w);
                        count += 1;
                    }
                    pending = None;
                }
                if count < MAX_WINDOWS {
                    windows[count] = Some(old);
                    count += 1;
                }
            }
            i += 1;
        }
        if let Some(w) = pending
            && count < MAX_WINDOWS
        {
            windows[count] = Some(w);
        }
        RateLimit { windows }
    }

    /// The windows, shortest first.
    pub fn windows(&self) -> impl Iterator<Item = Window> + '_ {
        self.windows.iter().map_while(|w| *w)
    }

    /// The allowance of the window of exactly `length`, if there is one.
    pub fn allowance_per(&self, length: Duration) -> Option<u32> {
        self.windows()
            .find(|w| w.length == length)
            .map(|w| w.allowance())
    }

    /// The per-second allowance, if any.
    pub fn per_second_limit(&self) -> Option<u32> {
        self.allowance_per(Duration::from_secs(1))
    }

    /// The per-minute allowance, if any.
    pub fn per_minute_limit(&self) -> Option<u32> {
        self.allowance_per(Duration::from_secs(60))
    }

    /// Whether no limit applies.
    pub const fn is_unlimited(&self) -> bool {
        self.windows[0].is_none()
    }

    /// The sustained rate in requests per second (the tightest window's).
    pub fn sustained_per_second(&self) -> Option<f64> {
        self.windows()
            .map(|w| f64::from(w.allowance()) / w.length.as_secs_f64())
            .reduce(f64::min)
    }
}

impl fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_unlimited() {
            return f.write_str("RateLimit(unlimited)");
        }
        f.write_str("RateLimit(")?;
        for (i, w) in self.windows().enumerate() {
            if i > 0 {
                f.write_str(" & ")?;
            }
            write!(f, "{} per {:?}", w.allowance(), w.length)?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);
    const M: Duration = Duration::from_secs(60);

    fn lengths(limit: RateLimit) -> Vec<(Duration, u32)> {
        limit
            .windows()
            .map(|w| (w.length(), w.allowance()))
            .collect()
    }

    #[test]
    fn windows_are_sorted_and_replaced_by_length() {
        const L: RateLimit = RateLimit::per_minute(1000).and_per_second(50);
        assert_eq!(lengths(L), [(S, 50), (M, 1000)]);
        assert_eq!(L, RateLimit::per_second(50).and_per_minute(1000));
        assert_eq!(lengths(L.and_per_second(100)), [(S, 100), (M, 1000)]);
        assert_eq!(lengths(L.and_per_second(0)), [(M, 1000)]);
        assert_eq!(
            RateLimit::per_second(0).and_per(Duration::ZERO, 5),
            RateLimit::UNLIMITED
        );
        assert!(RateLimit::per(Duration::ZERO, 5).is_unlimited());
    }

    #[test]
    fn a_fifth_window_drops_the_longest() {
        let h = Duration::from_secs(3600);
        let d = Duration::from_secs(86400);
        let two = Duration::from_secs(2);
        let limit = RateLimit::per_second(1)
            .and_per_minute(2)
            .and_per(h, 3)
            .and_per(d, 4)
            .and_per(two, 5);
        assert_eq!(lengths(limit), [(S, 1), (two, 5), (M, 2), (h, 3)]);
        let longer = limit.and_per(Duration::from_secs(7 * 86400), 9);
        assert_eq!(longer, limit);
    }

    #[test]
    fn accessors_and_debug() {
        let l = RateLimit::per_minute(1000).and_per_second(50);
        assert_eq!(l.per_second_limit(), Some(50));
        assert_eq!(l.per_minute_limit(), Some(1000));
        assert_eq!(l.sustained_per_second(), Some(1000.0 / 60.0));
        assert_eq!(RateLimit::UNLIMITED.sustained_per_second(), None);
        assert_eq!(format!("{l:?}"), "RateLimit(50 per 1s & 1000 per 60s)");
        assert_eq!(
            format!("{:?}", RateLimit::UNLIMITED),
            "RateLimit(unlimited)"
        );
    }
}
