//! The fake Approval v4 endpoints over raw HTTP: validation codes, paging, ground truth, knobs.

use feishu_testkit::FakeTenant;
use feishu_testkit::approval::{
    APPROVAL_CODE_DELETED, APPROVAL_CODE_LEAVE, APPROVAL_CODE_PURCHASE, ApprovalDataset,
    MalformedTaskList, TIMELINE_TYPES, WindowEnd,
};
use serde_json::{Value, json};

const NOW: i64 = 1_735_689_600_000;
const HOUR: i64 = 3_600_000;

struct Kit {
    tenant: FakeTenant,
    http: reqwest::Client,
    token: String,
}

impl Kit {
    async fn start(spec: ApprovalDataset) -> Kit {
        let tenant = FakeTenant::start().await;
        tenant.approval().set_dataset(spec);
        let http = reqwest::Client::new();
        let auth: Value = http
            .post(tenant.url("/open-apis/auth/v3/tenant_access_token/internal"))
            .json(&json!({ "app_id": tenant.app_id(), "app_secret": tenant.app_secret() }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = auth["tenant_access_token"].as_str().unwrap().to_string();
        Kit {
            tenant,
            http,
            token,
        }
    }

    async fn get(&self, path: &str, query: &[(&str, String)]) -> (u16, Value) {
        let r = self
            .http
            .get(self.tenant.url(path))
            .query(query)
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    async fn post(&self, path: &str, query: &[(&str, String)], body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.tenant.url(path))
            .query(query)
            .json(&body)
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }
}

fn list_query(code: &str, start: i64, end: i64) -> Vec<(&'static str, String)> {
    vec![
        ("approval_code", code.to_string()),
        ("start_time", start.to_string()),
        ("end_time", end.to_string()),
    ]
}

const LIST: &str = "/open-apis/approval/v4/instances";

#[tokio::test]
async fn list_validates_like_feishu() {
    let kit = Kit::start(ApprovalDataset::default().now_ms(NOW)).await;
    let full = list_query(APPROVAL_CODE_PURCHASE, NOW - HOUR, NOW);
    for missing in 0..3 {
        let mut q = full.clone();
        q.remove(missing);
        let (status, body) = kit.get(LIST, &q).await;
        assert_eq!(
            (status, body["code"].as_i64()),
            (400, Some(1390001)),
            "{q:?}"
        );
    }
    let (s, b) = kit.get(LIST, &list_query("NOPE", NOW - HOUR, NOW)).await;
    assert_eq!((s, b["code"].as_i64()), (400, Some(1390002)));
    let (_, b) = kit
        .get(LIST, &list_query(APPROVAL_CODE_DELETED, NOW - HOUR, NOW))
        .await;
    assert_eq!(b["code"], 1390016);
    // Window: exactly 10 h is fine, one ms more is refused.
    let (_, b) = kit
        .get(
            LIST,
            &list_query(APPROVAL_CODE_PURCHASE, NOW - 10 * HOUR, NOW),
        )
        .await;
    assert_eq!(b["code"], 0);
    let (s, b) = kit
        .get(
            LIST,
            &list_query(APPROVAL_CODE_PURCHASE, NOW - 10 * HOUR - 1, NOW),
        )
        .await;
    assert_eq!((s, b["code"].as_i64()), (400, Some(1390001)));
    let (_, b) = kit
        .get(LIST, &list_query(APPROVAL_CODE_PURCHASE, NOW, NOW - 1))
        .await;
    assert_eq!(b["code"], 1390001);
    for size in ["0", "101", "x"] {
        let mut q = full.clone();
        q.push(("page_size", size.into()));
        let (_, b) = kit.get(LIST, &q).await;
        assert_eq!(b["code"], 1390001, "page_size {size}");
    }
    let mut q = full.clone();
    q.push(("page_token", "garbage".into()));
    assert_eq!(kit.get(LIST, &q).await.1["code"], 1390001);
}

#[tokio::test]
async fn list_pages_inclusive_windows_in_creation_order() {
    let kit = Kit::start(ApprovalDataset::dense(NOW)).await;
    let (start, end) = (NOW - 10 * HOUR, NOW);
    let truth = kit
        .tenant
        .approval()
        .instance_codes(APPROVAL_CODE_PURCHASE, start, end);
    assert!(truth.len() > 100);
    let mut got = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut q = list_query(APPROVAL_CODE_PURCHASE, start, end);
        q.push(("page_size", "30".into()));
        if let Some(t) = &token {
            assert!(t.contains('/') && t.contains('+') && t.contains('='));
            q.push(("page_token", t.clone()));
        }
        let (_, b) = kit.get(LIST, &q).await;
        assert_eq!(b["code"], 0);
        let page: Vec<String> =
            serde_json::from_value(b["data"]["instance_code_list"].clone()).unwrap();
        assert!(page.len() <= 30);
        got.extend(page);
        if b["data"]["has_more"] == false {
            assert!(b["data"].get("page_token").is_none());
            break;
        }
        token = b["data"]["page_token"].as_str().map(str::to_string);
    }
    assert_eq!(got, truth);
    // Both ends are inclusive.
    let on_start = kit
        .tenant
        .approval()
        .add_instance(APPROVAL_CODE_PURCHASE, start, "PENDING");
    let on_end = kit
        .tenant
        .approval()
        .add_instance(APPROVAL_CODE_PURCHASE, end, "PENDING");
    let (_, b) = kit
        .get(LIST, &list_query(APPROVAL_CODE_PURCHASE, end, end))
        .await;
    assert!(
        b["data"]["instance_code_list"]
            .as_array()
            .unwrap()
            .contains(&json!(on_end))
    );
    let (_, b) = kit
        .get(LIST, &list_query(APPROVAL_CODE_PURCHASE, start, start))
        .await;
    assert!(
        b["data"]["instance_code_list"]
            .as_array()
            .unwrap()
            .contains(&json!(on_start))
    );
    assert_eq!(
        kit.tenant
            .approval()
            .instance_count(APPROVAL_CODE_PURCHASE, start, end),
        truth.len() + 2
    );
}

#[tokio::test]
async fn instance_detail_and_knobs() {
    let kit = Kit::start(ApprovalDataset::default().now_ms(NOW)).await;
    let codes = kit
        .tenant
        .approval()
        .all_instance_codes(APPROVAL_CODE_LEAVE);
    assert_eq!(codes.len(), 120);
    let code = &codes[0];
    let (s, b) = kit.get(&format!("{LIST}/{code}"), &[]).await;
    assert_eq!((s, b["code"].as_i64()), (200, Some(0)));
    let data = &b["data"];
    assert_eq!(data["instance_code"], code.as_str());
    assert!(data["form"].is_string());
    let form: Value = serde_json::from_str(data["form"].as_str().unwrap()).unwrap();
    assert!(
        form.as_array()
            .unwrap()
            .iter()
            .any(|w| w["type"] == "fieldList")
    );
    let (s, b) = kit.get(&format!("{LIST}/NOPE"), &[]).await;
    assert_eq!((s, b["code"].as_i64()), (400, Some(1390003)));
    let (_, b) = kit
        .get(
            &format!("{LIST}/{code}"),
            &[("user_id_type", "email".into())],
        )
        .await;
    assert_eq!(b["code"], 1390001);

    assert!(kit.tenant.approval().set_instance_status(code, "APPROVED"));
    let (_, b) = kit.get(&format!("{LIST}/{code}"), &[]).await;
    assert_eq!(b["data"]["status"], "APPROVED");
    assert_ne!(b["data"]["end_time"], "0");
    assert!(
        !kit.tenant
            .approval()
            .set_instance_status("NOPE", "APPROVED")
    );
    let new = kit
        .tenant
        .approval()
        .add_instance(APPROVAL_CODE_LEAVE, NOW + 5, "PENDING");
    assert_eq!(
        kit.tenant.approval().instance(&new).unwrap()["start_time"],
        (NOW + 5).to_string()
    );
    assert_eq!(
        kit.tenant
            .approval()
            .all_instance_codes(APPROVAL_CODE_LEAVE)
            .last(),
        Some(&new)
    );

    let mut types = kit.tenant.approval().timeline_types();
    types.sort();
    let mut want: Vec<String> = TIMELINE_TYPES.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(types, want);

    let (_, b) = kit
        .get(
            &format!("/open-apis/approval/v4/approvals/{APPROVAL_CODE_PURCHASE}"),
            &[],
        )
        .await;
    assert_eq!(b["code"], 0);
    assert!(b["data"]["form"].is_string());
    let (s, b) = kit.get("/open-apis/approval/v4/approvals/NOPE", &[]).await;
    assert_eq!((s, b["code"].as_i64()), (400, Some(1390002)));
}

#[tokio::test]
async fn query_validates_and_pages() {
    let kit = Kit::start(ApprovalDataset::default().now_ms(NOW)).await;
    const Q: &str = "/open-apis/approval/v4/instances/query";
    let (s, b) = kit.post(Q, &[], json!({})).await;
    assert_eq!((s, b["code"].as_i64()), (400, Some(1390001)));
    for size in ["4", "201"] {
        let (_, b) = kit
            .post(
                Q,
                &[("page_size", size.into())],
                json!({ "approval_code": APPROVAL_CODE_LEAVE }),
            )
            .await;
        assert_eq!(b["code"], 1390001);
    }
    let (_, b) = kit
        .post(
            Q,
            &[],
            json!({ "approval_code": APPROVAL_CODE_LEAVE, "instance_start_time_from": "1" }),
        )
        .await;
    assert_eq!(b["code"], 1390001);
    let (_, b) = kit.post(Q, &[], json!({ "approval_code": "NOPE" })).await;
    assert_eq!(b["code"], 1390002);
    let (_, b) = kit
        .post(
            Q,
            &[("page_size", "200".into())],
            json!({ "approval_code": APPROVAL_CODE_LEAVE, "instance_status": "RECALL" }),
        )
        .await;
    assert_eq!(b["code"], 0);
    let list = b["data"]["instance_list"].as_array().unwrap();
    assert!(!list.is_empty());
    assert!(list.iter().all(|i| i["instance"]["status"] == "canceled"));
    assert_eq!(b["data"]["count"].as_u64(), Some(list.len() as u64));
    // GET on the query path is the instance GET of an instance called "query".
    let (_, b) = kit.get(Q, &[]).await;
    assert_eq!(b["code"], 1390003);
}

impl Kit {
    /// Every code `GET instances` lists for a window, following page tokens.
    async fn list_all(&self, start: i64, end: i64, page_size: usize) -> Vec<String> {
        let mut got = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut q = list_query(APPROVAL_CODE_PURCHASE, start, end);
            q.push(("page_size", page_size.to_string()));
            if let Some(t) = &token {
                q.push(("page_token", t.clone()));
            }
            let (_, b) = self.get(LIST, &q).await;
            assert_eq!(b["code"], 0, "{b}");
            let page: Vec<String> =
                serde_json::from_value(b["data"]["instance_code_list"].clone()).unwrap();
            got.extend(page);
            if b["data"]["has_more"] == false {
                return got;
            }
            token = b["data"]["page_token"].as_str().map(str::to_string);
        }
    }
}

#[tokio::test]
async fn window_end_can_be_exclusive() {
    let kit = Kit::start(ApprovalDataset::dense(NOW)).await;
    let approval = kit.tenant.approval();
    let (start, end) = (NOW - 2 * HOUR, NOW - HOUR);
    let on_end = approval.add_instance(APPROVAL_CODE_PURCHASE, end, "PENDING");
    let inclusive = kit.list_all(start, end, 100).await;
    assert!(inclusive.contains(&on_end));

    approval.set_window_end(WindowEnd::Exclusive);
    let exclusive = kit.list_all(start, end, 100).await;
    assert!(!exclusive.contains(&on_end));
    assert_eq!(exclusive.len() + 1, inclusive.len());
    assert_eq!(
        exclusive,
        approval.instance_codes(APPROVAL_CODE_PURCHASE, start, end)
    );
    // The next slice picks it up: exclusive slices neither lose nor repeat it.
    let next = kit.list_all(end, end + HOUR, 100).await;
    assert!(next.contains(&on_end));
    // The rule survives a new dataset.
    approval.set_dataset(ApprovalDataset::dense(NOW));
    let again = approval.add_instance(APPROVAL_CODE_PURCHASE, end, "PENDING");
    assert!(!kit.list_all(start, end, 100).await.contains(&again));
}

#[tokio::test]
async fn shuffled_listing_is_stable_across_pages() {
    let kit = Kit::start(ApprovalDataset::dense(NOW)).await;
    let approval = kit.tenant.approval();
    let (start, end) = (NOW - 10 * HOUR, NOW);
    let in_order = kit.list_all(start, end, 100).await;
    approval.shuffle_listing(Some(7));
    let shuffled = kit.list_all(start, end, 30).await;
    assert_ne!(shuffled, in_order, "the order changes");
    let (mut a, mut b) = (shuffled.clone(), in_order.clone());
    a.sort();
    b.sort();
    assert_eq!(a, b, "the same codes, each once");
    assert_eq!(
        shuffled,
        kit.list_all(start, end, 100).await,
        "any page size agrees"
    );
    assert_eq!(
        shuffled,
        approval.instance_codes(APPROVAL_CODE_PURCHASE, start, end)
    );
    approval.shuffle_listing(Some(8));
    assert_ne!(
        kit.list_all(start, end, 100).await,
        shuffled,
        "another seed, another order"
    );
    approval.shuffle_listing(None);
    assert_eq!(kit.list_all(start, end, 100).await, in_order);
}

#[tokio::test]
async fn instance_deleted_after_listing() {
    let kit = Kit::start(ApprovalDataset::default().now_ms(NOW)).await;
    let approval = kit.tenant.approval();
    let (start, end) = (NOW - 10 * HOUR, NOW);
    let listed = kit.list_all(start, end, 100).await;
    let gone = listed[1].clone();
    assert!(approval.delete_instance(&gone));
    assert!(!approval.delete_instance(&gone));
    // As the instance GET documents for an unknown code.
    let (s, b) = kit.get(&format!("{LIST}/{gone}"), &[]).await;
    assert_eq!((s, b["code"].as_i64()), (400, Some(1390003)));
    let relisted = kit.list_all(start, end, 100).await;
    assert_eq!(relisted.len() + 1, listed.len());
    assert!(!relisted.contains(&gone));
    let (_, found) = kit
        .post(
            &format!("{LIST}/query"),
            &[],
            json!({ "instance_code": gone }),
        )
        .await;
    assert_eq!(found["code"], 1390003);
}

#[tokio::test]
async fn malformed_task_lists() {
    let kit = Kit::start(ApprovalDataset::default().now_ms(NOW)).await;
    let approval = kit.tenant.approval();
    let as_string =
        approval.add_malformed_instance(APPROVAL_CODE_PURCHASE, NOW - 5, MalformedTaskList::String);
    let as_object =
        approval.add_malformed_instance(APPROVAL_CODE_PURCHASE, NOW - 4, MalformedTaskList::Object);
    let (_, b) = kit.get(&format!("{LIST}/{as_string}"), &[]).await;
    let text = b["data"]["task_list"].as_str().expect("a string task_list");
    let decoded: Value = serde_json::from_str(text).unwrap();
    assert!(decoded[0]["id"].is_string());
    let (_, b) = kit.get(&format!("{LIST}/{as_object}"), &[]).await;
    assert!(
        b["data"]["task_list"]["id"].is_string(),
        "{}",
        b["data"]["task_list"]
    );
    // Both are listed like any other instance.
    let listed = kit.list_all(NOW - HOUR, NOW, 100).await;
    assert!(listed.contains(&as_string) && listed.contains(&as_object));
}

#[tokio::test]
async fn a_denied_instance_is_listed_but_not_readable() {
    let kit = Kit::start(ApprovalDataset::default().now_ms(NOW)).await;
    let approval = kit.tenant.approval();
    let (start, end) = (NOW - 10 * HOUR, NOW);
    let listed = kit.list_all(start, end, 100).await;
    let denied = listed[0].clone();
    assert!(approval.deny_instance(&denied));
    assert!(!approval.deny_instance("NO-SUCH-INSTANCE"));
    let (s, b) = kit.get(&format!("{LIST}/{denied}"), &[]).await;
    assert_eq!((s, b["code"].as_i64()), (403, Some(1390009)));
    // The others and the listing are untouched.
    let (s, b) = kit.get(&format!("{LIST}/{}", listed[1]), &[]).await;
    assert_eq!((s, b["code"].as_i64()), (200, Some(0)));
    assert_eq!(kit.list_all(start, end, 100).await, listed);
    // A new dataset clears the denial.
    approval.set_dataset(ApprovalDataset::default().now_ms(NOW));
    let (s, _) = kit.get(&format!("{LIST}/{denied}"), &[]).await;
    assert_eq!(s, 200);
}

/// The create endpoint's own validation, as a client that skips checks meets it.
#[tokio::test]
async fn create_validates_the_form_and_dedups_uuids() {
    let kit = Kit::start(ApprovalDataset::default().now_ms(NOW)).await;
    let open_id = kit.tenant.approval().user_ids("open_id")[0].clone();
    let path = "/open-apis/approval/v4/instances";
    let create = |form: Value, uuid: &str| {
        let mut body = json!({
            "approval_code": APPROVAL_CODE_LEAVE, "open_id": open_id, "form": form.to_string(),
        });
        if !uuid.is_empty() {
            body["uuid"] = json!(uuid);
        }
        body
    };
    let leave = json!([
        { "id": "widget_l_reason", "type": "textarea", "value": "rest" },
        { "id": "widget_l_leave", "type": "leaveGroupV2", "value": [
            { "id": "widget_l_leave_type", "type": "radioV2", "value": "7488" },
        ] },
    ]);
    let refusals = [
        (
            json!([{ "id": "widget_nope", "type": "input", "value": "x" }]),
            "控件=widget_nope",
        ),
        (
            json!([{ "id": "widget_l_reason", "type": "input", "value": "x" }]),
            "控件=widget_l_reason",
        ),
        (
            json!([{ "id": "widget_l_reason", "type": "textarea", "value": "x" }]),
            "控件=widget_l_leave",
        ),
        (
            json!([leave[0], leave[1], { "id": "widget_l_kind", "type": "radioV2", "value": "Annual" }]),
            "控件=widget_l_kind",
        ),
        (
            json!([leave[0], leave[1], { "id": "widget_l_back", "type": "date", "value": "2025-02-30T00:00:00Z" }]),
            "控件=widget_l_back",
        ),
    ];
    for (form, named) in refusals {
        let (status, body) = kit.post(path, &[], create(form, "")).await;
        assert_eq!(
            (status, body["code"].as_i64()),
            (400, Some(1390001)),
            "{body}"
        );
        assert!(body["msg"].as_str().unwrap().contains(named), "{body}");
    }
    let (status, body) = kit.post(path, &[], create(leave.clone(), "k-1")).await;
    assert_eq!((status, body["code"].as_i64()), (200, Some(0)), "{body}");
    let code = body["data"]["instance_code"].as_str().unwrap().to_string();
    let (status, body) = kit.post(path, &[], create(leave.clone(), "K-1")).await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (400, Some(60012)),
        "uuids ignore case: {body}"
    );
    assert_eq!(
        kit.tenant.approval().instances_with_uuid("k-1"),
        vec![code.clone()]
    );
    let (_, fetched) = kit.get(&format!("{path}/K-1"), &[]).await;
    assert_eq!(
        fetched["data"]["instance_code"],
        code.as_str(),
        "the GET takes the uuid"
    );
    let (_, body) = kit
        .post(
            path,
            &[],
            json!({ "approval_code": "NOPE", "open_id": open_id, "form": "[]" }),
        )
        .await;
    assert_eq!(body["code"], 1390002);
}
