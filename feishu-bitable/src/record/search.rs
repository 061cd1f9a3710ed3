//! Search records, the current endpoint:
//! `POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/search`.

use feishu_core::internal::{PageRequest, check_page_size};
use feishu_core::{Client, Endpoint, Request, Result, UserIdType};
use serde::Serialize;

use super::filter::Filter;
use super::model::Record;
use super::sort::Sort;
use crate::codes::{BITABLE_CODES, BITABLE_LIMIT};
use crate::ids::{AppToken, TableId, ViewId};

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/search>
// oapi-sdk-go service/bitable/v1/resource.go (appTableRecord.Search). A read: retried like one.
pub(crate) const SEARCH_RECORDS: Endpoint = Endpoint::post_read(
    "bitable.records.search",
    "bitable/v1/apps/{app_token}/tables/{table_id}/records/search",
)
.limit(BITABLE_LIMIT)
.codes(BITABLE_CODES);

/// The request body; absent options are left out.
#[derive(Serialize)]
struct SearchBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    view_id: Option<&'a ViewId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field_names: Option<&'a [String]>,
    #[serde(skip_serializing_if = "<[Sort]>::is_empty")]
    sort: &'a [Sort],
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<&'a Filter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    automatic_fields: Option<bool>,
}

/// Searches records (`POST .../records/search`,
/// [search records](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/search)),
/// the endpoint Feishu recommends for reading records: cells come structured (text as
/// segments with mentions and links, numbers as numbers). Built by
/// [`Bitable::search_records`](crate::Bitable::search_records); run it with
/// [`ListRequest`](feishu_core::ListRequest).
///
/// `page_size` (`1..=`[`MAX_PAGE_SIZE`](Self::MAX_PAGE_SIZE)) is checked client-side; the other
/// documented limits (≤ 50 conditions, ≤ 10 values each, ≤ 200 field names, ≤ 100 sort keys)
/// are left to the server, which answers `1254018` / `1254024` / `1254016`. With advanced
/// permissions and no manage right, a search can succeed with fewer (or no) records.
///
/// # Example
///
/// Page by page, keeping the next page's token as a checkpoint to resume from:
/// ```no_run
/// use feishu_bitable::{Bitable, ListRequest, SearchRecords};
/// use futures::TryStreamExt;
/// # async fn sample(bitable: Bitable, checkpoint: Option<String>) -> feishu_core::Result<()> {
/// let mut search = bitable
///     .search_records("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456")
///     .view_id("vewAbCdEf1")
///     .automatic_fields(true)
///     .page_size(SearchRecords::MAX_PAGE_SIZE);
/// if let Some(token) = checkpoint {
///     search = search.page_token(token);
/// }
/// let mut pages = search.by_page();
/// while let Some(page) = pages.try_next().await? {
///     println!("{} records; resume at {:?}", page.items.len(), page.next_token());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct SearchRecords {
    client: Client,
    app_token: AppToken,
    table_id: TableId,
    view_id: Option<ViewId>,
    field_names: Option<Vec<String>>,
    filter: Option<Filter>,
    sort: Vec<Sort>,
    automatic_fields: Option<bool>,
    user_id_type: Option<UserIdType>,
    page_size: Option<u32>,
    page_token: Option<String>,
}

impl SearchRecords {
    /// The largest `page_size` Feishu accepts (search records' documented maximum).
    pub const MAX_PAGE_SIZE: u32 = 500;

    pub(crate) fn new(client: Client, app_token: AppToken, table_id: TableId) -> Self {
        SearchRecords {
            client,
            app_token,
            table_id,
            view_id: None,
            field_names: None,
            filter: None,
            sort: Vec::new(),
            automatic_fields: None,
            user_id_type: None,
            page_size: None,
            page_token: None,
        }
    }

    /// Only records of this view, in its order (ignored by Feishu with a filter or sort).
    pub fn view_id(mut self, view_id: impl Into<ViewId>) -> Self {
        self.view_id = Some(view_id.into());
        self
    }

    /// Only these fields in `fields` (names must match exactly; ≤ 200).
    pub fn field_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.field_names = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// The filter.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Adds a sort key (earlier keys win).
    pub fn sort(mut self, sort: Sort) -> Self {
        self.sort.push(sort);
        self
    }

    /// Include `created_by`, `created_time`, `last_modified_by`, `last_modified_time`.
    pub fn automatic_fields(mut self, yes: bool) -> Self {
        self.automatic_fields = Some(yes);
        self
    }

    /// Id type of person values (`open_id` by default; `user_id` needs
    /// `contact:user.employee_id:readonly`).
    pub fn user_id_type(mut self, id_type: UserIdType) -> Self {
        self.user_id_type = Some(id_type);
        self
    }

    /// Records per page, `1..=`[`MAX_PAGE_SIZE`](Self::MAX_PAGE_SIZE) (Feishu's default is
    /// 20), checked before anything is sent.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    /// Starts at this page token: resume a search from a checkpoint taken from
    /// [`Page::page_token`](feishu_core::Page::page_token) of
    /// [`by_page`](feishu_core::ListRequest::by_page).
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }
}

impl PageRequest for SearchRecords {
    type Item = Record;

    fn client(&self) -> &Client {
        &self.client
    }

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn page_request(&self, token: Option<String>) -> Result<Request> {
        check_page_size(self.page_size, Self::MAX_PAGE_SIZE)?;
        let body = SearchBody {
            view_id: self.view_id.as_ref(),
            field_names: self.field_names.as_deref(),
            sort: &self.sort,
            filter: self.filter.as_ref(),
            automatic_fields: self.automatic_fields,
        };
        let req = Request::new(
            SEARCH_RECORDS,
            &[self.app_token.as_str(), self.table_id.as_str()],
        )?
        .query_opt("user_id_type", self.user_id_type.map(UserIdType::as_str))
        .query_opt("page_size", self.page_size)
        .query_opt("page_token", token)
        .json(&body)?;
        Ok(req)
    }
}
