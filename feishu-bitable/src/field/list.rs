//! `GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields`: the fields of a table.

use feishu_core::internal::{PageRequest, check_page_size};
use feishu_core::{Client, Endpoint, Request, Result};

use super::model::Field;
use crate::codes::{BITABLE_CODES, BITABLE_LIMIT};
use crate::ids::{AppToken, TableId, ViewId};

/// <https://open.feishu.cn/document/server-docs/docs/bitable-v1/app-table-field/list>
// oapi-sdk-go service/bitable/v1/resource.go (appTableField.List).
pub(crate) const LIST_FIELDS: Endpoint = Endpoint::get(
    "bitable.fields.list",
    "bitable/v1/apps/{app_token}/tables/{table_id}/fields",
)
.limit(BITABLE_LIMIT)
.codes(BITABLE_CODES);

/// Lists the fields of a table
/// ([list fields](https://open.feishu.cn/document/server-docs/docs/bitable-v1/app-table-field/list)).
/// Built by [`Bitable::list_fields`](crate::Bitable::list_fields); run it with
/// [`ListRequest`](feishu_core::ListRequest).
///
/// # Example
/// ```no_run
/// use feishu_bitable::{Bitable, FieldType, ListRequest};
/// # async fn sample(bitable: Bitable) -> feishu_core::Result<()> {
/// let page = bitable
///     .list_fields("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456")
///     .text_field_as_array(true)
///     .send()
///     .await?;
/// let formulas = page.items.iter().filter(|f| f.field_type == FieldType::Formula).count();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListFields {
    client: Client,
    app_token: AppToken,
    table_id: TableId,
    view_id: Option<ViewId>,
    text_field_as_array: Option<bool>,
    page_size: Option<u32>,
    page_token: Option<String>,
}

impl ListFields {
    /// The largest `page_size` Feishu accepts (list fields' documented maximum).
    pub const MAX_PAGE_SIZE: u32 = 100;

    pub(crate) fn new(client: Client, app_token: AppToken, table_id: TableId) -> Self {
        ListFields {
            client,
            app_token,
            table_id,
            view_id: None,
            text_field_as_array: None,
            page_size: None,
            page_token: None,
        }
    }

    /// Only the fields shown in this view.
    pub fn view_id(mut self, view_id: impl Into<ViewId>) -> Self {
        self.view_id = Some(view_id.into());
        self
    }

    /// Ask for [`Field::description`] as a segment array instead of a string (on list fields
    /// the flag changes nothing else).
    pub fn text_field_as_array(mut self, yes: bool) -> Self {
        self.text_field_as_array = Some(yes);
        self
    }

    /// Fields per page, `1..=`[`MAX_PAGE_SIZE`](Self::MAX_PAGE_SIZE) (Feishu's default is 20),
    /// checked before anything is sent.
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

impl PageRequest for ListFields {
    type Item = Field;

    fn client(&self) -> &Client {
        &self.client
    }

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn page_request(&self, token: Option<String>) -> Result<Request> {
        check_page_size(self.page_size, Self::MAX_PAGE_SIZE)?;
        let req = Request::new(
            LIST_FIELDS,
            &[self.app_token.as_str(), self.table_id.as_str()],
        )?
        .query_opt("view_id", self.view_id.as_ref().map(ViewId::as_str))
        .query_opt("text_field_as_array", self.text_field_as_array)
        .query_opt("page_size", self.page_size)
        .query_opt("page_token", token);
        Ok(req)
    }
}
