//! Where `feishu-sync read` puts records: JSON-lines files or a SQLite database.
//!
//! Both commit a state only together with (after) the records it covers, so a crash at any
//! moment leaves a destination that resumes without loss.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use feishu_sync::{Message, StreamSpec, SyncState};
use rusqlite::{Connection, params_from_iter};
use serde_json::Value;

/// A destination of records and checkpoints.
pub trait Sink {
    /// Handles one message of the sync.
    fn write(&mut self, message: &Message) -> Result<(), String>;
    /// Flushes what is buffered (records after the last checkpoint included).
    fn finish(&mut self) -> Result<(), String>;
}

/// Appends records to `DIR/<stream>.jsonl` (one JSON object per line, exactly the record's
/// data) and rewrites `DIR/state.json` atomically at each checkpoint.
#[derive(Debug)]
pub struct JsonlSink {
    dir: PathBuf,
    files: HashMap<String, BufWriter<File>>,
}

impl JsonlSink {
    /// Opens (creates) `dir`.
    pub fn open(dir: &Path) -> Result<Self, String> {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(JsonlSink {
            dir: dir.to_path_buf(),
            files: HashMap::new(),
        })
    }

    /// The state file's path.
    pub fn state_path(dir: &Path) -> PathBuf {
        dir.join("state.json")
    }

    fn flush_all(&mut self) -> Result<(), String> {
        for (stream, f) in &mut self.files {
            f.flush()
                .map_err(|e| format!("writing {stream}.jsonl: {e}"))?;
            f.get_ref()
                .sync_data()
                .map_err(|e| format!("syncing {stream}.jsonl: {e}"))?;
        }
        Ok(())
    }
}

impl Sink for JsonlSink {
    fn write(&mut self, message: &Message) -> Result<(), String> {
        match message {
            Message::Record(r) => {
                if !self.files.contains_key(&r.stream) {
                    let path = self.dir.join(format!("{}.jsonl", r.stream));
                    let f = OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&path)
                        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
                    self.files.insert(r.stream.clone(), BufWriter::new(f));
                }
                let f = self.files.get_mut(&r.stream).expect("inserted above");
                serde_json::to_writer(&mut *f, &r.data)
                    .map_err(|e| format!("writing {}.jsonl: {e}", r.stream))?;
                f.write_all(b"\n")
                    .map_err(|e| format!("writing {}.jsonl: {e}", r.stream))?;
            }
            Message::State(state) => {
                // Records first, then the state that covers them.
                self.flush_all()?;
                write_atomically(&Self::state_path(&self.dir), state.to_json().as_bytes())?;
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), String> {
        self.flush_all()
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension("json.tmp");
    let mut f = File::create(&tmp).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    fs::rename(&tmp, path).map_err(|e| format!("cannot replace {}: {e}", path.display()))
}

/// One table per stream keyed by its primary key (upsert), the record in a JSON column, and
/// the state in `_feishu_state`, committed in the same transaction as the records it covers.
#[derive(Debug)]
pub struct SqliteSink {
    conn: Connection,
    /// Per stream: the key columns and the JSON paths they come from.
    keys: HashMap<String, Vec<(String, Vec<String>)>>,
    in_tx: bool,
}

/// Quotes an SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl SqliteSink {
    /// Opens (creates) the database and the tables of `streams`.
    pub fn open(path: &Path, streams: &[StreamSpec]) -> Result<Self, String> {
        let conn = Connection::open(path)
            .map_err(|e| format!("cannot open SQLite database {}: {e}", path.display()))?;
        let sql = |e: rusqlite::Error| format!("SQLite: {e}");
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
             CREATE TABLE IF NOT EXISTS _feishu_state (
                 id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL);",
        )
        .map_err(sql)?;
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
        })
    }

    /// The state committed last, if any.
    pub fn committed_state(&self) -> Result<Option<SyncState>, String> {
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

    fn begin(&mut self) -> Result<(), String> {
        if !self.in_tx {
            self.conn
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| format!("SQLite: {e}"))?;
            self.in_tx = true;
        }
        Ok(())
    }
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
            Message::Record(r) => {
                let Some(columns) = self.keys.get(&r.stream).cloned() else {
                    return Err(format!("no table for stream {}", r.stream));
                };
                self.begin()?;
                let mut values = Vec::with_capacity(columns.len() + 2);
                for (column, path) in &columns {
                    values.push(key_text(&r.data, path).ok_or_else(|| {
                        format!("a {} record has no primary key field {column}", r.stream)
                    })?);
                }
                values.push(r.data.to_string());
                values.push(r.emitted_at.to_string());
                let cols: Vec<String> = columns.iter().map(|(c, _)| ident(c)).collect();
                let marks: Vec<String> = (1..=values.len()).map(|i| format!("?{i}")).collect();
                let sql = format!(
                    "INSERT INTO {} ({}, data, emitted_at) VALUES ({}) \
                     ON CONFLICT DO UPDATE SET data = excluded.data, emitted_at = excluded.emitted_at",
                    ident(&r.stream),
                    cols.join(", "),
                    marks.join(", ")
                );
                self.conn
                    .prepare_cached(&sql)
                    .and_then(|mut st| st.execute(params_from_iter(values.iter())))
                    .map_err(|e| format!("SQLite ({}): {e}", r.stream))?;
            }
            Message::State(state) => {
                self.begin()?;
                self.conn
                    .execute(
                        "INSERT INTO _feishu_state (id, state) VALUES (1, ?1) \
                         ON CONFLICT (id) DO UPDATE SET state = excluded.state",
                        [state.to_json()],
                    )
                    .map_err(|e| format!("SQLite: {e}"))?;
                self.conn
                    .execute_batch("COMMIT")
                    .map_err(|e| format!("SQLite: {e}"))?;
                self.in_tx = false;
            }
            _ => {}
        }
        Ok(())
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
}
