//! The webhook over real HTTP on loopback: feishu-testkit posts as Feishu does, the axum
//! adapter answers, the application reads a stream.

use std::time::Duration;

use feishu_core::{Client, Credentials, Domain};
use feishu_events::approval::InstanceStatus;
use feishu_events::webhook::WebhookEvents;
use feishu_events::{Event, EventKind, WebhookHandler};
use feishu_testkit::FakeTenant;
use serde_json::json;

const KEY: &str = "testkit-encrypt-key";

async fn serve(handler: WebhookHandler) -> (String, WebhookEvents) {
    let (router, events) = feishu_events::axum::router(handler, "/webhook/event");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}/webhook/event"), events)
}

fn handler(tenant: &FakeTenant, encrypt_key: Option<&str>) -> WebhookHandler {
    let mut builder = WebhookHandler::builder().verification_token(tenant.verification_token());
    if let Some(key) = encrypt_key {
        builder = builder.encrypt_key(key);
    }
    builder.build().unwrap()
}

async fn next(events: &mut WebhookEvents) -> Event {
    tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("an event arrives")
        .expect("the stream is open")
        .expect("the event decodes")
}

#[tokio::test]
async fn the_challenge_is_answered_plain_and_encrypted() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let (url, _events) = serve(handler(&tenant, None)).await;
    let answer = events.post_challenge(&url, "c-123").await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&answer.body).unwrap(),
        json!({"challenge": "c-123"})
    );

    events.set_encrypt_key(Some(KEY));
    let (url, _events) = serve(handler(&tenant, Some(KEY))).await;
    let answer = events.post_challenge(&url, "c-456").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body.contains("c-456"));
}

#[tokio::test]
async fn an_event_is_delivered_once_even_when_redelivered() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    events.set_encrypt_key(Some(KEY));
    let (url, mut stream) = serve(handler(&tenant, Some(KEY))).await;
    let target = events.target();
    let joined = target
        .user_created(json!({ "open_id": "ou_new", "name": "Li Lei", "department_ids": ["od_1"] }));
    for _ in 0..3 {
        let answer = events.post(&url, &joined).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let event = next(&mut stream).await;
    let EventKind::UserCreated(user) = &event.kind else {
        panic!("wrong kind {:?}", event.kind);
    };
    assert_eq!(user.object.open_id.as_deref(), Some("ou_new"));
    // The next item is the marker: the redeliveries produced nothing in between.
    let marker = target.user_deleted(json!({ "open_id": "ou_marker" }));
    assert_eq!(events.post(&url, &marker).await.status, 200);
    let event = next(&mut stream).await;
    assert!(
        matches!(&event.kind, EventKind::UserDeleted(u) if u.object.open_id.as_deref() == Some("ou_marker"))
    );
}

#[tokio::test]
async fn forged_and_stale_requests_are_refused_and_never_delivered() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    events.set_encrypt_key(Some(KEY));
    let (url, mut stream) = serve(handler(&tenant, Some(KEY))).await;
    let target = events.target();

    let stale = events
        .post_at(
            &url,
            &target.user_created(json!({"open_id": "ou_stale"})),
            1_000_000_000,
        )
        .await;
    assert_eq!(stale.status, 401, "{}", stale.body);
    events.set_encrypt_key(Some("not the app's key"));
    let forged = events
        .post(&url, &target.user_created(json!({"open_id": "ou_forged"})))
        .await;
    assert_eq!(forged.status, 401, "{}", forged.body);
    events.set_encrypt_key(None);
    let unsigned = events
        .post(
            &url,
            &target.user_created(json!({"open_id": "ou_unsigned"})),
        )
        .await;
    assert_eq!(unsigned.status, 401, "{}", unsigned.body);

    events.set_encrypt_key(Some(KEY));
    assert_eq!(
        events
            .post(&url, &target.user_created(json!({"open_id": "ou_ok"})))
            .await
            .status,
        200
    );
    let event = next(&mut stream).await;
    assert!(
        matches!(&event.kind, EventKind::UserCreated(u) if u.object.open_id.as_deref() == Some("ou_ok"))
    );
}

#[tokio::test]
async fn knob_changes_arrive_as_events() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let (url, mut stream) = serve(handler(&tenant, None)).await;
    events.set_webhook_url(Some(&url));
    let approval = tenant.approval();
    let approval_code = approval.approval_codes()[0].clone();
    let code = approval.add_instance(&approval_code, approval.now_ms(), "PENDING");
    assert!(approval.set_instance_status(&code, "APPROVED"));
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let event = next(&mut stream).await;
        let EventKind::ApprovalInstance(change) = &event.kind else {
            panic!("wrong kind {:?}", event.kind);
        };
        assert_eq!(change.instance_code, code);
        assert_eq!(change.approval_code, approval_code);
        statuses.push(change.status.clone());
    }
    assert_eq!(
        statuses,
        [InstanceStatus::Pending, InstanceStatus::Approved]
    );
    assert!(events.webhook_deliveries().iter().all(|d| d.status == 200));
}

#[tokio::test]
async fn a_store_app_gets_its_ticket_from_the_event() {
    let tenant = FakeTenant::builder()
        .issue_app_ticket_at_start(false)
        .start()
        .await;
    let events = tenant.events();
    events.set_encrypt_key(Some(KEY));
    let (url, mut stream) = serve(handler(&tenant, Some(KEY))).await;
    events.set_webhook_url(Some(&url));
    let client = Client::builder()
        .domain(Domain::custom(&tenant.base_url()).unwrap())
        .credentials(Credentials::store_app(
            tenant.store_app_id(),
            tenant.store_app_secret(),
            tenant.tenant_key(),
        ))
        .app_ticket_wait(Duration::from_secs(10))
        .build()
        .unwrap();
    let consumer = client.clone();
    tokio::spawn(async move {
        while let Some(Ok(event)) = stream.recv().await {
            if let EventKind::AppTicket(ticket) = &event.kind {
                ticket.hand_to(&consumer);
            }
        }
    });
    // No ticket yet: the client asks for a resend, the tenant pushes the ticket event to the
    // webhook, the handler hands it over, and the token request goes through.
    let token = client
        .tenant_access_token()
        .await
        .expect("a tenant token with the pushed ticket");
    assert!(!secrecy::ExposeSecret::expose_secret(&token).is_empty());
    assert!(
        events
            .emitted()
            .iter()
            .any(|e| e["event"]["type"] == "app_ticket")
    );
}
