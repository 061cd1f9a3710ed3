//! Codes of the instances of one definition created in a time range:
//! `GET /open-apis/approval/v4/instances`
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/list>),
//! walked in slices of at most 10 hours.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Deserialize;

use feishu_core::internal::PageFetch;
use feishu_core::internal::de::{bool_or_false, opt_string, string_vec};
use feishu_core::{Client, Endpoint, Error, Page, RateLimit, Request, Result, TimeRange};

use crate::codes::APPROVAL_CODES;
use crate::ids::{ApprovalCode, InstanceCode};
use crate::timestamp::ceil_ms;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/list>:
/// 100 per minute.
pub(crate) const LIST_INSTANCES: Endpoint =
    Endpoint::get("approval.instances.list", "approval/v4/instances")
        .limit(RateLimit::per_minute(100))
        .codes(APPROVAL_CODES);

/// The widest window one list call covers: the list page warns that "a single query range
/// should not exceed 10 hours".
pub const MAX_SLICE: Duration = Duration::from_secs(10 * 3600);

/// Largest `page_size` of the list endpoint (1–100, default 100, per the list page).
pub const MAX_LIST_PAGE_SIZE: u32 = 100;

const MAX_SLICE_MS: i64 = 10 * 3_600_000;

/// Request builder listing instance codes; from [`crate::Approval::list_instance_codes`].
///
/// The range is the instances' creation time, half-open `[start, end)`, of any length: the
/// listing walks it in consecutive slices of at most 10 hours ([`MAX_SLICE`]), each in pages
/// of up to 100 codes, lazily. It is a [`ListRequest`](crate::ListRequest): one page with
/// `send`, every code with `into_stream`, page by page with `by_page` (each page's token
/// resumes after it, through [`page_token`](Self::page_token)). A slice without instances
/// costs its request but yields no empty page.
///
/// # The end of a slice
///
/// Feishu's documentation does not say whether `end_time` is inclusive. A slice `[s, e)` is
/// therefore sent as `start_time = s`, `end_time = e` (Unix ms), so that an instance created
/// in the slice's last millisecond is listed under either reading. Where the server includes
/// `end_time`, an instance created exactly at `e` is listed by this slice and the next; the
/// walk remembers the codes of the slice before and drops the second sighting, as it drops a
/// code the server repeats inside a slice. So every instance created in `[start, end)` is
/// yielded exactly once, and under the inclusive reading instances created exactly at `end`
/// are yielded too: the range's end may be touched, never cut short. A walk resumed from a
/// page token has not seen the slice before its own and may repeat a code created exactly on
/// that boundary.
///
/// Codes come in the order the server lists them, slice after slice: creation order, as the
/// list page documents ("by default"). The de-duplication above does not rely on it.
///
/// # Example
/// ```no_run
/// use futures::TryStreamExt;
/// use feishu_approval::{Approval, InstanceCode, ListRequest};
/// use feishu_core::TimeRange;
/// use std::time::Duration;
/// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
/// let codes: Vec<InstanceCode> = approval
///     .list_instance_codes(
///         "3B68E280-CF10-4198-B4CD-2E3BB97981D8",
///         TimeRange::last(Duration::from_secs(3 * 86_400)),
///     )
///     .into_stream()
///     .try_collect()
///     .await?;
/// # let _ = codes; Ok(()) }
/// ```
#[must_use]
pub struct ListInstanceCodes {
    client: Client,
    approval_code: ApprovalCode,
    created: TimeRange,
    page_size: u32,
    slice_ms: i64,
    page_token: Option<String>,
    seen: Arc<Mutex<Seen>>,
}

impl fmt::Debug for ListInstanceCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListInstanceCodes")
            .field("approval_code", &self.approval_code)
            .field("created", &self.created)
            .field("page_size", &self.page_size)
            .field("slice_ms", &self.slice_ms)
            .field("page_token", &self.page_token)
            .finish_non_exhaustive()
    }
}

/// A clone starts its own walk.
impl Clone for ListInstanceCodes {
    fn clone(&self) -> Self {
        ListInstanceCodes {
            client: self.client.clone(),
            approval_code: self.approval_code.clone(),
            created: self.created,
            page_size: self.page_size,
            slice_ms: self.slice_ms,
            page_token: self.page_token.clone(),
            seen: Arc::default(),
        }
    }
}

impl ListInstanceCodes {
    pub(crate) fn new(client: Client, approval_code: ApprovalCode, created: TimeRange) -> Self {
        ListInstanceCodes {
            client,
            approval_code,
            created,
            page_size: MAX_LIST_PAGE_SIZE,
            slice_ms: MAX_SLICE_MS,
            page_token: None,
            seen: Arc::default(),
        }
    }

    /// Page size, 1–100 (default 100).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    /// Slice length, clamped to 1 ms ..= [`MAX_SLICE`] (the default).
    pub fn slice_len(mut self, len: Duration) -> Self {
        let ms = i64::try_from(len.as_millis()).unwrap_or(i64::MAX);
        self.slice_ms = ms.clamp(1, MAX_SLICE_MS);
        self
    }

    /// Starts at a page token of an earlier walk of the same listing (a [`Page::page_token`]
    /// from `by_page`).
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }

    /// The slices the walk covers, in order, in whole milliseconds. Every code comes from
    /// one of them, the slices before it are finished when it comes, and the first slice
    /// starts at the range's start.
    pub fn slices(&self) -> impl Iterator<Item = TimeRange> + Send + 'static {
        let (start, end) = self.bounds_ms();
        let step = self.slice_ms;
        let mut next = start;
        std::iter::from_fn(move || {
            while next < end {
                let from = next;
                let to = from.saturating_add(step).min(end);
                next = to;
                if let Ok(slice) = TimeRange::from_unix_ms(from, to) {
                    return Some(slice);
                }
            }
            None
        })
    }

    /// `[start, end)` in whole Unix milliseconds, the end rounded up.
    fn bounds_ms(&self) -> (i64, i64) {
        (self.created.start_ms(), ceil_ms(self.created.end()))
    }

    /// Checks the arguments and reads `token`: where the walk goes on, `None` when the
    /// range is empty.
    fn cursor(&self, token: Option<&str>) -> Result<Option<Cursor>> {
        if self.approval_code.as_str().is_empty() {
            return Err(Error::invalid_argument("approval_code", "it is empty"));
        }
        if !(1..=MAX_LIST_PAGE_SIZE).contains(&self.page_size) {
            return Err(Error::invalid_argument(
                "page_size",
                format!(
                    "{} is out of range: Feishu accepts 1..={MAX_LIST_PAGE_SIZE}",
                    self.page_size
                ),
            ));
        }
        let (start, end) = self.bounds_ms();
        match token {
            None if start < end => Ok(Some(Cursor {
                slice_start: start,
                server_token: None,
            })),
            None => Ok(None),
            Some(token) => Cursor::parse(token, start, end).map(Some),
        }
    }
}

impl PageFetch for ListInstanceCodes {
    type Item = InstanceCode;

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn fetch_page(
        &self,
        token: Option<String>,
    ) -> impl Future<Output = Result<Page<InstanceCode>>> + Send + use<> {
        let cursor = self.cursor(token.as_deref());
        let walk = Walk {
            client: self.client.clone(),
            approval_code: self.approval_code.clone(),
            page_size: self.page_size,
            slice_ms: self.slice_ms,
            end_ms: self.bounds_ms().1,
            seen: self.seen.clone(),
        };
        async move {
            match cursor? {
                Some(cursor) => walk.page(token, cursor).await,
                None => Ok(Page::new(Vec::new(), false, None)),
            }
        }
    }
}

/// Where a walk stands: the slice it is in and the server's token inside it. As a page
/// token: `<slice start ms>:<server token>`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    slice_start: i64,
    server_token: Option<String>,
}

impl Cursor {
    fn encode(&self) -> String {
        format!(
            "{}:{}",
            self.slice_start,
            self.server_token.as_deref().unwrap_or_default()
        )
    }

    fn parse(token: &str, start: i64, end: i64) -> Result<Cursor> {
        let bad = || {
            Error::invalid_argument(
                "page_token",
                format!("{token:?} is not a page token of this listing"),
            )
        };
        let (slice, server) = token.split_once(':').ok_or_else(bad)?;
        let slice_start: i64 = slice.parse().map_err(|_| bad())?;
        if !(start..end).contains(&slice_start) {
            return Err(bad());
        }
        Ok(Cursor {
            slice_start,
            server_token: Some(server.to_string()).filter(|s| !s.is_empty()),
        })
    }
}

/// What one page fetch needs, owned, so its future borrows nothing from the builder.
struct Walk {
    client: Client,
    approval_code: ApprovalCode,
    page_size: u32,
    slice_ms: i64,
    end_ms: i64,
    seen: Arc<Mutex<Seen>>,
}

impl Walk {
    /// The page at `cursor` (reached with `token`): the server's next page of the slice, or,
    /// when a slice ends without a new code, the first page of the next slice.
    async fn page(self, token: Option<String>, mut cursor: Cursor) -> Result<Page<InstanceCode>> {
        self.seen().begin(token.as_deref());
        loop {
            let slice_end = cursor
                .slice_start
                .saturating_add(self.slice_ms)
                .min(self.end_ms);
            let wire = self.fetch(&cursor, slice_end).await?;
            let next = match wire.next_token() {
                Some(server) => Some(Cursor {
                    slice_start: cursor.slice_start,
                    server_token: Some(server.to_string()),
                }),
                None if slice_end < self.end_ms => Some(Cursor {
                    slice_start: slice_end,
                    server_token: None,
                }),
                None => None,
            };
            let next_token = next.as_ref().map(Cursor::encode);
            let codes = self.seen().admit(
                (cursor.slice_start, slice_end),
                wire.items,
                next_token.clone(),
            );
            match next {
                Some(next) if codes.is_empty() && next.server_token.is_none() => cursor = next,
                _ => return Ok(Page::new(codes, next_token.is_some(), next_token)),
            }
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One server page of the slice `[cursor.slice_start, slice_end)`, its end touched.
    async fn fetch(&self, cursor: &Cursor, slice_end: i64) -> Result<Page<InstanceCode>> {
        let request = Request::new(LIST_INSTANCES, &[])?
            .query("approval_code", self.approval_code.as_str())
            .query("start_time", cursor.slice_start)
            .query("end_time", slice_end)
            .query("page_size", self.page_size)
            .query_opt("page_token", cursor.server_token.as_deref());
        let page: CodesPage = self.client.send(request).await?;
        Ok(Page::new(
            page.instance_code_list
                .into_iter()
                .map(InstanceCode::from)
                .collect(),
            page.has_more,
            page.page_token,
        ))
    }
}

#[derive(Debug, Deserialize)]
struct CodesPage {
    #[serde(default, deserialize_with = "string_vec")]
    instance_code_list: Vec<String>,
    #[serde(default, deserialize_with = "bool_or_false")]
    has_more: bool,
    #[serde(default, deserialize_with = "opt_string")]
    page_token: Option<String>,
}

/// The codes one walk has yielded, to drop a code listed twice: by the server inside a
/// slice, or by two neighbouring slices that both include their shared boundary.
#[derive(Debug, Default)]
struct Seen {
    /// The token of the page the walk expects next; a fetch at any other token (a first
    /// page, `send` again, a resumed walk) starts afresh.
    expected: Option<String>,
    /// `[start, end)` of the slice `current` belongs to.
    slice: Option<(i64, i64)>,
    current: HashSet<InstanceCode>,
    /// The codes of the slice that ended where `current`'s starts.
    previous: HashSet<InstanceCode>,
}

impl Seen {
    fn begin(&mut self, token: Option<&str>) {
        if token.is_none() || self.expected.as_deref() != token {
            *self = Seen::default();
        }
    }

    /// The codes of a page of `slice` not yielded before; `next` is the walk's next token.
    fn admit(
        &mut self,
        slice: (i64, i64),
        codes: Vec<InstanceCode>,
        next: Option<String>,
    ) -> Vec<InstanceCode> {
        if self.slice.map(|(start, _)| start) != Some(slice.0) {
            let adjacent = self.slice.is_some_and(|(_, end)| end == slice.0);
            self.previous = if adjacent {
                std::mem::take(&mut self.current)
            } else {
                HashSet::new()
            };
            self.current.clear();
            self.slice = Some(slice);
        }
        self.expected = next;
        codes
            .into_iter()
            .filter(|code| {
                let new = !self.previous.contains(code) && self.current.insert(code.clone());
                if !new {
                    tracing::debug!(%code, "instance code listed twice; yielded once");
                }
                new
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(list: &[&str]) -> Vec<InstanceCode> {
        list.iter().copied().map(InstanceCode::from).collect()
    }

    #[test]
    fn tokens_round_trip_and_foreign_ones_are_refused() {
        let cursor = Cursor {
            slice_start: 36_000_000,
            server_token: Some("eyJ:vZmZ=".into()),
        };
        assert_eq!(
            Cursor::parse(&cursor.encode(), 0, 72_000_000).unwrap(),
            cursor
        );
        let first = Cursor {
            slice_start: 0,
            server_token: None,
        };
        assert_eq!(Cursor::parse("0:", 0, 10).unwrap(), first);
        for bad in ["", "x:1", "10:", "-1:", "nocolon"] {
            let e = Cursor::parse(bad, 0, 10).unwrap_err();
            assert!(matches!(e, Error::InvalidArgument(_)), "{bad}: {e}");
        }
    }

    #[test]
    fn a_walk_drops_codes_seen_in_its_slice_or_the_one_before() {
        let mut seen = Seen::default();
        seen.begin(None);
        let a = seen.admit((0, 10), codes(&["a", "b", "a"]), Some("0:t".into()));
        assert_eq!(a, codes(&["a", "b"]));
        seen.begin(Some("0:t"));
        let b = seen.admit((0, 10), codes(&["b", "c"]), Some("10:".into()));
        assert_eq!(b, codes(&["c"]));
        // The next slice: a code on the shared boundary comes again and is dropped.
        seen.begin(Some("10:"));
        let c = seen.admit((10, 20), codes(&["c", "d"]), Some("20:".into()));
        assert_eq!(c, codes(&["d"]));
        // Two slices on, "c" is no longer remembered (it cannot be listed there).
        seen.begin(Some("20:"));
        assert_eq!(seen.admit((20, 30), codes(&["a"]), None), codes(&["a"]));
        // A new walk forgets everything.
        seen.begin(None);
        assert_eq!(seen.admit((0, 10), codes(&["a"]), None), codes(&["a"]));
    }
}
