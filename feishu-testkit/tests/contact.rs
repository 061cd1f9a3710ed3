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
    tenant.contact().set_range(Some(
        ContactRange::default()
            .with_departments(["D005"])
            .with_users([tenant.contact().user_ids("user_id")[0].clone()]),
    ));
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

const SCOPES: &str = "/open-apis/contact/v3/scopes";

fn members_path(group: &str) -> String {
    format!("/open-apis/contact/v3/group/{group}/member/simplelist")
}

/// Every `member_id` of a group listing, following page tokens.
async fn all_members(
    tenant: &FakeTenant,
    token: &str,
    group: &str,
    query: &[(&str, &str)],
) -> Vec<String> {
    let mut ids = Vec::new();
    let mut page_token = String::new();
    loop {
        let mut q = query.to_vec();
        q.push(("page_size", "1"));
        if !page_token.is_empty() {
            q.push(("page_token", &page_token));
        }
        let a = get_query(tenant, &members_path(group), token, &q).await;
        assert_eq!(a.code(), Some(0), "{}", a.text);
        for m in a.json["data"]["memberlist"].as_array().unwrap() {
            ids.push(m["member_id"].as_str().unwrap().to_owned());
        }
        if a.json["data"]["has_more"] == false {
            return ids;
        }
        page_token = a.json["data"]["page_token"].as_str().unwrap().to_owned();
    }
}

#[tokio::test]
async fn a_range_granted_through_a_group() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    let contact = tenant.contact();
    let groups = contact.group_ids();
    assert_eq!(groups.len(), 3);
    // All members: every group is listed.
    let all = get_query(&tenant, SCOPES, &token, &[]).await;
    assert_eq!(all.json["data"]["group_ids"], serde_json::json!(groups));

    let group = groups[0].clone();
    contact.set_range(Some(ContactRange::default().with_groups([group.clone()])));
    let scopes = get_query(&tenant, SCOPES, &token, &[]).await;
    assert_eq!(scopes.json["data"]["group_ids"], serde_json::json!([group]));
    assert_eq!(scopes.json["data"]["department_ids"], serde_json::json!([]));

    // Expanding the group gives its users; they are readable, others are not.
    let users = all_members(&tenant, &token, &group, &[("member_id_type", "user_id")]).await;
    assert_eq!(users, contact.group_user_ids(&group, "user_id"));
    assert!(!users.is_empty());
    let visible = contact.visible_user_ids("user_id");
    assert!(users.iter().all(|u| visible.contains(u)));
    let one = get_query(
        &tenant,
        &format!("/open-apis/contact/v3/users/{}", users[0]),
        &token,
        &[("user_id_type", "user_id")],
    )
    .await;
    assert_eq!(one.code(), Some(0), "{}", one.text);
    let outsider = contact
        .user_ids("user_id")
        .into_iter()
        .find(|u| !visible.contains(u))
        .unwrap();
    let denied = get_query(
        &tenant,
        &format!("/open-apis/contact/v3/users/{outsider}"),
        &token,
        &[("user_id_type", "user_id")],
    )
    .await;
    assert_eq!((denied.status, denied.code()), (400, Some(41050)));

    // Department members, then the department's subtree users are visible too.
    let depts = all_members(
        &tenant,
        &token,
        &group,
        &[
            ("member_type", "department"),
            ("member_id_type", "department_id"),
        ],
    )
    .await;
    assert_eq!(depts.len(), 1);
    for user in contact.subtree_user_ids(&depts[0], "user_id") {
        assert!(visible.contains(&user), "{user} of {}", depts[0]);
    }
    let open = all_members(&tenant, &token, &group, &[("member_type", "department")]).await;
    assert!(open[0].starts_with("od-"));

    // A group outside the range, an unknown one, and bad parameters.
    let other = get_query(&tenant, &members_path(&groups[1]), &token, &[]).await;
    assert_eq!((other.status, other.code()), (403, Some(42009)));
    let unknown = get_query(&tenant, &members_path("gnope"), &token, &[]).await;
    assert_eq!((unknown.status, unknown.code()), (400, Some(42002)));
    for (query, code) in [
        (vec![("member_type", "robot")], 41074),
        (vec![("member_id_type", "email")], 41071),
        (vec![("member_id_type", "department_id")], 41072),
        (
            vec![
                ("member_type", "department"),
                ("member_id_type", "union_id"),
            ],
            41072,
        ),
        (vec![("page_size", "101")], 40011),
        (vec![("page_token", "garbage")], 40012),
    ] {
        let a = get_query(&tenant, &members_path(&group), &token, &query).await;
        assert_eq!((a.status, a.code()), (400, Some(code)), "{query:?}");
    }
}

#[tokio::test]
async fn scope_user_ids_can_be_withheld() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    let contact = tenant.contact();
    let range = contact
        .sample_range()
        .with_groups([contact.group_ids()[2].clone()]);
    contact.set_range(Some(range.clone()));
    let query = [
        ("user_id_type", "user_id"),
        ("department_id_type", "department_id"),
    ];
    let full = get_query(&tenant, SCOPES, &token, &query).await;
    assert_eq!(
        full.json["data"]["user_ids"],
        serde_json::json!(range.users)
    );

    contact.withhold_scope_user_ids(true);
    let withheld = get_query(&tenant, SCOPES, &token, &query).await;
    let data = &withheld.json["data"];
    assert!(data.get("user_ids").is_none(), "{}", withheld.text);
    assert_eq!(data["department_ids"], serde_json::json!(range.departments));
    assert_eq!(data["group_ids"], serde_json::json!(range.groups));
    // The users are still in the range, just not named.
    assert!(
        contact
            .visible_user_ids("user_id")
            .contains(&range.users[0])
    );
}
