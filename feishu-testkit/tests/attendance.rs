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

/// 2025-01-06 (Mon) 00:00 and 2025-01-11 (Sat) 00:00, China time.
const MON: i64 = 1_736_092_800;
const SAT: i64 = 1_736_524_800;
/// 2025-01-08 (Wed) 00:00 China time.
const WED: i64 = 1_736_265_600;

fn flows_body(ids: &[&str]) -> Value {
    json!({ "user_ids": ids, "check_time_from": MON.to_string(), "check_time_to": SAT.to_string() })
}

#[tokio::test]
async fn users_outside_the_data_scope() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    let ids = tenant.contact().user_ids("user_id");
    let (ok, outside) = (ids[0].as_str(), ids[1].as_str());
    tenant.attendance().set_out_of_scope_users(&[outside]);
    assert_eq!(tenant.attendance().out_of_scope_user_ids(), [outside]);
    let flows = format!("{FLOWS}?employee_type=employee_id");

    let (status, body) = post(&tenant, &token, &flows, flows_body(&[ok, outside])).await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (400, Some(1220005)),
        "{body}"
    );
    let (status, body) = post(&tenant, &token, &flows, flows_body(&[ok, "nobody"])).await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (400, Some(1220004)),
        "{body}"
    );
    let (status, body) = post(&tenant, &token, &flows, flows_body(&[ok])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        tenant.attendance().flow_count(
            "employee_id",
            &[ok.to_owned(), outside.to_owned()],
            MON,
            SAT
        ),
        body["data"]["user_flow_results"].as_array().unwrap().len()
    );

    let tasks_body = json!({ "user_ids": [ok, outside, "nobody"], "check_date_from": 20250106, "check_date_to": 20250110 });
    let (status, body) = post(
        &tenant,
        &token,
        &format!("{TASKS}?employee_type=employee_id&ignore_invalid_users=true"),
        tasks_body.clone(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["invalid_user_ids"], json!(["nobody"]));
    assert_eq!(body["data"]["unauthorized_user_ids"], json!([outside]));
    assert_eq!(
        body["data"]["user_task_results"].as_array().unwrap().len(),
        5
    );
    let (status, body) = post(
        &tenant,
        &token,
        &format!("{TASKS}?employee_type=employee_id"),
        json!({ "user_ids": [ok, outside], "check_date_from": 20250106, "check_date_to": 20250110 }),
    )
    .await;
    assert_eq!((status, body["code"].as_i64()), (400, Some(1220005)));
}

#[tokio::test]
async fn departed_users_and_reused_ids() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    let contact = tenant.contact();
    let id = contact.user_ids("user_id")[5].clone();
    let old_open_id = contact.user_ids("open_id")[5].clone();
    let flows = format!("{FLOWS}?employee_type=employee_id");
    let terminated = format!("{flows}&include_terminated_user=true");
    let count = |body: &Value| body["data"]["user_flow_results"].as_array().unwrap().len();

    contact.depart_user(&id, WED);
    // Contact forgets them: no id, no department lists them.
    assert!(!contact.user_ids("user_id").contains(&id));
    assert_eq!(
        contact.departed_user_ids("user_id"),
        std::slice::from_ref(&id)
    );
    let gone = common::get(
        &tenant,
        &format!("/open-apis/contact/v3/users/{old_open_id}"),
        Some(&token),
    )
    .await;
    assert_eq!((gone.status, gone.code()), (400, Some(41012)));
    // Their punches before leaving stay; with nobody else on the id, both modes return them.
    let (_, before) = post(&tenant, &token, &flows, flows_body(&[&id])).await;
    let checks: Vec<i64> = before["data"]["user_flow_results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check_time"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(
        !checks.is_empty() && checks.iter().all(|&t| t < WED),
        "{checks:?}"
    );

    // A new hire takes over the id: only with include_terminated_user do the departed
    // holder's punches come back.
    let new_open_id = contact.hire_successor(&id, WED);
    assert_ne!(new_open_id, old_open_id);
    assert!(contact.user_ids("user_id").contains(&id));
    let (_, current) = post(&tenant, &token, &flows, flows_body(&[&id])).await;
    let (_, all) = post(&tenant, &token, &terminated, flows_body(&[&id])).await;
    assert!(count(&current) > 0 && count(&all) == count(&current) + checks.len());
    let ids = [id.clone()];
    let attendance = tenant.attendance();
    assert_eq!(
        attendance.flow_count("employee_id", &ids, MON, SAT),
        count(&current)
    );
    assert_eq!(
        attendance.flow_count_including_terminated("employee_id", &ids, MON, SAT),
        count(&all)
    );
    for flow in current["data"]["user_flow_results"].as_array().unwrap() {
        let t: i64 = flow["check_time"].as_str().unwrap().parse().unwrap();
        assert!(t >= WED, "the new hire punched only after joining");
        assert_eq!(flow["user_id"], id.as_str());
    }
}
