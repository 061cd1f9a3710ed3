//! The `feishu-sync` command line and its sinks, against the fake tenant.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use feishu_examples::cli::{Args, read_into};
use feishu_examples::demo;
use feishu_examples::sink::{Sink, SinkOptions, SqliteSink};
use feishu_sync::{Message, ReadOptions, Source};
use futures::StreamExt;
use rusqlite::Connection;

/// 2026-11-01T00:00:00Z.
const NOW: i64 = 1_793_491_200_000;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("feishu-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A source without client-side limits: these tests assert behaviour, not pace.
fn fast_source(demo: &demo::Demo) -> Source {
    let client = feishu_core::Client::builder()
        .base_url(&demo.tenant.base_url())
        .credentials(feishu_core::Credentials::self_built(
            demo.tenant.app_id(),
            demo.tenant.app_secret(),
        ))
        .rate_limits(feishu_core::RateLimits::disabled())
        .build()
        .unwrap();
    Source::with_client(demo.config.clone(), client).unwrap()
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_feishu-sync"))
}

fn write_config(dir: &Path, config: &serde_json::Value) -> PathBuf {
    let path = dir.join("config.json");
    std::fs::write(&path, config.to_string()).unwrap();
    path
}

fn quiet_args(out: Option<PathBuf>, sink: Option<String>) -> Args {
    Args {
        command: "read".into(),
        out,
        sink,
        quiet: true,
        ..Args::default()
    }
}

/// Every table's rows as (key columns joined, data) pairs.
fn dump(db: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let conn = Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = BTreeMap::new();
    for t in tables {
        let mut rows = BTreeMap::new();
        let mut st = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = st.column_count();
        let data_col = st.column_index("data").unwrap();
        let mut q = st.query([]).unwrap();
        while let Some(row) = q.next().unwrap() {
            let key: Vec<String> = (0..n)
                .filter(|i| *i < data_col)
                .map(|i| row.get::<_, String>(i).unwrap())
                .collect();
            rows.insert(key.join("|"), row.get::<_, String>(data_col).unwrap());
        }
        out.insert(t, rows);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_sink_killed_mid_run_resumes_to_the_clean_tables() {
    let demo = demo::start(NOW).await;
    let source = fast_source(&demo);
    let dir = temp_dir("sqlite");

    // The clean run.
    let clean_db = dir.join("clean.db");
    let summary = read_into(
        &source,
        &quiet_args(None, Some(format!("sqlite:{}", clean_db.display()))),
        ReadOptions::default().now_ms(NOW),
    )
    .await
    .unwrap();
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    let clean = dump(&clean_db);
    assert_eq!(
        clean.len(),
        feishu_sync::all_streams().len(),
        "one table per stream"
    );
    for (stream, n) in &summary.records {
        // Primary keys are unique per stream, so the table has one row per record.
        assert_eq!(clean[stream].len() as u64, *n, "{stream}");
    }

    // A writer killed several times: it stops consuming and drops everything it holds
    // without committing, as a crash would. Each restart resumes from the database.
    let db = dir.join("killed.db");
    let catalog = source.catalog();
    let mut kills = 0;
    let mut a_record = None;
    for kill_after in [700usize, 1500, 2500, 4000] {
        let mut sink = SqliteSink::open(&db, &catalog, &SinkOptions::default()).unwrap();
        let mut options = ReadOptions::default().now_ms(NOW).checkpoint_every(200);
        if let Some(state) = sink.committed_state().unwrap() {
            options = options.state(state);
        }
        let mut stream = source.read(options).unwrap();
        let mut n = 0;
        while let Some(m) = stream.next().await {
            let m = m.unwrap();
            sink.write(&m).unwrap();
            if let Message::Record(r) = &m {
                a_record.get_or_insert_with(|| r.clone());
                n += 1;
                if n == kill_after {
                    kills += 1;
                    break;
                }
            }
        }
        drop(stream);
        drop(sink); // no finish(): the open transaction is lost
    }
    assert_eq!(kills, 4);
    // The last, uninterrupted run through the command's own code path.
    read_into(
        &source,
        &quiet_args(None, Some(format!("sqlite:{}", db.display()))),
        ReadOptions::default().now_ms(NOW),
    )
    .await
    .unwrap();
    assert_eq!(dump(&db), clean);

    // A record without its primary key is refused, not stored under an empty key.
    let mut keyless = a_record.unwrap();
    let key = &catalog
        .iter()
        .find(|s| s.name == keyless.stream)
        .unwrap()
        .primary_key[0][0];
    keyless.data.as_object_mut().unwrap().remove(key);
    let mut sink =
        SqliteSink::open(&dir.join("keyless.db"), &catalog, &SinkOptions::default()).unwrap();
    let err = sink.write(&Message::Record(keyless)).unwrap_err();
    assert!(err.contains("no primary key field"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsonl_sink_writes_one_file_per_stream_and_the_state() {
    let demo = demo::start(NOW).await;
    let source = fast_source(&demo);
    let dir = temp_dir("jsonl");
    let summary = read_into(
        &source,
        &quiet_args(Some(dir.clone()), None),
        ReadOptions::default().now_ms(NOW),
    )
    .await
    .unwrap();
    for (stream, n) in &summary.records {
        let text = std::fs::read_to_string(dir.join(format!("{stream}.jsonl"))).unwrap();
        assert_eq!(text.lines().count() as u64, *n, "{stream}");
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(v.is_object());
        }
    }
    let state = std::fs::read_to_string(dir.join("state.json")).unwrap();
    let state = feishu_sync::SyncState::from_json(&state).unwrap();
    let finished = state.approval.values().all(|a| a.run.is_none())
        && state.bitable.as_ref().is_none_or(|b| b.tables.is_empty())
        && state.attendance.as_ref().is_none_or(|a| a.run.is_none())
        && state.contact.as_ref().is_none_or(|c| c.run.is_none());
    assert!(finished, "the run finished: {state:?}");
    assert!(!state.approval.is_empty());
    let table = summary.table(source.client());
    assert!(
        table.contains("approval_instances") && table.contains("req/s"),
        "{table}"
    );
    // The demo tenant is realistic: the summary lists the warnings the read met (a user
    // outside the attendance data scope, with what to grant).
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    assert!(!summary.warnings.is_empty());
    assert!(table.contains("warning(s):"), "{table}");
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.starts_with("attendance_user_flows") && w.contains("skipped")),
        "{:?}",
        summary.warnings
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_work_and_fail_with_a_one_line_cause() {
    let demo = demo::start(NOW).await;
    let dir = temp_dir("cmd");
    let mut config = serde_json::to_value(&demo.config).unwrap();
    // Secrets are not serialised back: the command gets it from the environment.
    config["credentials"]["app_secret"] = serde_json::Value::Null;
    let path = write_config(&dir, &config);

    let out = bin()
        .args(["check", "--config"])
        .arg(&path)
        .env("FEISHU_APP_SECRET", demo.tenant.app_secret())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("approval: ok") && stdout.contains("contact: ok"),
        "{stdout}"
    );

    demo.tenant
        .forbid("/open-apis/contact/", "contact:contact.base:readonly");
    let out = bin()
        .args(["check", "--config"])
        .arg(&path)
        .env("FEISHU_APP_SECRET", demo.tenant.app_secret())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("contact: FAILED") && stdout.contains("contact:contact.base:readonly"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: check failed: ")
            && stderr.contains("contact: FAILED")
            && stderr.lines().count() == 1,
        "{stderr}"
    );

    // A stream that fails: the read goes on, then exits 1 with a one-line cause.
    let out = bin()
        .args(["read", "--quiet", "--streams", "contact_users", "--config"])
        .arg(&path)
        .arg("--out")
        .arg(dir.join("failed"))
        .env("FEISHU_APP_SECRET", demo.tenant.app_secret())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: 1 stream(s) incomplete (contact_users): ")
            && stderr.lines().count() == 1,
        "{stderr}"
    );
    demo.tenant.allow_all();

    // --base-url overrides the config's domain.
    let mut lark = config.clone();
    lark["domain"] = "lark".into();
    let elsewhere = dir.join("elsewhere.json");
    std::fs::write(&elsewhere, lark.to_string()).unwrap();
    let out = bin()
        .args(["check", "--base-url", &demo.tenant.base_url(), "--config"])
        .arg(&elsewhere)
        .env("FEISHU_APP_SECRET", demo.tenant.app_secret())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A closed stdout (`| head`) is an error, never a panic.
    let mut child = bin()
        .args(["catalog", "--config"])
        .arg(&path)
        .env("FEISHU_APP_SECRET", "x")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");

    let out = bin()
        .args(["catalog", "--config"])
        .arg(&path)
        .env("FEISHU_APP_SECRET", "x")
        .output()
        .unwrap();
    assert!(out.status.success());
    let catalog: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        catalog["streams"].as_array().unwrap().len(),
        feishu_sync::all_streams().len()
    );

    let out_dir = dir.join("out");
    let out = bin()
        .args([
            "read",
            "--quiet",
            "--streams",
            "contact_users,bitable_records",
            "--config",
        ])
        .arg(&path)
        .arg("--out")
        .arg(&out_dir)
        .env("FEISHU_APP_SECRET", demo.tenant.app_secret())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out_dir.join("contact_users.jsonl").exists());
    assert!(!out_dir.join("approval_instances.jsonl").exists());

    // Failures: a one-line cause, non-zero status, no panic or backtrace.
    let bad = write_config(
        &dir,
        &serde_json::json!({"credentials": {"auth_type": "oauth"}, "contact": {}}),
    );
    for args in [
        vec![
            "check".to_string(),
            "--config".into(),
            bad.display().to_string(),
        ],
        vec!["read".into(), "--config".into(), path.display().to_string()],
        vec![
            "read".into(),
            "--config".into(),
            "/no/such/file.json".into(),
            "--out".into(),
            "x".into(),
        ],
        vec!["frobnicate".into()],
        vec!["read".into(), "--bogus".into()],
        vec![
            "catalog".into(),
            "--base-url".into(),
            "not a url".into(),
            "--config".into(),
            path.display().to_string(),
        ],
    ] {
        let out = bin()
            .args(&args)
            .env("FEISHU_APP_SECRET", "x")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "{stderr}"
        );
    }
    let out = bin()
        .args(["check", "--config"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("credentials.auth_type"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_replaces_its_own_files_only() {
    let dir = temp_dir("demo");
    std::fs::write(dir.join("keep.txt"), "the user's").unwrap();
    std::fs::write(dir.join("contact_users.jsonl"), "{\"stale\":true}\n").unwrap();
    let out = bin()
        .args(["demo", "--quiet", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("keep.txt")).unwrap(),
        "the user's"
    );
    let users = std::fs::read_to_string(dir.join("contact_users.jsonl")).unwrap();
    assert!(
        !users.contains("stale") && users.lines().count() > 1,
        "{users}"
    );
    assert!(dir.join("state.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A partially-permitted tenant: users outside the attendance data scope, a contact range
/// that `scopes` lists without its individually granted users. The run reads everything
/// else, prints the warnings (even with `--quiet`) and exits 0; a missing API scope fails
/// the stream and the run exits 1 naming the scope.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_tenant_exits_0_with_warnings() {
    let demo = demo::start(NOW).await;
    let dir = temp_dir("partial");
    let mut config = serde_json::to_value(&demo.config).unwrap();
    config["credentials"]["app_secret"] = serde_json::Value::Null;
    let path = write_config(&dir, &config);
    let contact = demo.tenant.contact();
    contact.set_range(Some(contact.sample_range()));
    contact.withhold_scope_user_ids(true);
    let visible = contact.visible_user_ids("user_id");
    demo.tenant
        .attendance()
        .set_out_of_scope_users(&[&visible[1], &visible[4]]);
    let read = |out: &str| {
        bin()
            .args(["read", "--quiet", "--streams"])
            .arg("attendance_user_flows,contact_users")
            .arg("--config")
            .arg(&path)
            .arg("--out")
            .arg(dir.join(out))
            .env("FEISHU_APP_SECRET", demo.tenant.app_secret())
            .output()
            .unwrap()
    };
    let out = read("partial");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("attendance_user_flows: 2 user(s) skipped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("contact_users:") && stderr.contains("contact:user.employee_id:readonly"),
        "{stderr}"
    );

    demo.tenant
        .forbid("/open-apis/attendance/", "attendance:task:readonly");
    let out = read("forbidden");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: 1 stream(s) incomplete (attendance_user_flows): ")
            && last.contains("attendance:task:readonly"),
        "{stderr}"
    );
}
