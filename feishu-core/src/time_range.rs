//! One time model for every API: [`OffsetDateTime`] at the surface, a half-open
//! [`TimeRange`], and explicit conversions to the units each endpoint wants.

use std::fmt;
use std::time::Duration;

use time::OffsetDateTime;

use crate::error::{Error, Result};

/// A half-open time range `[start, end)`: `start` is included, `end` is not.
///
/// Every API of the SDK that takes a range takes this one, and converts it to what its
/// endpoint expects (Unix ms or seconds, inclusive or exclusive ends, dates), so that no call
/// mixes units silently and no caller has to pass `end + 1`.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use feishu_core::TimeRange;
/// use time::macros::datetime;
/// let day = TimeRange::new(datetime!(2024-01-01 0:00 UTC), datetime!(2024-01-02 0:00 UTC))?;
/// let slices: Vec<_> = day.split(Duration::from_secs(10 * 3600)).collect();
/// assert_eq!(slices.len(), 3);
/// assert_eq!(slices[2].duration(), Duration::from_secs(4 * 3600));
/// assert_eq!(slices[0].end(), slices[1].start());
/// # Ok::<(), feishu_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeRange {
    start: OffsetDateTime,
    end: OffsetDateTime,
}

impl fmt::Debug for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {})", self.start, self.end)
    }
}

impl TimeRange {
    /// `[start, end)`. An `end` before `start` is an [`Error::InvalidArgument`]; an equal one
    /// gives an empty range.
    pub fn new(start: OffsetDateTime, end: OffsetDateTime) -> Result<Self> {
        if end < start {
            return Err(Error::invalid_argument(
                "time range",
                format!("end {end} is before start {start}"),
            ));
        }
        Ok(TimeRange { start, end })
    }

    /// `[start_ms, end_ms)` in Unix milliseconds.
    pub fn from_unix_ms(start_ms: i64, end_ms: i64) -> Result<Self> {
        Self::new(from_unix_ms(start_ms)?, from_unix_ms(end_ms)?)
    }

    /// The `duration` up to now: `[now - duration, now)`.
    pub fn last(duration: Duration) -> Self {
        let end = OffsetDateTime::now_utc();
        let start = end.checked_sub(to_time(duration)).unwrap_or(end);
        TimeRange { start, end }
    }

    /// The first instant included.
    pub fn start(&self) -> OffsetDateTime {
        self.start
    }

    /// The first instant after the range (not included).
    pub fn end(&self) -> OffsetDateTime {
        self.end
    }

    /// The range's length.
    pub fn duration(&self) -> Duration {
        (self.end - self.start).try_into().unwrap_or(Duration::ZERO)
    }

    /// Whether the range holds no instant.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// Whether `t` lies in the range.
    pub fn contains(&self, t: OffsetDateTime) -> bool {
        self.start <= t && t < self.end
    }

    /// `start` in Unix milliseconds.
    pub fn start_ms(&self) -> i64 {
        unix_ms(self.start)
    }

    /// `end` in Unix milliseconds (exclusive).
    pub fn end_ms(&self) -> i64 {
        unix_ms(self.end)
    }

    /// `start` in Unix seconds, rounded down (the second that holds `start`).
    pub fn start_secs(&self) -> i64 {
        self.start.unix_timestamp()
    }

    /// `end` in Unix seconds, rounded up, so that `[start_secs, end_secs)` covers the range.
    pub fn end_secs_ceil(&self) -> i64 {
        let secs = self.end.unix_timestamp();
        if self.end.nanosecond() > 0 {
            secs + 1
        } else {
            secs
        }
    }

    /// The consecutive pieces of at most `max_len` (at least 1 ms) that cover the range, in
    /// order: each piece's end is the next one's start, so no instant is in two pieces.
    /// Lazy; empty for an empty range.
    pub fn split(&self, max_len: Duration) -> impl Iterator<Item = TimeRange> + Send + 'static {
        let step = to_time(max_len.max(Duration::from_millis(1)));
        let end = self.end;
        let mut next = self.start;
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let start = next;
            let piece_end = start.checked_add(step).map_or(end, |e| e.min(end));
            next = piece_end;
            Some(TimeRange {
                start,
                end: piece_end,
            })
        })
    }
}

/// Unix milliseconds of `t` (saturating far outside the representable range).
pub fn unix_ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The instant of `ms` Unix milliseconds.
pub fn from_unix_ms(ms: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).map_err(|e| {
        Error::invalid_argument("time", format!("{ms} ms is not a representable time: {e}"))
    })
}

fn to_time(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_covers_the_range_without_overlap() {
        let r = TimeRange::from_unix_ms(0, 25 * 3_600_000 + 1).unwrap();
        let pieces: Vec<_> = r.split(Duration::from_secs(10 * 3600)).collect();
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces[0].start_ms(), 0);
        assert_eq!(pieces[2].end_ms(), 25 * 3_600_000 + 1);
        for w in pieces.windows(2) {
            assert_eq!(w[0].end(), w[1].start());
        }
        assert_eq!(
            TimeRange::from_unix_ms(5, 5)
                .unwrap()
                .split(Duration::ZERO)
                .count(),
            0
        );
    }

    #[test]
    fn a_reversed_range_is_an_argument_error() {
        assert!(TimeRange::from_unix_ms(10, 5).is_err());
    }

    #[test]
    fn sub_second_ranges_round_outward_in_seconds() {
        let r = TimeRange::from_unix_ms(1_500, 1_700).unwrap();
        assert_eq!((r.start_secs(), r.end_secs_ceil()), (1, 2));
        let r = TimeRange::from_unix_ms(1_000, 2_000).unwrap();
        assert_eq!((r.start_secs(), r.end_secs_ceil()), (1, 2));
    }
}
