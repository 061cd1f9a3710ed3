//! The realistic preset turns on every rough edge at once, each visible over HTTP.

mod common;

use common::{get, get_query, tenant_token};
use feishu_testkit::{FakeTenant, REALISTIC_DEPARTURE};
use serde_json::{Value, json};

const FLOWS: &str = "/open-apis/attendance/v1/user_flows/query";

async fn flows(
    tenant: &FakeTenant,
    token: &str,
    query: &str,
    id: &str,
    from: i64,
    to: i64,
) -> Value {
    reqwest::Client::new()
        .post(tenant.url(&format!("{FLOWS}?employee_type=employee_id{query}")))
        .bearer_auth(token)
        .json(&json!({ "user_ids": [id], "check_time_from": from.to_string(), "check_time_to": to.to_string() }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_realistic_preset_shows_every_rough_edge() {
    let tenant = FakeTenant::builder().realistic().start().await;
    let token = tenant_token(&tenant).await;
    let contact = tenant.contact();

    // Part of the range comes through a group whose members nothing else grants.
    let scopes = get_query(
        &tenant,
        "/open-apis/contact/v3/scopes",
        &token,
        &[("department_id_type", "department_id")],
    )
    .await;
    let groups = scopes.json["data"]["group_ids"].as_array().unwrap().clone();
    assert_eq!(groups.len(), 1, "{}", scopes.text);
    assert!(
        !scopes.json["data"]["department_ids"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let group = groups[0].as_str().unwrap();
    let through_group: Vec<String> = contact
        .group_user_ids(group, "user_id")
        .into_iter()
        .filter(|u| !contact.subtree_user_ids("D004", "user_id").contains(u))
        .collect();
    assert!(!through_group.is_empty());
    let visible = contact.visible_user_ids("user_id");
    assert!(through_group.iter().all(|u| visible.contains(u)));

    // One visible user is outside the attendance data scope.
    let outside = tenant.attendance().out_of_scope_user_ids();
    assert_eq!(outside.len(), 1);
    assert!(visible.contains(&outside[0]));
    let refused = flows(
        &tenant,
        &token,
        "",
        &outside[0],
        REALISTIC_DEPARTURE,
        REALISTIC_DEPARTURE + 86_400,
    )
    .await;
    assert_eq!(refused["code"], 1220005);

    // A departed user: gone from Contact, their id reused, their December punches only with
    // include_terminated_user.
    let departed = contact.departed_user_ids("user_id");
    assert_eq!(departed.len(), 1);
    let departed_open_id = &contact.departed_user_ids("open_id")[0];
    assert!(!contact.user_ids("open_id").contains(departed_open_id));
    let december = (REALISTIC_DEPARTURE - 7 * 86_400, REALISTIC_DEPARTURE);
    let current = flows(&tenant, &token, "", &departed[0], december.0, december.1).await;
    assert_eq!(
        current["data"]["user_flow_results"],
        json!([]),
        "the successor had not joined"
    );
    let all = flows(
        &tenant,
        &token,
        "&include_terminated_user=true",
        &departed[0],
        december.0,
        december.1,
    )
    .await;
    assert!(
        !all["data"]["user_flow_results"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Bitable lists in the historic shape without the flag.
    let records = format!(
        "/open-apis/bitable/v1/apps/{}/tables/{}/records",
        tenant.bitable().app_token(),
        tenant.bitable().table_id()
    );
    let page = get_query(&tenant, &records, &token, &[("page_size", "1")]).await;
    assert!(page.json["data"]["items"][0]["fields"]["Amount"].is_string());

    // Errors name the log id both ways.
    let missing = get(&tenant, "/open-apis/testkit/v1/nope", Some(&token)).await;
    assert_eq!(
        missing.json["error"]["log_id"],
        missing.json["error"]["logid"]
    );
    assert_eq!(missing.json["error"]["logid"], missing.log_id().as_str());
}

#[tokio::test]
async fn the_default_tenant_has_none_of_it() {
    let tenant = FakeTenant::start().await;
    assert!(tenant.attendance().out_of_scope_user_ids().is_empty());
    assert!(tenant.contact().departed_user_ids("user_id").is_empty());
    let token = tenant_token(&tenant).await;
    let missing = get(&tenant, "/open-apis/testkit/v1/nope", Some(&token)).await;
    assert!(missing.json["error"].get("logid").is_none());
}
