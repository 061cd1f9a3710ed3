//! Contact v3 endpoints of the fake tenant, over plain HTTP.

mod common;

use common::{get, get_query, tenant_token};
use feishu_testkit::{ContactDataset, ContactRange, FakeTenant};
use serde_json::Value;

#[tokio::test]
async fn children_honour_id_types_and_paging() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    let path = "/open-apis/contact/v3/departments/0/children";
    let a = get_query(
        &tenant,
        path,
        &token,
        &[("department_id_type", "department_id")],
    )
    .await;
    assert_eq!(a.code(), Some(0), "{}", a.text);
    let items = a.json["data"]["items"].as_array().unwrap();
    let ids: Vec<&str> = items
        .iter()
        .map(|d| d["department_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["D001", "D002", "D003"]);
    assert_eq!(a.json["data"]["has_more"], false);

    let a = get_query(
        &tenant,
        path,
        &token,
        &[("fetch_child", "true"), ("page_size", "50")],
    )
    .await;
    assert_eq!(a.json["data"]["items"].as_array().unwrap().len(), 50);
    assert_eq!(a.json["data"]["has_more"], true);
    let page_token = a.json["data"]["page_token"].as_str().unwrap().to_string();
    let b = get_query(
        &tenant,
        path,
        &token,
        &[
            ("fetch_child", "true"),
            ("page_size", "50"),
            ("page_token", &page_token),
        ],
    )
    .await;
    assert_eq!(b.json["data"]["items"].as_array().unwrap().len(), 16);
    assert_eq!(b.json["data"]["has_more"], false);

    // Paths take the id of department_id_type.
    let d004_open = tenant.contact().department_ids("open_department_id")[3].clone();
    let by_open = get(
        &tenant,
        &format!("/open-apis/contact/v3/departments/{d004_open}/children"),
        Some(&token),
    )
    .await;
    assert_eq!(by_open.code(), Some(0), "{}", by_open.text);
    let by_custom = get_query(
        &tenant,
        "/open-apis/contact/v3/departments/D004/children",
        &token,
        &[
            ("department_id_type", "department_id"),
            ("user_id_type", "user_id"),
        ],
    )
    .await;
    let custom_ids = |a: &Value| -> Vec<String> {
        a["data"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["department_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(custom_ids(&by_custom.json), custom_ids(&by_open.json));
    assert!(!custom_ids(&by_open.json).is_empty());
    let first = &by_custom.json["data"]["items"][0];
    assert_eq!(first["parent_department_id"], "D004");
    if let Some(leader) = first["leaders"][0]["leaderID"].as_str() {
        assert!(!leader.starts_with("ou_"));
        assert_eq!(first["leader_user_id"], leader);
    }
}

#[tokio::test]
async fn validation_errors_match_feishu() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    let path = "/open-apis/contact/v3/departments/0/children";
    let a = get_query(&tenant, path, &token, &[("page_size", "51")]).await;
    assert_eq!((a.status, a.code()), (400, Some(40011)));
    let a = get_query(&tenant, path, &token, &[("page_token", "garbage")]).await;
    assert_eq!((a.status, a.code()), (400, Some(40012)));
    let a = get_query(&tenant, path, &token, &[("user_id_type", "email")]).await;
    assert_eq!((a.status, a.code()), (400, Some(40001)));
    let a = get(
        &tenant,
        "/open-apis/contact/v3/departments/od-nope/children",
        Some(&token),
    )
    .await;
    assert_eq!((a.status, a.code()), (403, Some(40004)));
    let a = get(
        &tenant,
        "/open-apis/contact/v3/scopes?page_size=101",
        Some(&token),
    )
    .await;
    assert_eq!((a.status, a.code()), (400, Some(40011)));
    let a = get(
        &tenant,
        "/open-apis/contact/v3/users/find_by_department",
        Some(&token),
    )
    .await;
    assert_eq!((a.status, a.code()), (400, Some(40001)));

    let ids = tenant.contact().user_ids("open_id");
    let many: Vec<(&str, &str)> = ids[..51]
        .iter()
        .map(|id| ("user_ids", id.as_str()))
        .collect();
    let a = get_query(&tenant, "/open-apis/contact/v3/users/batch", &token, &many).await;
    assert_eq!((a.status, a.code()), (400, Some(40001)));
    let a = get_query(
        &tenant,
        "/open-apis/contact/v3/users/batch",
        &token,
        &many[..50],
    )
    .await;
    assert_eq!(a.json["data"]["items"].as_array().unwrap().len(), 50);

    let a = get(
        &tenant,
        "/open-apis/contact/v3/users/ou_unknown",
        Some(&token),
    )
    .await;
    assert_eq!((a.status, a.code()), (400, Some(41012)));
}

#[tokio::test]
async fn users_carry_all_ids_and_status() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    let user_id = tenant.contact().user_ids("user_id")[7].clone();
    let a = get_query(
        &tenant,
        &format!("/open-apis/contact/v3/users/{user_id}"),
        &token,
        &[
            ("user_id_type", "user_id"),
            ("department_id_type", "department_id"),
        ],
    )
    .await;
    let user = &a.json["data"]["user"];
    assert_eq!(user["user_id"], user_id.as_str());
    assert!(user["open_id"].as_str().unwrap().starts_with("ou_"));
    assert!(user["union_id"].as_str().unwrap().starts_with("on_"));
    assert!(
        user["department_ids"][0].as_str().unwrap().starts_with('D')
            || user["department_ids"][0] == "0"
    );
    assert!(user["status"]["is_resigned"].is_boolean());
    assert!(!tenant.contact().resigned_user_ids("user_id").is_empty());
}

#[tokio::test]
async fn restricted_range_and_size_knob() {
    let tenant = FakeTenant::start().await;
    tenant.contact().set_dataset(ContactDataset {
        users: 5000,
        ..ContactDataset::default()
    });
    assert_eq!(tenant.contact().user_ids("user_id").len(), 5000);
    assert_eq!(
        tenant.contact().subtree_user_ids("0", "open_id").len(),
        5000
    );
    let token = tenant_token(&tenant).await;
    tenant.contact().set_range(Some(ContactRange {
        departments: vec!["D005".into()],
        users: vec![tenant.contact().user_ids("user_id")[0].clone()],
    }));
    let a = get(
        &tenant,
        "/open-apis/contact/v3/departments/0/children",
        Some(&token),
    )
    .await;
    assert_eq!((a.status, a.code()), (403, Some(40004)));
    let a = get_query(
        &tenant,
        "/open-apis/contact/v3/scopes",
        &token,
        &[
            ("department_id_type", "department_id"),
            ("user_id_type", "user_id"),
        ],
    )
    .await;
    assert_eq!(
        a.json["data"]["department_ids"],
        serde_json::json!(["D005"])
    );
    assert_eq!(a.json["data"]["user_ids"].as_array().unwrap().len(), 1);
    let visible = tenant.contact().visible_user_ids("user_id");
    let subtree = tenant.contact().subtree_user_ids("D005", "user_id");
    assert!(visible.len() >= subtree.len() && visible.len() <= subtree.len() + 1);
}
