//! One open long connection: pings, pongs, event frames, acknowledgements.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, SinkExt, StreamExt};
use prost::Message as _;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::endpoint::{ClientConfig, ServerParams};
use super::fragments::Fragments;
use super::frame::{Frame, METHOD_CONTROL, METHOD_DATA, header, message_type};
use crate::dedup::Deduplicator;
use crate::delivery::{Ack, Delivery};
use crate::envelope::Envelope;
use crate::error::Result;

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Acknowledgement codes of the ack payload (oapi-sdk-go `ws/client.go`: 200 handled, 500
/// failed, which makes Feishu deliver the event again).
const ACK_OK: u16 = 200;
const ACK_FAILED: u16 = 500;

/// How a session ended.
#[derive(Debug)]
pub(crate) enum SessionEnd {
    /// The application dropped the stream: stop for good.
    ConsumerGone,
    /// The connection broke: reconnect.
    Lost(String),
}

/// Events handed to the application whose acknowledgement it still owes (deliveries of
/// [`LongConnection::connect_acked`](super::LongConnection::connect_acked)). Kept across
/// connections: an event settled after its connection broke is acknowledged on no
/// connection (Feishu delivers it again, and that delivery is acknowledged as soon as it
/// arrives if the event was done, or when it is settled if it is still being processed).
#[derive(Default)]
pub(crate) struct Owed {
    /// Per event: the data frames that delivered it, with the connection (generation) each
    /// came on, to acknowledge when the application settles it.
    frames: HashMap<String, Vec<(u64, Frame, Instant)>>,
    /// Resolve to `(event key, done)` when the application settles an event.
    receipts: FuturesUnordered<BoxFuture<'static, (String, bool)>>,
}

/// What a session needs from its connection.
pub(crate) struct Session<'a> {
    pub(crate) tx: &'a mpsc::Sender<Result<Delivery>>,
    pub(crate) dedup: &'a Deduplicator,
    pub(crate) params: &'a mut ServerParams,
    pub(crate) service_id: i32,
    pub(crate) handoff_timeout: Duration,
    /// Silence after which the connection counts as dead; `None`: three ping intervals.
    pub(crate) liveness: Option<Duration>,
    /// This connection's number: acknowledgements go out on the connection that delivered.
    pub(crate) generation: u64,
    /// `Some` when the application acknowledges (deliveries); `None`: acknowledge on arrival.
    pub(crate) owed: Option<&'a mut Owed>,
}

/// What handling one frame asks of the loop.
enum Next {
    Continue,
    Send(Vec<Frame>),
    End(SessionEnd),
}

impl Session<'_> {
    /// Runs the connection until it breaks or the application goes away.
    pub(crate) async fn run(mut self, socket: Socket) -> SessionEnd {
        let (mut sink, mut stream) = socket.split();
        let mut fragments = Fragments::default();
        let mut ping_every = self.params.ping_interval;
        let mut ping = tokio::time::interval(ping_every);
        let mut last_inbound = Instant::now();
        loop {
            let silence = self
                .liveness
                .unwrap_or(self.params.ping_interval.saturating_mul(3));
            let deadline = tokio::time::Instant::from_std(last_inbound)
                .checked_add(silence)
                .unwrap_or_else(far_future);
            let next = tokio::select! {
                () = self.tx.closed() => Next::End(SessionEnd::ConsumerGone),
                _ = ping.tick() => Next::Send(vec![Frame::ping(self.service_id)]),
                () = tokio::time::sleep_until(deadline) => {
                    Next::End(SessionEnd::Lost(format!("no frame for {silence:?}")))
                }
                (key, done) = settled(&mut self.owed) => self.on_settled(&key, done),
                message = stream.next() => {
                    last_inbound = Instant::now();
                    match message {
                        None => Next::End(SessionEnd::Lost("closed by the server".into())),
                        Some(Err(e)) => Next::End(SessionEnd::Lost(format!("websocket error: {e}"))),
                        Some(Ok(Message::Binary(bytes))) => self.on_frame(&bytes, &mut fragments).await,
                        Some(Ok(Message::Close(_))) => {
                            Next::End(SessionEnd::Lost("close frame from the server".into()))
                        }
                        Some(Ok(_)) => Next::Continue,
                    }
                }
            };
            match next {
                Next::Continue => {}
                Next::Send(frames) => {
                    for frame in frames {
                        if let Err(e) = sink
                            .send(Message::Binary(frame.encode_to_vec().into()))
                            .await
                        {
                            return self.end(SessionEnd::Lost(format!("send failed: {e}")));
                        }
                    }
                }
                Next::End(end) => {
                    let _ = sink.close().await;
                    return self.end(end);
                }
            }
            if self.params.ping_interval != ping_every {
                ping_every = self.params.ping_interval;
                ping =
                    tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
            }
        }
    }

    /// Forgets the frames of this connection: they can no longer be acknowledged (the
    /// events stay owed, so their redeliveries wait for the same settlement).
    fn end(self, end: SessionEnd) -> SessionEnd {
        if let Some(owed) = self.owed {
            for frames in owed.frames.values_mut() {
                frames.retain(|(generation, ..)| *generation != self.generation);
            }
        }
        end
    }

    /// Handles one binary message.
    async fn on_frame(&mut self, bytes: &[u8], fragments: &mut Fragments) -> Next {
        let frame = match Frame::decode(bytes) {
            Ok(frame) => frame,
            Err(e) => {
                tracing::warn!(error = %e, "undecodable long-connection frame ignored");
                return Next::Continue;
            }
        };
        match frame.method {
            METHOD_CONTROL => {
                self.on_control(&frame);
                Next::Continue
            }
            METHOD_DATA => self.on_data(frame, fragments).await,
            other => {
                tracing::debug!(
                    method = other,
                    "long-connection frame of unknown method ignored"
                );
                Next::Continue
            }
        }
    }

    /// A pong may carry a new client config (oapi-sdk-go `ws/client.go` `handleControlFrame`).
    fn on_control(&mut self, frame: &Frame) {
        if frame.header(header::TYPE) != Some(message_type::PONG) {
            return;
        }
        let Some(payload) = frame.payload.as_deref().filter(|p| !p.is_empty()) else {
            return;
        };
        match serde_json::from_slice::<ClientConfig>(payload) {
            Ok(config) => self.params.apply(&config),
            Err(e) => tracing::warn!(error = %e, "pong carries an unreadable client config"),
        }
    }

    /// An event frame (or a fragment of one): reassemble, hand over, acknowledge.
    async fn on_data(&mut self, mut frame: Frame, fragments: &mut Fragments) -> Next {
        let kind = frame.header(header::TYPE).unwrap_or_default();
        let trace_id = frame.header(header::TRACE_ID).unwrap_or_default();
        if kind == message_type::CARD {
            // Card callbacks are not acknowledged, as in the official SDKs.
            tracing::debug!(trace_id, "card callback over the long connection ignored");
            return Next::Continue;
        }
        if kind != message_type::EVENT {
            tracing::debug!(
                kind,
                trace_id,
                "long-connection data frame of unknown type ignored"
            );
            return Next::Continue;
        }
        let message_id = frame
            .header(header::MESSAGE_ID)
            .unwrap_or_default()
            .to_owned();
        let sum = frame.header_u32(header::SUM).unwrap_or(1);
        let seq = frame.header_u32(header::SEQ).unwrap_or(0);
        let payload = frame.payload.take().unwrap_or_default();
        let whole = match fragments.push(&message_id, sum, seq, payload) {
            Ok(Some(whole)) => whole,
            Ok(None) => return Next::Continue,
            Err(e) => {
                tracing::warn!(?e, message_id, "long-connection fragment dropped");
                return Next::Continue;
            }
        };
        let started = Instant::now();
        match self.deliver(&whole, &message_id, frame.clone()).await {
            Delivered::Taken => Next::Send(vec![frame.ack(ACK_OK, started.elapsed().as_millis())]),
            Delivered::Owed => Next::Continue,
            Delivered::Busy => {
                Next::Send(vec![frame.ack(ACK_FAILED, started.elapsed().as_millis())])
            }
            Delivered::Gone => Next::End(SessionEnd::ConsumerGone),
        }
    }

    /// Decodes one event payload and hands it to the application; `frame` is kept to be
    /// acknowledged later when the application acknowledges.
    async fn deliver(&mut self, payload: &[u8], message_id: &str, frame: Frame) -> Delivered {
        let parts = match Envelope::parse(payload) {
            Ok(Envelope::Event(parts)) => parts,
            Ok(Envelope::Challenge { .. }) => return Delivered::Taken,
            // Undecodable payloads are acknowledged: a redelivery would not decode either.
            Err(e) => return self.hand_over(Err(e)).await,
        };
        let event_id = parts.header.event_id.clone();
        // An event without an id cannot be recognised again: its message id keys it.
        let key = if event_id.is_empty() {
            format!("message:{message_id}")
        } else {
            event_id.clone()
        };
        if let Some(owed) = self.owed.as_deref_mut()
            && let Some(frames) = owed.frames.get_mut(&key)
        {
            tracing::debug!(event_id, "feishu event redelivered while being processed");
            frames.push((self.generation, frame, Instant::now()));
            return Delivered::Owed;
        }
        if !self.dedup.first_sighting(&event_id) {
            tracing::debug!(event_id, "feishu event redelivered; already seen");
            return Delivered::Taken;
        }
        let event = match parts.into_event() {
            Ok(event) => event,
            Err(e) => return self.hand_over(Err(e)).await,
        };
        let Some(owed) = self.owed.as_deref_mut() else {
            let taken = self
                .hand_over(Ok(Delivery::new(event, Ack::detached())))
                .await;
            if !matches!(taken, Delivered::Taken) && !event_id.is_empty() {
                self.dedup.forget(&event_id);
            }
            return taken;
        };
        let (ack, receipt) = Ack::new();
        owed.frames
            .insert(key.clone(), vec![(self.generation, frame, Instant::now())]);
        owed.receipts
            .push(receipt.map(move |done| (key, done)).boxed());
        // Whatever happens to the delivery now, its receipt settles it: a delivery dropped
        // for want of room or of a consumer fails, which answers 500 and forgets the id.
        match self.hand_over(Ok(Delivery::new(event, ack))).await {
            Delivered::Gone => Delivered::Gone,
            _ => Delivered::Owed,
        }
    }

    /// Hands `item` to the application, waiting at most the hand-off timeout.
    fn hand_over(&self, item: Result<Delivery>) -> impl Future<Output = Delivered> + Send + use<> {
        let (tx, timeout) = (self.tx.clone(), self.handoff_timeout);
        async move {
            match tokio::time::timeout(timeout, tx.send(item)).await {
                Ok(Ok(())) => Delivered::Taken,
                Ok(Err(_)) => Delivered::Gone,
                Err(_) => {
                    tracing::warn!("feishu event not taken by the application in time; nacked");
                    Delivered::Busy
                }
            }
        }
    }

    /// The application settled an event: acknowledge every frame that delivered it on this
    /// connection (200 when done; 500 when not, and its id is forgotten so that Feishu's
    /// next delivery is processed).
    fn on_settled(&mut self, key: &str, done: bool) -> Next {
        let Some(owed) = self.owed.as_deref_mut() else {
            return Next::Continue;
        };
        let frames = owed.frames.remove(key).unwrap_or_default();
        if !done && !key.starts_with("message:") {
            self.dedup.forget(key);
        }
        let code = if done { ACK_OK } else { ACK_FAILED };
        let acks: Vec<Frame> = frames
            .into_iter()
            .filter(|(generation, ..)| *generation == self.generation)
            .map(|(_, frame, at)| frame.ack(code, at.elapsed().as_millis()))
            .collect();
        if acks.is_empty() {
            Next::Continue
        } else {
            Next::Send(acks)
        }
    }
}

/// The next event the application settles; never resolves when none is owed.
async fn settled(owed: &mut Option<&mut Owed>) -> (String, bool) {
    let waiting = owed.as_deref().is_some_and(|o| !o.receipts.is_empty());
    match owed.as_deref_mut() {
        Some(owed) if waiting => match owed.receipts.next().await {
            Some(settled) => settled,
            None => std::future::pending().await,
        },
        _ => std::future::pending().await,
    }
}

/// A deadline that never comes in practice (a year from now).
fn far_future() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(365 * 24 * 3600)
}

/// What became of an event handed to the application.
enum Delivered {
    /// Taken: acknowledge now.
    Taken,
    /// Taken; the application acknowledges it later.
    Owed,
    /// The application's buffer stayed full: acknowledge as failed.
    Busy,
    /// The application went away.
    Gone,
}
