//! Shared paging plumbing: the wire page shape and client-side `page_size` checks.

use feishu_core::de::{bool_or_false, opt_i64, opt_string, vec_or_empty};
use feishu_core::{Error, Page, Result};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Largest `page_size` of list tables / views / fields (feishu-api.md §4).
pub const MAX_META_PAGE_SIZE: u32 = 100;
/// Largest `page_size` of list and search records (feishu-api.md §4).
pub const MAX_RECORD_PAGE_SIZE: u32 = 500;

/// `data` of a Bitable listing: `{has_more, page_token, total, items}`. `items` may be `null`.
#[derive(Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
pub(crate) struct WirePage<T> {
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
    pub(crate) fn into_page(self) -> Page<T> {
        Page::new(self.items, self.has_more, self.page_token)
            .with_total(self.total.and_then(|t| u64::try_from(t).ok()))
    }
}

/// Checks a caller's `page_size` against the documented range `1..=max` before anything is
/// sent, so a bad value fails with a clear [`Error::InvalidArgument`] instead of a server code.
pub(crate) fn check_page_size(what: &str, page_size: Option<u32>, max: u32) -> Result<()> {
    match page_size {
        Some(n) if n == 0 || n > max => Err(Error::InvalidArgument(format!(
            "page_size {n} for {what} is out of range: Feishu accepts 1..={max}"
        ))),
        _ => Ok(()),
    }
}
