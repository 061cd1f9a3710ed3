//! SQLite output: one table per stream keyed by its primary key, the state in
//! `_feishu_state`, committed in the same transaction as the records it covers.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use feishu_sync::{Message, StreamSpec, SyncState};
use rusqlite::{Connection, params_from_iter};
use serde_json::Value;

use super::crash::{CheckpointStep, CrashPlan};
use super::lock::OutputLock;
use super::{Sink, SinkOptions};

/// One table per stream keyed by its primary key (upsert), the record in a JSON column, and
/// the state in `_feishu_state`, committed in the same transaction as the records it covers.
/// A crash rolls back what the last state does not cover.
#[derive(Debug)]
pub struct SqliteSink {
    conn: Connection,
    /// Per stream: the key columns and the JSON paths they come from.
    keys: HashMap<String, Vec<(String, Vec<String>)>>,
    in_tx: bool,
    crash: CrashPlan,
    records: u64,
    checkpoints: u64,
    // Last, so that it is released after the connection is closed.
    _lock: OutputLock,
}

/// Quotes an SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `PATH.lock`, next to the database.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = OsString::from(db.as_os_str());
    name.push(".lock");
    PathBuf::from(name)
}

impl SqliteSink {
    /// Locks and opens (creates) the database and the tables of `streams`; with
    /// [`SinkOptions::full_refresh`], empties every stream table and the state first.
    pub fn open(
        path: &Path,
        streams: &[StreamSpec],
        options: &SinkOptions,
    ) -> Result<Self, String> {
        let lock = OutputLock::acquire(&lock_path(path), path)?;
        let conn = Connection::open(path)
            .map_err(|e| format!("cannot open SQLite database {}: {e}", path.display()))?;
        let sql = |e: rusqlite::Error| format!("SQLite: {e}");
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
             CREATE TABLE IF NOT EXISTS _feishu_state (
                 id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL);",
        )
        .map_err(sql)?;
        if options.full_refresh {
            empty_all(&conn).map_err(sql)?;
        }
        let mut keys = HashMap::new();
        for s in streams {
            let columns: Vec<(String, Vec<String>)> = s
                .primary_key
                .iter()
                .map(|p| (p.join("."), p.clone()))
                .collect();
            let defs: Vec<String> = columns
                .iter()
                .map(|(c, _)| format!("{} TEXT NOT NULL", ident(c)))
                .collect();
            let pk: Vec<String> = columns.iter().map(|(c, _)| ident(c)).collect();
            conn.execute_batch(&format!(
                "CREATE TABLE IF NOT EXISTS {} ({}, data TEXT NOT NULL CHECK (json_valid(data)), \
                 emitted_at INTEGER NOT NULL, PRIMARY KEY ({}));",
                ident(s.name),
                defs.join(", "),
                pk.join(", ")
            ))
            .map_err(sql)?;
            keys.insert(s.name.to_string(), columns);
        }
        Ok(SqliteSink {
            conn,
            keys,
            in_tx: false,
            crash: options.crash,
            records: 0,
            checkpoints: 0,
            _lock: lock,
        })
    }

    fn begin(&mut self) -> Result<(), String> {
        if !self.in_tx {
            self.conn
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| format!("SQLite: {e}"))?;
            self.in_tx = true;
        }
        Ok(())
    }

    fn upsert(&mut self, stream: &str, data: &Value, emitted_at: i64) -> Result<(), String> {
        let Some(columns) = self.keys.get(stream).cloned() else {
            return Err(format!("no table for stream {stream}"));
        };
        self.begin()?;
        let mut values = Vec::with_capacity(columns.len() + 2);
        for (column, path) in &columns {
            values.push(
                key_text(data, path).ok_or_else(|| {
                    format!("a {stream} record has no primary key field {column}")
                })?,
            );
        }
        values.push(data.to_string());
        values.push(emitted_at.to_string());
        let cols: Vec<String> = columns.iter().map(|(c, _)| ident(c)).collect();
        let marks: Vec<String> = (1..=values.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}, data, emitted_at) VALUES ({}) \
             ON CONFLICT DO UPDATE SET data = excluded.data, emitted_at = excluded.emitted_at",
            ident(stream),
            cols.join(", "),
            marks.join(", ")
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut st| st.execute(params_from_iter(values.iter())))
            .map_err(|e| format!("SQLite ({stream}): {e}"))?;
        self.records += 1;
        // A torn write cannot happen inside a transaction: both points abort in it.
        if self.crash.tears(self.records) {
            self.crash.abort();
        }
        self.crash.after_record(self.records);
        Ok(())
    }

    fn checkpoint(&mut self, state: &SyncState) -> Result<(), String> {
        self.checkpoints += 1;
        let n = self.checkpoints;
        self.begin()?;
        self.conn
            .execute(
                "INSERT INTO _feishu_state (id, state) VALUES (1, ?1) \
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state",
                [state.to_json()],
            )
            .map_err(|e| format!("SQLite: {e}"))?;
        self.crash.at_checkpoint(n, CheckpointStep::BeforeCommit);
        self.crash.at_checkpoint(n, CheckpointStep::TempWritten);
        self.conn
            .execute_batch("COMMIT")
            .map_err(|e| format!("SQLite: {e}"))?;
        self.in_tx = false;
        self.crash.at_checkpoint(n, CheckpointStep::AfterCommit);
        Ok(())
    }
}

/// Empties every stream table feishu-sync knows and the state, in one transaction.
fn empty_all(conn: &Connection) -> rusqlite::Result<()> {
    let existing: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut sql = String::from("BEGIN IMMEDIATE; DELETE FROM _feishu_state;");
    for stream in feishu_sync::all_streams() {
        if existing.iter().any(|t| t == stream.name) {
            sql.push_str(&format!("DELETE FROM {};", ident(stream.name)));
        }
    }
    sql.push_str("COMMIT;");
    conn.execute_batch(&sql)
}

/// The text of a key field; a record without it is refused (as an empty key it would
/// overwrite every other such record).
fn key_text(data: &Value, path: &[String]) -> Option<String> {
    let v = path.iter().try_fold(data, |v, part| v.get(part))?;
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

impl Sink for SqliteSink {
    fn write(&mut self, message: &Message) -> Result<(), String> {
        match message {
            Message::Record(r) => self.upsert(&r.stream, &r.data, r.emitted_at),
            Message::State(state) => self.checkpoint(state),
            _ => Ok(()),
        }
    }

    /// Records after the last checkpoint are not committed: they are read again on resume.
    fn finish(&mut self) -> Result<(), String> {
        if self.in_tx {
            self.conn
                .execute_batch("ROLLBACK")
                .map_err(|e| format!("SQLite: {e}"))?;
            self.in_tx = false;
        }
        Ok(())
    }

    fn committed_state(&self) -> Result<Option<SyncState>, String> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT state FROM _feishu_state WHERE id = 1", [], |r| {
                r.get(0)
            })
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                other => Err(other),
            })
            .map_err(|e| format!("SQLite: {e}"))?;
        text.map(|t| SyncState::from_json(&t).map_err(|e| e.to_string()))
            .transpose()
    }
}
