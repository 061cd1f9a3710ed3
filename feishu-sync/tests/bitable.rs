//! `bitable_records` reads through search records: the view in the body, automatic fields,
//! `fields` exactly as received, resumable by page token.

mod common;

use common::{opts, read_all, source, tenant};
use feishu_sync::{BITABLE_RECORDS, Message, SyncState, TableRun};
use futures::StreamExt;
use serde_json::{Value, json};

fn records_path(app: &str, table: &str) -> String {
    format!("/open-apis/bitable/v1/apps/{app}/tables/{table}/records")
}

#[tokio::test]
async fn records_come_from_search_through_the_view_with_fields_as_received() {
    let mut t = tenant(0, 0, 1).await;
    let (app, table) = (
        t.tenant.bitable().app_token(),
        t.tenant.bitable().table_id(),
    );
    // The "Done" view shows only the records whose checkbox is ticked.
    let view = t.tenant.bitable().view_ids(&app, &table)[1].clone();
    t.config.bitable.as_mut().unwrap().view_id = Some(view.clone());
    let source = source(&t);
    t.tenant.clear_journal();
    let run = read_all(&source, opts().streams([BITABLE_RECORDS])).await;

    let path = records_path(&app, &table);
    let requests: Vec<_> = t
        .tenant
        .journal()
        .into_iter()
        .filter(|e| e.path.starts_with(&path))
        .collect();
    assert!(!requests.is_empty());
    for r in &requests {
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("POST", &*format!("{path}/search"))
        );
        assert_eq!(
            r.body,
            Some(json!({ "view_id": view, "automatic_fields": true }))
        );
    }

    let expected: Vec<Value> = (0..t.tenant.bitable().record_count(&app, &table).unwrap())
        .map(|i| {
            t.tenant
                .bitable()
                .record_json(&app, &table, i, true)
                .unwrap()
        })
        .filter(|r| r["fields"]["Done"] == json!(true))
        .collect();
    let records = run.records(BITABLE_RECORDS);
    assert!(!expected.is_empty() && expected.len() < 120);
    assert_eq!(records.len(), expected.len());
    for (got, want) in records.iter().zip(&expected) {
        assert_eq!(got["record_id"], want["record_id"]);
        assert_eq!(
            got["fields"], want["fields"],
            "fields exactly as search sent them"
        );
        assert_eq!(got["created_time"], want["created_time"]);
        assert_eq!(
            got["last_modified_by"]["id"],
            want["last_modified_by"]["id"]
        );
        assert_eq!(got["app_token"], json!(app));
    }
    // Search's structured shape: text as segments (the mention kept), numbers as numbers.
    assert!(records[0]["fields"]["Name"].is_array());
    assert!(records[0]["fields"]["Amount"].is_number());
}

#[tokio::test]
async fn a_cut_run_resumes_at_the_stored_page_token() {
    let t = tenant(0, 0, 1).await;
    let (app, table) = (
        t.tenant.bitable().app_token(),
        t.tenant.bitable().table_id(),
    );
    let source = source(&t);
    let options = || opts().streams([BITABLE_RECORDS]).checkpoint_every(50);
    // First run: stop at the first checkpoint.
    let mut stream = source.read(options()).unwrap();
    let mut first: Vec<Value> = Vec::new();
    let state = loop {
        match stream.next().await.unwrap().unwrap() {
            Message::Record(r) => first.push(r.data),
            Message::State(s) if !first.is_empty() => break s,
            _ => {}
        }
    };
    drop(stream);
    let token = match &state.bitable.as_ref().unwrap().tables[&table] {
        TableRun::Reading { page_token } => page_token.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(first.len(), 50);

    t.tenant.clear_journal();
    let run = read_all(&source, options().state(state)).await;
    let resumed = &t.tenant.journal()[0];
    assert!(resumed.path.ends_with("/records/search"));
    assert!(
        resumed
            .query
            .iter()
            .any(|(k, v)| k == "page_token" && *v == token),
        "{:?}",
        resumed.query
    );
    let mut ids: Vec<Value> = first.iter().map(|r| r["record_id"].clone()).collect();
    ids.extend(
        run.records(BITABLE_RECORDS)
            .iter()
            .map(|r| r["record_id"].clone()),
    );
    let all: Vec<Value> = t
        .tenant
        .bitable()
        .record_ids(&app, &table)
        .into_iter()
        .map(Value::String)
        .collect();
    assert_eq!(ids, all, "every record once, in order");
    assert!(run.last_state().unwrap().bitable.unwrap().tables.is_empty());
}

#[tokio::test]
async fn a_refused_page_token_restarts_the_table() {
    let t = tenant(0, 0, 1).await;
    let (app, table) = (
        t.tenant.bitable().app_token(),
        t.tenant.bitable().table_id(),
    );
    let state = SyncState::from_json(
        &json!({
            "version": 1,
            "bitable": { "app_token": app, "table_id": table, "page_token": "a-list-records-token" }
        })
        .to_string(),
    )
    .unwrap();
    let run = read_all(&source(&t), opts().streams([BITABLE_RECORDS]).state(state)).await;
    let ids: Vec<String> = run
        .records(BITABLE_RECORDS)
        .iter()
        .map(|r| r["record_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, t.tenant.bitable().record_ids(&app, &table));
    let refused: Vec<_> = t
        .tenant
        .journal()
        .into_iter()
        .filter(|e| e.path.ends_with("/records/search") && e.code != Some(0))
        .collect();
    assert_eq!(refused.len(), 1, "one refusal, then the first page");
}

/// The ids of the records of `stream` in `messages` covered by a state, per table.
fn covered_ids_by_table(messages: &[Message]) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut pending: Vec<(String, String)> = Vec::new();
    for m in messages {
        match m {
            Message::Record(r) => pending.push((
                r.data["table_id"].as_str().unwrap().to_string(),
                r.data["record_id"].as_str().unwrap().to_string(),
            )),
            Message::State(_) => {
                for (table, id) in pending.drain(..) {
                    out.entry(table).or_default().push(id);
                }
            }
            _ => {}
        }
    }
    out
}

/// `table_ids`: several tables read side by side (each table's first page is asked for
/// before the first table is done), a cut resumes each table at its own page token, and every
/// record of every table is read once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_tables_are_read_side_by_side_and_resume_each_on_its_own() {
    let mut t = tenant(0, 0, 1).await;
    let app = t.tenant.bitable().app_token();
    let first = t.tenant.bitable().table_id();
    let second = t.tenant.bitable().add_table("Second", 180);
    let empty = t.tenant.bitable().add_table("Empty", 0);
    let tables = vec![first.clone(), second.clone(), empty.clone()];
    let cfg = t.config.bitable.as_mut().unwrap();
    cfg.table_id = None;
    cfg.table_ids = Some(tables.clone());
    let source = source(&t);
    let options = || opts().streams([BITABLE_RECORDS]).checkpoint_every(40);

    // A first read cut once both big tables have a page token stored.
    let mut stream = source.read(options()).unwrap();
    let mut messages = Vec::new();
    let state = loop {
        let m = stream.next().await.unwrap().unwrap();
        messages.push(m.clone());
        if let Message::State(s) = m {
            let reading = s.bitable.as_ref().map_or(0, |b| {
                b.tables
                    .values()
                    .filter(|r| matches!(r, TableRun::Reading { .. }))
                    .count()
            });
            if reading == 2 {
                break s;
            }
        }
    };
    drop(stream);
    let mut ids = covered_ids_by_table(&messages);
    t.tenant.clear_journal();
    let resumed = read_all(&source, options().state(state)).await;
    // Each table continues at its own token: no table starts over.
    let search =
        |table: &str| format!("/open-apis/bitable/v1/apps/{app}/tables/{table}/records/search");
    for table in [&first, &second] {
        let firsts: Vec<_> = t
            .tenant
            .journal()
            .into_iter()
            .filter(|e| e.path == search(table))
            .take(1)
            .collect();
        assert!(
            firsts[0].query.iter().any(|(k, _)| k == "page_token"),
            "{table} resumed at its token"
        );
    }
    for (table, more) in covered_ids_by_table(&resumed.messages) {
        ids.entry(table).or_default().extend(more);
    }
    for table in &tables {
        let mut got = ids.get(table).cloned().unwrap_or_default();
        got.sort();
        let mut all = t.tenant.bitable().record_ids(&app, table);
        all.sort();
        assert_eq!(got, all, "{table}: every record once");
    }
    assert!(
        resumed
            .last_state()
            .unwrap()
            .bitable
            .unwrap()
            .tables
            .is_empty()
    );

    // Side by side: the second table's first page is asked for before the first table's
    // last page.
    t.tenant.clear_journal();
    read_all(&source, options()).await;
    let journal = t.tenant.journal();
    let first_of = |table: &str| journal.iter().position(|e| e.path == search(table));
    let last_of = |table: &str| journal.iter().rposition(|e| e.path == search(table));
    assert!(first_of(&second).unwrap() < last_of(&first).unwrap());
}

/// Without `table_id` or `table_ids`, every table of the Base is read.
#[tokio::test]
async fn every_table_of_the_base_by_default() {
    let mut t = tenant(0, 0, 1).await;
    let app = t.tenant.bitable().app_token();
    t.tenant.bitable().add_table("Extra", 30);
    t.config.bitable.as_mut().unwrap().table_id = None;
    let run = read_all(&source(&t), opts().streams([BITABLE_RECORDS])).await;
    let mut seen: Vec<String> = run
        .records(BITABLE_RECORDS)
        .iter()
        .map(|r| r["table_id"].as_str().unwrap().to_string())
        .collect();
    seen.sort();
    seen.dedup();
    let mut expected: Vec<String> = t
        .tenant
        .bitable()
        .table_ids(&app)
        .into_iter()
        .filter(|table| t.tenant.bitable().record_count(&app, table) > Some(0))
        .collect();
    expected.sort();
    assert_eq!(seen, expected);
    let total: u64 = t
        .tenant
        .bitable()
        .table_ids(&app)
        .iter()
        .filter_map(|table| t.tenant.bitable().record_count(&app, table))
        .sum();
    assert_eq!(run.records(BITABLE_RECORDS).len() as u64, total);
}
