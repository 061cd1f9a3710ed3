//! A reply lost after the server applied a write, in the three ways a reply gets lost
//! (`LostReply`): held past the client's timeout, the connection reset before the reply, the
//! reply cut off in its body. Writes
//! that are idempotent or carry a client_token are sent again and apply once; the others are
//! not sent again and say the write may have been applied. Every case runs under each loss.

mod common;

use std::time::Duration;

use common::retrying_bitable;
use feishu_bitable::{Bitable, FieldType, Fields, NewField, NewTable, RecordUpdate};
use feishu_testkit::{FakeTenant, Fault, LostReply};

const TIMEOUT: Duration = Duration::from_millis(300);
const HELD: Duration = Duration::from_millis(900);

struct Setup {
    loss: LostReply,
    tenant: FakeTenant,
    bitable: Bitable,
    app: String,
    table: String,
}

async fn setup(loss: LostReply) -> Setup {
    // Printed with a failing case's output: which loss it ran under.
    eprintln!("reply lost by: {loss:?}");
    let tenant = FakeTenant::builder().connection_faults().start().await;
    let bitable = retrying_bitable(&tenant, TIMEOUT);
    let app = tenant.bitable().app_token();
    let table = tenant
        .bitable()
        .add_empty_table("Orders", &[("Order", 1), ("Amount", 2)]);
    // Fetch the token now, so the fault hits the write.
    bitable.client().tenant_access_token().await.unwrap();
    Setup {
        loss,
        tenant,
        bitable,
        app,
        table,
    }
}

impl Setup {
    fn path(&self, suffix: &str) -> String {
        format!(
            "/open-apis/bitable/v1/apps/{}/tables/{}{suffix}",
            self.app, self.table
        )
    }

    fn lose_next_reply(&self) {
        self.tenant.fail_next(1, self.loss.fault());
    }

    fn seed(&self, n: usize) -> Vec<String> {
        let rows = (0..n)
            .map(|i| {
                serde_json::json!({ "Order": format!("SO-{i}"), "Amount": i })
                    .as_object()
                    .unwrap()
                    .clone()
            })
            .collect();
        self.tenant
            .bitable()
            .insert_records(&self.app, &self.table, rows)
            .unwrap()
    }

    fn count(&self) -> u64 {
        self.tenant
            .bitable()
            .record_count(&self.app, &self.table)
            .unwrap()
    }
}

async fn a_create_sent_again_creates_one_record(loss: LostReply) {
    let s = setup(loss).await;
    s.lose_next_reply();
    let record = s
        .bitable
        .create_record(&s.app, &s.table, Fields::new().set("Order", "SO-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(s.tenant.count_path(&s.path("/records")), 2, "sent twice");
    assert_eq!(s.count(), 1, "applied once");
    assert_eq!(s.tenant.bitable().write_stats().token_replays, 1);
    assert_eq!(
        s.tenant.bitable().record_ids(&s.app, &s.table),
        [record.record_id.to_string()]
    );
}

async fn a_batch_create_sent_again_creates_each_row_once(loss: LostReply) {
    let s = setup(loss).await;
    s.lose_next_reply();
    let rows = (0..300).map(|i| Fields::new().set("Order", format!("SO-{i}")));
    let records = s
        .bitable
        .batch_create_records(&s.app, &s.table, rows)
        .send()
        .await
        .unwrap();
    assert_eq!(records.len(), 300);
    assert_eq!(s.tenant.count_path(&s.path("/records/batch_create")), 2);
    assert_eq!(s.count(), 300);
}

async fn updates_sent_again_leave_the_same_values(loss: LostReply) {
    let s = setup(loss).await;
    let ids = s.seed(3);
    s.lose_next_reply();
    s.bitable
        .update_record(&s.app, &s.table, &ids[0], Fields::new().set("Amount", 99))
        .send()
        .await
        .unwrap();
    assert_eq!(
        s.tenant
            .count_path(&s.path(&format!("/records/{}", ids[0]))),
        2
    );
    s.lose_next_reply();
    let changes = ids[1..]
        .iter()
        .map(|id| RecordUpdate::new(id.as_str(), Fields::new().set("Amount", 7)));
    s.bitable
        .batch_update_records(&s.app, &s.table, changes)
        .send()
        .await
        .unwrap();
    assert_eq!(s.tenant.count_path(&s.path("/records/batch_update")), 2);
    let amounts: Vec<f64> = s
        .tenant
        .bitable()
        .records(&s.app, &s.table)
        .iter()
        .map(|r| r["fields"]["Amount"].as_f64().unwrap())
        .collect();
    assert_eq!(amounts, [99.0, 7.0, 7.0]);
    assert_eq!(s.count(), 3);
}

async fn deletes_sent_again_report_the_records_gone(loss: LostReply) {
    let s = setup(loss).await;
    let ids = s.seed(4);
    s.lose_next_reply();
    let one = s
        .bitable
        .delete_record(&s.app, &s.table, &ids[0])
        .send()
        .await
        .unwrap();
    assert!(!one.deleted, "the repeat found it gone");
    assert_eq!(
        s.tenant
            .count_path(&s.path(&format!("/records/{}", ids[0]))),
        2
    );
    s.lose_next_reply();
    let batch = s
        .bitable
        .batch_delete_records(&s.app, &s.table, ids[1..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(batch.len(), 3);
    assert_eq!(s.count(), 0);
    assert_eq!(s.tenant.count_path(&s.path("/records/batch_delete")), 2);
}

async fn field_writes_sent_again_apply_once(loss: LostReply) {
    let s = setup(loss).await;
    s.lose_next_reply();
    let field = s
        .bitable
        .create_field(&s.app, &s.table, &NewField::new("Note", FieldType::Text))
        .await
        .unwrap();
    assert_eq!(s.tenant.count_path(&s.path("/fields")), 2);
    let names = || s.tenant.bitable().field_names(&s.app, &s.table);
    assert_eq!(names(), ["Order", "Amount", "Note"]);
    s.lose_next_reply();
    s.bitable
        .update_field(
            &s.app,
            &s.table,
            &field.field_id,
            &NewField::new("Remark", FieldType::Text),
        )
        .await
        .unwrap();
    assert_eq!(names(), ["Order", "Amount", "Remark"]);
    s.lose_next_reply();
    let gone = s
        .bitable
        .delete_field(&s.app, &s.table, &field.field_id)
        .await
        .unwrap();
    assert!(!gone.deleted, "the repeat found it gone");
    assert_eq!(names(), ["Order", "Amount"]);
    assert_eq!(
        s.tenant
            .count_path(&s.path(&format!("/fields/{}", field.field_id))),
        4
    );
}

async fn a_table_delete_sent_again_deletes_it(loss: LostReply) {
    let s = setup(loss).await;
    s.lose_next_reply();
    assert!(!s.bitable.delete_table(&s.app, &s.table).await.unwrap());
    assert!(!s.tenant.bitable().table_ids(&s.app).contains(&s.table));
    assert_eq!(s.tenant.count_path(&s.path("")), 2);
}

async fn writes_without_an_idempotency_key_are_not_sent_again(loss: LostReply) {
    let s = setup(loss).await;
    let tables = format!("/open-apis/bitable/v1/apps/{}/tables", s.app);
    s.lose_next_reply();
    let err = s
        .bitable
        .create_table(&s.app, &NewTable::new("Once"))
        .await
        .unwrap_err();
    assert!(err.write_may_have_applied(), "{err}");
    assert_eq!(s.tenant.count_path(&tables), 1, "not sent again");
    let names: Vec<String> = s
        .tenant
        .bitable()
        .table_ids(&s.app)
        .iter()
        .filter(|t| **t != s.table)
        .cloned()
        .collect();
    assert_eq!(names.len(), 3, "the two default tables and the one created");

    s.lose_next_reply();
    let err = s.bitable.subscribe_record_events(&s.app).await.unwrap_err();
    assert!(err.write_may_have_applied(), "{err}");
    assert!(s.tenant.bitable().is_subscribed(&s.app, "bitable"));
}

#[tokio::test]
async fn a_write_conflict_is_retried_even_without_an_idempotency_key() {
    let s = setup(LostReply::HeldPastTimeout(HELD)).await;
    let tables = format!("/open-apis/bitable/v1/apps/{}/tables", s.app);
    // 1254291: another writer held the table; nothing was applied, so it is safe to repeat.
    s.tenant.fail_next(
        2,
        Fault::Code {
            status: 200,
            code: 1254291,
        },
    );
    s.bitable
        .create_table(&s.app, &NewTable::new("After a conflict"))
        .await
        .unwrap();
    assert_eq!(s.tenant.count_path(&tables), 3);
    // 1254607 (data not ready) may come after part of a write: not repeated for it.
    s.tenant.fail_next(
        1,
        Fault::Code {
            status: 400,
            code: 1254607,
        },
    );
    let err = s
        .bitable
        .create_table(&s.app, &NewTable::new("Not ready"))
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1254607));
    assert_eq!(s.tenant.count_path(&tables), 4);
    // For a record create (client_token), the same code is retried.
    s.tenant.fail_next(
        1,
        Fault::Code {
            status: 400,
            code: 1254607,
        },
    );
    s.bitable
        .create_record(&s.app, &s.table, Fields::new().set("Order", "SO-9"))
        .send()
        .await
        .unwrap();
    assert_eq!(s.count(), 1);
}

feishu_testkit::each_lost_reply! {
    held_for: HELD,
    cases: [
        a_create_sent_again_creates_one_record,
        a_batch_create_sent_again_creates_each_row_once,
        updates_sent_again_leave_the_same_values,
        deletes_sent_again_report_the_records_gone,
        field_writes_sent_again_apply_once,
        a_table_delete_sent_again_deletes_it,
        writes_without_an_idempotency_key_are_not_sent_again,
    ],
}
