//! Records by id (`POST .../records/batch_get`) against the fake tenant: found records in
//! search's shape, deleted ids reported absent, arguments checked before anything is sent.

mod common;

use common::setup;
use feishu_bitable::{Fields, ListRequest, MAX_BATCH_GET};
use futures::TryStreamExt;

#[tokio::test]
async fn records_come_back_by_id_and_deleted_ones_as_absent() {
    let (tenant, bitable) = setup().await;
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    let ids = tenant.bitable().record_ids(&app, &table);
    let created = bitable
        .create_record(&app, &table, Fields::new().set("Name", "fresh"))
        .send()
        .await
        .unwrap();
    bitable
        .delete_record(&app, &table, ids[4].as_str())
        .send()
        .await
        .unwrap();
    let wanted = [
        ids[3].as_str(),
        created.record_id.as_str(),
        ids[4].as_str(),
        "recNeverWas",
    ];
    let found = bitable
        .batch_get_records(&app, &table, wanted)
        .automatic_fields(true)
        .send()
        .await
        .unwrap();
    let got: Vec<&str> = found.records.iter().map(|r| r.record_id.as_str()).collect();
    assert_eq!(got, [ids[3].as_str(), created.record_id.as_str()]);
    let absent: Vec<&str> = found.absent.iter().map(|id| id.as_str()).collect();
    assert_eq!(absent, [ids[4].as_str(), "recNeverWas"]);
    assert!(found.forbidden.is_empty());
    // The same record as search gives it (structured cells, automatic fields).
    let searched = bitable
        .search_records(&app, &table)
        .automatic_fields(true)
        .page_size(500)
        .into_stream()
        .try_filter(|r| futures::future::ready(r.record_id == ids[3].as_str()))
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    let mut by_id = found.records[0].clone();
    by_id.record_url = searched[0].record_url.clone();
    assert_eq!(by_id, searched[0]);
    assert!(found.records[0].created_time.is_some());
}

#[tokio::test]
async fn bad_id_lists_are_refused_before_a_request() {
    let (tenant, bitable) = setup().await;
    let (app, table) = (tenant.bitable().app_token(), tenant.bitable().table_id());
    let too_many: Vec<String> = (0..=MAX_BATCH_GET).map(|i| format!("rec{i}")).collect();
    for (ids, why) in [
        (Vec::new(), "at least one"),
        (too_many, "at most 100"),
        (vec!["recA".to_string(), String::new()], "id 1 is empty"),
    ] {
        let e = bitable
            .batch_get_records(&app, &table, ids)
            .send()
            .await
            .unwrap_err();
        assert!(e.to_string().contains(why), "{e}");
    }
    assert_eq!(tenant.request_count(), 0, "nothing was sent");
}
