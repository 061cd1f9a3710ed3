//! Unix-millisecond helpers: Approval sends every time as a Unix-ms string.

use serde::Deserializer;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One hour in milliseconds.
pub const HOUR_MS: i64 = 3_600_000;

/// A Unix-ms time that may arrive as a string or a number; `"0"`, `""`, `null` and anything
/// unparsable mean "not set" (`end_time` is `"0"` while an instance is open).
pub(crate) fn opt_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(feishu_core::internal::de::opt_i64(d)?.filter(|ms| *ms > 0))
}

/// Formats Unix milliseconds as RFC 3339 in UTC (`2025-01-01T00:00:00Z`), or `None` when
/// out of range.
///
/// # Example
/// ```
/// assert_eq!(
///     feishu_approval::ms_to_rfc3339(1_735_689_600_000).as_deref(),
///     Some("2025-01-01T00:00:00Z")
/// );
/// ```
pub fn ms_to_rfc3339(ms: i64) -> Option<String> {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    t.format(&Rfc3339).ok()
}

/// Parses an RFC 3339 date as form widgets carry it (`2025-01-02T09:00:00+08:00`).
pub fn parse_rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339).ok()
}
