//! The events side of the fake tenant: the long-connection endpoint, signed webhook posts,
//! knob-emitted events.

use feishu_testkit::FakeTenant;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn endpoint(tenant: &FakeTenant, body: Value) -> Value {
    reqwest::Client::new()
        .post(tenant.url("/callback/ws/endpoint"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_endpoint_checks_credentials_and_hands_out_a_loopback_url() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let ok = endpoint(
        &tenant,
        json!({"AppID": tenant.app_id(), "AppSecret": tenant.app_secret()}),
    )
    .await;
    assert_eq!(ok["code"], 0);
    let url = ok["data"]["URL"].as_str().unwrap();
    let addr = events.websocket_address();
    assert!(
        url.starts_with(&format!("ws://{addr}/ws?device_id=")),
        "{url}"
    );
    assert!(url.ends_with("&service_id=1"));
    assert_eq!(ok["data"]["ClientConfig"]["ReconnectCount"], -1);
    assert_eq!(ok["data"]["ClientConfig"]["PingInterval"], 120);

    let wrong = endpoint(
        &tenant,
        json!({"AppID": tenant.app_id(), "AppSecret": "nope"}),
    )
    .await;
    assert_eq!(wrong["code"], 514);
    events.fail_endpoint(&[1]);
    let busy = endpoint(
        &tenant,
        json!({"AppID": tenant.app_id(), "AppSecret": tenant.app_secret()}),
    )
    .await;
    assert_eq!(busy["code"], 1);
    assert_eq!(events.endpoint_requests(), 3);

    let get = reqwest::get(tenant.url("/callback/ws/endpoint"))
        .await
        .unwrap();
    assert_eq!(get.status(), 405);
}

#[tokio::test]
async fn posts_are_encrypted_and_signed_as_documented() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    events.set_encrypt_key(Some("the-key"));
    let receiver = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let envelope = events.target().user_created(json!({"open_id": "ou_1"}));
    let delivery = events.post(&receiver.uri(), &envelope).await;
    assert_eq!(delivery.status, 200);
    assert_eq!(
        delivery.event_id.as_deref(),
        envelope["header"]["event_id"].as_str()
    );

    let requests = receiver.received_requests().await.unwrap();
    let request = &requests[0];
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert!(
        body["encrypt"].is_string(),
        "the body is {{\"encrypt\": ...}}"
    );
    let mut hasher = Sha256::new();
    hasher.update(format!(
        "{}{}the-key",
        header("x-lark-request-timestamp"),
        header("x-lark-request-nonce")
    ));
    hasher.update(&request.body);
    let expected: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(header("x-lark-signature"), expected);
}

#[tokio::test]
async fn knobs_emit_events_once_the_events_side_is_in_use() {
    let tenant = FakeTenant::start().await;
    let approval = tenant.approval();
    let code = approval.all_instance_codes(&approval.approval_codes()[0])[0].clone();
    assert!(approval.set_instance_status(&code, "REJECTED"));
    let events = tenant.events();
    assert!(
        events.emitted().is_empty(),
        "nothing before events() was called"
    );
    assert!(approval.set_instance_status(&code, "APPROVED"));
    tenant.push_app_ticket();
    let emitted = events.emitted();
    assert_eq!(emitted.len(), 2);
    assert_eq!(emitted[0]["event"]["type"], "approval_instance");
    assert_eq!(emitted[0]["event"]["instance_code"], code.as_str());
    assert_eq!(emitted[0]["event"]["status"], "APPROVED");
    assert_eq!(emitted[0]["token"], tenant.verification_token());
    assert_eq!(emitted[1]["event"]["type"], "app_ticket");
    assert_eq!(emitted[1]["event"]["app_id"], tenant.store_app_id());
}

#[tokio::test]
async fn the_endpoint_needs_no_token_and_is_untouched_by_gateway_faults() {
    let tenant = FakeTenant::start().await;
    tenant.fail_next(1, feishu_testkit::Fault::ServerError(503));
    tenant.set_rate_limit("/callback/", 1);
    let credentials = json!({"AppID": tenant.app_id(), "AppSecret": tenant.app_secret()});
    for _ in 0..3 {
        assert_eq!(endpoint(&tenant, credentials.clone()).await["code"], 0);
    }
    assert_eq!(
        tenant.pending_faults(),
        1,
        "the fault waits for a data request"
    );
    assert_eq!(tenant.events().endpoint_requests(), 3);
    assert_eq!(tenant.count_path("/callback/ws/endpoint"), 3, "journaled");
}

#[tokio::test]
async fn the_ticket_resend_endpoint_emits_the_new_ticket() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let resend: Value = reqwest::Client::new()
        .post(tenant.url("/open-apis/auth/v3/app_ticket/resend"))
        .json(&json!({"app_id": tenant.store_app_id(), "app_secret": tenant.store_app_secret()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resend["code"], 0);
    let emitted = events.emitted();
    assert_eq!(emitted.len(), 1);
    assert_eq!(emitted[0]["event"]["type"], "app_ticket");
    assert_eq!(
        emitted[0]["event"]["app_ticket"].as_str(),
        tenant.current_app_ticket().as_deref()
    );
}

#[tokio::test]
async fn contact_knobs_emit_user_events_and_answer_as_they_say() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let contact = tenant.contact();
    let joined = contact.add_user("D004", "New Hire");
    let renamed = contact.user_ids("user_id")[2].clone();
    contact.rename_user(&renamed, "Another Name");
    contact.delete_user(&joined, 1_800_000_000);
    let emitted = events.emitted();
    let types: Vec<&str> = emitted
        .iter()
        .map(|e| e["header"]["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "contact.user.created_v3",
            "contact.user.updated_v3",
            "contact.user.deleted_v3"
        ]
    );
    let open_id = contact.id_of(&joined, "open_id").unwrap();
    assert_eq!(emitted[0]["event"]["object"]["open_id"], open_id.as_str());
    assert_eq!(emitted[0]["event"]["object"]["name"], "New Hire");
    assert_eq!(emitted[1]["event"]["object"]["name"], "Another Name");
    assert!(emitted[1]["event"]["old_object"]["name"].is_string());
    assert_eq!(
        emitted[2]["event"]["old_object"]["open_id"],
        open_id.as_str()
    );
    // The API agrees: the renamed user reads with the new name, the deleted one is gone.
    let get = |id: String| {
        let tenant = tenant.clone();
        async move {
            let token = tenant.mint_tenant_token();
            reqwest::Client::new()
                .get(tenant.url(&format!(
                    "/open-apis/contact/v3/users/{id}?user_id_type=user_id"
                )))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let user = get(renamed).await;
    assert_eq!(user["data"]["user"]["name"], "Another Name");
    assert_eq!(get(joined).await["code"], 41012);
}

#[tokio::test]
async fn record_writes_to_a_subscribed_base_emit_record_changed_events() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let bitable = tenant.bitable();
    let (app, table) = (bitable.app_token(), bitable.table_id());
    let token = tenant.mint_tenant_token();
    let http = reqwest::Client::new();
    let post = |path: String, body: Value| {
        http.post(tenant.url(&path))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let records = format!("/open-apis/bitable/v1/apps/{app}/tables/{table}/records");
    let created = post(
        records.clone(),
        json!({"fields": {"Name": "before subscribing"}}),
    )
    .await
    .unwrap();
    assert_eq!(created.status(), 200);
    assert!(events.emitted().is_empty(), "not subscribed yet");

    let subscribe = format!("/open-apis/drive/v1/files/{app}/subscribe?file_type=bitable");
    assert_eq!(post(subscribe, json!({})).await.unwrap().status(), 200);
    let batch: Value = post(
        format!("{records}/batch_create"),
        json!({"records": [{"fields": {"Name": "a"}}, {"fields": {"Name": "b", "Amount": 2}}]}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let ids: Vec<&str> = batch["data"]["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["record_id"].as_str().unwrap())
        .collect();
    let deleted = post(
        format!("{records}/batch_delete"),
        json!({"records": [ids[0]]}),
    )
    .await
    .unwrap();
    assert_eq!(deleted.status(), 200);
    let emitted = events.emitted();
    assert_eq!(emitted.len(), 2, "one event per write");
    let event = &emitted[0]["event"];
    assert_eq!(
        emitted[0]["header"]["event_type"],
        "drive.file.bitable_record_changed_v1"
    );
    assert_eq!(event["file_token"], app.as_str());
    assert_eq!(event["table_id"], table.as_str());
    let actions = event["action_list"].as_array().unwrap();
    assert_eq!(actions.len(), 2);
    assert_eq!(actions[0]["record_id"], ids[0]);
    assert_eq!(actions[0]["action"], "record_added");
    let amount = actions[1]["after_value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["field_value"] == "2")
        .expect("the written amount, as a JSON string, keyed by field id");
    assert!(amount["field_id"].as_str().unwrap().starts_with("fld"));
    let removal = &emitted[1]["event"]["action_list"][0];
    assert_eq!(removal["action"], "record_deleted");
    assert_eq!(removal["record_id"], ids[0]);

    // Batch get finds the live record and reports the deleted one absent.
    let got: Value = post(
        format!("{records}/batch_get"),
        json!({"record_ids": [ids[1], ids[0]], "automatic_fields": true}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(got["code"], 0);
    assert_eq!(got["data"]["records"][0]["record_id"], ids[1]);
    assert!(got["data"]["records"][0]["created_time"].is_i64());
    assert_eq!(got["data"]["absent_record_ids"], json!([ids[0]]));
    let refused: Value = post(format!("{records}/batch_get"), json!({"record_ids": []}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(refused["code"], 1254001);
}
