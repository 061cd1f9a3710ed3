//! The watch's loop: the first read, then re-reads of what events name, batch by batch,
//! and a reconciliation read now and then. One pass (read or re-read) at a time, each with
//! its own coordinator writing the state; events keep arriving meanwhile and wait in the
//! queue.

use std::collections::{BTreeSet, HashMap};
use std::pin::pin;
use std::time::Duration;

use feishu_approval::Approval;
use feishu_bitable::Bitable;
use feishu_events::{Ack, Delivery};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::WatchOptions;
use super::changes::{Pending, Scope, take_app_ticket};
use super::output::{Output, Watch};
use super::replica::{Replica, Seen, Swept};
use crate::Source;
use crate::catalog::{BITABLE_RECORDS, CONTACT_USERS};
use crate::error::{Result, SyncError};
use crate::message::{LogLevel, Message, StreamStatus};
use crate::module::Module;
use crate::read::{Batch, Finale, ReadOptions, UserTarget, now_ms, select};
use crate::state::{EventsState, SyncState};

/// Most objects one re-read pass reads: a burst is applied in passes of this size, so
/// that acknowledgements keep flowing.
const MAX_BATCH: usize = 200;
/// Messages waiting for the consumer.
const OUTPUT_BUFFER: usize = 256;

/// The consumer went away.
pub(super) struct Closed;

/// Whether events still come.
enum Feed {
    Open,
    /// The feed ended: the watch ends once the queue is applied.
    Ended,
    /// The feed failed for good: the watch ends with this error once the queue is applied.
    Failed(SyncError),
}

/// What one pass ended with.
#[derive(Default)]
struct Outcome {
    /// Streams that completed.
    completed: BTreeSet<String>,
    /// Modules that failed.
    failed: BTreeSet<Module>,
}

pub(super) struct Engine {
    source: Source,
    /// Streams and read settings; each pass gets the current state.
    read: ReadOptions,
    /// "Now" of the first read (the clock's when `None`).
    first_now: Option<i64>,
    reconcile_every: Option<Duration>,
    subscribe: bool,
    /// The module of each selected stream.
    modules: HashMap<String, Module>,
    /// The last state a coordinator published.
    state: SyncState,
    scope: Scope,
    pending: Pending,
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
            pending: Pending::default(),
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
        let mut next_reconcile = self.reconcile_every.map(|every| Instant::now() + every);
        loop {
            if !self.pending.is_empty() {
                self.apply_pending().await?;
                continue;
            }
            match std::mem::replace(&mut self.feed, Feed::Ended) {
                Feed::Open => self.feed = Feed::Open,
                Feed::Ended => return Ok(()),
                Feed::Failed(e) => return self.send(Output::plain(Err(e))).await,
            }
            let reconcile = async {
                match next_reconcile {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                item = self.deliveries.next() => self.receive(item).await?,
                () = reconcile => {
                    self.complete_read(None).await?;
                    next_reconcile = self.reconcile_every.map(|every| Instant::now() + every);
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

    /// Takes one item of the event feed.
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
            Ok(changes) if changes.is_empty() => delivery.ack.done(),
            Ok(changes) => self.pending.push(delivery, changes),
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

    /// The events section as the last state has it.
    fn events(&self) -> EventsState {
        self.state.events.clone().unwrap_or_default()
    }

    /// A complete read (the first one, or a reconciliation), then tombstones for the users
    /// and records the replica holds and the read no longer found.
    async fn complete_read(&mut self, now: Option<i64>) -> Result<(), Closed> {
        let started = now_ms();
        // A read that resumes a cut run does not list everything: no sweep after it.
        let whole_directory = self.state.contact.as_ref().is_none_or(|c| c.run.is_none());
        let whole_base = self
            .state
            .bitable
            .as_ref()
            .is_none_or(|b| b.tables.is_empty());
        let events = self.events();
        let finale: Finale = Box::new(move |state: &mut SyncState, complete: bool| {
            let mut events = events;
            if complete {
                events.reconciled_ms = Some(started);
            }
            state.events = Some(events);
        });
        let stream = match self.source.read_with(self.options(now), Some(finale)) {
            Ok(stream) => stream,
            Err(e) => return self.send(Output::plain(Err(e))).await,
        };
        let mut seen = Seen::default();
        let outcome = self.forward(stream, Some(&mut seen), Vec::new()).await?;
        let swept = Swept {
            users: whole_directory && outcome.completed.contains(CONTACT_USERS),
            records: whole_base && outcome.completed.contains(BITABLE_RECORDS),
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
        let mut batch = Batch {
            contact: vanished
                .users
                .into_iter()
                .map(UserTarget::Deleted)
                .collect(),
            ..Batch::default()
        };
        for (table, record) in vanished.records {
            batch.add_record(table, record, true);
        }
        self.reread(batch, Vec::new(), None).await
    }

    /// Re-reads the objects of the oldest queued events.
    async fn apply_pending(&mut self) -> Result<(), Closed> {
        let taken = self.pending.take(MAX_BATCH);
        let mut next = self.events();
        next.applied += taken.events;
        if let Some((created, id)) = taken.newest
            && next.last_event_ms.is_none_or(|last| created >= last)
        {
            next.last_event_ms = Some(created);
            next.last_event_id = Some(id);
        }
        self.reread(taken.batch, taken.acks, Some(next)).await
    }

    /// One re-read pass; its final state carries `events` when every module succeeded.
    async fn reread(
        &mut self,
        batch: Batch,
        acks: Vec<(BTreeSet<Module>, Ack)>,
        events: Option<EventsState>,
    ) -> Result<(), Closed> {
        let before = self.state.events.clone();
        let finale: Finale = Box::new(move |state: &mut SyncState, complete: bool| {
            if let (true, Some(events)) = (complete, events) {
                state.events = Some(events);
            } else {
                state.events = before;
            }
        });
        match self
            .source
            .reread_batch(batch, self.options(None), Some(finale))
        {
            Ok(stream) => self.forward(stream, None, acks).await.map(drop),
            Err(e) => self.send(Output::plain(Err(e))).await,
        }
    }

    /// Passes a read's messages on (a re-read's without stream statuses: a watch's streams
    /// do not start and complete with every event), taking events meanwhile. The last
    /// message, the final state, carries the acknowledgements of `acks` whose modules did
    /// not fail; the others fail (Feishu delivers them again).
    async fn forward(
        &mut self,
        stream: impl Stream<Item = Result<Message>>,
        mut seen: Option<&mut Seen>,
        acks: Vec<(BTreeSet<Module>, Ack)>,
    ) -> Result<Outcome, Closed> {
        let complete_read = seen.is_some();
        let mut stream = pin!(stream);
        let mut outcome = Outcome::default();
        let mut held: Option<Result<Message>> = None;
        loop {
            let open = matches!(self.feed, Feed::Open);
            tokio::select! {
                biased;
                item = stream.next() => {
                    let Some(item) = item else { break };
                    if let Ok(message) = &item {
                        self.observe(message, seen.as_deref_mut(), &mut outcome);
                        if !complete_read && matches!(message, Message::Status { .. }) {
                            continue;
                        }
                    }
                    if let Some(previous) = held.replace(item) {
                        self.send(Output::plain(previous)).await?;
                    }
                }
                item = self.deliveries.next(), if open => self.receive(item).await?,
            }
        }
        let ended_with_state = matches!(held, Some(Ok(Message::State(_))));
        let mut done = Vec::new();
        for (modules, ack) in acks {
            if ended_with_state && modules.is_disjoint(&outcome.failed) {
                done.push(ack);
            } else {
                ack.fail();
            }
        }
        if let Some(last) = held {
            self.send(Output {
                item: last,
                acks: done,
            })
            .await?;
        }
        Ok(outcome)
    }

    /// Follows one message: the state, the replica's keys, the streams' outcome.
    fn observe(&mut self, message: &Message, seen: Option<&mut Seen>, outcome: &mut Outcome) {
        match message {
            Message::Record(record) => self.replica.observe(record, seen),
            Message::State(state) => self.state = state.clone(),
            Message::Status { stream, status } => match status {
                StreamStatus::Complete => {
                    outcome.completed.insert(stream.clone());
                }
                StreamStatus::Incomplete(_) => {
                    if let Some(module) = self.modules.get(stream) {
                        outcome.failed.insert(*module);
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
}
