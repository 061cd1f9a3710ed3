//! Helpers shared by the integration tests that run the `feishu-sync` and `source-feishu`
//! binaries against a fake tenant.
#![allow(dead_code)] // each test crate uses its own subset

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use feishu_sync::StreamSpec;
use feishu_testkit::FakeTenant;
use feishu_testkit::approval::ApprovalDataset;
use serde_json::Value;

/// A fresh, empty directory under the target's test scratch space.
pub(crate) fn scratch_dir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `feishu-sync` binary.
pub(crate) fn feishu_sync() -> Command {
    Command::new(env!("CARGO_BIN_EXE_feishu-sync"))
}

/// The `source-feishu` binary.
pub(crate) fn source_feishu() -> Command {
    Command::new(env!("CARGO_BIN_EXE_source-feishu"))
}

/// A tenant seeded for every module, with `purchase + leave` approval instances created in
/// the three days before now (so a run with the wall clock sees all of them).
pub(crate) async fn tenant(purchase: usize, leave: usize) -> FakeTenant {
    seeded(FakeTenant::builder().start().await, purchase, leave)
}

/// `tenant` with `purchase + leave` approval instances created in the three days before now.
pub(crate) fn seeded(tenant: FakeTenant, purchase: usize, leave: usize) -> FakeTenant {
    tenant.approval().set_dataset(
        ApprovalDataset::default()
            .now_ms(feishu_examples::wall_ms() - 60_000)
            .instances(purchase, leave),
    );
    tenant
}

/// A JSON config reading every module of `tenant`, without the app secret (the commands
/// take it from `FEISHU_APP_SECRET`, see [`with_secret`]).
pub(crate) fn config_json(tenant: &FakeTenant) -> Value {
    let config = feishu_examples::demo::config_for(tenant, feishu_examples::wall_ms());
    let mut json = serde_json::to_value(&config).unwrap();
    json["credentials"]
        .as_object_mut()
        .unwrap()
        .remove("app_secret");
    json
}

/// Writes `config` to `dir/config.json`.
pub(crate) fn write_config(dir: &Path, config: &Value) -> PathBuf {
    let path = dir.join("config.json");
    std::fs::write(&path, serde_json::to_string_pretty(config).unwrap()).unwrap();
    path
}

/// `command` with the tenant's app secret in the environment.
pub(crate) fn with_secret<'a>(command: &'a mut Command, tenant: &FakeTenant) -> &'a mut Command {
    command.env("FEISHU_APP_SECRET", tenant.app_secret())
}

/// Panics with both streams of a failed command.
pub(crate) fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every stream feishu-sync knows, by name.
pub(crate) fn specs() -> BTreeMap<String, StreamSpec> {
    feishu_sync::all_streams()
        .into_iter()
        .map(|s| (s.name.to_string(), s))
        .collect()
}

/// The primary key of one record, its fields joined.
pub(crate) fn primary_key(spec: &StreamSpec, record: &Value) -> String {
    spec.primary_key
        .iter()
        .map(|path| {
            let v = path.iter().fold(record, |v, part| &v[part]);
            assert!(
                !v.is_null(),
                "{} record without {path:?}: {record}",
                spec.name
            );
            v.to_string()
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// Per stream, the set of primary keys in `DIR/<stream>.jsonl`. Panics, naming the file and
/// line, on any line that is not a JSON object.
pub(crate) fn jsonl_keys(dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for (name, spec) in specs() {
        let path = dir.join(format!("{name}.jsonl"));
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let mut keys = BTreeSet::new();
        if !bytes.is_empty() {
            assert_eq!(
                bytes.last(),
                Some(&b'\n'),
                "{} does not end with a newline",
                path.display()
            );
        }
        for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            let record: Value = serde_json::from_slice(line).unwrap_or_else(|e| {
                panic!(
                    "{} line {} does not parse ({e}): {}",
                    path.display(),
                    i + 1,
                    String::from_utf8_lossy(&line[..line.len().min(200)])
                )
            });
            assert!(record.is_object(), "{} line {}", path.display(), i + 1);
            keys.insert(primary_key(&spec, &record));
        }
        out.insert(name, keys);
    }
    out
}

/// The number of lines of `DIR/<stream>.jsonl` (0 when absent).
pub(crate) fn line_count(dir: &Path, stream: &str) -> usize {
    std::fs::read(dir.join(format!("{stream}.jsonl")))
        .map(|b| b.iter().filter(|c| **c == b'\n').count())
        .unwrap_or(0)
}

/// Per table, the set of primary keys in a SQLite sink's database.
pub(crate) fn sqlite_keys(db: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = BTreeMap::new();
    for (name, spec) in specs() {
        let Ok(mut st) = conn.prepare(&format!("SELECT data FROM \"{name}\"")) else {
            continue;
        };
        let keys = st
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|data| {
                let record: Value = serde_json::from_str(&data.unwrap()).unwrap();
                primary_key(&spec, &record)
            })
            .collect();
        out.insert(name, keys);
    }
    out
}

/// The state a SQLite sink committed, parsed (panics when it is not a valid state).
/// Whether no module of `state` has an unfinished run or a "done in this run" mark.
pub(crate) fn run_finished(state: &feishu_sync::SyncState) -> bool {
    state.approval.values().all(|a| a.run.is_none())
        && state.bitable.as_ref().is_none_or(|b| b.tables.is_empty())
        && state.attendance.as_ref().is_none_or(|a| a.run.is_none())
        && state.contact.as_ref().is_none_or(|c| c.run.is_none())
}

pub(crate) fn sqlite_state(db: &Path) -> Option<feishu_sync::SyncState> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let text: Option<String> = conn
        .query_row("SELECT state FROM _feishu_state WHERE id = 1", [], |r| {
            r.get(0)
        })
        .ok();
    text.map(|t| feishu_sync::SyncState::from_json(&t).expect("a valid state"))
}

/// `DIR/state.json`, parsed (panics when it is not a valid state).
pub(crate) fn jsonl_state(dir: &Path) -> Option<feishu_sync::SyncState> {
    let text = std::fs::read_to_string(dir.join("state.json")).ok()?;
    Some(feishu_sync::SyncState::from_json(&text).expect("a valid state.json"))
}
