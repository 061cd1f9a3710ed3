//! The keys the replica holds for the full-refresh streams that have tombstones
//! (`contact_users`, `bitable_records`), so that a complete read can tell which objects
//! vanished without an event saying so.

use std::collections::HashSet;

use serde_json::Value;

use crate::catalog::{BITABLE_RECORDS, CONTACT_USERS};
use crate::message::Record;

/// Separates a record's table and id in one key (neither contains it).
const SEPARATOR: char = '\u{1f}';

/// The live keys (tombstones excluded) of the streams a watch sweeps.
#[derive(Debug, Default)]
pub(super) struct Replica {
    users: HashSet<Box<str>>,
    /// `table SEPARATOR record`.
    records: HashSet<Box<str>>,
}

/// The keys one complete read emitted.
#[derive(Debug, Default)]
pub(super) struct Seen {
    users: HashSet<Box<str>>,
    records: HashSet<Box<str>>,
}

/// Keys the replica holds that a complete read did not find.
#[derive(Debug, Default)]
pub(super) struct Vanished {
    /// User ids.
    pub(super) users: Vec<String>,
    /// `(table, record)`.
    pub(super) records: Vec<(String, String)>,
}

impl Vanished {
    pub(super) fn is_empty(&self) -> bool {
        self.users.is_empty() && self.records.is_empty()
    }
}

/// What a complete read covered whole, so that what it did not list is gone.
#[derive(Debug, Clone, Copy)]
pub(super) struct Swept {
    pub(super) users: bool,
    pub(super) records: bool,
}

fn is_tombstone(data: &Value) -> bool {
    data.get("_deleted").and_then(Value::as_bool) == Some(true)
}

/// The key of a record of a swept stream, and whether it is the users' stream.
fn key(record: &Record) -> Option<(bool, Box<str>)> {
    let text = |field: &str| record.data.get(field).and_then(Value::as_str);
    if record.stream == CONTACT_USERS {
        return text("id").map(|id| (true, id.into()));
    }
    if record.stream == BITABLE_RECORDS {
        let (table, id) = (text("table_id")?, text("record_id")?);
        return Some((false, format!("{table}{SEPARATOR}{id}").into()));
    }
    None
}

impl Replica {
    /// Follows a record on its way to the consumer; notes it in `seen` during a read.
    pub(super) fn observe(&mut self, record: &Record, seen: Option<&mut Seen>) {
        let Some((user, key)) = key(record) else {
            return;
        };
        let live = if user {
            &mut self.users
        } else {
            &mut self.records
        };
        if is_tombstone(&record.data) {
            live.remove(&key);
            return;
        }
        live.insert(key.clone());
        if let Some(seen) = seen {
            if user {
                seen.users.insert(key);
            } else {
                seen.records.insert(key);
            }
        }
    }

    /// The keys the replica holds that `seen` lacks, for the streams `swept` says the read
    /// listed whole.
    pub(super) fn vanished(&self, seen: &Seen, swept: Swept) -> Vanished {
        let mut out = Vanished::default();
        if swept.users {
            out.users = missing(&self.users, &seen.users).collect();
            out.users.sort();
        }
        if swept.records {
            out.records = missing(&self.records, &seen.records)
                .filter_map(|key| {
                    let (table, id) = key.split_once(SEPARATOR)?;
                    Some((table.to_string(), id.to_string()))
                })
                .collect();
            out.records.sort();
        }
        out
    }
}

fn missing<'a>(
    live: &'a HashSet<Box<str>>,
    seen: &'a HashSet<Box<str>>,
) -> impl Iterator<Item = String> + 'a {
    live.iter()
        .filter(|key| !seen.contains(*key))
        .map(|key| key.to_string())
}
