//! Tables of a Base: `GET /open-apis/bitable/v1/apps/:app_token/tables` (feishu-api.md §6.3).

use feishu_core::internal::PageRequest;
use feishu_core::internal::de::{opt_i64, string_or_empty};
use feishu_core::{Client, Endpoint, Request, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::codes::{BITABLE_CODES, BITABLE_LIMIT};
use crate::paging::MAX_META_PAGE_SIZE;
use feishu_core::internal::check_page_size;

/// <https://open.feishu.cn/document/server-docs/docs/bitable-v1/app-table/list>
pub(crate) const LIST_TABLES: Endpoint =
    Endpoint::get("bitable.tables.list", "bitable/v1/apps/{app_token}/tables")
        .limit(BITABLE_LIMIT)
        .codes(BITABLE_CODES);

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
}

impl PageRequest for ListTables {
    type Item = Table;

    fn client(&self) -> &Client {
        &self.client
    }

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn page_request(&self, token: Option<String>) -> Result<Request> {
        check_page_size(self.page_size, MAX_META_PAGE_SIZE)?;
        let req = Request::new(LIST_TABLES, &[&self.app_token])?
            .query_opt("page_size", self.page_size)
            .query_opt("page_token", token);
        Ok(req)
    }
}
