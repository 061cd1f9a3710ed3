//! Tables of a Base: `GET /open-apis/bitable/v1/apps/:app_token/tables` (feishu-api.md §6.3).

use feishu_core::de::{opt_i64, string_or_empty};
use feishu_core::page::{paginate, paginate_pages};
use feishu_core::{ApiRequest, Client, Page, RateLimit, Result};
use futures::Stream;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::paging::{MAX_META_PAGE_SIZE, WirePage, check_page_size};

/// One table of a Base.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct Table {
    /// Table id (`tbl…`).
    #[serde(deserialize_with = "string_or_empty")]
    pub table_id: String,
    /// Display name.
    #[serde(deserialize_with = "string_or_empty")]
    pub name: String,
    /// Bumped on edits of the table.
    #[serde(deserialize_with = "opt_i64")]
    pub revision: Option<i64>,
    /// Fields this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Lists the tables of a Base. Built by [`Bitable::tables`](crate::Bitable::tables).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListTables {
    client: Client,
    app_token: String,
    page_size: Option<u32>,
    page_token: Option<String>,
}

impl ListTables {
    pub(crate) fn new(client: Client, app_token: &str) -> Self {
        ListTables {
            client,
            app_token: app_token.to_string(),
            page_size: None,
            page_token: None,
        }
    }

    /// Items per page, 1..=100 (Feishu's default is 20). Checked client-side: a value outside
    /// the range fails with [`Error::InvalidArgument`](feishu_core::Error::InvalidArgument)
    /// before anything is sent.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    /// Starts at this page token (to resume a listing).
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }

    /// Fetches one page (the first, or the one at [`page_token`](Self::page_token)).
    pub async fn send(&self) -> Result<Page<Table>> {
        self.fetch(self.page_token.clone()).await
    }

    /// All tables as a lazy stream, one page in memory at a time.
    pub fn into_stream(self) -> impl Stream<Item = Result<Table>> + Send + 'static {
        let start = self.page_token.clone();
        paginate(start, move |token| {
            let this = self.clone();
            async move { this.fetch(token).await }
        })
    }

    /// The listing page by page.
    pub fn into_pages(self) -> impl Stream<Item = Result<Page<Table>>> + Send + 'static {
        let start = self.page_token.clone();
        paginate_pages(start, move |token| {
            let this = self.clone();
            async move { this.fetch(token).await }
        })
    }

    async fn fetch(&self, token: Option<String>) -> Result<Page<Table>> {
        check_page_size("bitable tables", self.page_size, MAX_META_PAGE_SIZE)?;
        let req = ApiRequest::get("bitable.tables.list", RateLimit::per_second(20))
            .path("bitable/v1/apps")
            .segment(&self.app_token)
            .path("tables")
            .query_opt("page_size", self.page_size)
            .query_opt("page_token", token);
        let page: WirePage<Table> = self.client.send(req).await?;
        Ok(page.into_page())
    }
}
