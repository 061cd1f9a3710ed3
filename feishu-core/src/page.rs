//! Pagination: one page type, one wire page, and the [`ListRequest`] trait that gives every
//! listing of every module crate the same three ways to run it.
//!
//! Feishu pages carry `has_more` and `page_token`
//! (<https://open.feishu.cn/document/server-docs/api-call-guide/server-api-list>). A listing:
//! - sends nothing until its stream is first polled, and holds one page at a time;
//! - ends when `has_more` is false, or when `has_more` is true but the token is empty or
//!   absent (the docs' rule; a warning is logged because it may hide data);
//! - fails with [`Error::Pagination`] when the server hands back a token it already gave
//!   (after yielding the page that carried it), when it answers
//!   [`MAX_EMPTY_PAGES`] empty pages in a row that all claim more follow, or when a listing
//!   runs past [`MAX_PAGES`] pages, instead of looping forever;
//! - ends after yielding the first error.
//!
//! # Example
//! ```no_run
//! use feishu_core::ListRequest;
//! use futures::TryStreamExt;
//! # async fn sample<L: ListRequest>(listing: L) -> feishu_core::Result<()> {
//! // Any listing of the module crates, e.g. `bitable.list_tables(app)`:
//! let first = listing.send().await?;              // one page
//! println!("{} items, more: {}", first.items.len(), first.has_more);
//! let all: Vec<_> = listing.into_stream().try_collect().await?;  // every item, lazily
//! # let _ = all; Ok(()) }
//! ```

use std::collections::HashSet;
use std::future::Future;
use std::hash::{BuildHasher, RandomState};

use futures::stream::{self, BoxStream, Stream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::internal::de::{bool_or_false, opt_i64, opt_string, vec_or_empty};

/// Consecutive pages with no items that may claim `has_more` before a listing is declared
/// broken. A healthy server sends an empty page rarely (items filtered after paging); twenty in
/// a row means a token loop the repeat check cannot see.
pub const MAX_EMPTY_PAGES: usize = 20;

/// Pages one listing may fetch (500 million records at 500 a page). Bounds the memory of the
/// repeated-token check and ends any cycle the other checks cannot see.
pub const MAX_PAGES: usize = 1_000_000;

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// Whether the server says more pages follow.
    pub has_more: bool,
    /// The token of the next page.
    pub page_token: Option<String>,
    /// The total count, when the endpoint reports one.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// A page.
    pub fn new(items: Vec<T>, has_more: bool, page_token: Option<String>) -> Self {
        Page {
            items,
            has_more,
            page_token,
            total: None,
        }
    }

    /// Sets the total count.
    pub fn with_total(mut self, total: Option<u64>) -> Self {
        self.total = total;
        self
    }

    /// The token to fetch the next page with, or `None` when the listing is complete.
    pub fn next_token(&self) -> Option<&str> {
        if !self.has_more {
            return None;
        }
        self.page_token.as_deref().filter(|t| !t.is_empty())
    }

    /// Maps the items.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            has_more: self.has_more,
            page_token: self.page_token,
            total: self.total,
        }
    }
}

/// `data` of Feishu's usual listing: `{items, has_more, page_token, total}`; `items` may be
/// `null`, numbers may be strings.
#[derive(Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
pub struct WirePage<T> {
    #[serde(default, deserialize_with = "vec_or_empty")]
    items: Vec<T>,
    #[serde(default, deserialize_with = "bool_or_false")]
    has_more: bool,
    #[serde(default, deserialize_with = "opt_string")]
    page_token: Option<String>,
    #[serde(default, deserialize_with = "opt_i64")]
    total: Option<i64>,
}

impl<T> WirePage<T> {
    /// The page.
    pub fn into_page(self) -> Page<T> {
        Page::new(self.items, self.has_more, self.page_token)
            .with_total(self.total.and_then(|t| u64::try_from(t).ok()))
    }
}

/// A listing: one request builder that can be run as one page, as a stream of pages, or as a
/// stream of items.
///
/// Every `list_*` and `search_*` builder of the module crates implements it; bring it into
/// scope with `use feishu_core::ListRequest`. It cannot be implemented outside this SDK: its
/// supertrait is hidden plumbing.
pub trait ListRequest: PageFetch {
    /// Fetches one page: the first, or the one at the builder's `page_token`.
    fn send(&self) -> impl Future<Output = Result<Page<Self::Item>>> + Send + use<Self> {
        self.fetch_page(self.start_token())
    }

    /// The listing page by page. Each page's [`Page::page_token`] is the checkpoint to resume
    /// after it (pass it to the builder's `page_token`); `next_token()` is `None` on the last.
    ///
    /// The stream is boxed, so it is `Unpin` (`.next().await` works without pinning) and can
    /// be stored by name.
    fn by_page(self) -> BoxStream<'static, Result<Page<Self::Item>>>
    where
        Self: Sized,
    {
        let start = self.start_token();
        pages(start, move |token| self.fetch_page(token)).boxed()
    }

    /// Every item, lazily: a page is fetched only when the previous one is used up. Boxed,
    /// like [`by_page`](Self::by_page).
    fn into_stream(self) -> BoxStream<'static, Result<Self::Item>>
    where
        Self: Sized,
    {
        flatten(self.by_page()).boxed()
    }
}

impl<T: PageFetch> ListRequest for T {}

/// The one thing a listing implements: fetch the page at a token. [`crate::ListRequest`]
/// builds `send`, `by_page` and `into_stream` on it.
pub trait PageFetch: Send + Sync + 'static {
    /// What the listing yields.
    type Item: Send + 'static;

    /// The token the listing starts at (`None`: the first page).
    fn start_token(&self) -> Option<String>;

    /// Fetches the page at `page_token`. Argument errors are returned here, before a request.
    fn fetch_page(
        &self,
        page_token: Option<String>,
    ) -> impl Future<Output = Result<Page<Self::Item>>> + Send + use<Self>;
}

/// The items of a stream of pages, in order; ends after the first error.
pub fn flatten<T, S>(pages: S) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: Send + 'static,
    S: Stream<Item = Result<Page<T>>> + Send + 'static,
{
    pages
        .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
        .try_flatten()
}

struct Walk<F> {
    fetch: F,
    next: Option<Option<String>>,
    seen: HashSet<u64>,
    hasher: RandomState,
    empty_run: usize,
    pages: usize,
    failed: Option<Error>,
}

impl<F> Walk<F> {
    /// Decides what follows `page`: the next token, the end, or an error after it.
    fn advance<T>(&mut self, page: &Page<T>) {
        self.pages += 1;
        self.empty_run = if page.items.is_empty() {
            self.empty_run + 1
        } else {
            0
        };
        let Some(token) = page.next_token() else {
            if page.has_more {
                tracing::warn!(
                    "server said has_more=true without a page_token; ending the listing"
                );
            }
            return;
        };
        let fail = |why: String| Some(Error::Pagination(why));
        self.failed = if !self.seen.insert(self.hasher.hash_one(token)) {
            fail(format!(
                "the server repeated page token {:?}; stopping to avoid a loop",
                short(token)
            ))
        } else if self.empty_run >= MAX_EMPTY_PAGES {
            fail(format!(
                "the server sent {MAX_EMPTY_PAGES} empty pages in a row that all claim more follow; stopping"
            ))
        } else if self.pages >= MAX_PAGES {
            fail(format!("the listing exceeded {MAX_PAGES} pages; stopping"))
        } else {
            self.next = Some(Some(token.to_string()));
            None
        };
    }
}

/// A lazy stream of pages: `fetch(token)` is called with `start` first (None = the first
/// page, `Some(t)` = resume at `t`), then with each next token, under the rules of the module
/// docs.
pub fn pages<T, F, Fut>(
    start: Option<String>,
    fetch: F,
) -> impl Stream<Item = Result<Page<T>>> + Send + 'static
where
    T: Send + 'static,
    F: FnMut(Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let hasher = RandomState::new();
    let seen = start.iter().map(|t| hasher.hash_one(t)).collect();
    let walk = Walk {
        fetch,
        next: Some(start),
        seen,
        hasher,
        empty_run: 0,
        pages: 0,
        failed: None,
    };
    stream::unfold(walk, |mut walk| async move {
        if let Some(e) = walk.failed.take() {
            return Some((Err(e), walk));
        }
        let token = walk.next.take()?;
        match (walk.fetch)(token).await {
            Err(e) => Some((Err(e), walk)),
            Ok(page) => {
                walk.advance(&page);
                Some((Ok(page), walk))
            }
        }
    })
}

fn short(token: &str) -> String {
    let mut s: String = token.chars().take(24).collect();
    if token.chars().count() > 24 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests;
