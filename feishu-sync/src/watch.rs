//! `Source::watch`: a replica kept seconds behind the tenant, driven by change events.
//!
//! A watch reads once as [`Source::read`] does (so the replica is complete), then reacts to
//! events: an approval event reads its instance again (with its form rows, tasks and
//! timeline), a user event reads that user again or records their deletion (a tombstone),
//! and every `reconcile_every` (a day by default) a complete read catches what no event
//! told. Events come from the long connection (the default) or from any stream of
//! [`Delivery`]s, such as a webhook's.
//!
//! # Guarantees
//! - The coordinator of each read or re-read is the only writer of the state; a state
//!   covers every record before it, and its `events` section says which events it covers.
//! - An event is acknowledged to Feishu only after the consumer asked for the message that
//!   follows the state covering its re-read (for a sink: once it committed that state).
//!   An event not acknowledged is delivered again by Feishu, so a crash loses nothing.
//! - Every start reads incrementally first, covering the time the watch was down.

mod changes;
mod engine;
mod output;
mod queues;
mod replica;

use std::fmt;
use std::time::Duration;

use feishu_events::Delivery;
use futures::StreamExt;
use futures::stream::BoxStream;

use crate::Source;
use crate::error::{Result, SyncError};
use crate::read::ReadOptions;

pub use output::Watch;

/// The default time between two reconciliation reads.
pub const DEFAULT_RECONCILE_EVERY: Duration = Duration::from_secs(24 * 3600);

/// Options of a watch.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use feishu_sync::{ReadOptions, WatchOptions};
/// let options = WatchOptions::new(ReadOptions::default().streams(["contact_users"]))
///     .reconcile_every(Some(Duration::from_secs(6 * 3600)));
/// # let _ = options;
/// ```
#[non_exhaustive]
pub struct WatchOptions {
    /// The streams, the state to start from and the read settings, as for
    /// [`Source::read`]; `now_ms`, when set, is the "now" of the first read only.
    pub read: ReadOptions,
    /// Time between two reconciliation reads ([`DEFAULT_RECONCILE_EVERY`]); `None`: only
    /// the first read.
    pub reconcile_every: Option<Duration>,
    /// Whether to subscribe the app to the events of the configured approval codes at the
    /// start (default `true`; a subscription in place is left as it is).
    pub subscribe: bool,
    /// Where events come from; `None`: the config app's long connection.
    deliveries: Option<BoxStream<'static, feishu_events::Result<Delivery>>>,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions::new(ReadOptions::default())
    }
}

impl fmt::Debug for WatchOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WatchOptions")
            .field("read", &self.read)
            .field("reconcile_every", &self.reconcile_every)
            .field("subscribe", &self.subscribe)
            .field("deliveries", &self.deliveries.is_some())
            .finish()
    }
}

impl WatchOptions {
    /// A watch reading with `read`, reconciling daily, over the long connection.
    pub fn new(read: ReadOptions) -> Self {
        WatchOptions {
            read,
            reconcile_every: Some(DEFAULT_RECONCILE_EVERY),
            subscribe: true,
            deliveries: None,
        }
    }

    /// Time between two reconciliation reads; `None`: never after the first read.
    pub fn reconcile_every(mut self, every: Option<Duration>) -> Self {
        self.reconcile_every = every.map(|d| d.max(Duration::from_secs(1)));
        self
    }

    /// Whether to subscribe to the approval codes' events at the start.
    pub fn subscribe(mut self, yes: bool) -> Self {
        self.subscribe = yes;
        self
    }

    /// Takes events from `deliveries` instead of the long connection: e.g. a webhook's
    /// ([`feishu_events::axum::delivery_router`], or
    /// [`WebhookHandler::handle_and_deliver`](feishu_events::WebhookHandler::handle_and_deliver)
    /// with [`delivery_channel`](feishu_events::webhook::delivery_channel)), or a queue's.
    /// The watch ends when the stream ends.
    pub fn deliveries<S>(mut self, deliveries: S) -> Self
    where
        S: futures::Stream<Item = feishu_events::Result<Delivery>> + Send + 'static,
    {
        self.deliveries = Some(deliveries.boxed());
        self
    }
}

impl Source {
    /// Keeps a replica seconds behind the tenant: one incremental read (as
    /// [`read`](Self::read)), then a re-read of every object a change event names, and a
    /// reconciliation read every [`WatchOptions::reconcile_every`]. The messages are those
    /// of [`read`](Self::read): records (tombstones, `_deleted: true`, for users and
    /// records that were deleted), states covering them, log lines, and the streams'
    /// status during complete reads.
    ///
    /// Needs a Tokio runtime. Runs until the returned stream is dropped, or until the event
    /// feed ends (the long connection was refused or gave up: a last `Err` says why).
    /// Setup errors are returned at once: an unknown stream, a state of another config, or
    /// (without [`WatchOptions::deliveries`]) a config whose app cannot open a long
    /// connection.
    ///
    /// See the [module docs](crate#watch) for what a watch guarantees.
    ///
    /// # Example
    /// ```no_run
    /// use futures::StreamExt;
    /// use feishu_sync::{Message, Source, SourceConfig, SyncState, WatchOptions};
    /// # async fn sample() -> Result<(), feishu_sync::SyncError> {
    /// let source = Source::new(SourceConfig::from_path("feishu.toml")?)?;
    /// let mut options = WatchOptions::default();
    /// if let Ok(saved) = std::fs::read_to_string("state.json") {
    ///     options.read = options.read.state(SyncState::from_json(&saved)?);
    /// }
    /// let mut messages = source.watch(options)?;
    /// while let Some(message) = messages.next().await {
    ///     match message? {
    ///         Message::Record(r) => println!("{} {}", r.stream, r.data),
    ///         Message::State(s) => std::fs::write("state.json", s.to_json()).unwrap(),
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn watch(&self, mut options: WatchOptions) -> Result<Watch> {
        let deliveries = match options.deliveries.take() {
            Some(deliveries) => deliveries,
            None => self.config.long_connection()?.connect_acked().boxed(),
        };
        let engine = engine::Engine::new(self.clone(), options, deliveries)?;
        Ok(engine.spawn())
    }
}

impl From<feishu_events::Error> for SyncError {
    fn from(e: feishu_events::Error) -> Self {
        SyncError::Events(e.to_string())
    }
}
