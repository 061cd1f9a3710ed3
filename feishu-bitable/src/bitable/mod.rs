//! [`Bitable`]: the entry point, one method per call (reads here, writes in `records` and
//! `schema`).

mod records;
mod schema;

use feishu_core::{Client, Error, ListRequest, Request, Result};
use futures::TryStreamExt;

use crate::app::{App, AppData, GET_APP};
use crate::field::{Field, ListFields, TableSchema};
use crate::ids::{AppToken, RecordId, TableId, WikiNodeToken};
use crate::record::{BatchGetRecords, ListRecords, SearchRecords};
use crate::table::ListTables;
use crate::view::ListViews;
use crate::wiki::{BaseLink, BaseToken, GET_NODE, NodeData, WikiNode};

/// Entry point of the Bitable (Base) API: a cheap-to-clone handle around a [`Client`].
///
/// Naming follows every module crate of this workspace: `get_*` reads one object, `list_*`
/// returns a listing builder, `search_*` a POST search builder; a listing runs through
/// [`ListRequest`] (`send` for one page, `into_stream` for items, `by_page` for pages).
///
/// # Example
/// ```no_run
/// use feishu_bitable::{Bitable, ListRequest};
/// use feishu_core::{Client, Credentials};
/// use futures::TryStreamExt;
/// # async fn sample() -> feishu_core::Result<()> {
/// let client = Client::builder()
///     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
///     .build()?;
/// let bitable = Bitable::new(client);
/// let tables: Vec<_> = bitable
///     .list_tables("bascnAbCdEfGhIjKlMnOpQrStU")
///     .into_stream()
///     .try_collect()
///     .await?;
/// for table in tables {
///     println!("{} {}", table.table_id, table.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Bitable {
    pub(crate) client: Client,
}

impl Bitable {
    /// A handle using `client`.
    ///
    /// # Example
    /// ```
    /// use feishu_bitable::Bitable;
    /// use feishu_core::{Client, Credentials};
    /// let client = Client::builder()
    ///     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
    ///     .build()?;
    /// let bitable = Bitable::new(client.clone());
    /// # Ok::<(), feishu_core::Error>(())
    /// ```
    pub fn new(client: Client) -> Self {
        Bitable { client }
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A Base's metadata
    /// ([get app](https://open.feishu.cn/document/server-docs/docs/bitable-v1/app/get)).
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let app = bitable.get_app("bascnAbCdEfGhIjKlMnOpQrStU").await?;
    /// if app.is_advanced {
    ///     eprintln!("{}: advanced permissions may hide rows from this app", app.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_app(&self, app_token: impl Into<AppToken>) -> Result<App> {
        let app_token = app_token.into();
        let req = Request::new(GET_APP, &[app_token.as_str()])?;
        // `data.app` is required: a reply without it is a decode error from the core.
        let data: AppData = self.client.send(req).await?;
        Ok(data.app)
    }

    /// The tables of a Base
    /// ([list tables](https://open.feishu.cn/document/server-docs/docs/bitable-v1/app-table/list)).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_bitable::{ListRequest, ListTables};
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let page = bitable
    ///     .list_tables("bascnAbCdEfGhIjKlMnOpQrStU")
    ///     .page_size(ListTables::MAX_PAGE_SIZE)
    ///     .send()
    ///     .await?;
    /// println!("{} tables", page.items.len());
    /// # Ok(()) }
    /// ```
    pub fn list_tables(&self, app_token: impl Into<AppToken>) -> ListTables {
        ListTables::new(self.client.clone(), app_token.into())
    }

    /// The views of a table
    /// ([list views](https://open.feishu.cn/document/server-docs/docs/bitable-v1/app-table-view/list)).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_bitable::ListRequest;
    /// use futures::TryStreamExt;
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let mut views = bitable
    ///     .list_views("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456")
    ///     .into_stream();
    /// while let Some(view) = views.try_next().await? {
    ///     println!("{} {} {:?}", view.view_id, view.view_name, view.view_type);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_views(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
    ) -> ListViews {
        ListViews::new(self.client.clone(), app_token.into(), table_id.into())
    }

    /// The fields (columns) of a table
    /// ([list fields](https://open.feishu.cn/document/server-docs/docs/bitable-v1/app-table-field/list)).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_bitable::ListRequest;
    /// use futures::TryStreamExt;
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let mut fields = bitable
    ///     .list_fields("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456")
    ///     .view_id("vewAbCdEf1")
    ///     .into_stream();
    /// while let Some(field) = fields.try_next().await? {
    ///     println!("{}: {} ({:?})", field.field_name, field.field_type, field.ui_type);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_fields(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
    ) -> ListFields {
        ListFields::new(self.client.clone(), app_token.into(), table_id.into())
    }

    /// All fields of a table as a [`TableSchema`] (read in pages of
    /// [`ListFields::MAX_PAGE_SIZE`]): what [`Record::typed_fields`](crate::Record::typed_fields)
    /// types cells with.
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let schema = bitable
    ///     .get_schema("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456")
    ///     .await?;
    /// let primary = schema.primary().map(|f| f.field_name.as_str());
    /// println!("{} fields, primary {primary:?}", schema.fields.len());
    /// # Ok(()) }
    /// ```
    pub async fn get_schema(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
    ) -> Result<TableSchema> {
        let fields: Vec<Field> = self
            .list_fields(app_token, table_id)
            .page_size(ListFields::MAX_PAGE_SIZE)
            .into_stream()
            .try_collect()
            .await?;
        Ok(TableSchema::new(fields))
    }

    /// Lists records with the historic `GET .../records` endpoint
    /// ([list records](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/list)),
    /// sending `text_field_as_array=true` unless told otherwise. Prefer
    /// [`search_records`](Self::search_records); this stays for a formula `filter` and
    /// `display_formula_ref`.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_bitable::{ListRequest, Sort};
    /// use futures::TryStreamExt;
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let mut records = bitable
    ///     .list_records("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456")
    ///     .filter(r#"AND(CurrentValue.[Status]="Open", CurrentValue.[Amount]>100)"#)
    ///     .sort(Sort::desc("Amount"))
    ///     .page_size(500)
    ///     .into_stream();
    /// while let Some(record) = records.try_next().await? {
    ///     println!("{} {:?}", record.record_id, record.number("Amount"));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_records(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
    ) -> ListRecords {
        ListRecords::new(self.client.clone(), app_token.into(), table_id.into())
    }

    /// Searches records with `POST .../records/search`
    /// ([search records](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/search)),
    /// the current endpoint: structured cells, a view, a structured filter and sort, and the
    /// automatic fields.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_bitable::{Condition, Filter, ListRequest, Sort};
    /// use futures::TryStreamExt;
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let (app, table) = ("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456");
    /// let schema = bitable.get_schema(app, table).await?;
    /// let mut records = bitable
    ///     .search_records(app, table)
    ///     .filter(Filter::and(vec![Condition::is("Status", "Open")]))
    ///     .sort(Sort::desc("Amount"))
    ///     .automatic_fields(true)
    ///     .page_size(500)
    ///     .into_stream();
    /// while let Some(record) = records.try_next().await? {
    ///     for (name, value) in record.typed_fields(&schema) {
    ///         println!("{} {name}: {value:?}", record.record_id);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn search_records(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
    ) -> SearchRecords {
        SearchRecords::new(self.client.clone(), app_token.into(), table_id.into())
    }

    /// Reads up to 100 records by id in one call
    /// ([batch get](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/batch_get));
    /// ids of deleted records come back as absent, not as an error.
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let found = bitable
    ///     .batch_get_records("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456", ["recAbC123"])
    ///     .send()
    ///     .await?;
    /// println!("{} found, {} absent", found.records.len(), found.absent.len());
    /// # Ok(()) }
    /// ```
    pub fn batch_get_records<I, R>(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
        record_ids: I,
    ) -> BatchGetRecords
    where
        I: IntoIterator<Item = R>,
        R: Into<RecordId>,
    {
        BatchGetRecords::new(
            self.client.clone(),
            app_token.into(),
            table_id.into(),
            record_ids.into_iter().map(Into::into).collect(),
        )
    }

    /// A wiki node
    /// ([get node](https://open.feishu.cn/document/server-docs/docs/wiki-v2/space-node/get_node):
    /// `GET /open-apis/wiki/v2/spaces/get_node?token=…&obj_type=wiki`, 100 per minute). An
    /// empty token fails with [`Error::InvalidArgument`] before a request.
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let node = bitable.get_wiki_node("wikcnAbCdEfGhIjKlMnOpQrStU").await?;
    /// println!("{:?} is a {:?}", node.title, node.obj_type);
    /// # Ok(()) }
    /// ```
    pub async fn get_wiki_node(&self, node_token: impl Into<WikiNodeToken>) -> Result<WikiNode> {
        let node_token = node_token.into();
        if node_token.as_str().is_empty() {
            return Err(Error::invalid_argument("node_token", "it is empty"));
        }
        let req = Request::new(GET_NODE, &[])?
            .query("token", node_token.as_str())
            .query("obj_type", "wiki");
        let data: NodeData = self.client.send(req).await?;
        Ok(data.node)
    }

    /// The app_token of the Base behind a wiki node (the token in a `…/wiki/<token>` URL).
    /// Fails with [`Error::InvalidArgument`] when the node is not a Base.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_bitable::ListRequest;
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let app = bitable.resolve_wiki_node("wikcnAbCdEfGhIjKlMnOpQrStU").await?;
    /// let tables = bitable.list_tables(app).send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn resolve_wiki_node(
        &self,
        node_token: impl Into<WikiNodeToken>,
    ) -> Result<AppToken> {
        let node_token = node_token.into();
        let node = self.get_wiki_node(&node_token).await?;
        match node.app_token() {
            Some(token) => Ok(token),
            None => Err(Error::invalid_argument(
                "node_token",
                format!(
                    "wiki node {:?} is a {}, not a Base",
                    node_token.as_str(),
                    node.obj_type
                        .as_ref()
                        .map_or("document of unknown type", |t| t.as_str())
                ),
            )),
        }
    }

    /// The app_token a [`BaseLink`] names: as is for a `/base/` link, resolved through the wiki
    /// for a `/wiki/` link.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_bitable::{BaseLink, ListRequest};
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let url = "https://x.feishu.cn/wiki/wikcnAbCdEfGhIjKlMnOpQrStU?table=tblAbCdEfGh123456";
    /// let link = BaseLink::parse(url).expect("a Base link");
    /// let app = bitable.resolve_link(&link).await?;
    /// if let Some(table) = link.table_id {
    ///     let page = bitable.search_records(app, table).send().await?;
    ///     println!("{} records", page.total.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn resolve_link(&self, link: &BaseLink) -> Result<AppToken> {
        match &link.token {
            BaseToken::App(token) => Ok(token.clone()),
            BaseToken::WikiNode(node) => self.resolve_wiki_node(node).await,
        }
    }
}
