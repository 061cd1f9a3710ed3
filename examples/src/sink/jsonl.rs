//! JSON-lines output: `DIR/<stream>.jsonl`, one record a line, plus the checkpoint that says
//! how much of each file a state covers.
//!
//! Files in `DIR`:
//!
//! - `<stream>.jsonl`: the records, appended;
//! - `checkpoint.json`: the commit point, `{"version": 1, "lengths": {stream: bytes},
//!   "state": {...}}`: the state and the length of every stream file it covers, replaced
//!   atomically at each checkpoint;
//! - `state.json`: a copy of the committed state (what `--state` and other tools read),
//!   rewritten after each commit and repaired from `checkpoint.json` on open;
//! - `feishu-sync.lock`: the lock, holding the writer's pid.
//!
//! Opening cuts every stream file back to the length recorded with the last state, so that
//! what a crash left after it (records not covered, a torn last line) is dropped: those
//! records are read again, since the state does not cover them.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use feishu_sync::{Message, SyncState};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use super::crash::{CheckpointStep, CrashPlan};
use super::durable::{remove_durably, remove_stale_temps, sync_dir, write_atomically_with};
use super::lock::OutputLock;
use super::{Sink, SinkOptions};

/// The commit point's file name.
pub const CHECKPOINT_FILE: &str = "checkpoint.json";
/// The state copy's file name.
pub const STATE_FILE: &str = "state.json";
/// The lock file's name.
pub const LOCK_FILE: &str = "feishu-sync.lock";

const CHECKPOINT_VERSION: u32 = 1;

/// What `checkpoint.json` holds.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Checkpoint {
    version: u32,
    /// Per stream, the bytes of `<stream>.jsonl` the state covers.
    lengths: BTreeMap<String, u64>,
    /// The state, exactly as `SyncState::to_json` wrote it; `None` until the first
    /// checkpoint of a run from scratch.
    state: Option<Box<RawValue>>,
}

/// One stream file being appended to.
#[derive(Debug)]
struct StreamFile {
    out: BufWriter<File>,
    /// Bytes in the file, buffered ones included.
    len: u64,
    /// Written to since the last sync.
    dirty: bool,
}

/// Appends records to `DIR/<stream>.jsonl` (one JSON object per line, exactly the record's
/// data) and commits each checkpoint after the records it covers are durable (see the
/// module docs for the files).
#[derive(Debug)]
pub struct JsonlSink {
    dir: PathBuf,
    files: HashMap<String, StreamFile>,
    committed: Checkpoint,
    /// A stream file was created since the directory was last synced.
    new_files: bool,
    crash: CrashPlan,
    records: u64,
    checkpoints: u64,
    // Last, so that it is released after the files are closed.
    _lock: OutputLock,
}

/// The stream names a directory may hold files of.
fn known_streams() -> Vec<String> {
    feishu_sync::all_streams()
        .into_iter()
        .map(|s| s.name.to_string())
        .collect()
}

/// A stream name that is safe as a file name (the catalog's are).
fn is_plain_name(stream: &str) -> bool {
    !stream.is_empty()
        && stream
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn file_len(path: &Path) -> Result<Option<u64>, String> {
    match fs::metadata(path) {
        Ok(m) => Ok(Some(m.len())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// The length of `path` without a trailing partial line.
fn whole_lines_len(path: &Path) -> Result<u64, String> {
    let cannot = |e: io::Error| format!("cannot read {}: {e}", path.display());
    let mut f = File::open(path).map_err(cannot)?;
    let mut end = f.metadata().map_err(cannot)?.len();
    let mut chunk = vec![0u8; 64 * 1024];
    while end > 0 {
        let start = end.saturating_sub(chunk.len() as u64);
        let n = (end - start) as usize;
        f.seek(SeekFrom::Start(start)).map_err(cannot)?;
        f.read_exact(&mut chunk[..n]).map_err(cannot)?;
        if let Some(i) = chunk[..n].iter().rposition(|b| *b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

impl JsonlSink {
    /// Opens (creates) `dir`, locks it, and cuts its stream files back to the last
    /// checkpoint (to nothing with [`SinkOptions::full_refresh`]).
    pub fn open(dir: &Path, options: &SinkOptions) -> Result<Self, String> {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let lock = OutputLock::acquire(&dir.join(LOCK_FILE), dir)?;
        remove_stale_temps(dir, &[CHECKPOINT_FILE, STATE_FILE])?;
        // A full refresh reads nothing of the old output: it may be damaged.
        let baseline = if options.full_refresh {
            Checkpoint {
                version: CHECKPOINT_VERSION,
                ..Checkpoint::default()
            }
        } else {
            match read_checkpoint(dir)? {
                Some(c) => c,
                None => first_checkpoint(dir)?,
            }
        };
        let cuts = cuts_to(dir, &baseline, options.full_refresh)?;
        // Commit first, then cut: a crash in between cuts again on the next open.
        commit(dir, &baseline, &options.crash, None)?;
        for (path, len) in cuts {
            OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|f| {
                    f.set_len(len)?;
                    f.sync_all()
                })
                .map_err(|e| format!("cannot truncate {}: {e}", path.display()))?;
        }
        Ok(JsonlSink {
            dir: dir.to_path_buf(),
            files: HashMap::new(),
            committed: baseline,
            new_files: false,
            crash: options.crash,
            records: 0,
            checkpoints: 0,
            _lock: lock,
        })
    }

    fn stream_file(&mut self, stream: &str) -> Result<&mut StreamFile, String> {
        if !self.files.contains_key(stream) {
            if !is_plain_name(stream) {
                return Err(format!("refusing stream name {stream:?} as a file name"));
            }
            let path = self.dir.join(format!("{stream}.jsonl"));
            let existed = path.exists();
            let f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
            let len = f
                .metadata()
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?
                .len();
            self.new_files |= !existed;
            self.files.insert(
                stream.to_string(),
                StreamFile {
                    out: BufWriter::with_capacity(64 * 1024, f),
                    len,
                    dirty: false,
                },
            );
        }
        Ok(self.files.get_mut(stream).expect("inserted above"))
    }

    fn write_record(&mut self, stream: &str, data: &Value) -> Result<(), String> {
        self.records += 1;
        let mut line =
            serde_json::to_vec(data).map_err(|e| format!("writing {stream}.jsonl: {e}"))?;
        line.push(b'\n');
        let (n, crash) = (self.records, self.crash);
        let file = self.stream_file(stream)?;
        let failed = |e: io::Error| format!("writing {stream}.jsonl: {e}");
        if crash.tears(n) {
            file.out.flush().map_err(failed)?;
            file.out
                .get_mut()
                .write_all(&line[..line.len() / 2])
                .map_err(failed)?;
            crash.abort();
        }
        // Whole lines into the buffer: the file only ever grows by whole records, except
        // when a write is cut short (which the next open cuts off).
        file.out.write_all(&line).map_err(failed)?;
        file.len += line.len() as u64;
        file.dirty = true;
        crash.after_record(n);
        Ok(())
    }

    /// Makes every record written so far durable.
    fn sync_records(&mut self) -> Result<(), String> {
        for (stream, f) in &mut self.files {
            if !f.dirty {
                continue;
            }
            f.out
                .flush()
                .and_then(|_| f.out.get_ref().sync_data())
                .map_err(|e| format!("syncing {stream}.jsonl: {e}"))?;
            f.dirty = false;
        }
        if self.new_files {
            sync_dir(&self.dir).map_err(|e| format!("cannot sync {}: {e}", self.dir.display()))?;
            self.new_files = false;
        }
        Ok(())
    }

    fn checkpoint(&mut self, state: &SyncState) -> Result<(), String> {
        self.checkpoints += 1;
        self.sync_records()?;
        let n = self.checkpoints;
        self.crash.at_checkpoint(n, CheckpointStep::BeforeCommit);
        let mut next = self.committed.clone();
        for (stream, f) in &self.files {
            next.lengths.insert(stream.clone(), f.len);
        }
        next.state =
            Some(RawValue::from_string(state.to_json()).map_err(|e| format!("state: {e}"))?);
        commit(&self.dir, &next, &self.crash, Some(n))?;
        self.committed = next;
        Ok(())
    }
}

/// The stream files longer than `checkpoint` records, and the length to cut each to; an
/// error for a file shorter than recorded or missing (unless `full_refresh`, which cuts
/// everything to nothing).
fn cuts_to(
    dir: &Path,
    checkpoint: &Checkpoint,
    full_refresh: bool,
) -> Result<Vec<(PathBuf, u64)>, String> {
    let mut streams = known_streams();
    streams.extend(checkpoint.lengths.keys().cloned());
    streams.sort();
    streams.dedup();
    let mut cuts = Vec::new();
    for stream in &streams {
        let path = dir.join(format!("{stream}.jsonl"));
        let want = checkpoint.lengths.get(stream).copied().unwrap_or(0);
        match file_len(&path)? {
            Some(have) if have > want => cuts.push((path, want)),
            Some(have) if have < want && !full_refresh => {
                return Err(changed_outside(
                    &path,
                    format!("{have} bytes, {want} at the last checkpoint"),
                ));
            }
            None if want > 0 && !full_refresh => {
                return Err(changed_outside(&path, "missing".to_string()));
            }
            _ => {}
        }
    }
    Ok(cuts)
}

fn changed_outside(path: &Path, what: String) -> String {
    format!(
        "{} was changed outside feishu-sync ({what}); run with --full-refresh to start over",
        path.display()
    )
}

fn read_checkpoint(dir: &Path) -> Result<Option<Checkpoint>, String> {
    let path = dir.join(CHECKPOINT_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let damaged = |why: String| {
        format!(
            "{} is damaged ({why}); run with --full-refresh to start over",
            path.display()
        )
    };
    let c: Checkpoint = serde_json::from_str(&text).map_err(|e| damaged(e.to_string()))?;
    if c.version != CHECKPOINT_VERSION {
        return Err(damaged(format!("version {} is not supported", c.version)));
    }
    if let Some(state) = &c.state {
        SyncState::from_json(state.get()).map_err(|e| damaged(e.to_string()))?;
    }
    if let Some(bad) = c.lengths.keys().find(|s| !is_plain_name(s)) {
        return Err(damaged(format!("stream name {bad:?}")));
    }
    Ok(Some(c))
}

/// The checkpoint of a directory that has none yet: `state.json` if present (written by an
/// earlier version, or by hand), and every stream file up to its last whole line.
fn first_checkpoint(dir: &Path) -> Result<Checkpoint, String> {
    let state_path = dir.join(STATE_FILE);
    let state = match fs::read_to_string(&state_path) {
        Ok(text) => {
            SyncState::from_json(&text).map_err(|e| {
                format!(
                    "{} is not a valid state ({e}); run with --full-refresh to start over",
                    state_path.display()
                )
            })?;
            Some(RawValue::from_string(text).map_err(|e| e.to_string())?)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {}: {e}", state_path.display())),
    };
    let mut lengths = BTreeMap::new();
    for stream in known_streams() {
        let path = dir.join(format!("{stream}.jsonl"));
        if path.exists() {
            lengths.insert(stream, whole_lines_len(&path)?);
        }
    }
    Ok(Checkpoint {
        version: CHECKPOINT_VERSION,
        lengths,
        state,
    })
}

/// Replaces `checkpoint.json` (the commit), then `state.json` (its copy). `nth` is the
/// checkpoint's number in this process, for the crash plan (`None` when opening).
fn commit(
    dir: &Path,
    checkpoint: &Checkpoint,
    crash: &CrashPlan,
    nth: Option<u64>,
) -> Result<(), String> {
    let bytes = serde_json::to_vec(checkpoint).map_err(|e| e.to_string())?;
    write_atomically_with(&dir.join(CHECKPOINT_FILE), &bytes, || {
        if let Some(n) = nth {
            crash.at_checkpoint(n, CheckpointStep::TempWritten);
        }
    })?;
    if let Some(n) = nth {
        crash.at_checkpoint(n, CheckpointStep::AfterCommit);
    }
    let state_path = dir.join(STATE_FILE);
    match &checkpoint.state {
        Some(state) => write_atomically_with(&state_path, state.get().as_bytes(), || {}),
        None => remove_durably(&state_path),
    }
}

impl Sink for JsonlSink {
    fn write(&mut self, message: &Message) -> Result<(), String> {
        match message {
            Message::Record(r) => self.write_record(&r.stream, &r.data),
            Message::State(state) => self.checkpoint(state),
            _ => Ok(()),
        }
    }

    /// Flushes the records after the last checkpoint (the next open cuts them off again:
    /// no state covers them).
    fn finish(&mut self) -> Result<(), String> {
        for (stream, f) in &mut self.files {
            f.out
                .flush()
                .map_err(|e| format!("writing {stream}.jsonl: {e}"))?;
        }
        Ok(())
    }

    fn committed_state(&self) -> Result<Option<SyncState>, String> {
        self.committed
            .state
            .as_ref()
            .map(|v| SyncState::from_json(v.get()).map_err(|e| e.to_string()))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("feishu-jsonl-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_changed_or_damaged_output_is_refused_until_a_full_refresh() {
        let dir = scratch("damaged");
        let users = dir.join("contact_users.jsonl");
        let checkpoint = dir.join(CHECKPOINT_FILE);
        let state = SyncState::default().to_json();
        fs::write(&users, "{\"id\":1}\n{\"id\":2}\n{\"id\":3").unwrap();
        // No checkpoint yet: the torn tail goes, the whole lines stay.
        drop(JsonlSink::open(&dir, &SinkOptions::default()).unwrap());
        assert_eq!(
            fs::read_to_string(&users).unwrap(),
            "{\"id\":1}\n{\"id\":2}\n"
        );

        fs::write(
            &checkpoint,
            format!(r#"{{"version":1,"lengths":{{"contact_users":999}},"state":{state}}}"#),
        )
        .unwrap();
        let err = JsonlSink::open(&dir, &SinkOptions::default()).unwrap_err();
        assert!(
            err.contains("changed outside") && err.contains("--full-refresh"),
            "{err}"
        );
        fs::remove_file(&users).unwrap();
        let err = JsonlSink::open(&dir, &SinkOptions::default()).unwrap_err();
        assert!(err.contains("missing"), "{err}");

        fs::write(&users, "{\"id\":1}\n").unwrap();
        fs::write(&checkpoint, "{\"version\":1,").unwrap();
        let err = JsonlSink::open(&dir, &SinkOptions::default()).unwrap_err();
        assert!(err.contains("damaged"), "{err}");

        let sink = JsonlSink::open(&dir, &SinkOptions::default().with_full_refresh(true)).unwrap();
        assert_eq!(sink.committed_state().unwrap(), None);
        drop(sink);
        assert_eq!(fs::read_to_string(&users).unwrap(), "");
        assert!(!dir.join(STATE_FILE).exists());
        let _ = fs::remove_dir_all(&dir);
    }
}
