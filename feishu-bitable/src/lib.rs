//! Typed Bitable (Base) v1 API of the Feishu / Lark Open Platform, on [`feishu_core`].
//!
//! - [`Bitable::app`]: Base metadata. [`Bitable::tables`], [`Bitable::views`],
//!   [`Bitable::fields`]: listings as one page ([`send`](ListRequest::send)), a lazy item stream
//!   ([`into_stream`](ListRequest::into_stream)) or a page stream
//!   ([`by_page`](ListRequest::by_page)). [`Bitable::schema`] collects a table's fields.
//! - Records: [`Bitable::records`] (legacy `GET .../records`) and [`Bitable::search_records`]
//!   (`POST .../records/search`), with view, field names, filter, sort and
//!   `automatic_fields`, up to 500 per page.
//! - A [`Record`] keeps `fields` as raw JSON keyed by field name (this crate knows no table);
//!   [`Record::typed_fields`] types them with a [`TableSchema`] into [`FieldValue`]s, which
//!   reconcile the documented shape drift between list and search and keep anything
//!   unrecognised as [`FieldValue::Unknown`].
//!
//! # Getting the `app_token` (wiki gotcha)
//!
//! In a URL `…/base/<app_token>?table=<table_id>&view=<view_id>` the segment after `/base/`
//! is the app_token. In a URL `…/wiki/<node_token>` it is **not**: it is a wiki node token,
//! and using it as an app_token gives `1254003` (WrongBaseToken) or `1254040`
//! (BaseTokenNotFound). Resolve it with [`Bitable::resolve_wiki_node`] (calls
//! `GET /open-apis/wiki/v2/spaces/get_node`, limit 100/min, needs `wiki:wiki:readonly`,
//! `wiki:node:read` or `wiki:wiki`). [`BaseLink::parse`] tells the two URL kinds apart, and
//! [`split_block_token`] splits the `<app_token>_<table_id>` block token of a Base embedded in
//! a document.
//!
//! # Access
//!
//! Scopes: `bitable:app:readonly` (or `bitable:app`, or the fine-grained `base:*:read` /
//! `base:record:retrieve`). With a tenant token the app must **also** be added to the Base
//! (… → "Add document app"); without it, or when advanced permissions hide data, Feishu answers
//! `1254302` (or returns fewer rows). Errors carry the code and
//! [`ApiError::hint`](feishu_core::ApiError::hint) / [`required_scopes`](feishu_core::ApiError::required_scopes).
//!
//! # Page sizes
//!
//! `page_size` is validated client-side (tables / views / fields 1..=100, records 1..=500):
//! an out-of-range value fails with [`Error::InvalidArgument`]
//! without a request. Other limits (filter length, condition counts) are left to the server.
//!
//! # Example
//! ```no_run
//! use feishu_bitable::{Bitable, Condition, Filter, ListRequest, Sort};
//! use feishu_core::{Client, Credentials};
//! use futures::TryStreamExt;
//! # async fn sample() -> feishu_core::Result<()> {
//! let client = Client::builder()
//!     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
//!     .build()?;
//! let bitable = Bitable::new(client);
//! let (app, table) = ("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456");
//!
//! let schema = bitable.schema(app, table).await?;
//! let mut records = bitable
//!     .search_records(app, table)
//!     .filter(Filter::and(vec![Condition::is("Status", "Open")]))
//!     .sort(Sort::desc("Amount"))
//!     .automatic_fields(true)
//!     .page_size(500)
//!     .into_stream();
//! while let Some(record) = records.try_next().await? {
//!     for (name, value) in record.typed_fields(&schema) {
//!         println!("{} {name}: {value:?}", record.record_id);
//!     }
//! }
//! # Ok(()) }
//! ```

mod app;
mod codes;
pub mod field;
mod paging;
pub mod record;
pub mod search;
mod table;
pub mod value;
mod view;
mod wiki;

use feishu_core::{Client, Error, Request, Result};
use futures::TryStreamExt;

pub use app::AppInfo;
/// Runs every listing of this crate: `send`, `by_page`, `into_stream`.
pub use feishu_core::ListRequest;
pub use field::{
    Field, FieldProperty, FieldType, FormulaResultType, ListFields, SelectOption, TableSchema,
    UiType,
};
pub use paging::{MAX_META_PAGE_SIZE, MAX_RECORD_PAGE_SIZE};
pub use record::{ListRecords, Record};
pub use search::{Condition, Conjunction, Filter, FilterGroup, Operator, SearchRecords, Sort};
pub use table::{ListTables, Table};
pub use value::{
    Attachment, Computed, FieldValue, GroupChat, Location, Person, TextSegment, UrlValue,
    text_segments,
};
pub use view::{ListViews, View, ViewPublicLevel, ViewType};
pub use wiki::{BaseLink, BaseToken, WikiNode, WikiObjType, split_block_token};

/// Entry point of the Bitable API: a cheap-to-clone handle around a [`Client`].
#[derive(Debug, Clone)]
pub struct Bitable {
    client: Client,
}

impl Bitable {
    /// A handle using `client`.
    pub fn new(client: Client) -> Self {
        Bitable { client }
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Base metadata (`GET /open-apis/bitable/v1/apps/:app_token`).
    pub async fn app(&self, app_token: &str) -> Result<AppInfo> {
        let req = Request::new(app::GET_APP, &[app_token])?;
        // `data.app` is required: a reply without it is a decode error from the core.
        let data: app::AppData = self.client.send(req).await?;
        Ok(data.app)
    }

    /// The tables of a Base.
    pub fn tables(&self, app_token: &str) -> ListTables {
        ListTables::new(self.client.clone(), app_token)
    }

    /// The views of a table.
    pub fn views(&self, app_token: &str, table_id: &str) -> ListViews {
        ListViews::new(self.client.clone(), app_token, table_id)
    }

    /// The fields of a table.
    pub fn fields(&self, app_token: &str, table_id: &str) -> ListFields {
        ListFields::new(self.client.clone(), app_token, table_id)
    }

    /// All fields of a table as a [`TableSchema`] (pages of 100).
    pub async fn schema(&self, app_token: &str, table_id: &str) -> Result<TableSchema> {
        let fields: Vec<Field> = self
            .fields(app_token, table_id)
            .page_size(MAX_META_PAGE_SIZE)
            .into_stream()
            .try_collect()
            .await?;
        Ok(TableSchema::new(fields))
    }

    /// Lists records with the legacy `GET .../records` endpoint.
    pub fn records(&self, app_token: &str, table_id: &str) -> ListRecords {
        ListRecords::new(self.client.clone(), app_token, table_id)
    }

    /// Searches records with `POST .../records/search`.
    pub fn search_records(&self, app_token: &str, table_id: &str) -> SearchRecords {
        SearchRecords::new(self.client.clone(), app_token, table_id)
    }

    /// A wiki node (`GET /open-apis/wiki/v2/spaces/get_node?token=…&obj_type=wiki`, 100/min).
    pub async fn wiki_node(&self, node_token: &str) -> Result<WikiNode> {
        if node_token.is_empty() {
            return Err(Error::invalid_argument("node_token", "it is empty"));
        }
        let req = Request::new(wiki::GET_NODE, &[])?
            .query("token", node_token)
            .query("obj_type", "wiki");
        let data: wiki::NodeData = self.client.send(req).await?;
        Ok(data.node)
    }

    /// The app_token of the Base behind a wiki node (the token in a `…/wiki/<token>` URL).
    /// Fails with [`Error::InvalidArgument`] when the node is not a Base.
    pub async fn resolve_wiki_node(&self, node_token: &str) -> Result<String> {
        let node = self.wiki_node(node_token).await?;
        match node.app_token() {
            Some(token) => Ok(token.to_string()),
            None => Err(Error::invalid_argument(
                "node_token",
                format!(
                    "wiki node {node_token:?} is a {}, not a Base",
                    node.obj_type
                        .as_ref()
                        .map_or("document of unknown type", |t| t.as_str())
                ),
            )),
        }
    }

    /// The app_token a [`BaseLink`] names: as is for a `/base/` link, resolved through the wiki
    /// for a `/wiki/` link.
    pub async fn resolve_link(&self, link: &BaseLink) -> Result<String> {
        match &link.token {
            BaseToken::App(token) => Ok(token.clone()),
            BaseToken::WikiNode(node) => self.resolve_wiki_node(node).await,
        }
    }
}
