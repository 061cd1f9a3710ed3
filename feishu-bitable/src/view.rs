//! The views of a table: the [`View`] model and the
//! `GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/views` listing.

use feishu_core::internal::de::{opt_string, string_or_empty};
use feishu_core::internal::{PageRequest, check_page_size, wire_enum};
use feishu_core::{Client, Endpoint, Request, Result, UserIdType};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::codes::{BITABLE_CODES, BITABLE_LIMIT};
use crate::ids::{AppToken, TableId, ViewId, id_or_empty};

/// <https://open.feishu.cn/document/server-docs/docs/bitable-v1/app-table-view/list>
// oapi-sdk-go service/bitable/v1/resource.go (appTableView.List).
pub(crate) const LIST_VIEWS: Endpoint = Endpoint::get(
    "bitable.views.list",
    "bitable/v1/apps/{app_token}/tables/{table_id}/views",
)
.limit(BITABLE_LIMIT)
.codes(BITABLE_CODES);

wire_enum! {
    /// How a view presents records (`view_type`).
    pub enum ViewType {
        /// Spreadsheet grid.
        Grid => "grid",
        /// Kanban board.
        Kanban => "kanban",
        /// Card gallery.
        Gallery => "gallery",
        /// Gantt chart.
        Gantt => "gantt",
        /// Form.
        Form => "form",
    }
}

wire_enum! {
    /// Who can see a view (`view_public_level`).
    pub enum ViewPublicLevel {
        /// Everyone with access to the Base.
        Public => "Public",
        /// Visible but locked.
        Locked => "Locked",
        /// Only its owner ([`View::view_private_owner_id`]).
        Private => "Private",
    }
}

/// One view of a table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct View {
    /// The view's id: what `view_id` options take.
    #[serde(deserialize_with = "id_or_empty")]
    pub view_id: ViewId,
    /// Display name.
    #[serde(deserialize_with = "string_or_empty")]
    pub view_name: String,
    /// Kind of view.
    pub view_type: Option<ViewType>,
    /// Visibility.
    pub view_public_level: Option<ViewPublicLevel>,
    /// Owner of a private view: an id of the `user_id_type` the listing asked for.
    #[serde(deserialize_with = "opt_string")]
    pub view_private_owner_id: Option<String>,
    /// Keys this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Lists the views of a table
/// ([list views](https://open.feishu.cn/document/server-docs/docs/bitable-v1/app-table-view/list)).
/// Built by [`Bitable::list_views`](crate::Bitable::list_views); run it with
/// [`ListRequest`](feishu_core::ListRequest).
///
/// # Example
/// ```no_run
/// use feishu_bitable::{Bitable, ListRequest, ViewType};
/// use feishu_core::UserIdType;
/// use futures::TryStreamExt;
/// # async fn sample(bitable: Bitable) -> feishu_core::Result<()> {
/// let kanbans: Vec<_> = bitable
///     .list_views("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456")
///     .user_id_type(UserIdType::UnionId)
///     .into_stream()
///     .try_filter(|v| futures::future::ready(v.view_type == Some(ViewType::Kanban)))
///     .try_collect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListViews {
    client: Client,
    app_token: AppToken,
    table_id: TableId,
    page_size: Option<u32>,
    page_token: Option<String>,
    user_id_type: Option<UserIdType>,
}

impl ListViews {
    /// The largest `page_size` Feishu accepts (list views' documented maximum).
    pub const MAX_PAGE_SIZE: u32 = 100;

    pub(crate) fn new(client: Client, app_token: AppToken, table_id: TableId) -> Self {
        ListViews {
            client,
            app_token,
            table_id,
            page_size: None,
            page_token: None,
            user_id_type: None,
        }
    }

    /// Views per page, `1..=`[`MAX_PAGE_SIZE`](Self::MAX_PAGE_SIZE) (Feishu's default is 20),
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

    /// Id type of [`View::view_private_owner_id`] (Feishu's default: `open_id`).
    pub fn user_id_type(mut self, id_type: UserIdType) -> Self {
        self.user_id_type = Some(id_type);
        self
    }
}

impl PageRequest for ListViews {
    type Item = View;

    fn client(&self) -> &Client {
        &self.client
    }

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn page_request(&self, token: Option<String>) -> Result<Request> {
        check_page_size(self.page_size, Self::MAX_PAGE_SIZE)?;
        let req = Request::new(
            LIST_VIEWS,
            &[self.app_token.as_str(), self.table_id.as_str()],
        )?
        .query_opt("page_size", self.page_size)
        .query_opt("page_token", token)
        .query_opt("user_id_type", self.user_id_type.map(UserIdType::as_str));
        Ok(req)
    }
}
