//! Instance codes of one definition over a time range:
//! `GET /open-apis/approval/v4/instances` (§5.2), walked in ≤ 10-hour slices.

use std::collections::HashSet;
use std::time::Duration;

use futures::stream::{self, Stream, StreamExt};
use serde::Deserialize;

use feishu_core::internal::de::{bool_or_false, opt_string, vec_or_empty};
use feishu_core::internal::pages;
use feishu_core::{Client, Endpoint, Error, Page, RateLimit, Request, Result};

use crate::codes::APPROVAL_CODES;
use crate::times::HOUR_MS;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/list>: 100 per minute.
pub(crate) const LIST_INSTANCES: Endpoint =
    Endpoint::get("approval.instances.list", "approval/v4/instances")
        .limit(RateLimit::per_minute(100))
        .codes(APPROVAL_CODES);

/// The widest window one list call may cover (the docs: "do not exceed 10 hours").
pub const MAX_SLICE_MS: i64 = 10 * HOUR_MS;
/// Largest `page_size` of the list endpoint.
pub const MAX_LIST_PAGE_SIZE: u32 = 100;

/// A half-open time slice `[start_ms, end_ms)` in Unix ms. It is sent as the inclusive
/// window `start_time = start_ms`, `end_time = end_ms - 1`, so consecutive slices never
/// share a millisecond and a code on a boundary is listed once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TimeSlice {
    /// First millisecond included.
    pub start_ms: i64,
    /// First millisecond after the slice.
    pub end_ms: i64,
}

/// The slices of `[start_ms, end_ms)`, each at most `max_ms` long (clamped to
/// 1 ms ..= [`MAX_SLICE_MS`]). Lazy; empty when `end_ms <= start_ms`.
///
/// # Example
/// ```
/// use feishu_approval::list::time_slices;
/// let h = 3_600_000;
/// let s: Vec<_> = time_slices(0, 25 * h, 10 * h).map(|s| (s.start_ms, s.end_ms)).collect();
/// assert_eq!(s, vec![(0, 10 * h), (10 * h, 20 * h), (20 * h, 25 * h)]);
/// ```
pub fn time_slices(
    start_ms: i64,
    end_ms: i64,
    max_ms: i64,
) -> impl Iterator<Item = TimeSlice> + Send + 'static {
    let step = max_ms.clamp(1, MAX_SLICE_MS);
    let mut next = start_ms;
    std::iter::from_fn(move || {
        if next >= end_ms {
            return None;
        }
        let start = next;
        let end = start.saturating_add(step).min(end_ms);
        next = end;
        Some(TimeSlice {
            start_ms: start,
            end_ms: end,
        })
    })
}

/// Request builder listing instance codes; from [`crate::Approval::list_instance_codes`].
///
/// The range is half-open, `[start_ms, end_ms)`, by instance creation time. It may be any
/// length: the stream walks it in slices of at most 10 hours ([`MAX_SLICE_MS`]), each in
/// pages of up to 100, lazily, and yields every code once (a code repeated by the server,
/// e.g. because the data shifted between pages, is dropped).
#[derive(Debug, Clone)]
#[must_use]
pub struct ListInstanceCodes {
    client: Client,
    approval_code: String,
    start_ms: i64,
    end_ms: i64,
    page_size: u32,
    slice_ms: i64,
}

#[derive(Debug, Deserialize)]
struct CodesPage {
    #[serde(default, deserialize_with = "vec_or_empty")]
    instance_code_list: Vec<String>,
    #[serde(default, deserialize_with = "bool_or_false")]
    has_more: bool,
    #[serde(default, deserialize_with = "opt_string")]
    page_token: Option<String>,
}

impl ListInstanceCodes {
    pub(crate) fn new(client: Client, approval_code: String, start_ms: i64, end_ms: i64) -> Self {
        ListInstanceCodes {
            client,
            approval_code,
            start_ms,
            end_ms,
            page_size: MAX_LIST_PAGE_SIZE,
            slice_ms: MAX_SLICE_MS,
        }
    }

    /// Page size, 1–100 (default 100).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    /// Slice length; clamped to 1 ms ..= 10 h (default 10 h).
    pub fn slice(mut self, slice: Duration) -> Self {
        self.slice_ms = i64::try_from(slice.as_millis()).unwrap_or(i64::MAX);
        self
    }

    /// The slices the stream will walk.
    pub fn slices(&self) -> impl Iterator<Item = TimeSlice> + Send + 'static {
        time_slices(self.start_ms, self.end_ms, self.slice_ms)
    }

    fn check(&self) -> Result<()> {
        if self.approval_code.is_empty() {
            return Err(Error::invalid_argument("approval_code", "it is empty"));
        }
        if self.end_ms < self.start_ms {
            return Err(Error::invalid_argument(
                "time range",
                format!("end ({}) is before start ({})", self.end_ms, self.start_ms),
            ));
        }
        if !(1..=MAX_LIST_PAGE_SIZE).contains(&self.page_size) {
            return Err(Error::invalid_argument(
                "page_size",
                format!("{} is outside 1..=100", self.page_size),
            ));
        }
        Ok(())
    }

    /// One page of one slice (`page_token` from the previous page of the same slice).
    /// A slice that is empty (`end_ms <= start_ms`) fails with [`Error::InvalidArgument`].
    pub async fn send_page(
        &self,
        slice: TimeSlice,
        page_token: Option<&str>,
    ) -> Result<Page<String>> {
        self.check()?;
        if slice.end_ms <= slice.start_ms {
            return Err(Error::invalid_argument(
                "slice",
                format!("time slice [{}, {}) is empty", slice.start_ms, slice.end_ms),
            ));
        }
        fetch(
            &self.client,
            &self.approval_code,
            slice,
            self.page_size,
            page_token.map(str::to_string),
        )
        .await
    }

    /// Every code in the range, lazily, in creation order. Ends after the first error.
    pub fn into_stream(self) -> impl Stream<Item = Result<String>> + Send + 'static {
        if let Err(e) = self.check() {
            return stream::once(async move { Err(e) }).boxed();
        }
        let ListInstanceCodes {
            client,
            approval_code,
            page_size,
            ..
        } = self.clone();
        let per_slice = self.slices().enumerate().map(move |(i, slice)| {
            let client = client.clone();
            let code = approval_code.clone();
            feishu_core::internal::flatten(pages(None, move |token| {
                let client = client.clone();
                let code = code.clone();
                async move { fetch(&client, &code, slice, page_size, token).await }
            }))
            .map(move |item| (i, item))
        });
        // Stop after the first error; drop repeats within a slice (slices never overlap).
        stream::iter(per_slice)
            .flatten()
            .scan(
                (false, usize::MAX, HashSet::<String>::new()),
                |(failed, current, seen), (slice, item)| {
                    if *failed {
                        return futures::future::ready(None);
                    }
                    if slice != *current {
                        *current = slice;
                        seen.clear();
                    }
                    let out = match item {
                        Err(e) => {
                            *failed = true;
                            Some(Err(e))
                        }
                        Ok(code) if seen.insert(code.clone()) => Some(Ok(code)),
                        Ok(code) => {
                            tracing::debug!(%code, "instance code repeated by the server; skipped");
                            None
                        }
                    };
                    futures::future::ready(Some(out))
                },
            )
            .filter_map(futures::future::ready)
            .boxed()
    }
}

async fn fetch(
    client: &Client,
    approval_code: &str,
    slice: TimeSlice,
    page_size: u32,
    token: Option<String>,
) -> Result<Page<String>> {
    let request = Request::new(LIST_INSTANCES, &[])?
        .query("approval_code", approval_code)
        .query("start_time", slice.start_ms)
        // Inclusive on the wire; slices are never empty, so this cannot go below start.
        .query("end_time", slice.end_ms.saturating_sub(1))
        .query("page_size", page_size)
        .query_opt("page_token", token);
    let page: CodesPage = client.send(request).await?;
    Ok(Page::new(
        page.instance_code_list,
        page.has_more,
        page.page_token,
    ))
}
