//! The `bitable_upsert` command line (its interface is fixed: other tools drive it), run as a
//! process against a fake tenant over loopback.

use std::path::PathBuf;
use std::process::{Command, Output};

use feishu_testkit::FakeTenant;
use serde_json::{Value, json};

fn temp_csv(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("feishu-upsert-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rows.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn upsert(tenant: Option<&FakeTenant>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bitable_upsert"));
    cmd.args(args).arg("--quiet");
    cmd.env_remove("FEISHU_APP_ID")
        .env_remove("FEISHU_APP_SECRET");
    if let Some(t) = tenant {
        cmd.env("FEISHU_APP_ID", t.app_id())
            .env("FEISHU_APP_SECRET", t.app_secret());
    }
    cmd.output().expect("runs")
}

/// The last line of stdout, parsed.
fn summary(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().expect("a summary line");
    serde_json::from_str(last).expect("JSON")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_csv_is_upserted_into_a_table_by_its_key_column() {
    let tenant = FakeTenant::start().await;
    let b = tenant.bitable();
    let (app, table) = (
        b.app_token(),
        b.add_empty_table("Orders", &[("Order", 1), ("Amount", 2), ("Paid", 7)]),
    );
    let csv = temp_csv(
        "ok",
        "Order,Amount,Paid\nSO-1,10,yes\nSO-2,\"1,5\",no\nSO-3,30,\n\"SO-4\",40.5,true\n",
    );
    let args = |file: &PathBuf| {
        vec![
            "--base-url".to_string(),
            tenant.base_url(),
            "--app-token".into(),
            app.clone(),
            "--table-id".into(),
            table.clone(),
            "--key".into(),
            "Order".into(),
            file.display().to_string(),
        ]
    };
    let argv = args(&csv);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();

    // "1,5" is not a number: that row fails, the others are written.
    let out = upsert(Some(&tenant), &argv);
    assert_eq!(
        summary(&out),
        json!({ "created": 3, "updated": 0, "failed": 1 })
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .trim_end()
            .ends_with(r#"{"created":3,"updated":0,"failed":1}"#),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 3: Amount"), "{stderr}");

    // Fixed and run again: the three are updated, the fourth created.
    std::fs::write(&csv, "Order,Amount\nSO-1,11\nSO-2,15\nSO-3,33\nSO-4,44\n").unwrap();
    let out = upsert(Some(&tenant), &argv);
    assert_eq!(
        summary(&out),
        json!({ "created": 1, "updated": 3, "failed": 0 })
    );
    assert_eq!(out.status.code(), Some(0));
    let records = b.records(&app, &table);
    assert_eq!(records.len(), 4);
    // Records keep their creation order: SO-2 failed the first run.
    let amounts: Vec<(String, f64)> = records
        .iter()
        .map(|r| {
            let order = r["fields"]["Order"][0]["text"]
                .as_str()
                .unwrap()
                .to_string();
            (order, r["fields"]["Amount"].as_f64().unwrap())
        })
        .collect();
    let expected = [
        ("SO-1", 11.0),
        ("SO-3", 33.0),
        ("SO-4", 44.0),
        ("SO-2", 15.0),
    ];
    assert_eq!(amounts, expected.map(|(k, v)| (k.to_string(), v)));
    assert_eq!(
        records[0]["fields"]["Paid"], true,
        "cells not in the file keep their value"
    );

    // A column the table does not have: nothing is written, exit 2.
    std::fs::write(&csv, "Order,Colour\nSO-1,red\n").unwrap();
    let out = upsert(Some(&tenant), &argv);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        summary(&out),
        json!({ "created": 0, "updated": 0, "failed": 0 })
    );
}

#[test]
fn without_credentials_it_runs_against_the_fake_tenant() {
    let csv = temp_csv("demo", "Key,N\na,1\nb,2\na,3\n");
    let file = csv.display().to_string();
    let out = upsert(
        None,
        &[
            "--app-token",
            "bascnX",
            "--table-id",
            "tblX",
            "--key",
            "Key",
            &file,
        ],
    );
    assert_eq!(
        summary(&out),
        json!({ "created": 1, "updated": 0, "failed": 2 })
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("key \"a\" is on lines 2, 4"), "{stderr}");
}

#[test]
fn bad_arguments_exit_2_with_a_summary_line() {
    let out = upsert(
        None,
        &["--app-token", "bascnX", "--table-id", "tblX", "rows.csv"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        summary(&out),
        json!({ "created": 0, "updated": 0, "failed": 0 })
    );
    let out = upsert(
        None,
        &[
            "--app-token",
            "a",
            "--table-id",
            "t",
            "--key",
            "K",
            "/nonexistent.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}
