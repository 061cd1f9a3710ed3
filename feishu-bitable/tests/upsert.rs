//! Upserts over HTTP against the fake tenant: matching by key (scan and search), updates and
//! creates in batches, per-row failures, and no duplicates when replies are lost.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use common::{bitable_for, retrying_bitable};
use feishu_bitable::{
    Bitable, FieldType, FieldValue, Fields, KeyMatch, UpsertError, UpsertOutcome, UpsertSummary,
};
use feishu_testkit::FakeTenant;
use futures::StreamExt;
use serde_json::{Value, json};

struct Table {
    tenant: FakeTenant,
    app: String,
    table: String,
}

impl Table {
    async fn new(existing: usize) -> Table {
        let tenant = FakeTenant::start().await;
        let b = tenant.bitable();
        let (app, table) = (
            b.app_token(),
            b.add_empty_table("Orders", &[("Key", 1), ("Amount", 2), ("Status", 3)]),
        );
        let rows = (0..existing)
            .map(|i| obj(json!({ "Key": format!("k{i}"), "Amount": i, "Status": "old" })))
            .collect();
        b.insert_records(&app, &table, rows).unwrap();
        Table { tenant, app, table }
    }

    /// Key → (amount, status) of every record.
    fn rows(&self) -> Vec<(String, Option<f64>, Option<String>)> {
        self.tenant
            .bitable()
            .records(&self.app, &self.table)
            .iter()
            .map(|r| {
                let f = &r["fields"];
                (
                    f["Key"][0]["text"].as_str().unwrap_or_default().to_string(),
                    f["Amount"].as_f64(),
                    f["Status"].as_str().map(str::to_string),
                )
            })
            .collect()
    }

    fn searches(&self) -> Vec<Value> {
        let path = format!(
            "/open-apis/bitable/v1/apps/{}/tables/{}/records/search",
            self.app, self.table
        );
        self.tenant
            .journal()
            .into_iter()
            .filter(|e| e.path == path)
            .map(|e| e.body.unwrap_or_default())
            .collect()
    }
}

fn obj(v: Value) -> serde_json::Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn row(key: &str, amount: f64) -> Fields {
    Fields::new()
        .set("Key", key)
        .set("Amount", amount)
        .set("Status", FieldValue::SingleSelect("new".into()))
}

async fn upsert(bitable: &Bitable, t: &Table, rows: Vec<Fields>, how: KeyMatch) -> UpsertSummary {
    bitable
        .upsert_records(&t.app, &t.table, "Key", rows)
        .match_keys(how)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn existing_keys_are_updated_and_new_ones_created() {
    let t = Table::new(300).await;
    let bitable = bitable_for(&t.tenant);
    let rows: Vec<Fields> = (150..450)
        .map(|i| row(&format!("k{i}"), -(i as f64)))
        .collect();
    let summary = upsert(&bitable, &t, rows.clone(), KeyMatch::Auto).await;
    assert_eq!(
        (summary.created, summary.updated, summary.failed),
        (150, 150, 0)
    );
    let seen: HashSet<usize> = summary.outcomes.iter().map(UpsertOutcome::row).collect();
    assert_eq!(seen, (0..300).collect(), "one outcome per row");

    let rows_now = t.rows();
    assert_eq!(rows_now.len(), 450);
    let by_key: BTreeMap<&str, (Option<f64>, Option<&str>)> = rows_now
        .iter()
        .map(|(k, a, s)| (k.as_str(), (*a, s.as_deref())))
        .collect();
    assert_eq!(by_key["k10"], (Some(10.0), Some("old")), "untouched");
    assert_eq!(by_key["k200"], (Some(-200.0), Some("new")), "updated");
    assert_eq!(by_key["k449"], (Some(-449.0), Some("new")), "created");
    // The updated records kept their ids: an update, not a delete and create.
    let outcome_ids: HashSet<String> = summary
        .outcomes
        .iter()
        .filter(|o| matches!(o, UpsertOutcome::Updated { .. }))
        .map(|o| o.record_id().unwrap().to_string())
        .collect();
    let original: HashSet<String> = t.tenant.bitable().record_ids(&t.app, &t.table)[150..300]
        .iter()
        .cloned()
        .collect();
    assert_eq!(outcome_ids, original);

    // Again: everything is an update now, nothing is added.
    let again = upsert(&bitable, &t, rows, KeyMatch::Auto).await;
    assert_eq!((again.created, again.updated, again.failed), (0, 300, 0));
    assert_eq!(t.rows().len(), 450);
}

#[tokio::test]
async fn scan_and_search_decide_alike_and_auto_picks_the_cheaper() {
    for how in [KeyMatch::Scan, KeyMatch::Search] {
        let t = Table::new(120).await;
        let bitable = bitable_for(&t.tenant);
        let rows: Vec<Fields> = (100..180).map(|i| row(&format!("k{i}"), 1.0)).collect();
        let s = upsert(&bitable, &t, rows, how).await;
        assert_eq!((s.created, s.updated, s.failed), (60, 20, 0), "{how:?}");
        let filtered = t
            .searches()
            .iter()
            .filter(|b| b.get("filter").is_some())
            .count();
        match how {
            KeyMatch::Scan => assert_eq!(filtered, 0),
            _ => assert_eq!(filtered, 2, "80 keys, 50 per search"),
        }
    }
    // Few keys into a big table: searching (1 call) beats scanning (40 pages).
    let t = Table::new(20_000).await;
    let bitable = bitable_for(&t.tenant);
    let s = upsert(
        &bitable,
        &t,
        vec![row("k19999", 5.0), row("fresh", 6.0)],
        KeyMatch::Auto,
    )
    .await;
    assert_eq!((s.created, s.updated), (1, 1));
    let searches = t.searches();
    assert_eq!(
        searches.len(),
        2,
        "the probe page, then one filtered search"
    );
    assert_eq!(searches[1]["filter"]["conjunction"], "or");
    assert_eq!(searches[1]["field_names"], json!(["Key"]));
    // Many keys into a small table: the probe page already holds the whole table.
    let t = Table::new(300).await;
    let bitable = bitable_for(&t.tenant);
    let rows: Vec<Fields> = (0..400).map(|i| row(&format!("k{i}"), 1.0)).collect();
    let s = upsert(&bitable, &t, rows, KeyMatch::Auto).await;
    assert_eq!((s.created, s.updated), (100, 300));
    assert_eq!(t.searches().len(), 1);
}

#[tokio::test]
async fn rows_that_cannot_be_written_fail_alone() {
    let t = Table::new(10).await;
    let b = t.tenant.bitable();
    b.insert_records(
        &t.app,
        &t.table,
        vec![
            obj(json!({ "Key": "twice" })),
            obj(json!({ "Key": "twice" })),
        ],
    )
    .unwrap();
    let bitable = bitable_for(&t.tenant);
    let formula = FieldValue::parse(FieldType::Formula, &json!({"type": 2, "value": [1]}));
    let mut rows: Vec<Fields> = (0..40).map(|i| row(&format!("n{i}"), i as f64)).collect();
    rows[3] = row("dup", 1.0);
    rows[9] = row("dup", 2.0);
    rows[12] = Fields::new().set("Amount", 1);
    rows[20] = row("twice", 1.0);
    rows[25] = row("bad", 1.0).set_raw("Amount", json!("not a number"));
    rows[30] = row("computed", 1.0).set("Amount", formula);
    rows[33] = row("k4", 44.0);
    let summary = upsert(&bitable, &t, rows, KeyMatch::Auto).await;
    let failed: BTreeMap<usize, &UpsertError> = summary
        .outcomes
        .iter()
        .filter_map(|o| match o {
            UpsertOutcome::Failed { row, reason } => Some((*row, reason)),
            _ => None,
        })
        .collect();
    assert_eq!(
        failed.keys().copied().collect::<Vec<_>>(),
        [3, 9, 12, 20, 25, 30]
    );
    assert!(matches!(failed[&3], UpsertError::DuplicateKey { rows, .. } if rows == &[3, 9]));
    assert!(matches!(failed[&12], UpsertError::MissingKey));
    assert!(
        matches!(failed[&20], UpsertError::AmbiguousKey { record_ids, .. } if record_ids.len() == 2)
    );
    assert!(
        matches!(failed[&25], UpsertError::Request(e) if e.api_code() == Some(1254061)),
        "{}",
        failed[&25]
    );
    assert!(matches!(failed[&30], UpsertError::InvalidRow(_)));
    assert_eq!((summary.created, summary.updated), (33, 1));
    let keys: Vec<String> = t.rows().into_iter().map(|r| r.0).collect();
    assert!(keys.contains(&"n39".to_string()) && !keys.contains(&"bad".to_string()));
    assert_eq!(
        keys.iter().filter(|k| *k == "twice").count(),
        2,
        "not touched"
    );
}

#[tokio::test]
async fn a_smaller_per_call_maximum_is_met_by_splitting() {
    let t = Table::new(0).await;
    let bitable = bitable_for(&t.tenant);
    // An older deployment's "at most 500": the batch of 1,000 is split in two.
    t.tenant.bitable().set_batch_limit(500);
    let rows: Vec<Fields> = (0..1000).map(|i| row(&format!("k{i}"), 0.0)).collect();
    let s = upsert(&bitable, &t, rows, KeyMatch::Scan).await;
    assert_eq!((s.created, s.failed), (1000, 0));
    let path = format!(
        "/open-apis/bitable/v1/apps/{}/tables/{}/records/batch_create",
        t.app, t.table
    );
    assert_eq!(t.tenant.count_path(&path), 3);
    assert_eq!(t.rows().len(), 1000);
}

#[tokio::test]
async fn bad_keys_and_arguments_fail_every_row() {
    let t = Table::new(5).await;
    let bitable = bitable_for(&t.tenant);
    let rows = vec![row("k1", 1.0), row("k9", 2.0)];
    let err = bitable
        .upsert_records(&t.app, &t.table, "Key", rows.clone())
        .batch_size(0)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, feishu_core::Error::InvalidArgument(_)),
        "{err}"
    );
    let streamed: Vec<UpsertOutcome> = bitable
        .upsert_records(&t.app, &t.table, "Key", rows.clone())
        .batch_size(1001)
        .into_stream()
        .collect()
        .await;
    assert_eq!(streamed.len(), 2);
    assert!(
        streamed
            .iter()
            .all(|o| matches!(o, UpsertOutcome::Failed { .. }))
    );

    let s = bitable
        .upsert_records(&t.app, &t.table, "Nope", rows.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(s.failed, 2);
    assert!(s.outcomes.iter().all(|o| matches!(
        o,
        UpsertOutcome::Failed {
            reason: UpsertError::UnmatchableKey(_),
            ..
        }
    )));
    // A single select can be a key; both rows carry the option "new": one key, two rows.
    let s = bitable
        .upsert_records(&t.app, &t.table, "Status", rows)
        .send()
        .await
        .unwrap();
    assert!(s.outcomes.iter().all(|o| matches!(
        o,
        UpsertOutcome::Failed {
            reason: UpsertError::DuplicateKey { .. },
            ..
        }
    )));
    assert_eq!(t.rows().len(), 5, "nothing was written");
}

#[tokio::test]
async fn no_rows_send_nothing() {
    let t = Table::new(3).await;
    let before = t.tenant.request_count();
    let s = upsert(&bitable_for(&t.tenant), &t, Vec::new(), KeyMatch::Auto).await;
    assert!(s.outcomes.is_empty() && s.created + s.updated + s.failed == 0);
    assert_eq!(t.tenant.request_count(), before);
}

#[tokio::test]
async fn lost_replies_leave_no_duplicates() {
    let t = Table::new(2_000).await;
    // 20 % of replies held back after the request was processed, past the client's timeout.
    t.tenant
        .bitable()
        .set_lost_reply_share(0.2, Duration::from_millis(600));
    let bitable = retrying_bitable(&t.tenant, Duration::from_millis(200));
    let rows: Vec<Fields> = (1_000..5_000).map(|i| row(&format!("k{i}"), 1.0)).collect();
    let s = bitable
        .upsert_records(&t.app, &t.table, "Key", rows)
        .batch_size(250)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (s.created, s.updated, s.failed),
        (3_000, 1_000, 0),
        "{:?}",
        s.outcomes
            .iter()
            .find(|o| matches!(o, UpsertOutcome::Failed { .. }))
    );
    let keys: Vec<String> = t.rows().into_iter().map(|r| r.0).collect();
    let unique: HashSet<&String> = keys.iter().collect();
    assert_eq!(keys.len(), 5_000);
    assert_eq!(unique.len(), 5_000, "no key twice");
    assert!(
        t.tenant.bitable().write_stats().token_replays > 0,
        "some creates were sent twice"
    );
}
