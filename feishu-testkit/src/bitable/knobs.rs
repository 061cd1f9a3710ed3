//! Bitable knobs and ground truth, reached through
//! [`FakeTenant::bitable`](crate::FakeTenant::bitable).

use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::cells::{WriteContext, cell_of_value};
use super::data::{
    BitableData, DEFAULT_APP_TOKEN, DEFAULT_WIKI_DOC_NODE, DEFAULT_WIKI_NODE, WikiNodeDef,
    WriteStats, created_record_id,
};
use super::fields::Kind;
use super::fields::{FieldDef, Name, new_field_id};
use super::people::IdType;
use super::records::{Generated, RenderOptions, generate, render_record};
use super::shape::RecordShape;
use super::structure::default_ui_type;
use super::writes::now_ms;
use crate::lock::lock;
use crate::rng::mix;

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
        data.table(app_token, table_id)
            .map(|t| {
                data.fields_of(t)
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
                t.store.base_changed(records);
                true
            }
            None => false,
        }
    }

    /// Number of records of a table, writes included (`None` for an unknown app or table).
    pub fn record_count(&self, app_token: &str, table_id: &str) -> Option<u64> {
        lock(self.data)
            .table(app_token, table_id)
            .map(|t| t.store.len(t.records))
    }

    /// Ids of every record of a table, in the unfiltered listing order (generated records
    /// first, then those created through the API; deleted ones left out).
    pub fn record_ids(&self, app_token: &str, table_id: &str) -> Vec<String> {
        let data = lock(self.data);
        let Some(t) = data.table(app_token, table_id) else {
            return Vec::new();
        };
        t.store
            .slots(t.records)
            .map(|slot| match slot {
                super::store::Slot::Base(i) => data.record_id(t.no, i),
                super::store::Slot::Created(_) => t
                    .store
                    .get(t.records, slot, |i| generate(&data, t, i))
                    .map(|g| g.record_id.clone())
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// Record at listing position `index` of a table as an endpoint would send it, with
    /// automatic fields and
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
        let table = data.table(app_token, table_id)?;
        let slot = table.store.slot_at(table.records, index)?;
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
        let record = table
            .store
            .get(table.records, slot, |i| generate(&data, table, i))?;
        Some(render_record(app_token, table, &record, &options))
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

    /// Adds an empty table to the default Base with the given `(name, type)` fields (the
    /// first is the primary field; select fields start without options, which writes add;
    /// link fields cannot be made here, use the create-field endpoint) and returns its id.
    /// Records are stored, so tables filled by writes stay fast to list and search.
    pub fn add_empty_table(&self, name: &str, fields: &[(&str, i64)]) -> String {
        let mut data = lock(self.data);
        let mut table = data.new_table(name, Kind::Custom, 0);
        let defs: Vec<FieldDef> = fields
            .iter()
            .enumerate()
            .map(|(i, (field, field_type))| FieldDef {
                id: new_field_id(table.no, i as u64),
                name: Name::shared(field),
                field_type: *field_type,
                ui_type: Name::Static(default_ui_type(*field_type)),
                property: if matches!(field_type, 3 | 4) {
                    json!({ "options": [] })
                } else {
                    Value::Null
                },
                description: None,
                origin: None,
            })
            .collect();
        table.field_serial = defs.len() as u64;
        table.fields = Some(defs);
        let id = table.table_id.clone();
        data.apps[0].tables.push(table);
        id
    }

    /// Stores records in a table as batch create would (values in the write shape, person ids
    /// as `open_id`s), without the one-writer rule, latency or limits: ground work for tests
    /// and benchmarks. Returns the new record ids, or why a value was refused (nothing is
    /// stored then).
    pub fn insert_records(
        &self,
        app_token: &str,
        table_id: &str,
        rows: Vec<Map<String, Value>>,
    ) -> Result<Vec<String>, String> {
        let mut data = lock(self.data);
        let records = {
            let table = data
                .table(app_token, table_id)
                .ok_or_else(|| format!("no table {table_id} in {app_token}"))?;
            let defs = data.fields_of(table);
            let ctx = WriteContext {
                data: &data,
                app: app_token,
                ids: IdType::Open,
            };
            let now = now_ms();
            let mut out = Vec::with_capacity(rows.len());
            for (k, row) in rows.into_iter().enumerate() {
                let serial = table.store.serial + k as u64;
                let mut cells = Vec::with_capacity(row.len());
                for (name, value) in &row {
                    let def = defs
                        .iter()
                        .find(|d| *d.name == **name)
                        .ok_or_else(|| format!("unknown field {name:?}"))?;
                    let cell = cell_of_value(&ctx, def, value)
                        .map_err(|_| format!("field {name:?} refuses {value}"))?;
                    if let Some(cell) = cell {
                        cells.push((def.name.clone(), cell));
                    }
                }
                out.push(Generated {
                    record_id: created_record_id(data.seed, table.no, serial),
                    cells,
                    created_ms: now,
                    modified_ms: now,
                    creator: 0,
                    modifier: 0,
                });
            }
            out
        };
        let ids = records.iter().map(|r| r.record_id.clone()).collect();
        let table = data
            .table_mut(app_token, table_id)
            .ok_or("the table disappeared")?;
        table.store.serial += records.len() as u64;
        for record in records {
            table.store.insert(record);
        }
        Ok(ids)
    }

    /// Every record of a table as search sends it (structured shape, `open_id`s, automatic
    /// fields), in listing order: the ground truth after writes.
    pub fn records(&self, app_token: &str, table_id: &str) -> Vec<Value> {
        let data = lock(self.data);
        let Some(table) = data.table(app_token, table_id) else {
            return Vec::new();
        };
        let options = RenderOptions {
            shape: RecordShape::Structured,
            record_url: false,
            ids: IdType::Open,
            field_names: None,
            automatic: true,
        };
        table
            .store
            .slots(table.records)
            .filter_map(|slot| {
                table
                    .store
                    .get(table.records, slot, |i| generate(&data, table, i))
            })
            .map(|g| render_record(app_token, table, &g, &options))
            .collect()
    }

    /// How long one write keeps its table busy (default 5 ms): a second write to the table
    /// arriving before then is refused with 1254291 "Write conflict", as Feishu refuses
    /// concurrent writes to one table. The reply is sent when the write is done, so a client
    /// that waits for each reply before the next write never conflicts. Zero turns the check
    /// off (writes are then applied one by one as they arrive).
    pub fn set_write_duration(&self, duration: Duration) {
        lock(self.data).write_duration = duration;
    }

    /// Holds back a `share` (0..=1) of Bitable replies for `delay` *after* the request was
    /// processed, chosen by the seeded random generator: with a client timeout shorter than
    /// `delay`, the client sees a timeout for a request the server applied (a reply lost on
    /// the way back, as with a connection reset). Zero turns it off.
    pub fn set_lost_reply_share(&self, share: f64, delay: Duration) {
        let share = if share.is_nan() {
            0.0
        } else {
            share.clamp(0.0, 1.0)
        };
        lock(self.data).lost_replies = (share, delay);
    }

    /// The most records one batch create or update takes (default 1,000, the current
    /// documented figure; the pages said 500 before, and an older deployment may still
    /// refuse more with 1254104). At least 1.
    pub fn set_batch_limit(&self, records: usize) {
        lock(self.data).batch_limit = records.max(1);
    }

    /// What the write endpoints refused, replayed and applied so far.
    pub fn write_stats(&self) -> WriteStats {
        lock(self.data).stats
    }

    /// Whether `file_token` (of type `file_type`, e.g. `bitable`) was subscribed to through
    /// `drive/v1/files/:file_token/subscribe`.
    pub fn is_subscribed(&self, file_token: &str, file_type: &str) -> bool {
        lock(self.data)
            .subscriptions
            .iter()
            .any(|(t, k)| t == file_token && k == file_type)
    }

    /// Registers a file as uploaded to a Base (what Drive's media upload does) and returns
    /// its file token, which attachment cells of that Base may then reference; any other
    /// token is refused with 1254303.
    pub fn upload_attachment(&self, app_token: &str, name: &str) -> String {
        let mut data = lock(self.data);
        let token = format!("boxcn{:016x}", mix(data.attachments.len() as u64 ^ 0xA77A));
        data.attachments
            .insert(token.clone(), (app_token.to_string(), name.to_string()));
        token
    }
}
