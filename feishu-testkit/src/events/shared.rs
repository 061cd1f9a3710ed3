//! The events side's state, shared by the knobs, the endpoint, the websocket sessions and the
//! webhook poster: who events are addressed to, the queue of events to deliver, the knobs and
//! the records.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc, oneshot};

use super::payloads::{self, EventTarget};
use super::webhook::WebhookDelivery;
use crate::auth::AuthConfig;
use crate::lock::lock;

/// The client config the fake endpoint hands out (seconds, as on the wire). The defaults
/// keep tests fast: reconnect at once and every second after a failure, forever; ping every
/// 120 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongConnectionConfig {
    /// `ReconnectCount` (-1: forever).
    pub reconnect_count: i64,
    /// `ReconnectInterval`.
    pub reconnect_interval: i64,
    /// `ReconnectNonce`.
    pub reconnect_nonce: i64,
    /// `PingInterval`.
    pub ping_interval: i64,
}

impl Default for LongConnectionConfig {
    fn default() -> Self {
        LongConnectionConfig {
            reconnect_count: -1,
            reconnect_interval: 1,
            reconnect_nonce: 0,
            ping_interval: 120,
        }
    }
}

impl LongConnectionConfig {
    /// The `ClientConfig` object (oapi-sdk-go `ws/model.go`).
    pub(crate) fn to_json(self) -> Value {
        json!({
            "ReconnectCount": self.reconnect_count,
            "ReconnectInterval": self.reconnect_interval,
            "ReconnectNonce": self.reconnect_nonce,
            "PingInterval": self.ping_interval,
        })
    }
}

/// One acknowledgement the long-connection server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckRecord {
    /// The data frame's `message_id`.
    pub message_id: String,
    /// The acknowledged event's id (empty when the message id was unknown).
    pub event_id: String,
    /// The `code` of the acknowledgement payload (200 taken, 500 failed).
    pub code: i64,
    /// Whether it came after the ack timeout (the event was already queued again).
    pub late: bool,
}

/// The events side of one tenant. It holds the handles of the events thread (websocket server
/// and webhook poster), which stops when this is dropped.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The custom (self-built) app: the long connection's app and the default target.
    pub(crate) custom: EventTarget,
    /// The store app, addressee of `app_ticket`.
    pub(crate) store: EventTarget,
    /// The custom app's secret, checked by the endpoint request.
    pub(crate) app_secret: String,
    pub(crate) knobs: Mutex<Knobs>,
    /// Woken whenever the queue or a connection knob changes.
    pub(crate) changed: Notify,
    pub(crate) http: reqwest::Client,
    thread: ThreadHandles,
}

/// What the events thread hands back when it starts.
#[derive(Debug)]
pub(crate) struct ThreadHandles {
    /// Where its websocket server listens.
    pub(crate) ws_addr: SocketAddr,
    /// Its webhook poster's queue.
    pub(crate) webhook_tx: mpsc::UnboundedSender<Value>,
    /// Dropping this stops the thread.
    pub(crate) _stop: oneshot::Sender<()>,
}

/// An event waiting to go out over the long connection.
#[derive(Debug, Clone)]
pub(crate) struct Queued {
    pub(crate) event_id: String,
    pub(crate) payload: Arc<Vec<u8>>,
}

/// An event sent and not yet acknowledged.
#[derive(Debug, Clone)]
pub(crate) struct InFlight {
    pub(crate) message_id: String,
    pub(crate) event: Queued,
    pub(crate) sent_at: Instant,
    pub(crate) connection: u64,
}

/// Knobs and records, behind one lock.
#[derive(Debug, Default)]
pub(crate) struct Knobs {
    pub(crate) encrypt_key: Option<String>,
    pub(crate) webhook_url: Option<String>,
    pub(crate) webhook_retry_delays: Vec<Duration>,
    pub(crate) client_config: LongConnectionConfig,
    pub(crate) queue: VecDeque<Queued>,
    pub(crate) in_flight: Vec<InFlight>,
    pub(crate) fragments: u32,
    pub(crate) drop_after: Option<usize>,
    pub(crate) generation: u64,
    pub(crate) ack_timeout: Option<Duration>,
    pub(crate) endpoint_failures: VecDeque<i64>,
    pub(crate) acks: Vec<AckRecord>,
    pub(crate) connections: u64,
    pub(crate) pings: usize,
    pub(crate) endpoint_requests: usize,
    pub(crate) emitted: Vec<Value>,
    pub(crate) deliveries: Vec<WebhookDelivery>,
    pub(crate) next_id: u64,
    pub(crate) message_events: HashMap<String, String>,
}

impl Shared {
    /// The events side for the apps of `config`, served by the events thread of `thread`.
    pub(crate) fn new(config: &AuthConfig, thread: ThreadHandles) -> Shared {
        let target = |app_id: &str| EventTarget {
            app_id: app_id.to_owned(),
            tenant_key: config.tenant_key.clone(),
            token: config.verification_token.clone(),
        };
        Shared {
            custom: target(&config.app_id),
            store: target(&config.store_app_id),
            app_secret: config.app_secret.clone(),
            knobs: Mutex::new(Knobs {
                fragments: 1,
                webhook_retry_delays: vec![
                    Duration::from_millis(50),
                    Duration::from_millis(200),
                    Duration::from_millis(500),
                    Duration::from_secs(1),
                ],
                ..Knobs::default()
            }),
            changed: Notify::new(),
            http: reqwest::Client::new(),
            thread,
        }
    }

    pub(crate) fn knobs(&self) -> MutexGuard<'_, Knobs> {
        lock(&self.knobs)
    }

    /// The address of the long-connection websocket server.
    pub(crate) fn websocket_address(&self) -> SocketAddr {
        self.thread.ws_addr
    }

    /// Queues `envelope` for the long connection, hands it to the webhook poster when a URL
    /// is set, and records it.
    pub(crate) fn emit(&self, envelope: Value) {
        let payload = Arc::new(envelope.to_string().into_bytes());
        let event_id = payloads::event_id(&envelope).unwrap_or_default().to_owned();
        let post = {
            let mut knobs = self.knobs();
            knobs.queue.push_back(Queued { event_id, payload });
            knobs.emitted.push(envelope.clone());
            knobs.webhook_url.is_some()
        };
        if post {
            // The poster posts in emission order; it is gone only while the tenant drops.
            let _ = self.thread.webhook_tx.send(envelope);
        }
        self.changed.notify_waiters();
    }
}
