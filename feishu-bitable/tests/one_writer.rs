//! One writer per table: Feishu refuses concurrent writes to one table (1254291), so the SDK
//! queues the writes of every handle of the process per table.

mod common;

use std::time::Duration;

use common::bitable_for;
use feishu_bitable::Fields;
use feishu_core::{Endpoint, Request};
use feishu_testkit::FakeTenant;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_tasks_write_ten_thousand_rows_to_one_table_without_a_conflict() {
    let tenant = FakeTenant::start().await;
    let b = tenant.bitable();
    // Each write keeps the table busy for 5 ms; overlapping writes would be refused.
    b.set_write_duration(Duration::from_millis(5));
    let (app, table) = (
        b.app_token(),
        b.add_empty_table("Events", &[("Key", 1), ("Task", 2)]),
    );
    // Two clients (and clones of their handles): the queue is shared by all of them.
    let handles = [bitable_for(&tenant), bitable_for(&tenant)];
    let tasks = (0..10).map(|task| {
        let bitable = handles[task % 2].clone();
        let (app, table) = (app.clone(), table.clone());
        tokio::spawn(async move {
            for batch in 0..10 {
                let rows = (0..100).map(|i| {
                    Fields::new()
                        .set("Key", format!("t{task}-b{batch}-r{i}"))
                        .set("Task", task as u32)
                });
                bitable
                    .batch_create_records(&app, &table, rows)
                    .send()
                    .await?;
            }
            Ok::<_, feishu_core::Error>(())
        })
    });
    for result in futures::future::join_all(tasks).await {
        result.expect("task").expect("every write succeeds");
    }
    let stats = b.write_stats();
    assert_eq!(stats.write_conflicts, 0, "no write overlapped another");
    assert_eq!(stats.writes_applied, 100);
    assert_eq!(b.record_count(&app, &table), Some(10_000));
    let keys: std::collections::HashSet<String> = b
        .records(&app, &table)
        .iter()
        .map(|r| r["fields"]["Key"][0]["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys.len(), 10_000, "every row once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_the_queue_the_same_writes_conflict() {
    // The control: the same concurrent batches sent through the bare client (no lane, no
    // Bitable code table) are refused.
    const RAW_BATCH_CREATE: Endpoint = Endpoint::post(
        "raw.batch_create",
        "bitable/v1/apps/{app_token}/tables/{table_id}/records/batch_create",
    );
    let tenant = FakeTenant::start().await;
    let b = tenant.bitable();
    b.set_write_duration(Duration::from_millis(50));
    let (app, table) = (b.app_token(), b.add_empty_table("Events", &[("Key", 1)]));
    let client = bitable_for(&tenant).client().clone();
    let sends = (0..10).map(|task| {
        let client = client.clone();
        let body = serde_json::json!({ "records": [{ "fields": { "Key": format!("t{task}") } }] });
        let req = Request::new(RAW_BATCH_CREATE, &[&app, &table]).and_then(|r| r.json(&body));
        async move { client.send::<serde_json::Value>(req?).await }
    });
    let codes: Vec<Option<i64>> = futures::future::join_all(sends)
        .await
        .iter()
        .map(|r| r.as_ref().err().and_then(feishu_core::Error::api_code))
        .collect();
    assert!(codes.contains(&Some(1254291)), "{codes:?}");
    assert!(b.write_stats().write_conflicts > 0);
}
