//! Record writes (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/create>
//! and its siblings `update`, `delete`, `batch_create`, `batch_update`, `batch_delete`):
//! every record of a call is checked first and the call applies all or nothing, as the Bitable
//! overview says of batch calls.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::cells::{WriteContext, cell_of_value, new_options};
use super::data::{BitableData, TableDef, created_record_id};
use super::fields::{FieldDef, Name};
use super::gate::{admit, commit};
use super::handlers::{FIELD_NAME_NOT_FOUND, fail, id_type};
use super::records::{Cell, Generated, generate};
use super::store::Slot;
use crate::event_hub::{Change as Announced, EventHub, RecordAction};
use crate::lock::lock;
use crate::reply::Reply;
use crate::request::RequestView;

const WRONG_REQUEST_BODY: i64 = 1254001;
const WRONG_RECORD_ID: i64 = 1254006;
const RECORD_NOT_FOUND: i64 = 1254043;
const TOO_MANY_RECORDS: i64 = 1254104;

/// The record write operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RecordOp {
    Create,
    BatchCreate,
    Update,
    BatchUpdate,
    Delete,
    BatchDelete,
}

impl RecordOp {
    fn name(self) -> &'static str {
        match self {
            RecordOp::Create => "records.create",
            RecordOp::BatchCreate => "records.batch_create",
            RecordOp::Update => "records.update",
            RecordOp::BatchUpdate => "records.batch_update",
            RecordOp::Delete => "records.delete",
            RecordOp::BatchDelete => "records.batch_delete",
        }
    }

    /// The documented per-call maximum: 1,000 for batch create and update (`limit`, which a
    /// test may lower to the older 500), 500 for batch delete (the batch pages'
    /// introductions).
    fn max_records(self, limit: usize) -> usize {
        match self {
            RecordOp::BatchDelete => 500,
            RecordOp::BatchCreate | RecordOp::BatchUpdate => limit,
            _ => 1,
        }
    }

    fn is_batch(self) -> bool {
        matches!(
            self,
            RecordOp::BatchCreate | RecordOp::BatchUpdate | RecordOp::BatchDelete
        )
    }
}

/// One record of a call: its id (updates, deletes) and fields (creates, updates).
struct Item<'a> {
    record_id: Option<&'a str>,
    fields: Option<&'a Map<String, Value>>,
}

/// A change to a table's records.
enum Change {
    Insert(Generated),
    Replace(Slot, Generated),
    Remove(Slot),
}

/// What a call will do once every record passed its checks.
struct Plan {
    changes: Vec<Change>,
    /// What happened to each record, for the record-changed event.
    actions: Vec<RecordAction>,
    /// Select options to add, by field name.
    options: Vec<(String, String)>,
    created: u64,
    reply: Value,
}

/// Answers one record write; once it is applied, a Base subscribed to through Drive
/// announces `drive.file.bitable_record_changed_v1` to `events`.
pub(super) fn write(
    data: &Mutex<BitableData>,
    events: &EventHub,
    req: &RequestView,
    app: &str,
    table: &str,
    record: Option<&str>,
    op: RecordOp,
) -> Reply {
    let mut guard = lock(data);
    let data = &mut *guard;
    let admitted = match admit(data, req, app, table, op.name()) {
        Ok(a) => a,
        Err(reply) => return reply,
    };
    let mut plan = match plan(data, req, app, table, record, op, &admitted.body) {
        Ok(plan) => plan,
        Err(reply) => return reply,
    };
    let reply = plan.reply.clone();
    let actions = std::mem::take(&mut plan.actions);
    apply(data, app, table, plan);
    let reply = commit(data, app, table, admitted, reply);
    let subscribed = data
        .subscriptions
        .iter()
        .any(|(token, kind)| token == app && kind == "bitable");
    let revision = i64::try_from(data.stats.writes_applied).unwrap_or(i64::MAX);
    drop(guard);
    if subscribed {
        events.announce(Announced::BitableRecords {
            app_token: app,
            table_id: table,
            revision,
            actions: &actions,
        });
    }
    reply
}

fn items<'a>(
    op: RecordOp,
    record: Option<&'a str>,
    body: &'a Value,
    limit: usize,
) -> Result<Vec<Item<'a>>, Reply> {
    let bad = |what: &str| fail(WRONG_REQUEST_BODY, &format!("WrongRequestBody: {what}"));
    let fields_of = |v: &'a Value| match v.get("fields") {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(bad("`fields` must be an object keyed by field name")),
    };
    if !op.is_batch() {
        let fields = match op {
            RecordOp::Delete => None,
            _ => Some(fields_of(body)?),
        };
        return Ok(vec![Item {
            record_id: record,
            fields,
        }]);
    }
    let records = body
        .get("records")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| bad("`records` must be a non-empty array"))?;
    let max = op.max_records(limit);
    if records.len() > max {
        return Err(fail(
            TOO_MANY_RECORDS,
            &format!(
                "RecordAddOnceExceedLimit: at most {max} records per call, {} given",
                records.len()
            ),
        ));
    }
    records
        .iter()
        .map(|r| match op {
            RecordOp::BatchDelete => match r.as_str() {
                Some(id) => Ok(Item {
                    record_id: Some(id),
                    fields: None,
                }),
                None => Err(bad("`records` must be an array of record ids")),
            },
            RecordOp::BatchUpdate => Ok(Item {
                record_id: Some(
                    r.get("record_id")
                        .and_then(Value::as_str)
                        .ok_or_else(|| bad("every record needs its `record_id`"))?,
                ),
                fields: Some(fields_of(r)?),
            }),
            _ => Ok(Item {
                record_id: None,
                fields: Some(fields_of(r)?),
            }),
        })
        .collect()
}

fn plan(
    data: &BitableData,
    req: &RequestView,
    app: &str,
    table_id: &str,
    record: Option<&str>,
    op: RecordOp,
    body: &Value,
) -> Result<Plan, Reply> {
    let items = items(op, record, body, data.batch_limit)?;
    let table = data
        .table(app, table_id)
        .ok_or_else(|| fail(1254041, "TableIdNotFound"))?;
    let defs = data.fields_of(table);
    let ctx = WriteContext {
        data,
        app,
        ids: id_type(req)?,
    };
    let mut planner = Planner {
        ctx,
        table,
        by_name: defs.iter().map(|f| (&*f.name, f)).collect(),
        defs: &defs,
        now_ms: now_ms(),
        plan: Plan {
            changes: Vec::with_capacity(items.len()),
            actions: Vec::with_capacity(items.len()),
            options: Vec::new(),
            created: 0,
            reply: Value::Null,
        },
        pending: HashMap::new(),
    };
    let mut replies = Vec::with_capacity(items.len());
    for item in &items {
        replies.push(planner.item(op, item)?);
    }
    planner.flush_pending();
    let mut plan = planner.plan;
    plan.reply = match op {
        RecordOp::Create | RecordOp::Update => json!({ "record": replies.swap_remove(0) }),
        RecordOp::Delete => replies.swap_remove(0),
        _ => json!({ "records": replies }),
    };
    Ok(plan)
}

struct Planner<'a> {
    ctx: WriteContext<'a>,
    table: &'a TableDef,
    defs: &'a [FieldDef],
    by_name: HashMap<&'a str, &'a FieldDef>,
    now_ms: i64,
    plan: Plan,
    /// Records replaced by this call so far (a batch may name one record twice).
    pending: HashMap<Slot, Generated>,
}

impl Planner<'_> {
    fn item(&mut self, op: RecordOp, item: &Item<'_>) -> Result<Value, Reply> {
        match op {
            RecordOp::Create | RecordOp::BatchCreate => self.create(item),
            RecordOp::Update | RecordOp::BatchUpdate => self.update(item),
            RecordOp::Delete | RecordOp::BatchDelete => self.delete(item),
        }
    }

    /// The cells `fields` sets (`None`: clear), checked.
    fn cells(&mut self, fields: &Map<String, Value>) -> Result<Vec<(Name, Option<Cell>)>, Reply> {
        let mut out = Vec::with_capacity(fields.len());
        for (name, value) in fields {
            let Some(field) = self.by_name.get(name.as_str()).copied() else {
                return Err(fail(
                    FIELD_NAME_NOT_FOUND,
                    &format!("FieldNameNotFound: {name:?}"),
                ));
            };
            let cell = cell_of_value(&self.ctx, field, value)?;
            for option in new_options(field, value) {
                let entry = (name.clone(), option.to_string());
                if !self.plan.options.contains(&entry) {
                    self.plan.options.push(entry);
                }
            }
            out.push((field.name.clone(), cell));
        }
        Ok(out)
    }

    fn create(&mut self, item: &Item<'_>) -> Result<Value, Reply> {
        let fields = item.fields.cloned().unwrap_or_default();
        let cells = self.cells(&fields)?;
        let serial = self.table.store.serial + self.plan.created;
        self.plan.created += 1;
        let record_id = created_record_id(self.ctx.data.seed, self.table.no, serial);
        let mut record = Generated {
            record_id: record_id.clone(),
            cells: Vec::with_capacity(cells.len() + 5),
            created_ms: self.now_ms,
            modified_ms: self.now_ms,
            creator: 0,
            modifier: 0,
        };
        for def in self.defs {
            let cell = match def.field_type {
                1001 | 1002 => Cell::Plain(json!(self.now_ms)),
                1003 | 1004 => Cell::Person(0),
                1005 => Cell::Plain(json!((serial + 1).to_string())),
                _ => continue,
            };
            record.cells.push((def.name.clone(), cell));
        }
        set_cells(&mut record, cells);
        self.plan.changes.push(Change::Insert(record));
        self.act(&record_id, "record_added", &fields);
        Ok(json!({ "record_id": record_id, "id": record_id, "fields": fields }))
    }

    fn slot(&self, record_id: Option<&str>) -> Result<(Slot, String), Reply> {
        let id = record_id.unwrap_or_default();
        if !id.starts_with("rec") {
            return Err(fail(WRONG_RECORD_ID, &format!("WrongRecordId: {id:?}")));
        }
        let slot = self
            .table
            .store
            .find(self.ctx.data.seed, self.table.no, self.table.records, id)
            .ok_or_else(|| fail(RECORD_NOT_FOUND, &format!("RecordIdNotFound: {id}")))?;
        Ok((slot, id.to_string()))
    }

    fn update(&mut self, item: &Item<'_>) -> Result<Value, Reply> {
        let (slot, id) = self.slot(item.record_id)?;
        let fields = item.fields.cloned().unwrap_or_default();
        let cells = self.cells(&fields)?;
        let mut record = match self.pending.remove(&slot) {
            Some(r) => r,
            None => self
                .table
                .store
                .get(self.table.records, slot, |i| {
                    generate(self.ctx.data, self.table, i)
                })
                .ok_or_else(|| fail(RECORD_NOT_FOUND, &format!("RecordIdNotFound: {id}")))?
                .into_owned(),
        };
        record.modified_ms = self.now_ms;
        record.modifier = 0;
        let mut system = Vec::new();
        for def in self.defs {
            match def.field_type {
                1002 => system.push((def.name.clone(), Some(Cell::Plain(json!(self.now_ms))))),
                1004 => system.push((def.name.clone(), Some(Cell::Person(0)))),
                _ => {}
            }
        }
        set_cells(&mut record, system);
        set_cells(&mut record, cells);
        self.pending.insert(slot, record);
        self.act(&id, "record_edited", &fields);
        Ok(json!({ "record_id": id, "id": id, "fields": fields }))
    }

    fn delete(&mut self, item: &Item<'_>) -> Result<Value, Reply> {
        let (slot, id) = self.slot(item.record_id)?;
        if self
            .plan
            .changes
            .iter()
            .any(|c| matches!(c, Change::Remove(s) if *s == slot))
        {
            return Err(fail(
                RECORD_NOT_FOUND,
                &format!("RecordIdNotFound: {id} (named twice)"),
            ));
        }
        self.pending.remove(&slot);
        self.plan.changes.push(Change::Remove(slot));
        self.act(&id, "record_deleted", &Map::new());
        Ok(json!({ "deleted": true, "record_id": id }))
    }

    /// Notes what happened to record `id`, its written values keyed by field id (as the
    /// event's `after_value` names fields).
    fn act(&mut self, id: &str, action: &'static str, fields: &Map<String, Value>) {
        let after = fields
            .iter()
            .filter_map(|(name, value)| {
                let def = self.by_name.get(name.as_str())?;
                Some((def.id.clone(), value.clone()))
            })
            .collect();
        self.plan.actions.push(RecordAction {
            record_id: id.to_owned(),
            action,
            after,
        });
    }

    fn flush_pending(&mut self) {
        for (slot, record) in self.pending.drain() {
            self.plan.changes.push(Change::Replace(slot, record));
        }
    }
}

/// Sets (or, for `None`, removes) cells of `record`.
fn set_cells(record: &mut Generated, cells: Vec<(Name, Option<Cell>)>) {
    for (name, cell) in cells {
        let at = record.cells.iter().position(|(n, _)| *n == name);
        match (at, cell) {
            (Some(i), Some(cell)) => record.cells[i].1 = cell,
            (Some(i), None) => {
                record.cells.remove(i);
            }
            (None, Some(cell)) => record.cells.push((name, cell)),
            (None, None) => {}
        }
    }
}

fn apply(data: &mut BitableData, app: &str, table_id: &str, plan: Plan) {
    if !plan.options.is_empty() {
        add_options(data, app, table_id, &plan.options);
    }
    let Some(table) = data.table_mut(app, table_id) else {
        return;
    };
    for change in plan.changes {
        match change {
            Change::Insert(record) => table.store.insert(record),
            Change::Replace(slot, record) => table.store.replace(slot, record),
            Change::Remove(slot) => table.store.remove(slot),
        }
    }
    table.store.serial += plan.created;
}

/// Adds select options (named by values written) to the table's fields.
fn add_options(data: &mut BitableData, app: &str, table_id: &str, options: &[(String, String)]) {
    let Some(table) = data.table(app, table_id) else {
        return;
    };
    let mut defs = data.fields_of(table).into_owned();
    for (field, option) in options {
        let Some(def) = defs.iter_mut().find(|d| *d.name == **field) else {
            continue;
        };
        if !def.property["options"].is_array() {
            def.property = json!({ "options": [] });
        }
        if let Some(list) = def.property["options"].as_array_mut() {
            let n = list.len();
            list.push(json!({ "name": option, "id": format!("optn{:06}", n), "color": n % 55 }));
        }
    }
    if let Some(table) = data.table_mut(app, table_id) {
        table.fields = Some(defs);
    }
}

/// Now, in Unix ms.
pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
