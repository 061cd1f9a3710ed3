//! The tenant's events: what Feishu would push to the app, by webhook or over the long
//! connection, with fault knobs.
//!
//! Reach it with [`FakeTenant::events`]. From then on:
//!
//! - Knobs that change data emit the matching event: `set_instance_status` and
//!   `add_approval_instance` emit `approval_instance`; `push_app_ticket` and the
//!   `app_ticket/resend` endpoint emit `app_ticket` (for the store app). Anything else can be
//!   emitted by hand with [`FakeEvents::emit`] and the builders of [`EventTarget`].
//! - Emitted events are queued for the long connection and, when
//!   [`FakeEvents::set_webhook_url`] is set, posted to that URL in order (signed and
//!   encrypted when [`FakeEvents::set_encrypt_key`] is set), retried on a non-200 answer.
//! - [`FakeEvents::post`] posts one envelope directly and returns the answer.
//! - The long connection: `POST /callback/ws/endpoint` (`{"AppID", "AppSecret"}` of the
//!   custom app) answers `{code: 0, data: {URL: "ws://127.0.0.1:<port>/ws?device_id=..&service_id=1",
//!   ClientConfig}}`; the websocket speaks the protobuf frames of oapi-sdk-go `ws/`: it
//!   answers pings with pongs carrying the client config, sends each queued event as a data
//!   frame (split into fragments with [`FakeEvents::set_fragments`]) and records the
//!   acknowledgements. Events not acknowledged with code 200 when a connection ends, or
//!   within [`FakeEvents::set_ack_timeout`], are delivered again, as Feishu does.
//!
//! Fault knobs: [`FakeEvents::drop_connections`], [`FakeEvents::drop_after_events`],
//! [`FakeEvents::set_ack_timeout`] (late acknowledgements cause redelivery),
//! [`FakeEvents::redeliver`], [`FakeEvents::fail_endpoint`].

pub mod crypto;
mod endpoint;
mod frame;
mod long_connection;
pub mod payloads;
mod webhook;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};

pub use payloads::EventTarget;
pub use webhook::WebhookDelivery;

pub(crate) use endpoint::handle as endpoint;

use crate::FakeTenant;
use crate::state::{Config, State, lock};
use webhook::PostOptions;

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

/// The events side of a [`FakeTenant`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct FakeEvents {
    shared: Arc<Shared>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) custom: EventTarget,
    pub(crate) store: EventTarget,
    pub(crate) app_secret: String,
    pub(crate) knobs: Mutex<Knobs>,
    pub(crate) changed: Notify,
    http: reqwest::Client,
    background: OnceLock<Background>,
}

/// The thread hosting the websocket server and the background webhook poster; it stops
/// when this is dropped.
#[derive(Debug)]
struct Background {
    ws_addr: SocketAddr,
    webhook_tx: mpsc::UnboundedSender<Value>,
    _stop: tokio::sync::oneshot::Sender<()>,
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
    pub(crate) message_events: std::collections::HashMap<String, String>,
}

/// Where the tenant keeps its events side (created on first use).
#[derive(Debug, Default)]
pub(crate) struct EventsState {
    hub: OnceLock<FakeEvents>,
}

impl EventsState {
    /// The events side, created (with its server thread) on first use.
    pub(crate) fn hub(&self, config: &Config) -> &FakeEvents {
        self.hub.get_or_init(|| FakeEvents::new(config))
    }

    /// The events side if something already used it.
    pub(crate) fn existing(&self) -> Option<&FakeEvents> {
        self.hub.get()
    }
}

impl FakeTenant {
    /// The tenant's events: emit, post and serve them over the long connection (see
    /// [`crate::events`]). The first call starts the long-connection server.
    pub fn events(&self) -> FakeEvents {
        let state = self.state();
        state.events.hub(&state.config).clone()
    }
}

/// Emits `approval_instance` for an instance whose status a knob changed (`data` is the
/// instance's JSON). Does nothing until [`FakeTenant::events`] was called.
pub(crate) fn on_instance_changed(state: &State, data: &Value) {
    if let Some(hub) = state.events.existing() {
        let field = |name: &str| data[name].as_str().unwrap_or_default().to_owned();
        let event = hub.shared.custom.approval_instance(
            &field("approval_code"),
            &field("instance_code"),
            &field("status"),
        );
        hub.emit(event);
    }
}

/// Emits the current `app_ticket` event of the store app. Does nothing until
/// [`FakeTenant::events`] was called.
pub(crate) fn on_app_ticket(state: &State) {
    if let Some(hub) = state.events.existing() {
        let event = lock(&state.auth).ticket_event();
        if let Some(event) = event {
            hub.emit(event);
        }
    }
}

impl FakeEvents {
    fn new(config: &Config) -> FakeEvents {
        let target = |app_id: &str| EventTarget {
            app_id: app_id.to_owned(),
            tenant_key: config.tenant_key.clone(),
            token: config.verification_token.clone(),
        };
        let shared = Arc::new(Shared {
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
            background: OnceLock::new(),
        });
        let background = start_background(Arc::downgrade(&shared));
        let _ = shared.background.set(background);
        FakeEvents { shared }
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    fn knobs(&self) -> std::sync::MutexGuard<'_, Knobs> {
        lock(&self.shared.knobs)
    }

    // ----- addressing ------------------------------------------------------------------

    /// Builders of events for the custom (self-built) app.
    pub fn target(&self) -> EventTarget {
        self.shared.custom.clone()
    }

    /// Builders of events for the store app.
    pub fn store_target(&self) -> EventTarget {
        self.shared.store.clone()
    }

    /// The address of the long-connection websocket server.
    pub fn websocket_address(&self) -> Option<SocketAddr> {
        self.shared.background.get().map(|b| b.ws_addr)
    }

    // ----- webhook ---------------------------------------------------------------------

    /// The app's Encrypt Key: with one, posted bodies are encrypted and signed.
    pub fn set_encrypt_key(&self, key: Option<&str>) {
        self.knobs().encrypt_key = key.map(str::to_owned);
    }

    /// Emitted events are also posted to this URL, in order, by a background task.
    pub fn set_webhook_url(&self, url: Option<&str>) {
        self.knobs().webhook_url = url.map(str::to_owned);
    }

    /// Waits before each retry of a background post answered with a non-200 status
    /// (default 50 ms, 200 ms, 500 ms, 1 s: Feishu's 15 s, 5 min, 1 h, 6 h, shortened).
    pub fn set_webhook_retry_delays(&self, delays: &[Duration]) {
        self.knobs().webhook_retry_delays = delays.to_vec();
    }

    /// Posts `envelope` to `url` now, as Feishu would (encrypted and signed when an encrypt
    /// key is set), and returns the answer. Not recorded in [`webhook_deliveries`](Self::webhook_deliveries).
    pub async fn post(&self, url: &str, envelope: &Value) -> WebhookDelivery {
        let options = PostOptions {
            encrypt_key: self.knobs().encrypt_key.clone(),
            timestamp: None,
        };
        webhook::post(&self.shared.http, url, envelope, &options).await
    }

    /// [`post`](Self::post) with the signed timestamp set to `unix_secs` (to test stale
    /// requests; only meaningful with an encrypt key).
    pub async fn post_at(&self, url: &str, envelope: &Value, unix_secs: u64) -> WebhookDelivery {
        let options = PostOptions {
            encrypt_key: self.knobs().encrypt_key.clone(),
            timestamp: Some(unix_secs),
        };
        webhook::post(&self.shared.http, url, envelope, &options).await
    }

    /// Posts the `url_verification` challenge Feishu sends when the URL is saved in the
    /// developer console.
    pub async fn post_challenge(&self, url: &str, challenge: &str) -> WebhookDelivery {
        let body = json!({
            "challenge": challenge,
            "token": self.shared.custom.token,
            "type": "url_verification",
        });
        self.post(url, &body).await
    }

    /// Every background post so far (one entry per attempt), oldest first.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.knobs().deliveries.clone()
    }

    // ----- emitting --------------------------------------------------------------------

    /// Emits an event: queued for the long connection, posted to the webhook URL if one is
    /// set, and recorded.
    pub fn emit(&self, envelope: Value) {
        let payload = Arc::new(envelope.to_string().into_bytes());
        let event_id = payloads::event_id(&envelope).unwrap_or_default().to_owned();
        let post = {
            let mut knobs = self.knobs();
            knobs.queue.push_back(Queued { event_id, payload });
            knobs.emitted.push(envelope.clone());
            knobs.webhook_url.is_some()
        };
        if post && let Some(background) = self.shared.background.get() {
            let _ = background.webhook_tx.send(envelope);
        }
        self.shared.changed.notify_waiters();
    }

    /// Every emitted envelope, oldest first.
    pub fn emitted(&self) -> Vec<Value> {
        self.knobs().emitted.clone()
    }

    // ----- long connection knobs -------------------------------------------------------

    /// The client config handed out by the endpoint and in pongs.
    pub fn set_client_config(&self, config: LongConnectionConfig) {
        self.knobs().client_config = config;
    }

    /// Drops every open long connection now (no close frame), as a network failure would.
    pub fn drop_connections(&self) {
        self.knobs().generation += 1;
        self.shared.changed.notify_waiters();
    }

    /// Drops the connection right after the next `n` event frames were sent, before their
    /// acknowledgements can arrive.
    pub fn drop_after_events(&self, n: usize) {
        self.knobs().drop_after = Some(n);
    }

    /// Events not acknowledged within `timeout` are sent again (a late acknowledgement is
    /// recorded with `late: true`). `None` (default) waits for the connection to end.
    pub fn set_ack_timeout(&self, timeout: Option<Duration>) {
        self.knobs().ack_timeout = timeout;
    }

    /// Sends an already emitted event again over the long connection. Returns whether the
    /// event id is known.
    pub fn redeliver(&self, event_id: &str) -> bool {
        let found = {
            let mut knobs = self.knobs();
            let found = knobs
                .emitted
                .iter()
                .find(|e| payloads::event_id(e) == Some(event_id))
                .map(|e| Arc::new(e.to_string().into_bytes()));
            if let Some(payload) = &found {
                knobs.queue.push_back(Queued {
                    event_id: event_id.to_owned(),
                    payload: Arc::clone(payload),
                });
            }
            found.is_some()
        };
        self.shared.changed.notify_waiters();
        found
    }

    /// Splits every event payload into `n` fragments (`sum`/`seq` headers). Default 1.
    pub fn set_fragments(&self, n: u32) {
        self.knobs().fragments = n.max(1);
    }

    /// The next endpoint requests are answered with these codes, in order (e.g. 1 "system
    /// busy", 1000040343 internal error, 514 auth failed).
    pub fn fail_endpoint(&self, codes: &[i64]) {
        self.knobs().endpoint_failures.extend(codes.iter().copied());
    }

    // ----- long connection records -----------------------------------------------------

    /// Every acknowledgement received, oldest first.
    pub fn acks(&self) -> Vec<AckRecord> {
        self.knobs().acks.clone()
    }

    /// Event ids acknowledged with code 200, in order (an id appears once per such ack).
    pub fn acked_event_ids(&self) -> Vec<String> {
        self.knobs()
            .acks
            .iter()
            .filter(|a| a.code == 200 && !a.event_id.is_empty())
            .map(|a| a.event_id.clone())
            .collect()
    }

    /// Events queued or in flight (sent, not acknowledged).
    pub fn unacknowledged(&self) -> usize {
        let knobs = self.knobs();
        knobs.queue.len() + knobs.in_flight.len()
    }

    /// Websocket connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.knobs().connections
    }

    /// Pings received so far.
    pub fn pings(&self) -> usize {
        self.knobs().pings
    }

    /// Endpoint requests received so far.
    pub fn endpoint_requests(&self) -> usize {
        self.knobs().endpoint_requests
    }

    /// Waits until every emitted event is acknowledged (nothing queued or in flight), or
    /// `timeout` passes. Returns whether it happened.
    pub async fn wait_all_acknowledged(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.unacknowledged() == 0 {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.unacknowledged() == 0
    }
}

/// Starts the background thread: the websocket listener and the webhook poster.
fn start_background(shared: Weak<Shared>) -> Background {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .expect("feishu-testkit: cannot bind a loopback port for the long connection");
    let ws_addr = listener
        .local_addr()
        .expect("feishu-testkit: a bound listener has an address");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (webhook_tx, webhook_rx) = mpsc::unbounded_channel();
    std::thread::Builder::new()
        .name("feishu-testkit-events".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                tokio::spawn(long_connection::accept_loop(listener, shared.clone()));
                tokio::spawn(post_loop(webhook_rx, shared));
                let _ = stop_rx.await;
            });
        })
        .expect("feishu-testkit: cannot start the events thread");
    Background {
        ws_addr,
        webhook_tx,
        _stop: stop_tx,
    }
}

/// Posts emitted events to the webhook URL in order, retrying non-200 answers.
async fn post_loop(mut rx: mpsc::UnboundedReceiver<Value>, shared: Weak<Shared>) {
    while let Some(envelope) = rx.recv().await {
        let Some(strong) = shared.upgrade() else {
            return;
        };
        let (url, options, delays) = {
            let knobs = lock(&strong.knobs);
            let options = PostOptions {
                encrypt_key: knobs.encrypt_key.clone(),
                timestamp: None,
            };
            (
                knobs.webhook_url.clone(),
                options,
                knobs.webhook_retry_delays.clone(),
            )
        };
        let http = strong.http.clone();
        drop(strong);
        let Some(url) = url else { continue };
        let mut delays = delays.into_iter();
        loop {
            let delivery = webhook::post(&http, &url, &envelope, &options).await;
            let ok = delivery.status == 200;
            if let Some(strong) = shared.upgrade() {
                lock(&strong.knobs).deliveries.push(delivery);
            }
            match delays.next() {
                Some(delay) if !ok => tokio::time::sleep(delay).await,
                _ => break,
            }
        }
    }
}
