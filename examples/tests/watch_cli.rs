//! `feishu-sync watch` and `demo --watch`, run as the binary against the fake tenant: the
//! first read into SQLite, then events (posted to `--webhook` by the tenant) committed as
//! they come.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use feishu_examples::demo;
use rusqlite::{Connection, OptionalExtension};

/// 2026-11-01T00:00:00Z.
const NOW: i64 = 1_793_491_200_000;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("feishu-watch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_feishu-sync"))
}

/// Kills the child when the test ends, passed or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `data` of the `contact_users` row `id`, once committed.
fn user_row(db: &Path, id: &str) -> Option<serde_json::Value> {
    let conn = Connection::open(db).ok()?;
    let data: Option<String> = conn
        .query_row("SELECT data FROM contact_users WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()
        .ok()?;
    data.and_then(|d| serde_json::from_str(&d).ok())
}

/// Polls `ready` until it holds or `secs` pass.
async fn wait_for(secs: u64, what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_commits_webhook_events_into_sqlite() {
    let demo = demo::start(NOW).await;
    let events = demo.tenant.events();
    let dir = temp_dir("webhook");
    let mut config = serde_json::to_value(&demo.config).unwrap();
    config["credentials"]["app_secret"] = serde_json::Value::Null;
    // Only the Contact module: a short first read.
    for module in ["approval", "bitable", "attendance"] {
        config.as_object_mut().unwrap().remove(module);
    }
    let path = dir.join("config.json");
    std::fs::write(&path, config.to_string()).unwrap();
    let db = dir.join("replica.db");
    let port = free_port();
    let child = bin()
        .args(["watch", "--quiet", "--config"])
        .arg(&path)
        .arg("--sink")
        .arg(format!("sqlite:{}", db.display()))
        .args(["--webhook", &format!("127.0.0.1:{port}")])
        .env("FEISHU_APP_SECRET", demo.tenant.app_secret())
        .env(
            "FEISHU_VERIFICATION_TOKEN",
            demo.tenant.verification_token(),
        )
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let _running = Running(child);

    let contact = demo.tenant.contact();
    let user = contact.visible_user_ids("user_id")[0].clone();
    let open_id = contact.id_of(&user, "open_id").unwrap();
    wait_for(60, "the first read", || user_row(&db, &open_id).is_some()).await;

    events.set_webhook_url(Some(&format!("http://127.0.0.1:{port}/")));
    contact.rename_user(&user, "Renamed Over A Webhook");
    wait_for(30, "the renamed user", || {
        user_row(&db, &open_id).is_some_and(|u| u["name"] == "Renamed Over A Webhook")
    })
    .await;
    // The tenant's post was answered 200 once the re-read was committed.
    wait_for(10, "the webhook's answer", || {
        events.webhook_deliveries().iter().any(|d| d.status == 200)
    })
    .await;
    let state: String = Connection::open(&db)
        .unwrap()
        .query_row("SELECT state FROM _feishu_state", [], |r| r.get(0))
        .unwrap();
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert!(state["events"]["applied"].as_u64() >= Some(1), "{state}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_watch_shows_each_change_reaching_the_sink() {
    let dir = temp_dir("demo");
    let out = bin()
        .args(["demo", "--watch", "--rounds", "1", "--quiet", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.matches("committed after").count(), 2, "{stdout}");
    assert!(
        stdout.contains("approval instance") && stdout.contains("renamed"),
        "{stdout}"
    );
    assert!(!stdout.contains("NOT REACHED"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn watch_arguments_are_checked() {
    let out = bin()
        .args([
            "watch",
            "--config",
            "missing.json",
            "--reconcile-hours",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--reconcile-hours"), "{stderr}");
}
