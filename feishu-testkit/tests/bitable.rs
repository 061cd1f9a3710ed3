//! Wire-level checks of the Bitable and wiki endpoints (plain reqwest, no SDK).

mod common;

use common::{Answer, answer, get_query, tenant_token};
use feishu_testkit::FakeTenant;
use feishu_testkit::bitable::RecordShape;
use serde_json::{Value, json};

async fn search(tenant: &FakeTenant, token: &str, table: &str, query: &str, body: Value) -> Answer {
    let path = format!(
        "/open-apis/bitable/v1/apps/{}/tables/{table}/records/search{query}",
        tenant.bitable().app_token()
    );
    let response = reqwest::Client::new()
        .post(tenant.url(&path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request");
    answer(response).await
}

fn records_path(tenant: &FakeTenant, table: &str) -> String {
    format!(
        "/open-apis/bitable/v1/apps/{}/tables/{table}/records",
        tenant.bitable().app_token()
    )
}

#[tokio::test]
async fn list_and_search_shapes_differ_as_documented() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    let table = tenant.bitable().table_id();
    let list = get_query(
        &tenant,
        &records_path(&tenant, &table),
        &token,
        &[("page_size", "5")],
    )
    .await;
    assert_eq!(list.code(), Some(0), "{}", list.text);
    let found = search(&tenant, &token, &table, "?page_size=5", json!({})).await;
    assert_eq!(found.code(), Some(0), "{}", found.text);
    let l = &list.json["data"]["items"][0]["fields"];
    let s = &found.json["data"]["items"][0]["fields"];
    assert!(l["Name"].is_string() && s["Name"].is_array());
    assert!(
        l["Email"].is_string()
            && s["Email"][0]["link"]
                .as_str()
                .unwrap()
                .starts_with("mailto:")
    );
    assert!(l["Amount"].is_string() && s["Amount"].is_number());
    assert_eq!(
        l["Amount"].as_str().unwrap().parse::<f64>().unwrap(),
        s["Amount"].as_f64().unwrap()
    );
    assert!(
        l["Customer"][0]["record_ids"].is_array() && s["Customer"]["link_record_ids"].is_array()
    );
    assert!(l["Margin"][0]["text"].is_string() && s["Margin"]["type"] == json!(2));
    assert!(l["Creator"].is_object() && s["Creator"].is_array());
    assert_eq!(l["Status"], s["Status"]);
    assert_eq!(list.json["data"]["total"], json!(120));
    assert_eq!(list.json["data"]["has_more"], json!(true));
    assert!(found.json["data"]["items"][0]["record_url"].is_string());
    assert!(list.json["data"]["items"][0].get("created_time").is_none());
    // Ground truth matches the endpoint.
    assert_eq!(
        tenant
            .bitable()
            .record_json(&tenant.bitable().app_token(), &table, 0, true)
            .unwrap()["fields"],
        *s
    );
}

#[tokio::test]
async fn errors_use_documented_codes_and_statuses() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    let table = tenant.bitable().table_id();
    let path = records_path(&tenant, &table);
    let too_big = get_query(&tenant, &path, &token, &[("page_size", "501")]).await;
    assert_eq!((too_big.status, too_big.code()), (400, Some(1254011)));
    let ok = get_query(&tenant, &path, &token, &[("page_size", "500")]).await;
    assert_eq!(ok.json["data"]["items"].as_array().unwrap().len(), 120);
    let bad_table = get_query(&tenant, &records_path(&tenant, "tblMissing"), &token, &[]).await;
    assert_eq!((bad_table.status, bad_table.code()), (200, Some(1254041)));
    let bad_app = get_query(
        &tenant,
        "/open-apis/bitable/v1/apps/bascnMissing/tables",
        &token,
        &[],
    )
    .await;
    assert_eq!(bad_app.code(), Some(1254040));
    let bad_filter = get_query(
        &tenant,
        &path,
        &token,
        &[("filter", "CurrentValue.[Amount]>")],
    )
    .await;
    assert_eq!(bad_filter.code(), Some(1254018));
    let bad_sort = get_query(&tenant, &path, &token, &[("sort", "not json")]).await;
    assert_eq!(bad_sort.code(), Some(1254016));
    let bad_names = get_query(&tenant, &path, &token, &[("field_names", "[1]")]).await;
    assert_eq!(bad_names.code(), Some(1254024));
    let no_value = search(&tenant, &token, &table, "", json!({"filter": {"conjunction": "and", "conditions": [{"field_name": "Status", "operator": "isEmpty"}]}})).await;
    assert_eq!(no_value.code(), Some(1254018), "value must be present");
    tenant.bitable().deny_app(&tenant.bitable().app_token());
    let denied = get_query(&tenant, &path, &token, &[]).await;
    assert_eq!((denied.status, denied.code()), (403, Some(1254302)));
    assert!(denied.json["error"]["log_id"].is_string());
}

#[tokio::test]
async fn record_count_knob_and_lazy_generation() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    let app = tenant.bitable().app_token();
    let table = tenant.bitable().add_table("Large", 100_000);
    assert!(tenant.bitable().table_ids(&app).contains(&table));
    let ids = tenant.bitable().record_ids(&app, &table);
    assert_eq!(ids.len(), 100_000);
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), 100_000);
    let page = search(
        &tenant,
        &token,
        &table,
        "?page_size=2",
        json!({"field_names": ["Name"]}),
    )
    .await;
    assert_eq!(page.json["data"]["total"], json!(100_000));
    assert_eq!(page.json["data"]["items"][1]["record_id"], json!(ids[1]));
    assert_eq!(
        page.json["data"]["items"][1]["fields"]
            .as_object()
            .unwrap()
            .len(),
        1
    );
    // Shrinking keeps the ids of the remaining records.
    assert!(tenant.bitable().set_record_count(&app, &table, 3));
    assert_eq!(tenant.bitable().record_ids(&app, &table), ids[..3]);
    assert_eq!(tenant.bitable().record_count(&app, &table), Some(3));
}

#[tokio::test]
async fn wiki_get_node() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    let path = "/open-apis/wiki/v2/spaces/get_node";
    let node = get_query(
        &tenant,
        path,
        &token,
        &[("token", &tenant.bitable().wiki_node_token())],
    )
    .await;
    assert_eq!(node.json["data"]["node"]["obj_type"], json!("bitable"));
    assert_eq!(
        node.json["data"]["node"]["obj_token"],
        json!(tenant.bitable().app_token())
    );
    let by_obj = get_query(
        &tenant,
        path,
        &token,
        &[
            ("token", &tenant.bitable().app_token()),
            ("obj_type", "bitable"),
        ],
    )
    .await;
    assert_eq!(
        by_obj.json["data"]["node"]["node_token"],
        json!(tenant.bitable().wiki_node_token())
    );
    let missing = get_query(&tenant, path, &token, &[("token", "wikcnNope")]).await;
    assert_eq!((missing.status, missing.code()), (400, Some(131005)));
    let no_token = get_query(&tenant, path, &token, &[]).await;
    assert_eq!(no_token.code(), Some(131002));
    tenant
        .bitable()
        .add_wiki_node("wikcnSheet", "sheet", "shtcnX");
    let sheet = get_query(&tenant, path, &token, &[("token", "wikcnSheet")]).await;
    assert_eq!(sheet.json["data"]["node"]["obj_type"], json!("sheet"));
}

/// Every record of a table through `GET .../records` with these query pairs.
async fn list_all(
    tenant: &FakeTenant,
    token: &str,
    table: &str,
    query: &[(&str, &str)],
) -> Vec<Value> {
    let mut query = query.to_vec();
    query.push(("page_size", "500"));
    let page = get_query(tenant, &records_path(tenant, table), token, &query).await;
    assert_eq!(page.code(), Some(0), "{}", page.text);
    assert_eq!(page.json["data"]["has_more"], false);
    page.json["data"]["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn list_with_the_flag_gives_search_values_for_every_type() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    let table = tenant.bitable().table_id();
    // The all-types table has type 24 as the field guide spells it.
    let fields = get_query(
        &tenant,
        &format!(
            "/open-apis/bitable/v1/apps/{}/tables/{table}/fields",
            tenant.bitable().app_token()
        ),
        &token,
        &[("page_size", "100")],
    )
    .await;
    let fields = fields.json["data"]["items"].as_array().unwrap().clone();
    let flow = fields
        .iter()
        .find(|f| f["type"] == 24)
        .expect("a type 24 field");
    assert_eq!(flow["ui_type"], "Stage");

    let flagged = list_all(&tenant, &token, &table, &[("text_field_as_array", "true")]).await;
    let found = search(&tenant, &token, &table, "?page_size=500", json!({})).await;
    let found = found.json["data"]["items"].as_array().unwrap().clone();
    assert_eq!(flagged.len(), 120);
    let mut types_seen = std::collections::HashSet::new();
    for (l, s) in flagged.iter().zip(&found) {
        assert_eq!(l["record_id"], s["record_id"]);
        assert_eq!(l["fields"], s["fields"], "record {}", l["record_id"]);
        assert!(l.get("record_url").is_none(), "record_url is search's");
        for name in l["fields"].as_object().unwrap().keys() {
            types_seen.insert(name.clone());
        }
    }
    // Every field with a value appears somewhere (the button never has one).
    assert_eq!(types_seen.len(), fields.len() - 1);

    // Without the flag: the historic shape.
    let plain = list_all(&tenant, &token, &table, &[]).await;
    let (p, s) = (&plain[0]["fields"], &found[0]["fields"]);
    for name in ["Amount", "Progress", "Price", "Rating"] {
        let text = p[name]
            .as_str()
            .unwrap_or_else(|| panic!("{name} as a string"));
        assert_eq!(
            text.parse::<f64>().unwrap(),
            s[name].as_f64().unwrap(),
            "{name}"
        );
    }
    assert!(p["Name"].is_string() && p["Barcode"].is_string());

    // The knob makes the unflagged list structured too.
    tenant
        .bitable()
        .set_unflagged_list_shape(RecordShape::Structured);
    let structured = list_all(&tenant, &token, &table, &[]).await;
    assert_eq!(structured[0]["fields"], found[0]["fields"]);
    assert_eq!(
        tenant
            .bitable()
            .record_json(&tenant.bitable().app_token(), &table, 0, false)
            .unwrap()["fields"],
        found[0]["fields"]
    );
    tenant
        .bitable()
        .set_unflagged_list_shape(RecordShape::Historic);
    assert_eq!(list_all(&tenant, &token, &table, &[]).await, plain);
}
