//! `feishu-sync read`'s outputs across runs: a resumed JSON-lines output holds exactly the
//! records up to the last checkpoint and then the resumed ones; `--out DIR` resumes from the
//! directory's own state; `--full-refresh` starts over; two processes never share an output.

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::*;

/// Kills the child when the test ends early.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn read_cmd(tenant: &feishu_testkit::FakeTenant, config: &Path) -> Command {
    let mut cmd = feishu_sync();
    with_secret(&mut cmd, tenant)
        .args(["read", "--quiet", "--config"])
        .arg(config);
    cmd
}

fn run_read(
    tenant: &feishu_testkit::FakeTenant,
    config: &Path,
    extra: &[&str],
    out: &Path,
) -> std::process::Output {
    let out_arg = out.display().to_string();
    let sink: Vec<&str> = if out_arg.ends_with(".db") {
        vec!["--sink"]
    } else {
        vec!["--out"]
    };
    let target = if out_arg.ends_with(".db") {
        format!("sqlite:{out_arg}")
    } else {
        out_arg
    };
    let output = read_cmd(tenant, config)
        .args(extra)
        .args(&sink)
        .arg(&target)
        .output()
        .unwrap();
    assert_success(&output, &format!("read {extra:?} {target}"));
    output
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_torn_line_left_by_a_crash_is_cut_off_when_the_output_resumes() {
    let tenant = tenant(40, 20).await;
    let dir = scratch_dir("torn");
    let config = write_config(&dir, &config_json(&tenant));
    let clean = dir.join("clean");
    run_read(&tenant, &config, &[], &clean);
    let clean_keys = jsonl_keys(&clean);

    let out = dir.join("out");
    run_read(&tenant, &config, &[], &out);
    // A writer killed in the middle of a record: half a line at the end of two files.
    for (stream, torn) in [
        (
            "contact_users",
            &br#"{"open_id":"ou_torn","name":"Half"#[..],
        ),
        ("approval_instances", &br#"{"instance_code":"#[..]),
    ] {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(out.join(format!("{stream}.jsonl")))
            .unwrap();
        f.write_all(torn).unwrap();
    }
    run_read(&tenant, &config, &[], &out);
    // Every line parses (jsonl_keys panics otherwise) and nothing is lost or invented.
    assert_eq!(jsonl_keys(&out), clean_keys);
    assert!(support::run_finished(&jsonl_state(&out).unwrap()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_dir_resumes_from_its_state_full_refresh_starts_over_and_state_overrides() {
    let tenant = tenant(40, 20).await;
    let dir = scratch_dir("resume");
    let mut json = config_json(&tenant);
    // No lookback: a resumed run re-reads only the instances still pending.
    json["approval"]["lookback_days"] = 0.into();
    let config = write_config(&dir, &json);
    let out = dir.join("out");

    run_read(&tenant, &config, &[], &out);
    let first: Vec<usize> = streams().iter().map(|s| line_count(&out, s)).collect();
    let instances = line_count(&out, "approval_instances");
    let state = jsonl_state(&out).unwrap();
    let pending: usize = state.approval.values().map(|a| a.pending.len()).sum();
    assert!(
        instances > 0 && pending < instances,
        "{instances} {pending}"
    );

    // The same command again resumes: not every instance a second time.
    run_read(&tenant, &config, &[], &out);
    let again = line_count(&out, "approval_instances");
    assert!(
        again < 2 * instances,
        "the second run started over: {instances} then {again} lines"
    );
    let resumed = jsonl_state(&out).unwrap();
    for (code, a) in &state.approval {
        assert!(resumed.approval[code].cursor_ms >= a.cursor_ms, "{code}");
    }

    // --full-refresh: every output as after a first run.
    run_read(&tenant, &config, &["--full-refresh"], &out);
    let refreshed: Vec<usize> = streams().iter().map(|s| line_count(&out, s)).collect();
    assert_eq!(refreshed, first);

    // --state FILE overrides the directory's state: an empty one reads every instance.
    let empty = dir.join("empty-state.json");
    std::fs::write(&empty, feishu_sync::SyncState::default().to_json()).unwrap();
    run_read(
        &tenant,
        &config,
        &["--state", &empty.display().to_string()],
        &out,
    );
    assert_eq!(line_count(&out, "approval_instances"), 2 * instances);

    // The same for SQLite: --full-refresh empties the tables and the state.
    let db = dir.join("out.db");
    run_read(&tenant, &config, &[], &db);
    let keys = sqlite_keys(&db);
    assert!(sqlite_state(&db).is_some());
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        r#"INSERT INTO contact_users (id, data, emitted_at) VALUES ('ou_gone', '{"id":"ou_gone"}', 0)"#,
        [],
    )
    .unwrap();
    drop(conn);
    run_read(&tenant, &config, &["--full-refresh"], &db);
    assert_eq!(sqlite_keys(&db), keys, "the stale row is gone");
    let _ = std::fs::remove_dir_all(&dir);
}

fn streams() -> Vec<String> {
    specs().into_keys().collect()
}

/// Waits until `child` holds the output (its pid in the lock file) or has written records.
fn wait_until_writing(child: &mut Child, lock: &Path, out: &Path) {
    let pid = child.id().to_string();
    let start = Instant::now();
    loop {
        let locked = std::fs::read_to_string(lock).is_ok_and(|t| t.trim() == pid);
        let writing = std::fs::read_dir(out).is_ok_and(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".jsonl"))
        }) || out.extension().is_some_and(|e| e == "db") && out.exists();
        if locked || writing {
            return;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the first writer ended"
        );
        assert!(start.elapsed() < Duration::from_secs(60), "never started");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_on_the_same_output_is_refused_naming_the_holder() {
    // The default dataset takes the first writer several seconds (approval rate limits).
    let tenant = tenant(240, 120).await;
    let dir = scratch_dir("lock");
    let config = write_config(&dir, &config_json(&tenant));
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    // A temporary file a crashed writer left behind does not get in the way.
    std::fs::create_dir_all(out.join("state.json.tmp")).unwrap();
    let db = dir.join("out.db");
    for (target, lock) in [
        (
            vec!["--out".to_string(), out.display().to_string()],
            out.join("feishu-sync.lock"),
        ),
        (
            vec!["--sink".to_string(), format!("sqlite:{}", db.display())],
            dir.join("out.db.lock"),
        ),
    ] {
        let mut first = Running(
            read_cmd(&tenant, &config)
                .args(&target)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let where_ = Path::new(&target[1].trim_start_matches("sqlite:")).to_path_buf();
        wait_until_writing(&mut first.0, &lock, &where_);
        let second = read_cmd(&tenant, &config).args(&target).output().unwrap();
        let stderr = String::from_utf8_lossy(&second.stderr);
        assert_eq!(second.status.code(), Some(1), "{target:?}: {stderr}");
        assert!(
            stderr.contains("in use") && stderr.contains(&format!("pid {}", first.0.id())),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        let status = first.0.wait().unwrap();
        let mut rest = String::new();
        use std::io::Read;
        first
            .0
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut rest)
            .unwrap();
        assert!(status.success(), "{target:?}: {rest}");
    }
    // The winner's outputs are whole.
    let keys = jsonl_keys(&out);
    assert_eq!(keys, sqlite_keys(&db));
    assert!(jsonl_state(&out).is_some() && sqlite_state(&db).is_some());
    let _ = std::fs::remove_dir_all(&dir);
}
