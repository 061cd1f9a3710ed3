//! The long-connection websocket server: pings and pongs, event frames (optionally
//! fragmented), acknowledgements, redelivery of what was not acknowledged, and the fault
//! knobs (oapi-sdk-go `ws/client.go` is the client this mirrors).

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::{SinkExt, StreamExt};
use prost::Message as _;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

use super::frame::{Frame, header};
use super::shared::{AckRecord, InFlight, Knobs, Queued, Shared};
use crate::lock::lock;

/// Control frames (ping, pong).
const METHOD_CONTROL: i32 = 0;
/// Data frames (event, card).
const METHOD_DATA: i32 = 1;
/// The `service_id` the endpoint puts in the URL.
const SERVICE_ID: i32 = 1;
/// How often a session looks at the queue and the knobs when nothing else happens.
const TICK: Duration = Duration::from_millis(10);

/// Accepts websocket connections until the tenant is gone.
pub(crate) async fn accept_loop(listener: TcpListener, shared: Weak<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        if shared.strong_count() == 0 {
            return;
        }
        let shared = shared.clone();
        tokio::spawn(async move {
            if let Ok(socket) = tokio_tungstenite::accept_async(stream).await {
                serve(socket, shared).await;
            }
        });
    }
}

/// What a session does next.
enum Step {
    /// Send these frames; then drop the connection if `then_drop`.
    Send {
        frames: Vec<Vec<u8>>,
        then_drop: bool,
    },
    /// Drop the connection now.
    Drop,
}

/// Serves one connection until it breaks or a knob drops it; unacknowledged events go
/// back to the front of the queue.
async fn serve(socket: WebSocketStream<TcpStream>, shared: Weak<Shared>) {
    let Some((connection, generation)) = shared.upgrade().map(|s| {
        let mut knobs = lock(&s.knobs);
        knobs.connections += 1;
        (knobs.connections, knobs.generation)
    }) else {
        return;
    };
    let (mut sink, mut source) = socket.split();
    let mut counters = Counters::default();
    loop {
        let Some(strong) = shared.upgrade() else {
            break;
        };
        let step = prepare(
            &mut lock(&strong.knobs),
            connection,
            generation,
            &mut counters,
        );
        match step {
            Step::Drop => break,
            Step::Send { frames, then_drop } => {
                let mut failed = false;
                for frame in frames {
                    if sink.send(Message::Binary(frame.into())).await.is_err() {
                        failed = true;
                        break;
                    }
                }
                if failed || then_drop {
                    break;
                }
            }
        }
        let inbound = tokio::select! {
            message = source.next() => Some(message),
            () = strong.changed.notified() => None,
            () = tokio::time::sleep(TICK) => None,
        };
        match inbound {
            None => {}
            Some(Some(Ok(Message::Binary(bytes)))) => {
                if let Some(reply) = on_client_frame(&strong, &bytes)
                    && sink.send(Message::Binary(reply.into())).await.is_err()
                {
                    break;
                }
            }
            Some(Some(Ok(Message::Close(_)) | Err(_)) | None) => break,
            Some(Some(Ok(_))) => {}
        }
    }
    if let Some(strong) = shared.upgrade() {
        requeue_connection(&mut lock(&strong.knobs), connection);
    }
}

/// Per-connection frame counters.
#[derive(Default)]
struct Counters {
    seq_id: u64,
}

/// Decides what to send: checks the drop knobs and ack timeouts, and turns queued events
/// into frames.
fn prepare(knobs: &mut Knobs, connection: u64, generation: u64, counters: &mut Counters) -> Step {
    if knobs.generation != generation {
        return Step::Drop;
    }
    if let Some(timeout) = knobs.ack_timeout {
        let now = Instant::now();
        let (late, keep): (Vec<InFlight>, Vec<InFlight>) = knobs
            .in_flight
            .drain(..)
            .partition(|f| f.connection == connection && now.duration_since(f.sent_at) > timeout);
        knobs.in_flight = keep;
        for flight in late.into_iter().rev() {
            knobs.queue.push_front(flight.event);
        }
    }
    let mut frames = Vec::new();
    let mut then_drop = false;
    while let Some(event) = knobs.queue.pop_front() {
        knobs.next_id += 1;
        let message_id = format!("testkit_msg_{}", knobs.next_id);
        frames.extend(event_frames(&event, &message_id, knobs.fragments, counters));
        knobs
            .message_events
            .insert(message_id.clone(), event.event_id.clone());
        knobs.in_flight.push(InFlight {
            message_id,
            event,
            sent_at: Instant::now(),
            connection,
        });
        if let Some(left) = knobs.drop_after.as_mut() {
            *left = left.saturating_sub(1);
            if *left == 0 {
                knobs.drop_after = None;
                then_drop = true;
                break;
            }
        }
    }
    Step::Send { frames, then_drop }
}

/// The data frames of one event, split into `fragments` parts.
fn event_frames(
    event: &Queued,
    message_id: &str,
    fragments: u32,
    counters: &mut Counters,
) -> Vec<Vec<u8>> {
    let payload = event.payload.as_slice();
    let parts = (fragments.max(1) as usize).min(payload.len().max(1));
    let size = payload.len().div_ceil(parts).max(1);
    let chunks: Vec<&[u8]> = if payload.is_empty() {
        vec![payload]
    } else {
        payload.chunks(size).collect()
    };
    let sum = chunks.len();
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    chunks
        .into_iter()
        .enumerate()
        .map(|(seq, chunk)| {
            counters.seq_id += 1;
            Frame {
                seq_id: counters.seq_id,
                log_id: counters.seq_id,
                service: SERVICE_ID,
                method: METHOD_DATA,
                headers: vec![
                    header("type", "event"),
                    header("message_id", message_id),
                    header("sum", sum.to_string()),
                    header("seq", seq.to_string()),
                    header("trace_id", format!("testkit_trace_{message_id}")),
                    header("timestamp", now_ms.to_string()),
                ],
                payload: Some(chunk.to_vec()),
                ..Frame::default()
            }
            .encode_to_vec()
        })
        .collect()
}

/// Handles a frame from the client: a ping (answered with a pong carrying the client
/// config) or an acknowledgement.
fn on_client_frame(shared: &Arc<Shared>, bytes: &[u8]) -> Option<Vec<u8>> {
    let frame = Frame::decode(bytes).ok()?;
    let mut knobs = lock(&shared.knobs);
    match frame.method {
        METHOD_CONTROL if frame.header("type") == Some("ping") => {
            knobs.pings += 1;
            let pong = Frame {
                service: frame.service,
                method: METHOD_CONTROL,
                headers: vec![header("type", "pong")],
                payload: Some(knobs.client_config.to_json().to_string().into_bytes()),
                ..Frame::default()
            };
            Some(pong.encode_to_vec())
        }
        METHOD_DATA => {
            record_ack(&mut knobs, &frame);
            None
        }
        _ => None,
    }
}

/// Records an acknowledgement; a non-200 code queues the event again.
fn record_ack(knobs: &mut Knobs, frame: &Frame) {
    let message_id = frame.header("message_id").unwrap_or_default().to_owned();
    let code = frame
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_slice::<serde_json::Value>(p).ok())
        .and_then(|v| v["code"].as_i64())
        .unwrap_or(0);
    let position = knobs
        .in_flight
        .iter()
        .position(|f| f.message_id == message_id);
    let late = position.is_none();
    let event_id = knobs
        .message_events
        .get(&message_id)
        .cloned()
        .unwrap_or_default();
    if let Some(i) = position {
        let flight = knobs.in_flight.remove(i);
        if code != 200 {
            knobs.queue.push_back(flight.event);
        }
    }
    knobs.acks.push(AckRecord {
        message_id,
        event_id,
        code,
        late,
    });
}

/// Puts the unacknowledged events of a finished connection back at the queue's front, in
/// their original order.
fn requeue_connection(knobs: &mut Knobs, connection: u64) {
    let (mine, others): (Vec<InFlight>, Vec<InFlight>) = knobs
        .in_flight
        .drain(..)
        .partition(|f| f.connection == connection);
    knobs.in_flight = others;
    for flight in mine.into_iter().rev() {
        knobs.queue.push_front(flight.event);
    }
}
