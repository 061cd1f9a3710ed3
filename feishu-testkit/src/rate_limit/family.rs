//! Endpoint families: the unit Feishu's gateway counts requests in ("per API, per app, per
//! tenant": <https://open.feishu.cn/document/ukTMukTMukTM/uUzN04SN3QjL1cDN>).

use std::time::Duration;

use crate::request::RequestView;

/// A Feishu-style rate limit on one endpoint family: fixed windows (per second, per minute,
/// or any length), counted per app and tenant. A request must fit into every window; over
/// any of them the gateway answers HTTP 429, code 99991400.
///
/// The family is a path template, optionally after a method: `"GET
/// /open-apis/contact/v3/users/:user_id"`; `:name` matches one path segment and a final `*`
/// matches the rest. A request belongs to the first family whose template it matches, in the
/// order the families were set.
///
/// ```
/// use std::time::Duration;
/// use feishu_testkit::FamilyLimit;
/// // Feishu's tier 4 (1000/min & 50/s), and a fast-test variant: 100 per 2 s.
/// let users = FamilyLimit::new("GET /open-apis/contact/v3/users/:user_id")
///     .per_second(50)
///     .per_minute(1000);
/// let fast = FamilyLimit::new("/open-apis/testkit/v1/*").per(100, Duration::from_secs(2));
/// assert_eq!(users.windows, [(50, Duration::from_secs(1)), (1000, Duration::from_secs(60))]);
/// assert_eq!(fast.windows.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FamilyLimit {
    /// The family's template, e.g. `GET /open-apis/contact/v3/users/:user_id`.
    pub family: String,
    /// `(requests, window length)` pairs, shortest window first.
    pub windows: Vec<(u32, Duration)>,
}

impl FamilyLimit {
    /// A family without windows yet (setting it so removes the family's limit).
    pub fn new(family: impl Into<String>) -> Self {
        FamilyLimit {
            family: family.into(),
            windows: Vec::new(),
        }
    }

    /// At most `requests` per fixed one-second window.
    pub fn per_second(self, requests: u32) -> Self {
        self.per(requests, Duration::from_secs(1))
    }

    /// At most `requests` per fixed one-minute window.
    pub fn per_minute(self, requests: u32) -> Self {
        self.per(requests, Duration::from_secs(60))
    }

    /// At most `requests` per fixed window of `length` (e.g. 100 per 2 s for fast tests). A
    /// zero length is read as one millisecond.
    pub fn per(mut self, requests: u32, length: Duration) -> Self {
        let length = length.max(Duration::from_millis(1));
        self.windows.push((requests, length));
        self.windows.sort_by_key(|(_, length)| *length);
        self
    }

    /// The figure sent in `x-ogw-ratelimit-limit` when no window is exceeded: the cap of the
    /// shortest window.
    pub(super) fn advertised(&self) -> Option<u32> {
        self.windows.first().map(|(requests, _)| *requests)
    }

    /// Whether `req` belongs to this family.
    pub(super) fn matches(&self, req: &RequestView) -> bool {
        let (method, template) = match self.family.split_once(' ') {
            Some((method, template)) => (Some(method), template),
            None => (None, self.family.as_str()),
        };
        if method.is_some_and(|m| !m.eq_ignore_ascii_case(&req.method)) {
            return false;
        }
        let mut wanted = template.trim_start_matches('/').split('/');
        let mut got = req.segments.iter();
        loop {
            match (wanted.next(), got.next()) {
                (Some("*"), _) => return true,
                (None, None) => return true,
                (Some(want), Some(seg)) if want.starts_with(':') && !seg.is_empty() => {}
                (Some(want), Some(seg)) if want == seg => {}
                _ => return false,
            }
        }
    }
}
