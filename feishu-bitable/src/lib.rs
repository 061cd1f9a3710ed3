//! Typed Bitable (Base) v1 API of the Feishu / Lark Open Platform, on [`feishu_core`].
//!
//! Everything starts from a [`Bitable`] handle:
//!
//! - [`Bitable::get_app`]: a Base's metadata. [`Bitable::list_tables`],
//!   [`Bitable::list_views`], [`Bitable::list_fields`]: listings, run through
//!   [`ListRequest`] as one page ([`send`](ListRequest::send)), a lazy item stream
//!   ([`into_stream`](ListRequest::into_stream)) or a page stream
//!   ([`by_page`](ListRequest::by_page)). [`Bitable::get_schema`] collects a table's fields.
//! - Records: [`Bitable::search_records`] (`POST .../records/search`, the current endpoint:
//!   view, field names, structured filter and sort, `automatic_fields`) and
//!   [`Bitable::list_records`] (the historic `GET .../records`, kept for its formula filter;
//!   it sends `text_field_as_array=true` by default), up to 500 records a page.
//! - A [`Record`] keeps `fields` as raw JSON keyed by field name, exactly as received (this
//!   crate knows no table); [`Record::typed_fields`] types them with a [`TableSchema`] into
//!   [`FieldValue`]s, which read every documented cell shape (search's and the historic list
//!   shape) alike and keep anything unrecognised as [`FieldValue::Unknown`].
//! - Writes: [`Bitable::create_record`], [`Bitable::update_record`],
//!   [`Bitable::delete_record`], their batch forms ([`Bitable::batch_create_records`] and
//!   [`Bitable::batch_update_records`] up to 1,000 rows, [`Bitable::batch_delete_records`] up
//!   to 500), and [`Bitable::upsert_records`] (any number of rows, matched to records by a key
//!   field). Cells go in as [`Fields`] of [`FieldValue`]s, sent in the write shapes. Every
//!   create carries a [`ClientToken`] reused on its retries, so a retried create never
//!   duplicates rows; updates and deletes are idempotent and retried too. Writes to one table
//!   are queued (Feishu refuses concurrent writes to a table with 1254291), writes to different
//!   tables run side by side. [`Bitable::create_table`], [`Bitable::create_field`],
//!   [`Bitable::update_field`], [`Bitable::delete_field`] and [`Bitable::delete_table`]
//!   provision a table; [`Bitable::subscribe_record_events`] makes record-changed events
//!   arrive. The writing guide (`docs/writing.md` in the repository) has the limits and rules.
//! - Ids are newtypes ([`AppToken`], [`TableId`], [`ViewId`], [`FieldId`], [`RecordId`],
//!   [`WikiNodeToken`]); every call takes `impl Into<…>`, so string literals work, and models
//!   serialise them as plain strings. Times are [`OffsetDateTime`](time::OffsetDateTime) at
//!   the API; raw wire fields say their unit.
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
//! `page_size` is validated client-side against each listing's documented maximum
//! (`MAX_PAGE_SIZE`: tables / views / fields 100, records 500): an out-of-range value fails
//! with [`Error::InvalidArgument`](feishu_core::Error::InvalidArgument) without a request.
//! Other limits (filter length, condition counts) are left to the server.
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
//! let schema = bitable.get_schema(app, table).await?;
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
mod bitable;
mod client_token;
mod codes;
mod field;
mod ids;
mod lane;
mod record;
mod subscription;
mod table;
mod value;
mod view;
mod wiki;

pub use app::App;
pub use bitable::Bitable;
pub use client_token::ClientToken;
/// Runs every listing of this crate: `send`, `by_page`, `into_stream`.
pub use feishu_core::ListRequest;
pub use field::{
    DeletedField, Field, FieldProperty, FieldType, FormulaResultType, ListFields, NewField,
    SelectOption, TableSchema, UiType,
};
pub use ids::{AppToken, FieldId, RecordId, TableId, ViewId, WikiNodeToken};
pub use record::{
    BatchCreateRecords, BatchDeleteRecords, BatchGetRecords, BatchUpdateRecords, Condition,
    Conjunction, CreateRecord, DeleteRecord, DeletedRecord, Fields, Filter, FilterGroup, KeyMatch,
    ListRecords, MAX_BATCH_DELETE, MAX_BATCH_GET, MAX_BATCH_WRITE, Operator, Record, RecordUpdate,
    RecordsById, SearchRecords, Sort, UpdateRecord, UpsertError, UpsertOutcome, UpsertRecords,
    UpsertSummary,
};
pub use table::{CreatedTable, ListTables, NewTable, Table};
pub use value::{
    Attachment, Computed, FieldValue, GroupChat, Location, Person, TextSegment, UrlValue,
    text_segments,
};
pub use view::{ListViews, View, ViewPublicLevel, ViewType};
pub use wiki::{BaseLink, BaseToken, WikiNode, WikiObjType, split_block_token};
