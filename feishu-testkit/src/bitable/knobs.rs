//! Bitable knobs and ground truth, reached through
//! [`FakeTenant::bitable`](crate::FakeTenant::bitable).

use std::sync::Mutex;

use serde_json::Value;

use super::data::{
    BitableData, DEFAULT_APP_TOKEN, DEFAULT_WIKI_DOC_NODE, DEFAULT_WIKI_NODE, Kind, WikiNodeDef,
};
use super::fields::fields;
use super::people::IdType;
use super::records::{RenderOptions, generate, render_record};
use super::shape::RecordShape;
use crate::lock::lock;

/// The Bitable service's knobs and ground truth: the Bases, their tables and record counts,
/// access denial, wiki nodes, and records as the endpoints send them.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use feishu_testkit::FakeTenant;
/// let tenant = FakeTenant::start().await;
/// let bitable = tenant.bitable();
/// let table = bitable.add_table("Orders", 100_000);
/// assert!(bitable.set_record_count(&bitable.app_token(), &table, 5));
/// assert_eq!(bitable.record_ids(&bitable.app_token(), &table).len(), 5);
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct BitableKnobs<'a> {
    data: &'a Mutex<BitableData>,
}

impl<'a> BitableKnobs<'a> {
    pub(super) fn new(data: &'a Mutex<BitableData>) -> Self {
        BitableKnobs { data }
    }
}

impl BitableKnobs<'_> {
    /// The default Base's app token.
    pub fn app_token(&self) -> String {
        DEFAULT_APP_TOKEN.to_string()
    }

    /// The table id of the default Base's "All types" table (one field of every type).
    pub fn table_id(&self) -> String {
        let data = lock(self.data);
        data.apps[0]
            .tables
            .iter()
            .find(|t| t.kind == Kind::AllTypes)
            .map(|t| t.table_id.clone())
            .unwrap_or_default()
    }

    /// The table id of the default Base's "Customers" table (the link target).
    pub fn customers_table_id(&self) -> String {
        let data = lock(self.data);
        data.customers_table()
            .map(|t| t.table_id.clone())
            .unwrap_or_default()
    }

    /// Table ids of a Base, in listing order (empty for an unknown token).
    pub fn table_ids(&self, app_token: &str) -> Vec<String> {
        let data = lock(self.data);
        data.app(app_token)
            .map(|a| a.tables.iter().map(|t| t.table_id.clone()).collect())
            .unwrap_or_default()
    }

    /// View ids of a table, in listing order. The "All types" table has three: all records
    /// (grid), "Done" (kanban: only records whose `Done` box is ticked) and a private gallery.
    pub fn view_ids(&self, app_token: &str, table_id: &str) -> Vec<String> {
        let data = lock(self.data);
        data.table(app_token, table_id)
            .map(|t| t.views.iter().map(|v| v.view_id.clone()).collect())
            .unwrap_or_default()
    }

    /// Field names of a table, in listing order (28 for an "All types" table).
    pub fn field_names(&self, app_token: &str, table_id: &str) -> Vec<String> {
        let data = lock(self.data);
        let customers = data
            .customers_table()
            .map(|c| c.table_id.clone())
            .unwrap_or_default();
        data.table(app_token, table_id)
            .map(|t| {
                fields(t.kind, &customers)
                    .iter()
                    .map(|f| f.name.to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Adds an "All types" table with `records` records to the default Base and returns its
    /// id. Records are generated on demand, so 100,000 or more cost no memory.
    pub fn add_table(&self, name: &str, records: u64) -> String {
        let mut data = lock(self.data);
        let table = data.new_table(name, Kind::AllTypes, records);
        let id = table.table_id.clone();
        data.apps[0].tables.push(table);
        id
    }

    /// Changes a table's record count (records keep their ids and values: record `i` depends
    /// only on the seed, the table and `i`). Returns false for an unknown table.
    pub fn set_record_count(&self, app_token: &str, table_id: &str, records: u64) -> bool {
        let mut data = lock(self.data);
        let table = data
            .apps
            .iter_mut()
            .filter(|a| a.token == app_token)
            .flat_map(|a| a.tables.iter_mut())
            .find(|t| t.table_id == table_id);
        match table {
            Some(t) => {
                t.records = records;
                true
            }
            None => false,
        }
    }

    /// Number of records of a table (`None` for an unknown app or table).
    pub fn record_count(&self, app_token: &str, table_id: &str) -> Option<u64> {
        lock(self.data)
            .table(app_token, table_id)
            .map(|t| t.records)
    }

    /// Ids of every record of a table, in the unfiltered listing order.
    pub fn record_ids(&self, app_token: &str, table_id: &str) -> Vec<String> {
        let data = lock(self.data);
        data.table(app_token, table_id)
            .map(|t| (0..t.records).map(|i| data.record_id(t.no, i)).collect())
            .unwrap_or_default()
    }

    /// Record `index` of a table as an endpoint would send it, with automatic fields and
    /// `open_id`s: as search sends it (`search`), else as list records sends it without
    /// `text_field_as_array` (see [`set_unflagged_list_shape`](Self::set_unflagged_list_shape)).
    pub fn record_json(
        &self,
        app_token: &str,
        table_id: &str,
        index: u64,
        search: bool,
    ) -> Option<Value> {
        let data = lock(self.data);
        let table = data
            .table(app_token, table_id)
            .filter(|t| index < t.records)?;
        let options = RenderOptions {
            shape: if search {
                RecordShape::Structured
            } else {
                data.unflagged_list_shape
            },
            record_url: search,
            ids: IdType::Open,
            field_names: None,
            automatic: true,
        };
        Some(render_record(
            app_token,
            table,
            &generate(&data, table, index),
            &options,
        ))
    }

    /// The shape list records answers in when `text_field_as_array` is absent or false:
    /// [`RecordShape::Historic`] (the default, as the list endpoint documents it) or
    /// [`RecordShape::Structured`] (as search and the flag give it). Kept when tables change.
    pub fn set_unflagged_list_shape(&self, shape: RecordShape) {
        lock(self.data).unflagged_list_shape = shape;
    }

    /// From now on every request on this Base answers 1254302 (HTTP 403), as when the app was
    /// not added to the Base or advanced permissions lock it out.
    pub fn deny_app(&self, app_token: &str) {
        lock(self.data).denied.insert(app_token.to_string());
    }

    /// Undoes [`deny_app`](Self::deny_app).
    pub fn allow_app(&self, app_token: &str) {
        lock(self.data).denied.remove(app_token);
    }

    /// The wiki node token whose node is the default Base (resolves to
    /// [`app_token`](Self::app_token)). Another node,
    /// [`wiki_docx_node_token`](Self::wiki_docx_node_token), is a document.
    pub fn wiki_node_token(&self) -> String {
        DEFAULT_WIKI_NODE.to_string()
    }

    /// A wiki node token whose node is a `docx` document, not a Base.
    pub fn wiki_docx_node_token(&self) -> String {
        DEFAULT_WIKI_DOC_NODE.to_string()
    }

    /// Adds a wiki node (`obj_type` e.g. `bitable`, `docx`, `sheet`).
    pub fn add_wiki_node(&self, node_token: &str, obj_type: &str, obj_token: &str) {
        lock(self.data).wiki.push(WikiNodeDef {
            node_token: node_token.to_string(),
            obj_token: obj_token.to_string(),
            obj_type: obj_type.to_string(),
            title: format!("{obj_type} {obj_token}"),
        });
    }
}
