//! The Bases of the fake tenant: apps, tables, views and wiki nodes. Records are not stored:
//! record `i` of a table is generated from the seed, the table and `i` when asked for.

use std::collections::HashSet;

use super::shape::RecordShape;
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

/// Which generated table a table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    AllTypes,
    Customers,
}

/// One view of a table.
#[derive(Debug, Clone)]
pub(super) struct ViewDef {
    pub(super) view_id: String,
    pub(super) name: &'static str,
    pub(super) view_type: &'static str,
    pub(super) public_level: &'static str,
    /// Shows only records whose "Done" checkbox is ticked.
    pub(super) only_done: bool,
}

/// One table; its records are generated on demand.
#[derive(Debug, Clone)]
pub(super) struct TableDef {
    pub(super) no: u64,
    pub(super) table_id: String,
    pub(super) name: String,
    pub(super) kind: Kind,
    pub(super) records: u64,
    pub(super) views: Vec<ViewDef>,
}

/// One Base.
#[derive(Debug, Clone)]
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
        };
        TableDef {
            no,
            table_id: format!("tbl{:013x}", mix(self.seed ^ no) & 0xFFFF_FFFF_FFFF),
            name: name.to_string(),
            kind,
            records,
            views,
        }
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
        format!("rec{:016x}", mix((table_no << 40 | index) ^ self.seed))
    }
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
        name,
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
