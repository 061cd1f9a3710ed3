//! The keys the replica holds for the full-refresh streams that have tombstones
//! (`contact_users`, later `bitable_records`), so that a complete read can tell which
//! objects vanished without an event saying so.

use std::collections::HashSet;

use serde_json::Value;

use crate::catalog::CONTACT_USERS;
use crate::message::Record;

/// The live keys (tombstones excluded) of the streams a watch sweeps.
#[derive(Debug, Default)]
pub(super) struct Replica {
    users: HashSet<Box<str>>,
}

/// The keys one complete read emitted.
#[derive(Debug, Default)]
pub(super) struct Seen {
    users: HashSet<Box<str>>,
}

/// Keys the replica holds that a complete read did not find.
#[derive(Debug, Default)]
pub(super) struct Vanished {
    pub(super) users: Vec<String>,
}

impl Vanished {
    pub(super) fn is_empty(&self) -> bool {
        self.users.is_empty()
    }
}

fn is_tombstone(data: &Value) -> bool {
    data.get("_deleted").and_then(Value::as_bool) == Some(true)
}

impl Replica {
    /// Follows a record on its way to the consumer; notes it in `seen` during a read.
    pub(super) fn observe(&mut self, record: &Record, seen: Option<&mut Seen>) {
        if record.stream != CONTACT_USERS {
            return;
        }
        let Some(id) = record.data.get("id").and_then(Value::as_str) else {
            return;
        };
        if is_tombstone(&record.data) {
            self.users.remove(id);
            return;
        }
        self.users.insert(id.into());
        if let Some(seen) = seen {
            seen.users.insert(id.into());
        }
    }

    /// The users the replica holds that `seen` lacks (only meaningful when the read
    /// listed the whole directory).
    pub(super) fn vanished(&self, seen: &Seen, users: bool) -> Vanished {
        let mut out = Vanished::default();
        if users {
            out.users = self
                .users
                .iter()
                .filter(|id| !seen.users.contains(*id))
                .map(|id| id.to_string())
                .collect();
            out.users.sort();
        }
        out
    }
}
