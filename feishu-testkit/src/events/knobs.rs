//! Events knobs and records, reached through [`FakeTenant::events`](crate::FakeTenant::events).

use std::net::SocketAddr;
use std::sync::{Arc, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::payloads::{self, EventTarget};
use super::shared::{AckRecord, Knobs, LongConnectionConfig, Queued, Shared};
use super::webhook::{self, PostOptions, WebhookDelivery};

/// The events side of a [`FakeTenant`](crate::FakeTenant): emit events, post them to a
/// webhook, serve them over the long connection, break that connection on purpose, and read
/// what the app acknowledged.
///
/// Unlike the other knob handles it owns what it points at (it is cheap to clone), so it can
/// move into a spawned task and its `async` posts can be awaited anywhere.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use feishu_testkit::FakeTenant;
/// use feishu_testkit::approval::APPROVAL_CODE_PURCHASE;
/// let tenant = FakeTenant::start().await;
/// let events = tenant.events();
/// let approval = tenant.approval();
/// let code = approval.add_instance(APPROVAL_CODE_PURCHASE, approval.now_ms(), "PENDING");
/// let emitted = events.emitted();
/// assert_eq!(emitted[0]["event"]["type"], "approval_instance");
/// assert_eq!(emitted[0]["event"]["instance_code"], code.as_str());
/// assert_eq!(events.unacknowledged(), 1, "queued for the long connection");
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct EventsKnobs {
    shared: Arc<Shared>,
}

impl EventsKnobs {
    pub(super) fn new(shared: Arc<Shared>) -> Self {
        EventsKnobs { shared }
    }

    fn knobs(&self) -> MutexGuard<'_, Knobs> {
        self.shared.knobs()
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
    pub fn websocket_address(&self) -> SocketAddr {
        self.shared.websocket_address()
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
    /// key is set), and returns the answer. Not recorded in
    /// [`webhook_deliveries`](Self::webhook_deliveries).
    pub async fn post(&self, url: &str, envelope: &Value) -> WebhookDelivery {
        self.post_with(url, envelope, None).await
    }

    /// [`post`](Self::post) with the signed timestamp set to `unix_secs` (to test stale
    /// requests; only meaningful with an encrypt key).
    pub async fn post_at(&self, url: &str, envelope: &Value, unix_secs: u64) -> WebhookDelivery {
        self.post_with(url, envelope, Some(unix_secs)).await
    }

    async fn post_with(
        &self,
        url: &str,
        envelope: &Value,
        timestamp: Option<u64>,
    ) -> WebhookDelivery {
        let options = PostOptions {
            encrypt_key: self.knobs().encrypt_key.clone(),
            timestamp,
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
        self.shared.emit(envelope);
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
            let payload = knobs
                .emitted
                .iter()
                .find(|e| payloads::event_id(e) == Some(event_id))
                .map(|e| Arc::new(e.to_string().into_bytes()));
            if let Some(payload) = &payload {
                knobs.queue.push_back(Queued {
                    event_id: event_id.to_owned(),
                    payload: Arc::clone(payload),
                });
            }
            payload.is_some()
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
