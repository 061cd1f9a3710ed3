//! Wire-level checks of the Bitable write endpoints (plain reqwest, no SDK): storage on top of
//! generated records, Feishu's validation, client_token replay, the one-writer-per-table rule.

mod common;

use std::time::Duration;

use common::{Answer, answer, tenant_token};
use feishu_testkit::FakeTenant;
use serde_json::{Value, json};

const TOKEN_A: &str = "fe599b60-450f-46ff-b2ef-9f6675625b97";
const TOKEN_B: &str = "0b7c6a3e-2f1d-4c5b-9a8e-7d6c5b4a3f2e";

struct Wire {
    tenant: FakeTenant,
    token: String,
    http: reqwest::Client,
}

impl Wire {
    async fn new() -> Wire {
        let tenant = FakeTenant::start().await;
        let token = tenant_token(&tenant).await;
        Wire {
            tenant,
            token,
            http: reqwest::Client::new(),
        }
    }

    fn table_path(&self, table: &str) -> String {
        format!(
            "/open-apis/bitable/v1/apps/{}/tables/{table}",
            self.tenant.bitable().app_token()
        )
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let url = self.tenant.url(path);
        let mut req = match method {
            "POST" => self.http.post(url),
            "PUT" => self.http.put(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.get(url),
        }
        .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        answer(req.send().await.expect("request")).await
    }

    async fn search(&self, table: &str, body: Value) -> Answer {
        let path = format!("{}/records/search?page_size=500", self.table_path(table));
        self.send("POST", &path, Some(body)).await
    }
}

fn ok(a: &Answer) -> &Value {
    assert_eq!(a.code(), Some(0), "{}", a.text);
    &a.json["data"]
}

#[tokio::test]
async fn records_are_created_updated_and_deleted_on_top_of_generated_ones() {
    let w = Wire::new().await;
    let (app, table) = (
        w.tenant.bitable().app_token(),
        w.tenant.bitable().table_id(),
    );
    let before = w.tenant.bitable().record_count(&app, &table).unwrap();
    let path = format!("{}/records", w.table_path(&table));

    let created = w
        .send(
            "POST",
            &path,
            Some(json!({ "fields": { "Name": "Fresh", "Amount": 7.5, "Status": "Open" } })),
        )
        .await;
    let record = ok(&created)["record"].clone();
    let id = record["record_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("rec"));
    assert_eq!(record["fields"]["Name"], "Fresh");
    assert_eq!(
        w.tenant.bitable().record_count(&app, &table),
        Some(before + 1)
    );

    // A generated record is replaced by an update; only the given fields change.
    let generated = w.tenant.bitable().record_ids(&app, &table)[3].clone();
    let original = w
        .tenant
        .bitable()
        .record_json(&app, &table, 3, true)
        .unwrap();
    let updated = w
        .send(
            "PUT",
            &format!("{path}/{generated}"),
            Some(json!({ "fields": { "Amount": 1.25, "Tags": null } })),
        )
        .await;
    ok(&updated);
    let now = w
        .tenant
        .bitable()
        .record_json(&app, &table, 3, true)
        .unwrap();
    assert_eq!(now["fields"]["Amount"], 1.25);
    assert!(now["fields"].get("Tags").is_none(), "null clears");
    assert_eq!(now["fields"]["Name"], original["fields"]["Name"]);
    assert_ne!(now["last_modified_time"], original["last_modified_time"]);

    // The created record is found by search in the structured shape.
    let found = w
        .search(
            &table,
            json!({ "filter": { "conjunction": "and", "conditions": [
            { "field_name": "Name", "operator": "is", "value": ["Fresh"] }] } }),
        )
        .await;
    let items = ok(&found)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["record_id"], id.as_str());
    assert_eq!(
        items[0]["fields"]["Name"],
        json!([{ "type": "text", "text": "Fresh" }])
    );

    let deleted = w.send("DELETE", &format!("{path}/{id}"), None).await;
    assert_eq!(ok(&deleted)["deleted"], true);
    let deleted = w.send("DELETE", &format!("{path}/{generated}"), None).await;
    ok(&deleted);
    assert_eq!(
        w.tenant.bitable().record_count(&app, &table),
        Some(before - 1)
    );
    assert!(
        !w.tenant
            .bitable()
            .record_ids(&app, &table)
            .contains(&generated)
    );
    let again = w.send("DELETE", &format!("{path}/{generated}"), None).await;
    assert_eq!(again.code(), Some(1254043), "{}", again.text);

    // A full listing pages over what is left, in order, without the deleted records.
    let listed = w
        .send(
            "GET",
            &format!("{path}?page_size=500&text_field_as_array=true"),
            None,
        )
        .await;
    let ids: Vec<String> = ok(&listed)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["record_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, w.tenant.bitable().record_ids(&app, &table));
}

#[tokio::test]
async fn batches_apply_all_or_nothing_within_the_documented_maxima() {
    let w = Wire::new().await;
    let (app, table) = (
        w.tenant.bitable().app_token(),
        w.tenant.bitable().table_id(),
    );
    let path = format!("{}/records", w.table_path(&table));
    let before = w.tenant.bitable().record_count(&app, &table).unwrap();

    let rows: Vec<Value> = (0..1001)
        .map(|i| json!({ "fields": { "Name": format!("r{i}") } }))
        .collect();
    let over = w
        .send(
            "POST",
            &format!("{path}/batch_create"),
            Some(json!({ "records": rows })),
        )
        .await;
    assert_eq!(over.code(), Some(1254104), "{}", over.text);
    let rows: Vec<Value> = (0..1000)
        .map(|i| json!({ "fields": { "Name": format!("r{i}") } }))
        .collect();
    let created = w
        .send(
            "POST",
            &format!("{path}/batch_create"),
            Some(json!({ "records": rows })),
        )
        .await;
    let records = ok(&created)["records"].as_array().unwrap().clone();
    assert_eq!(records.len(), 1000);
    assert_eq!(
        records[999]["fields"]["Name"], "r999",
        "replies keep the request order"
    );
    assert_eq!(
        w.tenant.bitable().record_count(&app, &table),
        Some(before + 1000)
    );

    // One bad value refuses the whole batch.
    let ids: Vec<&str> = records
        .iter()
        .map(|r| r["record_id"].as_str().unwrap())
        .collect();
    let bad = json!({ "records": [
        { "record_id": ids[0], "fields": { "Amount": 1 } },
        { "record_id": ids[1], "fields": { "Amount": "lots" } },
    ] });
    let refused = w
        .send("POST", &format!("{path}/batch_update"), Some(bad))
        .await;
    assert_eq!(refused.code(), Some(1254061), "{}", refused.text);
    let first = w
        .tenant
        .bitable()
        .records(&app, &table)
        .into_iter()
        .find(|r| r["record_id"] == ids[0])
        .unwrap();
    assert!(
        first["fields"].get("Amount").is_none(),
        "nothing of a refused batch is applied"
    );

    // An unknown id refuses a batch delete; 501 ids are over its maximum.
    let gone = w
        .send(
            "POST",
            &format!("{path}/batch_delete"),
            Some(json!({ "records": [ids[0], "recDoesNotExist"] })),
        )
        .await;
    assert_eq!(gone.code(), Some(1254043), "{}", gone.text);
    let many: Vec<&str> = ids.iter().copied().cycle().take(501).collect();
    let over = w
        .send(
            "POST",
            &format!("{path}/batch_delete"),
            Some(json!({ "records": many })),
        )
        .await;
    assert_eq!(over.code(), Some(1254104), "{}", over.text);
    let removed = w
        .send(
            "POST",
            &format!("{path}/batch_delete"),
            Some(json!({ "records": &ids[..500] })),
        )
        .await;
    assert_eq!(ok(&removed)["records"].as_array().unwrap().len(), 500);
    assert_eq!(
        w.tenant.bitable().record_count(&app, &table),
        Some(before + 500)
    );
}

#[tokio::test]
async fn values_are_checked_per_field_type() {
    let w = Wire::new().await;
    let table = w.tenant.bitable().table_id();
    let path = format!("{}/records", w.table_path(&table));
    let cases = [
        (json!({ "Nope": "x" }), 1254045),
        (json!({ "Name": 12 }), 1254060),
        (json!({ "Amount": "12" }), 1254061),
        (json!({ "Status": ["Open"] }), 1254062),
        (json!({ "Tags": "vip" }), 1254063),
        (json!({ "Due": "2025-01-01" }), 1254064),
        (json!({ "Done": "yes" }), 1254065),
        (json!({ "Owner": [{ "id": "ou_unknown" }] }), 1254066),
        (json!({ "Customer": ["recUnknown"] }), 1254067),
        (json!({ "Site": "https://example.com" }), 1254068),
        (
            json!({ "Files": [{ "file_token": "boxcnNeverUploaded" }] }),
            1254303,
        ),
        (json!({ "Phone": "call me" }), 1254072),
        (json!({ "Partners": "recX" }), 1254074),
        (json!({ "Margin": 3 }), 1254015),
        (json!({ "No.": "7" }), 1254015),
        (json!({ "Name": "x".repeat(100_001) }), 1254130),
    ];
    for (fields, code) in cases {
        let a = w
            .send("POST", &path, Some(json!({ "fields": fields })))
            .await;
        assert_eq!(a.code(), Some(code), "{fields}: {}", a.text);
    }
    let bad_json = reqwest::Client::new()
        .post(w.tenant.url(&path))
        .bearer_auth(&w.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(answer(bad_json).await.code(), Some(1254000));
    let a = w.send("POST", &path, Some(json!({ "records": [] }))).await;
    assert_eq!(a.code(), Some(1254001), "{}", a.text);
}

#[tokio::test]
async fn every_writable_type_is_stored_and_read_back_in_the_read_shapes() {
    let w = Wire::new().await;
    let b = w.tenant.bitable();
    let (app, table) = (b.app_token(), b.table_id());
    let customer = b.record_ids(&app, &b.customers_table_id())[0].clone();
    let owner = b.record_json(&app, &table, 0, true).unwrap()["fields"]["Owner"][0]["id"].clone();
    let file = b.upload_attachment(&app, "po.pdf");
    let fields = json!({
        "Name": "All of them", "Email": "a@example.com", "Barcode": "FS1",
        "Amount": 12.5, "Progress": 0.25, "Price": 9.99, "Rating": 4,
        "Status": "Brand new", "Tags": ["vip", "fresh"], "Due": 1_735_689_600_000_i64,
        "Done": true, "Owner": [{ "id": owner }], "Phone": "+8613800000000",
        "Site": { "text": "home", "link": "https://example.com" },
        "Files": [{ "file_token": file }], "Customer": [customer], "Partners": [customer],
        "Where": "116.397755,39.903179", "Chat": [{ "id": "oc_0123456789abcdef" }],
    });
    let created = w
        .send(
            "POST",
            &format!("{}/records", w.table_path(&table)),
            Some(json!({ "fields": fields })),
        )
        .await;
    let id = ok(&created)["record"]["record_id"]
        .as_str()
        .unwrap()
        .to_string();
    let read = b
        .records(&app, &table)
        .into_iter()
        .find(|r| r["record_id"] == id.as_str())
        .unwrap();
    let f = &read["fields"];
    assert_eq!(
        f["Name"],
        json!([{ "type": "text", "text": "All of them" }])
    );
    assert_eq!(f["Email"][0]["link"], "mailto:a@example.com");
    assert_eq!(f["Amount"], 12.5);
    assert_eq!(f["Status"], "Brand new");
    assert_eq!(f["Tags"], json!(["vip", "fresh"]));
    assert_eq!(f["Due"], 1_735_689_600_000_i64);
    assert_eq!(f["Done"], true);
    assert_eq!(f["Owner"][0]["id"], owner);
    assert!(f["Owner"][0]["name"].is_string(), "persons are filled in");
    assert_eq!(
        f["Site"],
        json!({ "text": "home", "link": "https://example.com" })
    );
    assert_eq!(f["Files"][0]["file_token"], file.as_str());
    assert_eq!(f["Customer"], json!({ "link_record_ids": [customer] }));
    assert_eq!(f["Where"]["location"], "116.397755,39.903179");
    assert_eq!(f["Chat"][0]["id"], "oc_0123456789abcdef");
    assert!(
        f["Created"].is_i64() && f["No."].is_string(),
        "system fields are filled"
    );
    // A new option name adds the option to the field.
    let listed = w
        .send(
            "GET",
            &format!("{}/fields?page_size=100", w.table_path(&table)),
            None,
        )
        .await;
    let status = ok(&listed)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field_name"] == "Status")
        .unwrap()
        .clone();
    assert!(
        status["property"]["options"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["name"] == "Brand new")
    );
}

#[tokio::test]
async fn a_client_token_replays_the_first_reply_and_applies_once() {
    let w = Wire::new().await;
    let (app, table) = (
        w.tenant.bitable().app_token(),
        w.tenant.bitable().table_id(),
    );
    let path = format!(
        "{}/records/batch_create?client_token={TOKEN_A}",
        w.table_path(&table)
    );
    let body = json!({ "records": [{ "fields": { "Name": "once" } }, { "fields": { "Name": "twice?" } }] });
    let before = w.tenant.bitable().record_count(&app, &table).unwrap();
    let first = w.send("POST", &path, Some(body.clone())).await;
    let second = w.send("POST", &path, Some(body)).await;
    assert_eq!(ok(&first), ok(&second));
    assert_eq!(
        w.tenant.bitable().record_count(&app, &table),
        Some(before + 2)
    );
    assert_eq!(w.tenant.bitable().write_stats().token_replays, 1);

    let other = w
        .send(
            "POST",
            &path,
            Some(json!({ "records": [{ "fields": { "Name": "x" } }] })),
        )
        .await;
    assert_eq!(
        (other.status, other.code()),
        (400, Some(1255006)),
        "{}",
        other.text
    );
    let bad = w
        .send(
            "POST",
            &format!("{}/records?client_token=123", w.table_path(&table)),
            Some(json!({ "fields": {} })),
        )
        .await;
    assert_eq!((bad.status, bad.code()), (400, Some(1254037)));
    // The same token on another operation is another token.
    let single = w
        .send(
            "POST",
            &format!("{}/records?client_token={TOKEN_A}", w.table_path(&table)),
            Some(json!({ "fields": {} })),
        )
        .await;
    ok(&single);
}

#[tokio::test]
async fn concurrent_writes_to_one_table_conflict_and_other_tables_do_not() {
    let w = Wire::new().await;
    let b = w.tenant.bitable();
    b.set_write_duration(Duration::from_millis(300));
    let table = b.table_id();
    let other = b.add_empty_table("Other", &[("Key", 1)]);
    let one = format!("{}/records", w.table_path(&table));
    let two = format!("{}/records", w.table_path(&other));
    let body = || Some(json!({ "fields": {} }));
    let (a, c, d) = tokio::join!(
        w.send("POST", &one, body()),
        async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            w.send("POST", &one, body()).await
        },
        async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            w.send("POST", &two, body()).await
        },
    );
    ok(&a);
    assert_eq!((c.status, c.code()), (200, Some(1254291)), "{}", c.text);
    ok(&d);
    assert_eq!(b.write_stats().write_conflicts, 1);
    // A write after the reply of the previous one goes through.
    ok(&w.send("POST", &one, body()).await);

    // A token retried while its first call is still being processed: 1254608.
    let path = format!("{one}?client_token={TOKEN_B}");
    let (first, retry) = tokio::join!(w.send("POST", &path, body()), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        w.send("POST", &path, body()).await
    });
    ok(&first);
    assert_eq!(
        (retry.status, retry.code()),
        (403, Some(1254608)),
        "{}",
        retry.text
    );
}

#[tokio::test]
async fn tables_and_fields_can_be_provisioned() {
    let w = Wire::new().await;
    let b = w.tenant.bitable();
    let app = b.app_token();
    let tables = format!("/open-apis/bitable/v1/apps/{app}/tables");
    let created = w
        .send("POST", &tables, Some(json!({ "table": { "name": "Orders", "default_view_name": "All", "fields": [
            { "field_name": "Order", "type": 1 },
            { "field_name": "Amount", "type": 2, "ui_type": "Currency", "property": { "formatter": "0.00", "currency_code": "CNY" } },
            { "field_name": "State", "type": 3, "property": { "options": [{ "name": "new" }] } },
        ] } })))
        .await;
    let data = ok(&created).clone();
    let table = data["table_id"].as_str().unwrap().to_string();
    assert_eq!(data["field_id_list"].as_array().unwrap().len(), 3);
    assert!(data["default_view_id"].as_str().unwrap().starts_with("vew"));
    assert_eq!(b.field_names(&app, &table), ["Order", "Amount", "State"]);
    let dup = w
        .send(
            "POST",
            &tables,
            Some(json!({ "table": { "name": "Orders" } })),
        )
        .await;
    assert_eq!(dup.code(), Some(1254013));
    let bad_primary = w
        .send("POST", &tables, Some(json!({ "table": { "name": "X", "fields": [{ "field_name": "Done", "type": 7 }] } })))
        .await;
    assert_eq!(bad_primary.code(), Some(1254012));

    let fields = format!("/open-apis/bitable/v1/apps/{app}/tables/{table}/fields");
    let added = w
        .send(
            "POST",
            &format!("{fields}?client_token={TOKEN_A}"),
            Some(json!({ "field_name": "Note", "type": 1 })),
        )
        .await;
    let note = ok(&added)["field"]["field_id"]
        .as_str()
        .unwrap()
        .to_string();
    let records = format!("/open-apis/bitable/v1/apps/{app}/tables/{table}/records");
    ok(&w
        .send(
            "POST",
            &records,
            Some(json!({ "fields": { "Order": "SO-1", "Note": "fragile" } })),
        )
        .await);
    // Renaming a field keeps its cells under the new name.
    let renamed = w
        .send(
            "PUT",
            &format!("{fields}/{note}"),
            Some(json!({ "field_name": "Remark", "type": 1 })),
        )
        .await;
    assert_eq!(ok(&renamed)["field"]["field_name"], "Remark");
    let rows = b.records(&app, &table);
    assert_eq!(
        rows[0]["fields"]["Remark"],
        json!([{ "type": "text", "text": "fragile" }])
    );
    let gone = w.send("DELETE", &format!("{fields}/{note}"), None).await;
    assert_eq!(ok(&gone)["deleted"], true);
    assert!(b.records(&app, &table)[0]["fields"].get("Remark").is_none());
    let primary = data["field_id_list"][0].as_str().unwrap();
    let refused = w.send("DELETE", &format!("{fields}/{primary}"), None).await;
    assert_eq!(refused.code(), Some(1254046));
    let lookup = w
        .send(
            "POST",
            &fields,
            Some(json!({ "field_name": "L", "type": 19 })),
        )
        .await;
    assert_eq!(lookup.code(), Some(1254012));
    let unnamed = w
        .send(
            "POST",
            &fields,
            Some(json!({ "field_name": " ", "type": 1 })),
        )
        .await;
    assert_eq!((unnamed.status, unnamed.code()), (400, Some(1254028)));

    let dropped = w.send("DELETE", &format!("{tables}/{table}"), None).await;
    ok(&dropped);
    assert!(!b.table_ids(&app).contains(&table));
}

#[tokio::test]
async fn a_base_can_be_subscribed_to() {
    let w = Wire::new().await;
    let app = w.tenant.bitable().app_token();
    let path =
        |token: &str, query: &str| format!("/open-apis/drive/v1/files/{token}/subscribe{query}");
    assert!(!w.tenant.bitable().is_subscribed(&app, "bitable"));
    ok(&w
        .send("POST", &path(&app, "?file_type=bitable"), None)
        .await);
    ok(&w
        .send("POST", &path(&app, "?file_type=bitable"), None)
        .await);
    assert!(w.tenant.bitable().is_subscribed(&app, "bitable"));
    let a = w.send("POST", &path(&app, ""), None).await;
    assert_eq!((a.status, a.code()), (400, Some(1069602)));
    let a = w
        .send(
            "POST",
            &path(
                &app,
                "?file_type=bitable&event_type=file.created_in_folder_v1",
            ),
            None,
        )
        .await;
    assert_eq!(a.code(), Some(1069602));
    let a = w
        .send("POST", &path("bascnUnknown", "?file_type=bitable"), None)
        .await;
    assert_eq!((a.status, a.code()), (400, Some(1069604)));
}

#[tokio::test]
async fn lost_replies_leave_the_write_applied() {
    let w = Wire::new().await;
    let b = w.tenant.bitable();
    let (app, table) = (b.app_token(), b.add_empty_table("Lost", &[("Key", 1)]));
    b.set_lost_reply_share(1.0, Duration::from_millis(400));
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let result = http
        .post(w.tenant.url(&format!("{}/records", w.table_path(&table))))
        .bearer_auth(&w.token)
        .json(&json!({ "fields": { "Key": "k" } }))
        .send()
        .await;
    assert!(result.is_err_and(|e| e.is_timeout()));
    assert_eq!(b.record_count(&app, &table), Some(1));
}

#[tokio::test]
async fn searching_many_keys_of_a_stored_table_finds_exactly_them() {
    let w = Wire::new().await;
    let b = w.tenant.bitable();
    let (app, table) = (
        b.app_token(),
        b.add_empty_table("Keys", &[("Key", 1), ("N", 2)]),
    );
    let rows = (0..20_000)
        .map(|i| {
            json!({ "Key": format!("k{i}"), "N": i })
                .as_object()
                .unwrap()
                .clone()
        })
        .collect();
    assert_eq!(b.insert_records(&app, &table, rows).unwrap().len(), 20_000);
    let conditions: Vec<Value> = [5, 17, 19_999, 20_000]
        .iter()
        .map(|i| json!({ "field_name": "Key", "operator": "is", "value": [format!("k{i}")] }))
        .collect();
    let found = w
        .search(&table, json!({ "field_names": ["Key"], "filter": { "conjunction": "or", "conditions": conditions } }))
        .await;
    let keys: Vec<String> = ok(&found)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fields"]["Key"][0]["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys, ["k5", "k17", "k19999"]);
    assert!(
        b.insert_records(
            &app,
            &table,
            vec![json!({ "N": "x" }).as_object().unwrap().clone()]
        )
        .is_err()
    );
}
