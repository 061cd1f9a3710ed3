//! Acknowledging after processing: the long connection's `connect_acked` and the webhook's
//! `handle_and_deliver`, against feishu-testkit over loopback. An event is acknowledged
//! when its `Ack` is given, delivered again when it is dropped, and never lost across a
//! broken connection.

use std::time::Duration;

use feishu_core::Domain;
use feishu_events::webhook::WebhookDeliveries;
use feishu_events::{Delivery, LongConnection, LongConnectionDeliveries, WebhookHandler};
use feishu_testkit::FakeTenant;
use feishu_testkit::events::EventsKnobs;
use serde_json::json;

fn connect(tenant: &FakeTenant) -> LongConnectionDeliveries {
    LongConnection::builder(tenant.app_id(), tenant.app_secret())
        .domain(Domain::custom(&tenant.base_url()).unwrap())
        .backoff_base(Duration::from_millis(20))
        .build()
        .unwrap()
        .connect_acked()
}

async fn next(stream: &mut LongConnectionDeliveries) -> Delivery {
    tokio::time::timeout(Duration::from_secs(10), stream.recv())
        .await
        .expect("a delivery arrives in time")
        .expect("the stream is open")
        .expect("the event decodes")
}

fn emit_user(events: &EventsKnobs, name: &str) -> String {
    let envelope = events
        .target()
        .user_created(json!({ "open_id": format!("ou_{name}"), "name": name }));
    let id = envelope["header"]["event_id"].as_str().unwrap().to_owned();
    events.emit(envelope);
    id
}

/// Waits until the server recorded `n` acknowledgements.
async fn acks_reach(events: &EventsKnobs, n: usize) {
    for _ in 0..500 {
        if events.acks().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("only {:?} acknowledgements", events.acks());
}

#[tokio::test]
async fn an_event_is_acknowledged_only_when_its_ack_is_given() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let mut stream = connect(&tenant);
    let id = emit_user(&events, "a");
    let delivery = next(&mut stream).await;
    assert_eq!(delivery.event.event_id(), id);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(events.acks().is_empty(), "acknowledged before the Ack");
    assert_eq!(events.unacknowledged(), 1);
    delivery.ack.done();
    assert!(events.wait_all_acknowledged(Duration::from_secs(10)).await);
    assert_eq!(events.acked_event_ids(), [id]);
}

#[tokio::test]
async fn a_dropped_ack_is_answered_500_and_the_event_comes_again() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let mut stream = connect(&tenant);
    let id = emit_user(&events, "b");
    let first = next(&mut stream).await;
    drop(first);
    acks_reach(&events, 1).await;
    assert_eq!(events.acks()[0].code, 500);
    // The server queues it again; the client, having forgotten the id, hands it over again.
    let again = next(&mut stream).await;
    assert_eq!(again.event.event_id(), id);
    again.ack.done();
    assert!(events.wait_all_acknowledged(Duration::from_secs(10)).await);
    assert_eq!(events.acked_event_ids(), [id]);
}

#[tokio::test]
async fn an_event_held_across_a_broken_connection_is_acknowledged_on_the_new_one() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let mut stream = connect(&tenant);
    let id = emit_user(&events, "c");
    let held = next(&mut stream).await;
    events.drop_connections();
    // The server redelivers it on the next connection; the client does not hand it over a
    // second time while its Ack is held.
    for _ in 0..500 {
        if events.connections() >= 2 && events.unacknowledged() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(events.acks().is_empty());
    held.ack.done();
    assert!(events.wait_all_acknowledged(Duration::from_secs(10)).await);
    assert_eq!(events.acked_event_ids(), [id]);
    // Nothing else was handed over: the next delivery is a fresh event.
    let marker = emit_user(&events, "marker");
    let next_one = next(&mut stream).await;
    assert_eq!(next_one.event.event_id(), marker);
    next_one.ack.done();
}

#[tokio::test]
async fn a_done_event_redelivered_is_acknowledged_at_once() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let mut stream = connect(&tenant);
    let id = emit_user(&events, "d");
    next(&mut stream).await.ack.done();
    acks_reach(&events, 1).await;
    assert!(events.redeliver(&id));
    acks_reach(&events, 2).await;
    assert_eq!(events.acked_event_ids(), [id.clone(), id]);
}

async fn serve(handler: WebhookHandler, ack_timeout: Duration) -> (String, WebhookDeliveries) {
    let (router, deliveries) = feishu_events::axum::delivery_router(handler, "/", 16, ack_timeout);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}/"), deliveries)
}

#[tokio::test]
async fn the_webhook_answers_once_the_event_was_processed() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let handler = WebhookHandler::builder()
        .verification_token(tenant.verification_token())
        .build()
        .unwrap();
    let (url, mut deliveries) = serve(handler, Duration::from_millis(500)).await;
    let envelope = events
        .target()
        .user_created(json!({ "open_id": "ou_w", "name": "w" }));

    // Done: 200.
    let post = tokio::spawn({
        let (events, url, envelope) = (events.clone(), url.clone(), envelope.clone());
        async move { events.post(&url, &envelope).await }
    });
    let delivery = deliveries.recv().await.unwrap().unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!post.is_finished(), "answered before the Ack");
    delivery.ack.done();
    assert_eq!(post.await.unwrap().status, 200);

    // A redelivery of a done event: 200 at once, not handed over.
    assert_eq!(events.post(&url, &envelope).await.status, 200);

    // Failed: 500, and the next delivery is handed over again.
    let other = events
        .target()
        .user_created(json!({ "open_id": "ou_x", "name": "x" }));
    let post = tokio::spawn({
        let (events, url, other) = (events.clone(), url.clone(), other.clone());
        async move { events.post(&url, &other).await }
    });
    deliveries.recv().await.unwrap().unwrap().ack.fail();
    assert_eq!(post.await.unwrap().status, 500);

    // Not acknowledged in time: 503; the delivery after it is handed over again.
    let post = tokio::spawn({
        let (events, url, other) = (events.clone(), url.clone(), other.clone());
        async move { events.post(&url, &other).await }
    });
    let slow = deliveries.recv().await.unwrap().unwrap();
    assert_eq!(post.await.unwrap().status, 503);
    drop(slow);
    let post = tokio::spawn({
        let (events, url, other) = (events.clone(), url.clone(), other.clone());
        async move { events.post(&url, &other).await }
    });
    let again = deliveries.recv().await.unwrap().unwrap();
    assert_eq!(again.event.event_id(), other["header"]["event_id"]);
    again.ack.done();
    assert_eq!(post.await.unwrap().status, 200);
}
