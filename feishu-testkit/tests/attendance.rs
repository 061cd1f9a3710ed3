//! Attendance v1 endpoints of the fake tenant, over plain HTTP.

mod common;

use common::tenant_token;
use feishu_testkit::{AttendanceDataset, FakeTenant};
use serde_json::{Value, json};

const FLOWS: &str = "/open-apis/attendance/v1/user_flows/query";
const TASKS: &str = "/open-apis/attendance/v1/user_tasks/query";

async fn post(tenant: &FakeTenant, token: &str, path_and_query: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(tenant.url(path_and_query))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn flows_follow_the_documented_shape() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    let ids = tenant.contact().user_ids("user_id")[..3].to_vec();
    // 2025-01-06 (Mon) 00:00 +08:00 .. 2025-01-11 00:00 +08:00
    let (from, to) = (1_736_092_800i64, 1_736_524_800i64);
    let (status, body) = post(
        &tenant,
        &token,
        &format!("{FLOWS}?employee_type=employee_id"),
        json!({ "user_ids": ids, "check_time_from": from.to_string(), "check_time_to": to.to_string() }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let flows = body["data"]["user_flow_results"].as_array().unwrap();
    assert_eq!(
        flows.len(),
        tenant
            .attendance()
            .flow_count("employee_id", &ids, from, to)
    );
    assert!(flows.len() >= 3 * 5 * 2 - 6);
    for f in flows {
        let t: i64 = f["check_time"].as_str().unwrap().parse().unwrap();
        assert!((from..to).contains(&t));
        assert!(f["record_id"].is_string() && f["type"].is_i64());
    }
}

#[tokio::test]
async fn validation_errors_match_feishu() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    let ids = tenant.contact().user_ids("user_id");
    let ok_body = json!({ "user_ids": [ids[0]], "check_time_from": "1736092800", "check_time_to": "1736179200" });
    let cases = [
        (
            format!("{FLOWS}?employee_type=open_id"),
            ok_body.clone(),
            1220001,
        ),
        (FLOWS.to_string(), ok_body.clone(), 1220001),
        (
            format!("{FLOWS}?employee_type=employee_id"),
            json!({ "user_ids": ids[..51], "check_time_from": "1736092800", "check_time_to": "1736179200" }),
            1220001,
        ),
        (
            format!("{FLOWS}?employee_type=employee_id"),
            json!({ "user_ids": [ids[0]], "check_time_from": "1736092800", "check_time_to": "1740000000" }),
            1220001,
        ),
        (
            format!("{FLOWS}?employee_type=employee_id"),
            json!({ "user_ids": ["nobody"], "check_time_from": "1736092800", "check_time_to": "1736179200" }),
            1220004,
        ),
        (
            format!("{TASKS}?employee_type=employee_id"),
            json!({ "user_ids": [ids[0]], "check_date_from": 20250101, "check_date_to": 20250301 }),
            1220001,
        ),
        (
            format!("{TASKS}?employee_type=employee_id"),
            json!({ "user_ids": [ids[0]], "check_date_from": 20250230, "check_date_to": 20250301 }),
            1220001,
        ),
    ];
    for (path, body, code) in cases {
        let (status, reply) = post(&tenant, &token, &path, body).await;
        assert_eq!(
            (status, reply["code"].as_i64()),
            (400, Some(code)),
            "{path}: {reply}"
        );
    }
    // A looser limit is a knob.
    tenant.attendance().set_dataset(AttendanceDataset {
        max_flow_span_secs: 90 * 86_400,
        ..AttendanceDataset::default()
    });
    let (status, _) = post(
        &tenant,
        &token,
        &format!("{FLOWS}?employee_type=employee_id"),
        json!({ "user_ids": [ids[0]], "check_time_from": "1736092800", "check_time_to": "1740000000" }),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn tasks_by_employee_no_with_invalid_users() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    let nos = tenant.contact().user_ids("employee_no")[..2].to_vec();
    let (status, body) = post(
        &tenant,
        &token,
        &format!("{TASKS}?employee_type=employee_no&ignore_invalid_users=true"),
        json!({ "user_ids": [nos[0], nos[1], "E99999"], "check_date_from": 20250106, "check_date_to": 20250112 }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let results = body["data"]["user_task_results"].as_array().unwrap();
    assert_eq!(results.len(), 2 * 5);
    assert_eq!(
        tenant
            .attendance()
            .task_count("employee_no", &nos, 20250106, 20250112),
        10
    );
    assert_eq!(body["data"]["invalid_user_ids"], json!(["E99999"]));
    assert_eq!(results[0]["day"], 20250106);
    assert_eq!(results[0]["user_id"], nos[0].as_str());
}
