//! The long connection: events over a websocket the app opens itself, so it needs no
//! public URL ([receive events through a long connection](https://open.feishu.cn/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/request-url-configuration-case)).
//!
//! It works as the official SDKs do (oapi-sdk-go `ws/client.go`, node-sdk
//! `ws-client/index.ts`): an endpoint request with the app id and secret returns a
//! websocket URL and a client config (ping interval, reconnect count, interval and
//! jitter); the client pings on that interval, applies new configs from pongs, reassembles
//! fragmented messages, acknowledges every event frame, and reconnects with backoff when
//! the connection breaks.
//!
//! Only self-built apps can use it; payloads are plain JSON (the connection itself is
//! authenticated and encrypted), so no encrypt key or verification token is needed. Feishu
//! gives each event 3 s. [`LongConnection::connect`] acknowledges an event as soon as the
//! application's stream has taken it into its buffer; [`LongConnection::connect_acked`]
//! hands out [`Delivery`]s and acknowledges each event when the application says it was
//! processed ([`Ack::done`](crate::Ack::done)), so that an event the application had not
//! finished when it stopped is delivered again. Either way, when the buffer stays full past
//! the hand-off timeout the event is acknowledged as failed so that Feishu delivers it
//! again.

mod endpoint;
mod fragments;
mod frame;
mod session;

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use feishu_core::Domain;
use futures::Stream;
use secrecy::SecretString;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use self::endpoint::{Failure, ServerParams, handshake};
use self::session::{Owed, Session, SessionEnd};
use crate::dedup::Deduplicator;
use crate::delivery::Delivery;
use crate::envelope::Event;
use crate::error::{Error, Result};

/// Default number of events buffered for the application.
pub const DEFAULT_BUFFER: usize = 256;
/// Default time an event waits for room in a full buffer before it is acknowledged as
/// failed (Feishu allows 3 s per event).
pub const DEFAULT_HANDOFF_TIMEOUT: Duration = Duration::from_secs(2);
/// Default first backoff step after a failed attempt; it doubles up to the server's
/// reconnect interval.
pub const DEFAULT_BACKOFF_BASE: Duration = Duration::from_secs(1);
/// Timeout of the endpoint request (node-sdk uses 15 s).
const ENDPOINT_TIMEOUT: Duration = Duration::from_secs(15);

/// A configured long connection; [`connect`](LongConnection::connect) opens it.
///
/// # Example
/// ```no_run
/// use feishu_events::LongConnection;
/// use futures::StreamExt;
///
/// # async fn sample() -> Result<(), feishu_events::Error> {
/// let connection = LongConnection::builder("cli_a1b2c3", "app-secret")
///     .domain(feishu_core::Domain::Lark)
///     .build()?;
/// let mut events = connection.connect();
/// while let Some(event) = events.next().await {
///     let event = event?;
///     println!("{} {}", event.event_type(), event.event_id());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct LongConnection {
    config: Arc<Config>,
}

struct Config {
    app_id: String,
    app_secret: SecretString,
    base: url::Url,
    http: reqwest::Client,
    dedup: Deduplicator,
    buffer: usize,
    handoff_timeout: Duration,
    backoff_base: Duration,
    liveness: Option<Duration>,
}

impl std::fmt::Debug for LongConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LongConnection")
            .field("app_id", &self.config.app_id)
            .field("base", &self.config.base.as_str())
            .finish_non_exhaustive()
    }
}

/// Configures a [`LongConnection`].
pub struct LongConnectionBuilder {
    app_id: String,
    app_secret: SecretString,
    domain: Domain,
    http: Option<reqwest::Client>,
    dedup: Option<Deduplicator>,
    buffer: usize,
    handoff_timeout: Duration,
    backoff_base: Duration,
    liveness: Option<Duration>,
}

impl std::fmt::Debug for LongConnectionBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LongConnectionBuilder")
            .field("app_id", &self.app_id)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl LongConnection {
    /// A builder for the self-built app `app_id` with its secret.
    pub fn builder(
        app_id: impl Into<String>,
        app_secret: impl Into<SecretString>,
    ) -> LongConnectionBuilder {
        LongConnectionBuilder {
            app_id: app_id.into(),
            app_secret: app_secret.into(),
            domain: Domain::Feishu,
            http: None,
            dedup: None,
            buffer: DEFAULT_BUFFER,
            handoff_timeout: DEFAULT_HANDOFF_TIMEOUT,
            backoff_base: DEFAULT_BACKOFF_BASE,
            liveness: None,
        }
    }

    /// Opens the connection in a background task and returns its events. Must be called
    /// inside a Tokio runtime. Dropping the stream closes the connection.
    ///
    /// The stream yields `Ok(event)` for every new event (redeliveries are recognised by
    /// event id and skipped), `Err(Error::Decode)` for an event of a known type that did not
    /// decode (the stream goes on), and a last `Err` when the connection gives up: the app
    /// was refused ([`Error::Refused`], [`Error::Config`]) or the server's reconnect count
    /// ran out ([`Error::ReconnectExhausted`]). Transient failures are retried and only
    /// logged (`tracing`).
    pub fn connect(&self) -> LongConnectionEvents {
        let (tx, rx) = mpsc::channel(self.config.buffer);
        let task = tokio::spawn(drive(Arc::clone(&self.config), tx, false));
        LongConnectionEvents {
            rx,
            task: task.abort_handle(),
        }
    }

    /// Like [`connect`](Self::connect), but each event comes with its [`Ack`](crate::Ack):
    /// Feishu hears that the event arrived only when the application calls
    /// [`Ack::done`](crate::Ack::done), typically once the event's effect is stored. An
    /// `Ack` dropped (or [`failed`](crate::Ack::fail)) is answered as failed, and Feishu
    /// delivers the event again; so does an `Ack` given after its connection broke, with a
    /// redelivery that is then acknowledged at once (it is recognised as done).
    ///
    /// A redelivery that arrives while the application still holds the event's `Ack` is not
    /// handed over again: it is acknowledged together with the first delivery. Feishu
    /// expects an acknowledgement within 3 s and delivers the event again after that
    /// (15 s, 5 min, 1 h, 6 h later): a slower application gets redeliveries, never losses.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_events::LongConnection;
    /// use futures::StreamExt;
    ///
    /// # async fn sample() -> Result<(), feishu_events::Error> {
    /// let mut deliveries = LongConnection::builder("cli_a1b2c3", "app-secret")
    ///     .build()?
    ///     .connect_acked();
    /// while let Some(delivery) = deliveries.next().await {
    ///     let delivery = delivery?;
    ///     println!("{}", delivery.event.event_id());
    ///     delivery.ack.done();
    /// }
    /// # Ok(()) }
    /// ```
    pub fn connect_acked(&self) -> LongConnectionDeliveries {
        let (tx, rx) = mpsc::channel(self.config.buffer);
        let task = tokio::spawn(drive(Arc::clone(&self.config), tx, true));
        LongConnectionDeliveries {
            rx,
            task: task.abort_handle(),
        }
    }
}

impl LongConnectionBuilder {
    /// The Open Platform host ([`Domain::Feishu`] by default). A custom domain (e.g. a fake
    /// tenant on loopback) must be the same host the app's API calls go to.
    pub fn domain(mut self, domain: Domain) -> Self {
        self.domain = domain;
        self
    }

    /// The HTTP client for the endpoint request (default: one of reqwest's, rustls, 15 s
    /// timeout).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The memory of recent event ids (default: 100 000 ids for 12 hours); share one with a
    /// webhook handler by passing a clone.
    pub fn deduplicator(mut self, dedup: Deduplicator) -> Self {
        self.dedup = Some(dedup);
        self
    }

    /// Events buffered for the application ([`DEFAULT_BUFFER`], at least 1).
    pub fn buffer(mut self, events: usize) -> Self {
        self.buffer = events.max(1);
        self
    }

    /// How long an event waits for room in a full buffer ([`DEFAULT_HANDOFF_TIMEOUT`]).
    pub fn handoff_timeout(mut self, timeout: Duration) -> Self {
        self.handoff_timeout = timeout;
        self
    }

    /// First backoff step after a failed connection attempt ([`DEFAULT_BACKOFF_BASE`]); it
    /// doubles per failure up to the server's reconnect interval.
    pub fn backoff_base(mut self, base: Duration) -> Self {
        self.backoff_base = base.max(Duration::from_millis(10));
        self
    }

    /// Silence after which the connection is considered dead and reopened (default: three
    /// ping intervals).
    pub fn liveness_timeout(mut self, timeout: Duration) -> Self {
        self.liveness = Some(timeout);
        self
    }

    /// Builds the connection (nothing is opened yet).
    pub fn build(self) -> Result<LongConnection> {
        if self.app_id.trim().is_empty() {
            return Err(Error::Config("the long connection needs an app id".into()));
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(ENDPOINT_TIMEOUT)
                .build()
                .map_err(|e| Error::Config(format!("HTTP client: {e}")))?,
        };
        Ok(LongConnection {
            config: Arc::new(Config {
                app_id: self.app_id,
                app_secret: self.app_secret,
                base: self.domain.base_url(),
                http,
                dedup: self.dedup.unwrap_or_default(),
                buffer: self.buffer,
                handoff_timeout: self.handoff_timeout,
                backoff_base: self.backoff_base,
                liveness: self.liveness,
            }),
        })
    }
}

/// The events of a [`LongConnection`], as a `Stream`. Dropping it closes the connection.
#[derive(Debug)]
pub struct LongConnectionEvents {
    rx: mpsc::Receiver<Result<Delivery>>,
    task: AbortHandle,
}

impl LongConnectionEvents {
    /// The next item, or `None` after the connection gave up.
    pub async fn recv(&mut self) -> Option<Result<Event>> {
        self.rx.recv().await.map(|item| item.map(|d| d.event))
    }
}

impl Stream for LongConnectionEvents {
    type Item = Result<Event>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx
            .poll_recv(cx)
            .map(|item| item.map(|item| item.map(|d| d.event)))
    }
}

impl Drop for LongConnectionEvents {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The deliveries of [`LongConnection::connect_acked`]: events with the acknowledgement the
/// application owes. Dropping it closes the connection (the events whose `Ack` was not given
/// are delivered again).
#[derive(Debug)]
pub struct LongConnectionDeliveries {
    rx: mpsc::Receiver<Result<Delivery>>,
    task: AbortHandle,
}

impl LongConnectionDeliveries {
    /// The next item, or `None` after the connection gave up.
    pub async fn recv(&mut self) -> Option<Result<Delivery>> {
        self.rx.recv().await
    }
}

impl Stream for LongConnectionDeliveries {
    type Item = Result<Delivery>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

impl Drop for LongConnectionDeliveries {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Connects, runs, reconnects; ends when the application goes away or the connection
/// gives up. With `acked`, events are acknowledged when the application settles them.
async fn drive(config: Arc<Config>, tx: mpsc::Sender<Result<Delivery>>, acked: bool) {
    let mut params = ServerParams::default();
    let mut failures: u32 = 0;
    let mut generation: u64 = 0;
    let mut owed = acked.then(Owed::default);
    loop {
        match open(&config, &mut params).await {
            Ok((socket, service_id)) => {
                failures = 0;
                generation += 1;
                let session = Session {
                    tx: &tx,
                    dedup: &config.dedup,
                    params: &mut params,
                    service_id,
                    handoff_timeout: config.handoff_timeout,
                    liveness: config.liveness,
                    generation,
                    owed: owed.as_mut(),
                };
                match session.run(socket).await {
                    SessionEnd::ConsumerGone => return,
                    SessionEnd::Lost(reason) => {
                        tracing::warn!(reason, "feishu long connection lost; reconnecting");
                    }
                }
                let jitter = random_up_to(params.reconnect_nonce);
                if wait_or_gone(jitter, &tx).await {
                    return;
                }
            }
            Err(Failure::Fatal(e)) => {
                tracing::error!(error = %e, "feishu long connection refused");
                let _ = tx.send(Err(e)).await;
                return;
            }
            Err(Failure::Retry(reason)) => {
                failures = failures.saturating_add(1);
                tracing::warn!(reason, failures, "feishu long connection attempt failed");
                if params.reconnect_count.is_some_and(|max| failures > max) {
                    let _ = tx
                        .send(Err(Error::ReconnectExhausted {
                            attempts: failures,
                            last: reason,
                        }))
                        .await;
                    return;
                }
                if wait_or_gone(backoff(failures, &params, config.backoff_base), &tx).await {
                    return;
                }
            }
        }
    }
}

/// One attempt: the endpoint request, then the websocket handshake.
async fn open(
    config: &Config,
    params: &mut ServerParams,
) -> std::result::Result<(session::Socket, i32), Failure> {
    let endpoint = endpoint::request(
        &config.http,
        &config.base,
        &config.app_id,
        &config.app_secret,
        params,
    )
    .await?;
    match tokio_tungstenite::connect_async(endpoint.url.as_str()).await {
        Ok((socket, _)) => {
            tracing::info!(
                device_id = endpoint.device_id,
                "feishu long connection open"
            );
            Ok((socket, endpoint.service_id))
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(handshake_failure(
            response.headers(),
            response.status().as_u16(),
        )),
        Err(e) => Err(Failure::Retry(format!("websocket handshake failed: {e}"))),
    }
}

/// Classifies a refused handshake (oapi-sdk-go `ws/client.go` `parseErr`): forbidden, or
/// too many connections, is final; anything else is retried.
fn handshake_failure(headers: &http::HeaderMap, status: u16) -> Failure {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let code: i64 = get(handshake::STATUS).trim().parse().unwrap_or(0);
    let msg = get(handshake::MSG).to_owned();
    let auth_code: i64 = get(handshake::AUTH_ERR_CODE).trim().parse().unwrap_or(0);
    let fatal = code == handshake::FORBIDDEN
        || (code == handshake::AUTH_FAILED && auth_code == handshake::EXCEED_CONN_LIMIT);
    if fatal {
        Failure::Fatal(Error::Refused { code, msg })
    } else {
        Failure::Retry(format!(
            "websocket handshake refused: HTTP {status}, code {code}: {msg}"
        ))
    }
}

/// Wait after the `failures`-th failed attempt: `base · 2^(failures-1)`, capped by the
/// server's reconnect interval, with jitter in its upper half.
fn backoff(failures: u32, params: &ServerParams, base: Duration) -> Duration {
    let exp = failures.saturating_sub(1).min(20);
    let step = base.saturating_mul(1 << exp);
    let cap = params.reconnect_interval.max(base);
    let d = step.min(cap);
    d / 2 + random_up_to(d / 2)
}

/// A uniformly random duration in `[0, max)` (zero when `max` is zero).
fn random_up_to(max: Duration) -> Duration {
    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return Duration::ZERO;
    }
    Duration::from_nanos(fastrand::u64(..nanos))
}

/// Sleeps `d`; returns `true` when the application went away meanwhile.
async fn wait_or_gone(d: Duration, tx: &mpsc::Sender<Result<Delivery>>) -> bool {
    tokio::select! {
        () = tokio::time::sleep(d) => false,
        () = tx.closed() => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped_by_the_server_interval() {
        let params = ServerParams {
            reconnect_interval: Duration::from_secs(8),
            ..ServerParams::default()
        };
        let base = Duration::from_secs(1);
        for _ in 0..50 {
            let first = backoff(1, &params, base);
            assert!(first >= Duration::from_millis(500) && first <= base);
            let late = backoff(30, &params, base);
            assert!(late >= Duration::from_secs(4) && late <= Duration::from_secs(8));
        }
    }

    #[test]
    fn handshake_refusals_are_classified() {
        let mut h = http::HeaderMap::new();
        h.insert("Handshake-Status", "403".parse().unwrap());
        assert!(matches!(handshake_failure(&h, 403), Failure::Fatal(_)));
        h.insert("Handshake-Status", "514".parse().unwrap());
        assert!(matches!(handshake_failure(&h, 401), Failure::Retry(_)));
        h.insert("Handshake-Autherrcode", "1000040350".parse().unwrap());
        assert!(matches!(handshake_failure(&h, 401), Failure::Fatal(_)));
    }
}
