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
