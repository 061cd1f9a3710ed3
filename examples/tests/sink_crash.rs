//! Crash consistency of both `feishu-sync read` outputs: the writer is killed at many points
//! (after N records, with a record half written, at each step of a checkpoint, and by a real
//! SIGKILL), then resumed; after each resume every line parses, the primary keys are exactly
//! those of a clean run, and the state is valid and finished.
#![cfg(unix)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use feishu_examples::sink::{CHECKPOINT_FILE, CRASH_ENV};
use feishu_testkit::FakeTenant;
use support::*;

/// SIGABRT, what `std::process::abort` dies of.
const SIGABRT: i32 = 6;

#[derive(Clone, Copy, PartialEq)]
enum Output {
    Jsonl,
    Sqlite,
}

struct Setup {
    tenant: FakeTenant,
    config: PathBuf,
    dir: PathBuf,
}

impl Setup {
    async fn new(name: &str) -> Setup {
        // 120 approval instances: each run takes a few seconds at Feishu's documented limits
        // and checkpoints about 15 times.
        let tenant = tenant(80, 40).await;
        let dir = scratch_dir(name);
        let config = write_config(&dir, &config_json(&tenant));
        Setup {
            tenant,
            config,
            dir,
        }
    }

    fn read(&self, output: Output, target: &Path, crash: Option<&str>) -> Command {
        let mut cmd = feishu_sync();
        with_secret(&mut cmd, &self.tenant)
            .args(["read", "--quiet", "--config"])
            .arg(&self.config);
        match output {
            Output::Jsonl => cmd.arg("--out").arg(target),
            Output::Sqlite => cmd
                .arg("--sink")
                .arg(format!("sqlite:{}", target.display())),
        };
        cmd.env_remove(CRASH_ENV);
        if let Some(plan) = crash {
            cmd.env(CRASH_ENV, plan);
        }
        cmd
    }

    fn keys(&self, output: Output, target: &Path) -> BTreeMap<String, BTreeSet<String>> {
        match output {
            Output::Jsonl => jsonl_keys(target),
            Output::Sqlite => sqlite_keys(target),
        }
    }

    /// The state the output holds (panics when it is not a valid state).
    fn state(&self, output: Output, target: &Path) -> Option<feishu_sync::SyncState> {
        match output {
            Output::Jsonl => {
                let checkpoint = std::fs::read_to_string(target.join(CHECKPOINT_FILE)).ok()?;
                let checkpoint: serde_json::Value = serde_json::from_str(&checkpoint).unwrap();
                let from_checkpoint = (!checkpoint["state"].is_null()).then(|| {
                    feishu_sync::SyncState::from_json(&checkpoint["state"].to_string()).unwrap()
                });
                // state.json is a copy: valid whenever present.
                let _ = jsonl_state(target);
                from_checkpoint
            }
            Output::Sqlite => sqlite_state(target),
        }
    }
}

/// Per stream file, its bytes up to the length the JSON-lines checkpoint records.
fn committed_prefixes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let Ok(text) = std::fs::read_to_string(dir.join(CHECKPOINT_FILE)) else {
        return BTreeMap::new();
    };
    let checkpoint: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut out = BTreeMap::new();
    for (stream, len) in checkpoint["lengths"].as_object().unwrap() {
        let bytes = std::fs::read(dir.join(format!("{stream}.jsonl"))).unwrap();
        let len = len.as_u64().unwrap() as usize;
        assert!(bytes.len() >= len, "{stream}: shorter than its checkpoint");
        out.insert(stream.clone(), bytes[..len].to_vec());
    }
    out
}

/// Whether some stream file ends inside a line (what the resume must cut off).
fn has_torn_tail(dir: &Path) -> bool {
    specs().keys().any(|s| {
        std::fs::read(dir.join(format!("{s}.jsonl")))
            .is_ok_and(|b| !b.is_empty() && b.last() != Some(&b'\n'))
    })
}

/// Runs one crash scenario: `plans` in turn (each must abort the writer), then a resume to
/// the end, then the checks.
fn scenario(
    setup: &Setup,
    output: Output,
    name: &str,
    plans: &[&str],
    clean: &BTreeMap<String, BTreeSet<String>>,
) -> bool {
    let target = match output {
        Output::Jsonl => setup.dir.join(name),
        Output::Sqlite => setup.dir.join(format!("{name}.db")),
    };
    let mut torn = false;
    for plan in plans {
        let out = setup.read(output, &target, Some(plan)).output().unwrap();
        assert_eq!(
            out.status.signal(),
            Some(SIGABRT),
            "{name}: {plan} did not abort the writer: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        // Before the resume: whatever the output holds as committed is a valid state.
        let _ = setup.state(output, &target);
        torn |= output == Output::Jsonl && has_torn_tail(&target);
    }
    resume_and_check(setup, output, &target, name, clean);
    torn
}

/// Resumes `target` to the end and checks it against the clean run.
fn resume_and_check(
    setup: &Setup,
    output: Output,
    target: &Path,
    name: &str,
    clean: &BTreeMap<String, BTreeSet<String>>,
) {
    let prefixes = match output {
        Output::Jsonl => committed_prefixes(target),
        Output::Sqlite => BTreeMap::new(),
    };
    let out = setup.read(output, target, None).output().unwrap();
    assert_success(&out, &format!("resuming {name}"));
    // Every line parses (the key readers panic otherwise); nothing lost, nothing invented.
    assert_eq!(&setup.keys(output, target), clean, "{name}");
    let state = setup.state(output, target).expect("a state after the run");
    let finished = support::run_finished(&state);
    assert!(finished, "{name}: the run finished: {state:?}");
    // JSON lines: what the last checkpoint covered is kept byte for byte.
    for (stream, prefix) in prefixes {
        let bytes = std::fs::read(target.join(format!("{stream}.jsonl"))).unwrap();
        assert!(
            bytes.starts_with(&prefix),
            "{name}: {stream} lost committed bytes"
        );
    }
}

/// Kills the writer with SIGKILL once it has committed a checkpoint and written on.
fn kill_9_while_writing(setup: &Setup, output: Output, target: &Path, after: Duration) {
    let mut child = setup
        .read(output, target, None)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let committed = || match output {
        Output::Jsonl => std::fs::read_to_string(target.join(CHECKPOINT_FILE))
            .is_ok_and(|t| t.contains("\"state\":{")),
        Output::Sqlite => rusqlite::Connection::open(target)
            .and_then(|c| c.query_row("SELECT count(*) FROM _feishu_state", [], |r| r.get(0)))
            .is_ok_and(|n: i64| n > 0),
    };
    while !committed() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the writer ended first"
        );
        assert!(started.elapsed() < Duration::from_secs(60), "no checkpoint");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(after);
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(status.signal() == Some(9) || status.success(), "{status:?}");
}

async fn crash_consistency(output: Output) {
    let name = match output {
        Output::Jsonl => "crash-jsonl",
        Output::Sqlite => "crash-sqlite",
    };
    let setup = Setup::new(name).await;
    let clean_target = match output {
        Output::Jsonl => setup.dir.join("clean"),
        Output::Sqlite => setup.dir.join("clean.db"),
    };
    let out = setup.read(output, &clean_target, None).output().unwrap();
    assert_success(&out, "the clean run");
    let clean = setup.keys(output, &clean_target);
    assert!(clean.values().all(|k| !k.is_empty()), "{clean:?}");

    let scenarios: &[(&str, &[&str])] = &[
        ("first-record", &["record:1"]),
        ("record-300", &["record:300"]),
        ("record-2500", &["record:2500"]),
        ("torn-40", &["torn:40"]),
        ("torn-1800", &["torn:1800"]),
        (
            "checkpoint-1-before-commit",
            &["checkpoint:1:before-commit"],
        ),
        ("checkpoint-3-temp-written", &["checkpoint:3:temp-written"]),
        ("checkpoint-2-after-commit", &["checkpoint:2:after-commit"]),
        (
            "checkpoint-6-before-commit",
            &["checkpoint:6:before-commit"],
        ),
        // Several crashes in a row, each in the run resuming the previous one.
        (
            "chain",
            &[
                "record:900",
                "checkpoint:2:after-commit",
                "torn:700",
                "checkpoint:1:temp-written",
                "record:50",
            ],
        ),
    ];
    let mut torn_seen = false;
    for (scenario_name, plans) in scenarios {
        torn_seen |= scenario(&setup, output, scenario_name, plans, &clean);
    }
    if output == Output::Jsonl {
        assert!(torn_seen, "no scenario left a torn line to cut off");
    }

    // Real SIGKILLs at different moments of a run.
    for (i, after) in [0u64, 150, 600].into_iter().enumerate() {
        let target = match output {
            Output::Jsonl => setup.dir.join(format!("kill-9-{i}")),
            Output::Sqlite => setup.dir.join(format!("kill-9-{i}.db")),
        };
        kill_9_while_writing(&setup, output, &target, Duration::from_millis(after));
        resume_and_check(&setup, output, &target, &format!("kill -9 #{i}"), &clean);
    }
    let _ = std::fs::remove_dir_all(&setup.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsonl_output_survives_a_crash_at_any_point() {
    crash_consistency(Output::Jsonl).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_output_survives_a_crash_at_any_point() {
    crash_consistency(Output::Sqlite).await;
}
