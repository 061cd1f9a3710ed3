//! The watch's loop: the first read, then the re-read lanes (one per module, each taking
//! the objects its queued events name) until a reconciliation read is due, then the lanes
//! again. A complete read and the lanes never run at once: each has its own coordinator,
//! the state's only writer while it runs. Events keep arriving meanwhile and wait in their
//! module's queue.

use std::collections::{BTreeSet, HashMap};
use std::pin::pin;
use std::time::Duration;

use feishu_approval::Approval;
use feishu_bitable::Bitable;
use feishu_events::Delivery;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::WatchOptions;
use super::changes::{Change, Scope, take_app_ticket};
use super::output::Watch;
use super::queues::Queues;
use super::replica::{Replica, Seen, Swept, Vanished};
use crate::Source;
use crate::catalog::{BITABLE_RECORDS, CONTACT_USERS};
use crate::error::{Result, SyncError};
use crate::message::{LogLevel, Message, StreamStatus};
use crate::read::{Finale, Output, ReadOptions, now_ms, select};
use crate::state::SyncState;

/// Messages waiting for the consumer.
const OUTPUT_BUFFER: usize = 256;

/// The consumer went away.
pub(super) struct Closed;

/// Whether events still come.
enum Feed {
    Open,
    /// The feed ended: the watch ends once the queues are read.
    Ended,
    /// The feed failed for good: the watch ends with this error once the queues are read.
    Failed(SyncError),
}

/// Why the lanes stopped.
enum LanesEnd {
    /// A reconciliation read is due.
    Reconcile,
    /// The event feed ended and every queued event was read.
    FeedEnded,
}

/// The watch: its source and options, the last state, the event queues, and the keys of
/// the replica.
pub(super) struct Engine {
    source: Source,
    /// Streams and read settings; each pass gets the current state.
    read: ReadOptions,
    /// "Now" of the first read (the clock's when `None`).
    first_now: Option<i64>,
    reconcile_every: Option<Duration>,
    subscribe: bool,
    /// The module of each selected stream.
    modules: HashMap<String, crate::module::Module>,
    /// The last state a coordinator published.
    state: SyncState,
    scope: Scope,
    queues: Queues,
    replica: Replica,
    deliveries: BoxStream<'static, feishu_events::Result<Delivery>>,
    feed: Feed,
    out: Option<mpsc::Sender<Output>>,
}

impl Engine {
    /// Checks the options against the source (streams, state) and sets the watch up.
    pub(super) fn new(
        source: Source,
        options: WatchOptions,
        deliveries: BoxStream<'static, feishu_events::Result<Delivery>>,
    ) -> Result<Self> {
        let specs = source.catalog();
        let selected = select(&specs, options.read.streams.as_deref())?;
        let state = options.read.state.clone().unwrap_or_default();
        state.check_against(source.config())?;
        let modules = specs
            .iter()
            .filter(|s| selected.contains(s.name))
            .map(|s| (s.name.to_string(), s.module))
            .collect();
        let scope = Scope::new(source.config(), &selected);
        let mut read = options.read;
        let first_now = read.now_ms.take();
        read.state = None;
        Ok(Engine {
            source,
            read,
            first_now,
            reconcile_every: options.reconcile_every,
            subscribe: options.subscribe,
            modules,
            state,
            scope,
            queues: Queues::new(),
            replica: Replica::default(),
            deliveries,
            feed: Feed::Open,
            out: None,
        })
    }

    /// Runs the watch on a task of its own; it stops when the returned stream is dropped.
    pub(super) fn spawn(mut self) -> Watch {
        let (tx, rx) = mpsc::channel(OUTPUT_BUFFER);
        self.out = Some(tx);
        let task = tokio::spawn(async move {
            let _ = self.run().await;
        });
        Watch::new(rx, task.abort_handle())
    }

    async fn run(&mut self) -> Result<(), Closed> {
        if self.subscribe {
            self.subscribe_all().await?;
        }
        self.complete_read(self.first_now).await?;
        loop {
            let reconcile_at = self.reconcile_every.map(|every| Instant::now() + every);
            match self.lanes(reconcile_at).await? {
                LanesEnd::Reconcile => self.complete_read(None).await?,
                LanesEnd::FeedEnded => {
                    return match std::mem::replace(&mut self.feed, Feed::Ended) {
                        Feed::Failed(e) => self.send(Output::plain(Err(e))).await,
                        _ => Ok(()),
                    };
                }
            }
        }
    }

    async fn send(&mut self, output: Output) -> Result<(), Closed> {
        let Some(out) = &self.out else {
            return Err(Closed);
        };
        out.send(output).await.map_err(|_| Closed)
    }

    async fn log(&mut self, level: LogLevel, message: String) -> Result<(), Closed> {
        self.send(Output::plain(Ok(Message::Log { level, message })))
            .await
    }

    /// Turns on the events of the configured approval codes and of the Base (a
    /// subscription in place is kept); one that cannot be subscribed is a warning: its
    /// changes then reach the replica with the reconciliation reads only.
    async fn subscribe_all(&mut self) -> Result<(), Closed> {
        if let Some(base) = self.scope.base() {
            let app_token = base.app_token.clone();
            let bitable = Bitable::new(self.source.client().clone());
            if let Err(e) = bitable.subscribe_record_events(app_token.as_str()).await {
                let message = format!(
                    "bitable {app_token}: its record events could not be subscribed ({e}); \
                     its changes reach the replica with the reconciliation reads only"
                );
                self.log(LogLevel::Warn, message).await?;
            }
        }
        let Some(codes) = self.scope.approval_codes() else {
            return Ok(());
        };
        let approval = Approval::new(self.source.client().clone());
        for code in codes {
            if let Err(e) = approval.subscribe(code.as_str()).await {
                let message = format!(
                    "approval {code}: its events could not be subscribed ({e}); its changes \
                     reach the replica with the reconciliation reads only"
                );
                self.log(LogLevel::Warn, message).await?;
            }
        }
        Ok(())
    }

    /// Takes one item of the event feed: queues what it names, acknowledges what needs no
    /// read.
    async fn receive(
        &mut self,
        item: Option<feishu_events::Result<Delivery>>,
    ) -> Result<(), Closed> {
        let delivery = match item {
            Some(Ok(delivery)) => delivery,
            None => {
                self.feed = Feed::Ended;
                return Ok(());
            }
            Some(Err(e @ feishu_events::Error::Decode(_))) => {
                let message = format!("an event could not be read and is skipped: {e}");
                return self.log(LogLevel::Warn, message).await;
            }
            Some(Err(e)) => {
                self.feed = Feed::Failed(e.into());
                return Ok(());
            }
        };
        if take_app_ticket(&self.source, &delivery.event) {
            delivery.ack.done();
            return Ok(());
        }
        match self.scope.changes(&delivery.event) {
            Ok(changes) => match changes.first().map(Change::module) {
                Some(module) => self.queues.push(module, |p| p.push(delivery, changes)),
                None => delivery.ack.done(),
            },
            Err(why) => {
                delivery.ack.done();
                return self.log(LogLevel::Warn, why).await;
            }
        }
        Ok(())
    }

    /// The read settings of the next pass, from the current state.
    fn options(&self, now: Option<i64>) -> ReadOptions {
        let mut options = self.read.clone().state(self.state.clone());
        options.now_ms = now;
        options
    }

    /// Runs the lanes until a reconciliation is due at `reconcile_at`, or the feed ended and
    /// the queues are read. Their messages go to the consumer, each state with the
    /// acknowledgements of the events it covers.
    async fn lanes(&mut self, reconcile_at: Option<Instant>) -> Result<LanesEnd, Closed> {
        let modules = self.scope.modules();
        self.queues.resume();
        let lanes = match self
            .source
            .reread_lanes(self.queues.work(&modules), self.options(None))
        {
            Ok(lanes) => lanes,
            Err(e) => {
                self.feed = Feed::Failed(e);
                return Ok(LanesEnd::FeedEnded);
            }
        };
        let mut lanes = pin!(lanes);
        let mut reconcile = pin!(async move {
            match reconcile_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        });
        let mut end = None;
        loop {
            if end.is_none() && !matches!(self.feed, Feed::Open) {
                self.queues.end();
                end = Some(LanesEnd::FeedEnded);
            }
            let open = matches!(self.feed, Feed::Open);
            tokio::select! {
                output = lanes.next() => match output {
                    Some(output) => {
                        if let Ok(message) = &output.item {
                            self.observe(message, None, None);
                        }
                        self.send(output).await?;
                    }
                    None => break,
                },
                item = self.deliveries.next(), if open => self.receive(item).await?,
                () = &mut reconcile, if end.is_none() => {
                    self.queues.pause();
                    end = Some(LanesEnd::Reconcile);
                }
            }
        }
        // Lanes that stopped on their own (no module reacts to events) wait for the end.
        while end.is_none() {
            let open = matches!(self.feed, Feed::Open);
            if !open {
                end = Some(LanesEnd::FeedEnded);
                break;
            }
            tokio::select! {
                item = self.deliveries.next() => self.receive(item).await?,
                () = &mut reconcile => end = Some(LanesEnd::Reconcile),
            }
        }
        Ok(end.unwrap_or(LanesEnd::FeedEnded))
    }

    /// A complete read (the first one, or a reconciliation); the users and records the
    /// replica holds and the read no longer found are queued as deletions.
    async fn complete_read(&mut self, now: Option<i64>) -> Result<(), Closed> {
        let started = now_ms();
        // A read that resumes a cut run does not list everything: no sweep after it.
        let whole_directory = self.state.contact.as_ref().is_none_or(|c| c.run.is_none());
        let whole_base = self
            .state
            .bitable
            .as_ref()
            .is_none_or(|b| b.tables.is_empty());
        let finale: Finale = Box::new(move |state: &mut SyncState, complete: bool| {
            if complete {
                state
                    .events
                    .get_or_insert_with(Default::default)
                    .reconciled_ms = Some(started);
            }
        });
        let stream = match self.source.read_with(self.options(now), Some(finale)) {
            Ok(stream) => stream,
            Err(e) => return self.send(Output::plain(Err(e))).await,
        };
        let mut seen = Seen::default();
        let completed = self.forward(stream, &mut seen).await?;
        let swept = Swept {
            users: whole_directory && completed.contains(CONTACT_USERS),
            records: whole_base && completed.contains(BITABLE_RECORDS),
        };
        let vanished = self.replica.vanished(&seen, swept);
        if vanished.is_empty() {
            return Ok(());
        }
        let message = format!(
            "{} user(s) and {} Bitable record(s) the replica holds were not found by a complete \
             read: recorded as deleted",
            vanished.users.len(),
            vanished.records.len()
        );
        self.log(LogLevel::Info, message).await?;
        self.queues.push_unasked(deletions(vanished));
        Ok(())
    }

    /// Passes a complete read's messages on, noting the keys it emitted in `seen` and
    /// queueing events meanwhile; returns the streams that completed.
    async fn forward(
        &mut self,
        stream: impl Stream<Item = Result<Message>>,
        seen: &mut Seen,
    ) -> Result<BTreeSet<String>, Closed> {
        let mut stream = pin!(stream);
        let mut completed = BTreeSet::new();
        loop {
            let open = matches!(self.feed, Feed::Open);
            tokio::select! {
                biased;
                item = stream.next() => {
                    let Some(item) = item else { break };
                    if let Ok(message) = &item {
                        self.observe(message, Some(&mut *seen), Some(&mut completed));
                    }
                    self.send(Output::plain(item)).await?;
                }
                item = self.deliveries.next(), if open => self.receive(item).await?,
            }
        }
        Ok(completed)
    }

    /// Follows one message: the last state, the replica's keys, the completed streams.
    fn observe(
        &mut self,
        message: &Message,
        seen: Option<&mut Seen>,
        completed: Option<&mut BTreeSet<String>>,
    ) {
        match message {
            Message::Record(record) => self.replica.observe(record, seen),
            Message::State(state) => self.state = state.clone(),
            Message::Status {
                stream,
                status: StreamStatus::Complete,
            } => {
                if let Some(completed) = completed
                    && self.modules.contains_key(stream)
                {
                    completed.insert(stream.clone());
                }
            }
            _ => {}
        }
    }
}

/// The tombstones to emit for what a complete read no longer found.
fn deletions(vanished: Vanished) -> Vec<Change> {
    let users = vanished
        .users
        .into_iter()
        .map(|id| Change::User { id, deleted: true });
    let records = vanished
        .records
        .into_iter()
        .map(|(table, record)| Change::Record {
            table,
            record,
            deleted: true,
        });
    users.chain(records).collect()
}
