//! Wire shapes shared by the list endpoints, and the documented rate limit.

use feishu_core::{Page, RateLimit};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Contact v3's documented limit for every endpoint this crate calls (§3.3).
pub(crate) const CONTACT_LIMIT: RateLimit = RateLimit::per_minute(1000).and_per_second(50);

/// `{has_more, page_token, items}`.
#[derive(Debug, Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
pub(crate) struct ListData<T> {
    #[serde(default, deserialize_with = "feishu_core::de::vec_or_empty")]
    pub(crate) items: Vec<T>,
    #[serde(default, deserialize_with = "feishu_core::de::bool_or_false")]
    pub(crate) has_more: bool,
    #[serde(default, deserialize_with = "feishu_core::de::opt_string")]
    pub(crate) page_token: Option<String>,
}

impl<T> ListData<T> {
    pub(crate) fn into_page(self) -> Page<T> {
        Page::new(self.items, self.has_more, self.page_token)
    }
}
