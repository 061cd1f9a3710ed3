//! The Bases of the fake tenant: apps, tables, views and wiki nodes. Generated records are
//! not stored: record `i` of a table is generated from the seed, the table and `i` when asked
//! for. What the write endpoints change is kept in each table's [`RecordStore`], on top.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::fields::{FieldDef, Kind, fields};
use super::shape::RecordShape;
use super::store::RecordStore;
use crate::rng::mix;

/// The default Base's app token.
pub(super) const DEFAULT_APP_TOKEN: &str = "bascnTestkitBase0000000001";
/// The wiki node whose object is the default Base.
pub(super) const DEFAULT_WIKI_NODE: &str = "wikcnTestkitNodeBase000001";
/// A wiki node whose object is a document.
pub(super) const DEFAULT_WIKI_DOC_NODE: &str = "wikcnTestkitNodeDocx000001";
const DEFAULT_RECORDS: u64 = 120;
const CUSTOMER_RECORDS: u64 = 10;
const BITABLE_SEED: u64 = 0xB17A_B1E5_EED0_0001;

/// How long a write keeps its table busy unless a test says otherwise
/// ([`BitableKnobs::set_write_duration`](super::BitableKnobs::set_write_duration)).
pub(super) const DEFAULT_WRITE_DURATION: Duration = Duration::from_millis(5);

/// A reply remembered under its `client_token`, with the body that produced it.
#[derive(Debug, Clone)]
pub(super) struct TokenEntry {
    pub(super) body: Value,
    pub(super) data: Value,
}

/// One view of a table.
#[derive(Debug, Clone)]
pub(super) struct ViewDef {
    pub(super) view_id: String,
    pub(super) name: String,
    pub(super) view_type: &'static str,
    pub(super) public_level: &'static str,
    /// Shows only records whose "Done" checkbox is ticked.
    pub(super) only_done: bool,
}

/// One table; its records are generated on demand.
#[derive(Debug)]
pub(super) struct TableDef {
    pub(super) no: u64,
    pub(super) table_id: String,
    pub(super) name: String,
    pub(super) kind: Kind,
    /// Generated records `0..records` (before writes).
    pub(super) records: u64,
    pub(super) views: Vec<ViewDef>,
    /// The fields once the API changed them (or the table was created with its own); `None`
    /// means the kind's generated fields.
    pub(super) fields: Option<Vec<FieldDef>>,
    /// Fields ever added through the API (for their ids).
    pub(super) field_serial: u64,
    /// Created, changed and deleted records.
    pub(super) store: RecordStore,
    /// Until when the last write keeps the table busy: another write before then conflicts.
    pub(super) busy_until: Option<Instant>,
    /// Replies by `client_token` (prefixed with the operation).
    pub(super) tokens: HashMap<String, TokenEntry>,
}

/// One Base.
#[derive(Debug)]
pub(super) struct AppDef {
    pub(super) token: String,
    pub(super) name: String,
    pub(super) tables: Vec<TableDef>,
}

/// One wiki node and the object it holds.
#[derive(Debug, Clone)]
pub(super) struct WikiNodeDef {
    pub(super) node_token: String,
    pub(super) obj_token: String,
    pub(super) obj_type: String,
    pub(super) title: String,
}

/// The Bitable dataset of one fake tenant.
#[derive(Debug)]
pub(crate) struct BitableData {
    pub(super) seed: u64,
    pub(super) apps: Vec<AppDef>,
    pub(super) wiki: Vec<WikiNodeDef>,
    pub(super) denied: HashSet<String>,
    pub(super) next_table_no: u64,
    /// The shape list records answers in without `text_field_as_array`.
    pub(super) unflagged_list_shape: RecordShape,
    /// How long one write keeps its table busy.
    pub(super) write_duration: Duration,
    /// Most records of one batch create or update (1,000 today; older pages said 500).
    pub(super) batch_limit: usize,
    /// Share of Bitable replies held back after the request was processed, and for how long.
    pub(super) lost_replies: (f64, Duration),
    pub(super) rng: fastrand::Rng,
    /// Counters of what the write endpoints refused or replayed.
    pub(super) stats: WriteStats,
    /// Files subscribed to through `drive/v1/files/:file_token/subscribe`: (token, type).
    pub(super) subscriptions: Vec<(String, String)>,
    /// Files uploaded to a Base (file token → (app token, name)), which attachment cells may
    /// reference.
    pub(super) attachments: HashMap<String, (String, String)>,
}

/// What the write endpoints refused or replayed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriteStats {
    /// Writes answered 1254291 (another write to the table was still being processed).
    pub write_conflicts: u64,
    /// Writes answered with the remembered reply of their `client_token`.
    pub token_replays: u64,
    /// Writes answered 1254608 (their `client_token` was still being processed).
    pub token_in_flight: u64,
    /// Writes applied (each batch counts once).
    pub writes_applied: u64,
}

impl Default for BitableData {
    fn default() -> Self {
        let mut data = BitableData {
            seed: BITABLE_SEED,
            apps: Vec::new(),
            wiki: Vec::new(),
            denied: HashSet::new(),
            next_table_no: 1,
            unflagged_list_shape: RecordShape::Historic,
            write_duration: DEFAULT_WRITE_DURATION,
            batch_limit: 1000,
            lost_replies: (0.0, Duration::ZERO),
            rng: fastrand::Rng::with_seed(BITABLE_SEED),
            stats: WriteStats::default(),
            subscriptions: Vec::new(),
            attachments: HashMap::new(),
        };
        let all = data.new_table("All types", Kind::AllTypes, DEFAULT_RECORDS);
        let customers = data.new_table("Customers", Kind::Customers, CUSTOMER_RECORDS);
        data.apps.push(AppDef {
            token: DEFAULT_APP_TOKEN.into(),
            name: "Testkit Sales".into(),
            tables: vec![all, customers],
        });
        data.wiki.push(WikiNodeDef {
            node_token: DEFAULT_WIKI_NODE.into(),
            obj_token: DEFAULT_APP_TOKEN.into(),
            obj_type: "bitable".into(),
            title: "Testkit Sales".into(),
        });
        data.wiki.push(WikiNodeDef {
            node_token: DEFAULT_WIKI_DOC_NODE.into(),
            obj_token: "doxcnTestkitDocument000001".into(),
            obj_type: "docx".into(),
            title: "Meeting notes".into(),
        });
        data
    }
}

impl BitableData {
    /// A new table numbered after the existing ones (not yet added to a Base).
    pub(super) fn new_table(&mut self, name: &str, kind: Kind, records: u64) -> TableDef {
        let no = self.next_table_no;
        self.next_table_no += 1;
        let views = match kind {
            Kind::AllTypes => vec![
                view(no, 1, "All records", "grid", "Public", false),
                view(no, 2, "Done", "kanban", "Public", true),
                view(no, 3, "Mine", "gallery", "Private", false),
            ],
            Kind::Customers => vec![view(no, 1, "All customers", "grid", "Public", false)],
            Kind::Custom => vec![view(no, 1, "Grid", "grid", "Public", false)],
        };
        TableDef {
            no,
            table_id: format!("tbl{:013x}", mix(self.seed ^ no) & 0xFFFF_FFFF_FFFF),
            name: name.to_string(),
            kind,
            records,
            views,
            fields: (kind == Kind::Custom).then(Vec::new),
            field_serial: 0,
            store: RecordStore::default(),
            busy_until: None,
            tokens: HashMap::new(),
        }
    }

    /// The fields of `table`: its own once the API changed them, else its kind's.
    pub(super) fn fields_of<'a>(&self, table: &'a TableDef) -> Cow<'a, [FieldDef]> {
        match &table.fields {
            Some(own) => Cow::Borrowed(own),
            None => {
                let customers = self
                    .customers_table()
                    .map(|c| c.table_id.clone())
                    .unwrap_or_default();
                Cow::Owned(fields(table.kind, table.no, &customers))
            }
        }
    }

    /// The table `table` of the Base `app`, to change.
    pub(super) fn table_mut(&mut self, app: &str, table: &str) -> Option<&mut TableDef> {
        self.apps
            .iter_mut()
            .find(|a| a.token == app)?
            .tables
            .iter_mut()
            .find(|t| t.table_id == table)
    }

    pub(super) fn app(&self, token: &str) -> Option<&AppDef> {
        self.apps.iter().find(|a| a.token == token)
    }

    pub(super) fn table(&self, app: &str, table: &str) -> Option<&TableDef> {
        self.app(app)?.tables.iter().find(|t| t.table_id == table)
    }

    pub(super) fn customers_table(&self) -> Option<&TableDef> {
        self.app(DEFAULT_APP_TOKEN)?
            .tables
            .iter()
            .find(|t| t.kind == Kind::Customers)
    }

    pub(super) fn record_id(&self, table_no: u64, index: u64) -> String {
        generated_record_id(self.seed, table_no, index)
    }
}

pub(super) use super::record::generated_record_id;

/// The id of the `serial`-th record created through the API in table `table_no` (bit 39 set,
/// so it never equals a generated record's id: the mixer is a bijection).
pub(super) fn created_record_id(seed: u64, table_no: u64, serial: u64) -> String {
    format!(
        "rec{:016x}",
        mix((table_no << 40 | 1 << 39 | (serial & ((1 << 39) - 1))) ^ seed)
    )
}

fn view(
    table_no: u64,
    n: u64,
    name: &'static str,
    kind: &'static str,
    level: &'static str,
    only_done: bool,
) -> ViewDef {
    ViewDef {
        view_id: format!("vew{:010x}", mix(table_no << 8 | n) & 0xFF_FFFF_FFFF),
        name: name.to_string(),
        view_type: kind,
        public_level: level,
        only_done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_are_unique_and_stable() {
        let data = BitableData::default();
        let mut seen = HashSet::new();
        for i in 0..10_000 {
            assert!(seen.insert(data.record_id(1, i)));
        }
        assert_eq!(data.record_id(1, 7), BitableData::default().record_id(1, 7));
    }
}
