//! Views of a table: `GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/views`
//! (feishu-api.md §6.4).

use feishu_core::internal::PageRequest;
use feishu_core::internal::de::string_or_empty;
use feishu_core::{Client, Endpoint, Request, Result, UserIdType};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::codes::{BITABLE_CODES, BITABLE_LIMIT};
use crate::paging::MAX_META_PAGE_SIZE;
use feishu_core::internal::check_page_size;
use feishu_core::internal::wire_enum;

/// <https://open.feishu.cn/document/server-docs/docs/bitable-v1/app-table-view/list>
pub(crate) const LIST_VIEWS: Endpoint = Endpoint::get(
    "bitable.views.list",
    "bitable/v1/apps/{app_token}/tables/{table_id}/views",
)
.limit(BITABLE_LIMIT)
.codes(BITABLE_CODES);

wire_enum! {
    /// How a view presents records.
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
    /// Who can see a view.
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
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct View {
    /// View id (`vew…`).
    #[serde(deserialize_with = "string_or_empty")]
    pub view_id: String,
    /// Display name.
    #[serde(deserialize_with = "string_or_empty")]
    pub view_name: String,
    /// Kind of view.
    pub view_type: Option<ViewType>,
    /// Visibility.
    pub view_public_level: Option<ViewPublicLevel>,
    /// Owner of a private view (an id of the requested `user_id_type`).
    pub view_private_owner_id: Option<String>,
    /// Fields this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for View {
    fn default() -> Self {
        View {
            view_id: String::new(),
            view_name: String::new(),
            view_type: None,
            view_public_level: None,
            view_private_owner_id: None,
            extra: Map::new(),
        }
    }
}

/// Lists the views of a table. Built by [`Bitable::views`](crate::Bitable::views).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListViews {
    client: Client,
    app_token: String,
    table_id: String,
    page_size: Option<u32>,
    page_token: Option<String>,
    user_id_type: Option<UserIdType>,
}

impl ListViews {
    pub(crate) fn new(client: Client, app_token: &str, table_id: &str) -> Self {
        ListViews {
            client,
            app_token: app_token.to_string(),
            table_id: table_id.to_string(),
            page_size: None,
            page_token: None,
            user_id_type: None,
        }
    }

    /// Items per page, 1..=100, checked client-side.
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
        check_page_size(self.page_size, MAX_META_PAGE_SIZE)?;
        let req = Request::new(LIST_VIEWS, &[&self.app_token, &self.table_id])?
            .query_opt("page_size", self.page_size)
            .query_opt("page_token", token)
            .query_opt("user_id_type", self.user_id_type.map(UserIdType::as_str));
        Ok(req)
    }
}
