//! The long connection against feishu-testkit's loopback websocket: connect, events,
//! dropped connections, reconnects, redeliveries, fragments, a slow application, refusals.

use std::collections::HashSet;
use std::time::Duration;

use feishu_core::Domain;
use feishu_events::{Error, Event, EventKind, LongConnection, LongConnectionEvents};
use feishu_testkit::FakeTenant;
use feishu_testkit::events::{EventsKnobs, LongConnectionConfig};
use serde_json::{Value, json};

fn connect(tenant: &FakeTenant) -> LongConnectionEvents {
    LongConnection::builder(tenant.app_id(), tenant.app_secret())
        .domain(Domain::custom(&tenant.base_url()).unwrap())
        .backoff_base(Duration::from_millis(20))
        .build()
        .unwrap()
        .connect()
}

async fn next(stream: &mut LongConnectionEvents) -> Event {
    tokio::time::timeout(Duration::from_secs(10), stream.recv())
        .await
        .expect("an event arrives in time")
        .expect("the stream is open")
        .expect("the event decodes")
}

/// Emits `n` user-created events and returns their event ids in order.
fn emit_users(events: &EventsKnobs, prefix: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let envelope = events
                .target()
                .user_created(json!({ "open_id": format!("ou_{prefix}_{i}"), "name": "x" }));
            let id = envelope["header"]["event_id"].as_str().unwrap().to_owned();
            events.emit(envelope);
            id
        })
        .collect()
}

/// Reads events until `want` distinct ids arrived; fails on a duplicate.
async fn collect(stream: &mut LongConnectionEvents, want: usize) -> Vec<String> {
    let mut ids = Vec::new();
    while ids.len() < want {
        let id = next(stream).await.event_id().to_owned();
        assert!(!ids.contains(&id), "event {id} delivered twice");
        ids.push(id);
    }
    ids
}

/// Proves nothing else is in the stream: the next event is a fresh marker.
async fn assert_only_marker_follows(events: &EventsKnobs, stream: &mut LongConnectionEvents) {
    let marker = emit_users(events, "marker", 1);
    let id = next(stream).await.event_id().to_owned();
    assert_eq!(id, marker[0], "an unexpected event came before the marker");
}

#[tokio::test]
async fn events_arrive_in_order_and_are_acknowledged() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let mut stream = connect(&tenant);
    let sent = emit_users(&events, "a", 5);
    let got = collect(&mut stream, 5).await;
    assert_eq!(got, sent);
    assert!(events.wait_all_acknowledged(Duration::from_secs(10)).await);
    assert_eq!(events.acked_event_ids(), sent);
    assert!(events.pings() >= 1, "the client pings on connect");
    assert_eq!(events.connections(), 1);
}

#[tokio::test]
async fn a_dropped_connection_reconnects_and_loses_or_doubles_nothing() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let mut stream = connect(&tenant);
    let first = emit_users(&events, "before", 3);
    assert_eq!(collect(&mut stream, 3).await, first);

    // The next two frames go out, then the connection breaks before their acks arrive: the
    // server delivers them again on the new connection, where the client recognises them.
    events.drop_after_events(2);
    let second = emit_users(&events, "across", 6);
    let got = collect(&mut stream, 6).await;
    assert_eq!(
        got.iter().collect::<HashSet<_>>(),
        second.iter().collect::<HashSet<_>>()
    );
    assert!(events.wait_all_acknowledged(Duration::from_secs(10)).await);
    assert!(events.connections() >= 2, "the client reconnected");
    assert!(
        events.endpoint_requests() >= 2,
        "each connection starts with the endpoint request"
    );

    // Dropped while idle, too.
    events.drop_connections();
    let third = emit_users(&events, "after", 2);
    assert_eq!(collect(&mut stream, 2).await, third);
    assert_only_marker_follows(&events, &mut stream).await;
}

#[tokio::test]
async fn redeliveries_are_recognised_and_still_acknowledged() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let mut stream = connect(&tenant);
    let sent = emit_users(&events, "r", 2);
    assert_eq!(collect(&mut stream, 2).await, sent);
    assert!(events.redeliver(&sent[0]));
    assert!(events.redeliver(&sent[1]));
    assert_only_marker_follows(&events, &mut stream).await;
    assert!(events.wait_all_acknowledged(Duration::from_secs(10)).await);
    let acked = events.acked_event_ids();
    assert_eq!(acked.iter().filter(|id| **id == sent[0]).count(), 2);
    assert_eq!(acked.iter().filter(|id| **id == sent[1]).count(), 2);
}

#[tokio::test]
async fn fragmented_events_are_reassembled() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    events.set_fragments(4);
    let mut stream = connect(&tenant);
    let code = "81D31358-93AF-92D6-7425-01A5D67C4E71";
    events.emit(
        events
            .target()
            .approval_instance("APPROVAL", code, "REJECTED"),
    );
    let event = next(&mut stream).await;
    let EventKind::ApprovalInstance(change) = &event.kind else {
        panic!("wrong kind {:?}", event.kind);
    };
    assert_eq!(change.instance_code, code);
    assert!(events.wait_all_acknowledged(Duration::from_secs(10)).await);
    assert_eq!(
        events.acks().len(),
        1,
        "one acknowledgement per message, not per fragment"
    );
}

#[tokio::test]
async fn a_slow_application_loses_nothing() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let mut stream = LongConnection::builder(tenant.app_id(), tenant.app_secret())
        .domain(Domain::custom(&tenant.base_url()).unwrap())
        .buffer(1)
        .handoff_timeout(Duration::from_millis(20))
        .build()
        .unwrap()
        .connect();
    let sent = emit_users(&events, "slow", 6);
    let mut got = Vec::new();
    while got.len() < sent.len() {
        tokio::time::sleep(Duration::from_millis(60)).await;
        let id = next(&mut stream).await.event_id().to_owned();
        assert!(!got.contains(&id), "event {id} delivered twice");
        got.push(id);
    }
    assert_eq!(
        got.iter().collect::<HashSet<_>>(),
        sent.iter().collect::<HashSet<_>>()
    );
    assert!(events.wait_all_acknowledged(Duration::from_secs(10)).await);
    assert!(
        events.acks().iter().any(|a| a.code == 500),
        "a full buffer answers 500 so that the server delivers again"
    );
}

#[tokio::test]
async fn a_busy_endpoint_is_retried_with_backoff() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    events.fail_endpoint(&[1, 1_000_040_343]);
    let mut stream = connect(&tenant);
    let sent = emit_users(&events, "busy", 1);
    assert_eq!(collect(&mut stream, 1).await, sent);
    assert_eq!(events.endpoint_requests(), 3);
}

#[tokio::test]
async fn wrong_credentials_end_the_stream_with_a_typed_error() {
    let tenant = FakeTenant::start().await;
    let _ = tenant.events();
    let mut stream = LongConnection::builder(tenant.app_id(), "not-the-secret")
        .domain(Domain::custom(&tenant.base_url()).unwrap())
        .build()
        .unwrap()
        .connect();
    let item = tokio::time::timeout(Duration::from_secs(10), stream.recv())
        .await
        .unwrap();
    let Some(Err(Error::Refused { code, .. })) = item else {
        panic!("expected a refusal, got {item:?}");
    };
    assert_eq!(code, 514);
    let end = tokio::time::timeout(Duration::from_secs(10), stream.recv())
        .await
        .unwrap();
    assert!(end.is_none(), "the stream ends after a refusal");
}

#[tokio::test]
async fn the_reconnect_budget_from_the_server_is_honoured() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    events.set_client_config(LongConnectionConfig {
        reconnect_count: 2,
        ..LongConnectionConfig::default()
    });
    let mut stream = connect(&tenant);
    let sent = emit_users(&events, "budget", 1);
    assert_eq!(collect(&mut stream, 1).await, sent);
    // From now on the endpoint is busy for good: two retries, then the client gives up.
    events.fail_endpoint(&[1; 10]);
    events.drop_connections();
    let item = tokio::time::timeout(Duration::from_secs(10), stream.recv())
        .await
        .unwrap();
    assert!(
        matches!(
            item,
            Some(Err(Error::ReconnectExhausted { attempts: 3, .. }))
        ),
        "got {item:?}"
    );
}

#[tokio::test]
async fn unknown_event_types_arrive_raw() {
    let tenant = FakeTenant::start().await;
    let events = tenant.events();
    let mut stream = connect(&tenant);
    let envelope: Value = events.target().v2(
        "im.message.receive_v1",
        json!({ "message": { "chat_id": "oc_1" } }),
    );
    events.emit(envelope);
    let event = next(&mut stream).await;
    assert!(
        matches!(&event.kind, EventKind::Unknown { event_type, .. } if event_type == "im.message.receive_v1")
    );
}
