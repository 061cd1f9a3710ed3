//! Pagination: one page type and one adapter from "fetch the page after token X" to a lazy
//! stream.
//!
//! Feishu pages carry `has_more` and `page_token` (feishu-api.md §4). The adapter:
//! - sends nothing until the stream is first polled, and holds one page at a time;
//! - ends when `has_more` is false, or when `has_more` is true but the token is empty or
//!   absent (the docs' rule; a warning is logged because it may hide data);
//! - fails with [`Error::Pagination`] when the server hands back a token it already gave,
//!   instead of looping forever (the page that carried it is still yielded first);
//! - ends after yielding the first error.
//!
//! # Example
//! ```
//! use futures::TryStreamExt;
//! use feishu_core::page::{paginate, Page};
//! # async fn sample() -> feishu_core::Result<()> {
//! // A fake source of three pages; real callers send an ApiRequest with the token.
//! let items: Vec<u32> = paginate(None, |token: Option<String>| async move {
//!     let start: u32 = token.as_deref().map_or(0, |t| t.parse().unwrap());
//!     let end = (start + 2).min(5);
//!     Ok(Page::new((start..end).collect(), end < 5, Some(end.to_string())))
//! })
//! .try_collect()
//! .await?;
//! assert_eq!(items, vec![0, 1, 2, 3, 4]);
//! # Ok(()) }
//! # futures::executor::block_on(sample()).unwrap();
//! ```

use std::collections::HashSet;
use std::future::Future;

use futures::stream::{self, Stream, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

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

struct State<F> {
    fetch: F,
    next: Option<Option<String>>,
    seen: HashSet<String>,
    failed: Option<Error>,
}

/// A lazy stream of pages: `fetch(token)` is called with `start` first (None = the first
/// page, `Some(t)` = resume at `t`), then with each next token.
pub fn paginate_pages<T, F, Fut>(
    start: Option<String>,
    fetch: F,
) -> impl Stream<Item = Result<Page<T>>> + Send + 'static
where
    T: Send + 'static,
    F: FnMut(Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let mut seen = HashSet::new();
    if let Some(t) = &start {
        seen.insert(t.clone());
    }
    let state = State {
        fetch,
        next: Some(start),
        seen,
        failed: None,
    };
    stream::unfold(state, |mut st| async move {
        if let Some(e) = st.failed.take() {
            return Some((Err(e), st));
        }
        let token = st.next.take()?;
        match (st.fetch)(token).await {
            Err(e) => Some((Err(e), st)),
            Ok(page) => {
                match page.next_token() {
                    None => {
                        if page.has_more {
                            tracing::warn!(
                                "server said has_more=true without a page_token; ending the listing"
                            );
                        }
                    }
                    Some(t) => {
                        if st.seen.insert(t.to_string()) {
                            st.next = Some(Some(t.to_string()));
                        } else {
                            // This page's items are good; the listing cannot go on.
                            st.failed = Some(Error::Pagination(format!(
                                "the server repeated page token {:?}; stopping to avoid a loop",
                                short(t)
                            )));
                        }
                    }
                }
                Some((Ok(page), st))
            }
        }
    })
}

/// A lazy stream of items over [`paginate_pages`]: the same rules, flattened.
pub fn paginate<T, F, Fut>(
    start: Option<String>,
    fetch: F,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: Send + 'static,
    F: FnMut(Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    paginate_pages(start, fetch)
        .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
}

fn short(token: &str) -> String {
    let mut s: String = token.chars().take(24).collect();
    if token.chars().count() > 24 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    fn pages(n: u32) -> impl Stream<Item = Result<Page<u32>>> {
        paginate_pages(None, move |t: Option<String>| async move {
            let i: u32 = t.map_or(0, |t| t.parse().unwrap());
            Ok(Page::new(vec![i], i + 1 < n, Some((i + 1).to_string())))
        })
    }

    #[test]
    fn stops_on_has_more_false() {
        let v: Vec<_> = block_on(pages(3).try_collect::<Vec<_>>()).unwrap();
        assert_eq!(v.len(), 3);
    }

    #[test]
    fn ends_after_error() {
        let s = paginate(None, |t: Option<String>| async move {
            match t.as_deref() {
                None => Ok(Page::new(vec![1], true, Some("a".into()))),
                Some("a") => Err(Error::Pagination("boom".into())),
                _ => Ok(Page::new(vec![9], false, None)),
            }
        });
        let v: Vec<Result<u32>> = block_on(s.collect());
        assert_eq!(v.len(), 2);
        assert_eq!(*v[0].as_ref().unwrap(), 1);
        assert!(v[1].is_err());
    }
}
