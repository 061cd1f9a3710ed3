//! One open long connection: pings, pongs, event frames, acknowledgements.

use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use prost::Message as _;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::endpoint::{ClientConfig, ServerParams};
use super::fragments::Fragments;
use super::frame::{Frame, METHOD_CONTROL, METHOD_DATA, header, message_type};
use crate::Event;
use crate::dedup::Deduplicator;
use crate::envelope::Envelope;
use crate::error::Result;

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How a session ended.
#[derive(Debug)]
pub(crate) enum SessionEnd {
    /// The application dropped the stream: stop for good.
    ConsumerGone,
    /// The connection broke: reconnect.
    Lost(String),
}

/// What a session needs from its connection.
pub(crate) struct Session<'a> {
    pub(crate) tx: &'a mpsc::Sender<Result<Event>>,
    pub(crate) dedup: &'a Deduplicator,
    pub(crate) params: &'a mut ServerParams,
    pub(crate) service_id: i32,
    pub(crate) handoff_timeout: Duration,
    /// Silence after which the connection counts as dead; `None`: three ping intervals.
    pub(crate) liveness: Option<Duration>,
}

/// What handling one frame asks of the loop.
enum Next {
    Continue,
    Send(Frame),
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
                _ = ping.tick() => Next::Send(Frame::ping(self.service_id)),
                () = tokio::time::sleep_until(deadline) => {
                    Next::End(SessionEnd::Lost(format!("no frame for {silence:?}")))
                }
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
                Next::Send(frame) => {
                    if let Err(e) = sink
                        .send(Message::Binary(frame.encode_to_vec().into()))
                        .await
                    {
                        return SessionEnd::Lost(format!("send failed: {e}"));
                    }
                }
                Next::End(end) => {
                    let _ = sink.close().await;
                    return end;
                }
            }
            if self.params.ping_interval != ping_every {
                ping_every = self.params.ping_interval;
                ping =
                    tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
            }
        }
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
        match self.deliver(&whole).await {
            Delivery::Taken => Next::Send(frame.ack(200, started.elapsed().as_millis())),
            Delivery::Busy => Next::Send(frame.ack(500, started.elapsed().as_millis())),
            Delivery::Gone => Next::End(SessionEnd::ConsumerGone),
        }
    }

    /// Decodes one event payload and hands it to the application.
    async fn deliver(&mut self, payload: &[u8]) -> Delivery {
        let (item, event_id) = match Envelope::parse(payload) {
            Ok(Envelope::Event(parts)) => {
                let event_id = parts.header.event_id.clone();
                if !self.dedup.first_sighting(&event_id) {
                    tracing::debug!(event_id, "feishu event redelivered; already seen");
                    return Delivery::Taken;
                }
                (parts.into_event(), Some(event_id))
            }
            Ok(Envelope::Challenge { .. }) => return Delivery::Taken,
            Err(e) => (Err(e), None),
        };
        match tokio::time::timeout(self.handoff_timeout, self.tx.send(item)).await {
            Ok(Ok(())) => Delivery::Taken,
            Ok(Err(_)) => {
                self.forget(event_id);
                Delivery::Gone
            }
            Err(_) => {
                tracing::warn!("feishu event not taken by the application in time; nacked");
                self.forget(event_id);
                Delivery::Busy
            }
        }
    }

    fn forget(&self, event_id: Option<String>) {
        if let Some(id) = event_id {
            self.dedup.forget(&id);
        }
    }
}

/// A deadline that never comes in practice (a year from now).
fn far_future() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(365 * 24 * 3600)
}

/// Whether the application took an event.
enum Delivery {
    Taken,
    Busy,
    Gone,
}
