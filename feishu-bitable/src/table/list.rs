//! The tables of a Base: the [`Table`] model and the
//! `GET /open-apis/bitable/v1/apps/:app_token/tables` listing.

use feishu_core::internal::de::{opt_i64, string_or_empty};
use feishu_core::internal::{PageRequest, check_page_size};
use feishu_core::{Client, Endpoint, Request, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::codes::{BITABLE_CODES, BITABLE_LIMIT};
use crate::ids::{AppToken, TableId, id_or_empty};

/// <https://open.feishu.cn/document/server-docs/docs/bitable-v1/app-table/list>
// oapi-sdk-go service/bitable/v1/resource.go (appTable.List).
pub(crate) const LIST_TABLES: Endpoint =
    Endpoint::get("bitable.tables.list", "bitable/v1/apps/{app_token}/tables")
        .limit(BITABLE_LIMIT)
        .codes(BITABLE_CODES);

/// One table of a Base.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct Table {
    /// The table's id: what the table calls take.
    #[serde(deserialize_with = "id_or_empty")]
    pub table_id: TableId,
    /// Display name.
    #[serde(deserialize_with = "string_or_empty")]
    pub name: String,
    /// Bumped on edits of the table.
    #[serde(deserialize_with = "opt_i64")]
    pub revision: Option<i64>,
    /// Keys this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Lists the tables of a Base
/// ([list tables](https://open.feishu.cn/document/server-docs/docs/bitable-v1/app-table/list)).
/// Built by [`Bitable::list_tables`](crate::Bitable::list_tables); run it with
/// [`ListRequest`](feishu_core::ListRequest).
///
/// # Example
/// ```no_run
/// use feishu_bitable::{Bitable, ListRequest, Table};
/// use futures::TryStreamExt;
/// # async fn sample(bitable: Bitable) -> feishu_core::Result<()> {
/// let tables: Vec<Table> = bitable
///     .list_tables("bascnAbCdEfGhIjKlMnOpQrStU")
///     .into_stream()
///     .try_collect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListTables {
    client: Client,
    app_token: AppToken,
    page_size: Option<u32>,
    page_token: Option<String>,
}

impl ListTables {
    /// The largest `page_size` Feishu accepts (list tables' documented maximum).
    pub const MAX_PAGE_SIZE: u32 = 100;

    pub(crate) fn new(client: Client, app_token: AppToken) -> Self {
        ListTables {
            client,
            app_token,
            page_size: None,
            page_token: None,
        }
    }

    /// Tables per page, `1..=`[`MAX_PAGE_SIZE`](Self::MAX_PAGE_SIZE) (Feishu's default is 20).
    /// A value out of range fails with
    /// [`Error::InvalidArgument`](feishu_core::Error::InvalidArgument) before anything is sent.
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
        check_page_size(self.page_size, Self::MAX_PAGE_SIZE)?;
        let req = Request::new(LIST_TABLES, &[self.app_token.as_str()])?
            .query_opt("page_size", self.page_size)
            .query_opt("page_token", token);
        Ok(req)
    }
}
