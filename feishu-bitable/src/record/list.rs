//! List records, the historic endpoint:
//! `GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records`.

use feishu_core::internal::{PageRequest, check_page_size};
use feishu_core::{Client, Endpoint, Error, Request, Result, UserIdType};

use super::model::Record;
use super::sort::Sort;
use crate::codes::{BITABLE_CODES, BITABLE_LIMIT};
use crate::ids::{AppToken, TableId, ViewId};

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/list>
/// (marked historic: "no longer recommended, use search records instead").
// oapi-sdk-go service/bitable/v1/resource.go (appTableRecord.List).
pub(crate) const LIST_RECORDS: Endpoint = Endpoint::get(
    "bitable.records.list",
    "bitable/v1/apps/{app_token}/tables/{table_id}/records",
)
.limit(BITABLE_LIMIT)
.codes(BITABLE_CODES);

/// Lists records with the historic endpoint (`GET .../records`,
/// [list records](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/list)).
/// Built by [`Bitable::list_records`](crate::Bitable::list_records); run it with
/// [`ListRequest`](feishu_core::ListRequest).
///
/// Feishu marks this endpoint historic and recommends
/// [`Bitable::search_records`](crate::Bitable::search_records); it stays for what only it
/// offers (a formula `filter`, `display_formula_ref`). Without `text_field_as_array=true` it
/// answers text cells as plain strings (mentions and links lost at the server) and, per its
/// page's example, numbers, progress, currency and rating as strings; so this builder sends
/// `text_field_as_array=true` unless told otherwise
/// ([`text_field_as_array(false)`](Self::text_field_as_array)). [`FieldValue`] reads either
/// shape. `filter` and `sort` make Feishu ignore `view_id`.
///
/// [`FieldValue`]: crate::FieldValue
///
/// # Example
/// ```no_run
/// use feishu_bitable::{Bitable, ListRequest};
/// # async fn sample(bitable: Bitable) -> feishu_core::Result<()> {
/// let page = bitable
///     .list_records("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456")
///     .field_names(["Name", "Amount"])
///     .display_formula_ref(true)
///     .page_size(100)
///     .send()
///     .await?;
/// for record in &page.items {
///     println!("{}: {:?}", record.record_id, record.text("Name"));
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListRecords {
    client: Client,
    app_token: AppToken,
    table_id: TableId,
    view_id: Option<ViewId>,
    field_names: Option<Vec<String>>,
    filter: Option<String>,
    sort: Vec<Sort>,
    text_field_as_array: bool,
    display_formula_ref: Option<bool>,
    automatic_fields: Option<bool>,
    user_id_type: Option<UserIdType>,
    page_size: Option<u32>,
    page_token: Option<String>,
}

impl ListRecords {
    /// The largest `page_size` Feishu accepts (list records' documented maximum).
    pub const MAX_PAGE_SIZE: u32 = 500;

    pub(crate) fn new(client: Client, app_token: AppToken, table_id: TableId) -> Self {
        ListRecords {
            client,
            app_token,
            table_id,
            view_id: None,
            field_names: None,
            filter: None,
            sort: Vec::new(),
            text_field_as_array: true,
            display_formula_ref: None,
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

    /// Only these fields in `fields` (names must match exactly).
    pub fn field_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.field_names = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// A filter formula, e.g. `AND(CurrentValue.[Amount]>100, CurrentValue.[Status]="Open")`
    /// (≤ 2000 characters; the server checks it and answers `1254018` when invalid).
    pub fn filter(mut self, formula: impl Into<String>) -> Self {
        self.filter = Some(formula.into());
        self
    }

    /// Adds a sort key (earlier keys win). Feishu answers `1254016` for an invalid sort.
    pub fn sort(mut self, sort: Sort) -> Self {
        self.sort.push(sort);
        self
    }

    /// Include `created_by`, `created_time`, `last_modified_by`, `last_modified_time`.
    pub fn automatic_fields(mut self, yes: bool) -> Self {
        self.automatic_fields = Some(yes);
        self
    }

    /// Whether text cells come as segment arrays (`true`, the default here: mentions and
    /// links kept) or, in the historic shape, as plain strings (`false`). Always sent.
    pub fn text_field_as_array(mut self, yes: bool) -> Self {
        self.text_field_as_array = yes;
        self
    }

    /// Formula and lookup values rendered in the referenced field's format.
    pub fn display_formula_ref(mut self, yes: bool) -> Self {
        self.display_formula_ref = Some(yes);
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

    /// Starts at this page token: resume a listing from a checkpoint taken from
    /// [`Page::page_token`](feishu_core::Page::page_token) of
    /// [`by_page`](feishu_core::ListRequest::by_page).
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }
}

impl PageRequest for ListRecords {
    type Item = Record;

    fn client(&self) -> &Client {
        &self.client
    }

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn page_request(&self, token: Option<String>) -> Result<Request> {
        check_page_size(self.page_size, Self::MAX_PAGE_SIZE)?;
        // Both lists travel as JSON string arrays in one query parameter (the page's
        // examples: `["字段1","字段2"]`, `["字段1 DESC","字段2 ASC"]`).
        let field_names = match &self.field_names {
            Some(names) => Some(json_list("field_names", names)?),
            None => None,
        };
        let sort = if self.sort.is_empty() {
            None
        } else {
            let items: Vec<String> = self.sort.iter().map(Sort::to_list_form).collect();
            Some(json_list("sort", &items)?)
        };
        let req = Request::new(
            LIST_RECORDS,
            &[self.app_token.as_str(), self.table_id.as_str()],
        )?
        .query_opt("view_id", self.view_id.as_ref().map(ViewId::as_str))
        .query_opt("filter", self.filter.as_deref())
        .query_opt("sort", sort)
        .query_opt("field_names", field_names)
        .query("text_field_as_array", self.text_field_as_array)
        .query_opt("display_formula_ref", self.display_formula_ref)
        .query_opt("automatic_fields", self.automatic_fields)
        .query_opt("user_id_type", self.user_id_type.map(UserIdType::as_str))
        .query_opt("page_size", self.page_size)
        .query_opt("page_token", token);
        Ok(req)
    }
}

fn json_list(argument: &'static str, items: &[String]) -> Result<String> {
    serde_json::to_string(items)
        .map_err(|e| Error::invalid_argument(argument, format!("cannot encode the list: {e}")))
}
