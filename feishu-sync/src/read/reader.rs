//! The reader trait every module implements, and [`Out`], a reader's only way to the
//! coordinator: records of its streams, log lines, and updates of its own state section.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;

use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};

use crate::failure::{Failure, FailureKind};
use crate::message::{LogLevel, Record};
use crate::module::Module;
use crate::records::StreamRecord;
use crate::state::SyncState;

/// Settings every reader of one read shares.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// "Now" of a run that starts in this read (Unix ms); a resumed run keeps its own.
    pub(crate) now_ms: i64,
    /// Detail fetches in flight per approval code, user chunks in flight per attendance
    /// window, departments in flight per walk.
    pub(crate) concurrency: usize,
    /// Records between two checkpoints, at most.
    pub(crate) checkpoint_every: usize,
    /// Length of one Attendance window in days.
    pub(crate) attendance_window_days: u32,
}

/// A module's reader: reads the module's streams and owns its state section, which it
/// changes only by sending updates through [`Out::checkpoint`].
pub(crate) trait Reader: Send + Sync + 'static {
    /// One change of this reader's section.
    type Update: Send + 'static;
    /// The module read.
    const MODULE: Module;
    /// Writes `update` into the state (the coordinator, the state's one writer, calls it).
    fn apply(state: &mut SyncState, update: Self::Update);
    /// Reads the module's streams, checkpointing progress on the way.
    fn read(&self, out: &mut Out<Self::Update>) -> impl Future<Output = Flow> + Send;
}

/// A reader that re-reads one object on demand (an instance, a user), e.g. when a change
/// event names it: the same records as a full read, and the same state section updates.
pub(crate) trait Reread: Reader {
    /// What names one object of the module.
    type Target: Send + 'static;
    /// Reads `target` again: its records, or a log line when it no longer exists.
    fn reread(
        &self,
        target: Self::Target,
        out: &mut Out<Self::Update>,
    ) -> impl Future<Output = Flow> + Send;
}

/// What readers hand the coordinator.
pub(crate) enum Event {
    /// A module started.
    Started(Module),
    /// A record of a selected stream.
    Record(Record),
    /// A log line.
    Log(LogLevel, String),
    /// A state update; every record the reader sent before it is covered.
    Checkpoint(Box<dyn FnOnce(&mut SyncState) + Send>),
    /// A state update covering a batch of re-reads, and the acknowledgements of the events
    /// that asked for them, given once the consumer handled the state.
    Settle(
        Box<dyn FnOnce(&mut SyncState) + Send>,
        Vec<feishu_events::Ack>,
    ),
    /// A module ended.
    Finished(Module, Result<(), Failure>),
}

/// The result of reading: `Err(Stop)` ends the reader early.
pub(crate) type Flow<T = ()> = Result<T, Stop>;

/// Why a reader stopped early.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The consumer dropped the stream.
    Closed,
    /// A call failed; the module's streams end incomplete.
    Failed(Failure),
}

impl Stop {
    /// An SDK error while reading `what` (a stream name, an approval code, a table).
    pub(crate) fn failed(what: impl std::fmt::Display, error: &feishu_core::Error) -> Stop {
        Stop::Failed(Failure::from_error(error).context(what))
    }
}

/// A reader's way out.
pub(crate) struct Out<U> {
    tx: mpsc::Sender<Event>,
    selected: Arc<BTreeSet<String>>,
    settings: Arc<Settings>,
    apply: fn(&mut SyncState, U),
    /// Records sent since the last checkpoint of this handle.
    since_checkpoint: usize,
}

impl<U: Send + 'static> Out<U> {
    pub(crate) fn new(
        tx: mpsc::Sender<Event>,
        selected: Arc<BTreeSet<String>>,
        settings: Arc<Settings>,
        apply: fn(&mut SyncState, U),
    ) -> Self {
        Out {
            tx,
            selected,
            settings,
            apply,
            since_checkpoint: 0,
        }
    }

    /// Another handle to the same coordinator, for a part of the module read side by side
    /// (an approval code, a table), with its own checkpoint count.
    pub(crate) fn fork(&self) -> Self {
        Out::new(
            self.tx.clone(),
            self.selected.clone(),
            self.settings.clone(),
            self.apply,
        )
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether `stream` is selected.
    pub(crate) fn wants(&self, stream: &str) -> bool {
        self.selected.contains(stream)
    }

    /// Whether records were sent since the last checkpoint.
    pub(crate) fn unsaved(&self) -> bool {
        self.since_checkpoint > 0
    }

    /// Whether a checkpoint is due (`checkpoint_every` records since the last one).
    pub(crate) fn checkpoint_due(&self) -> bool {
        self.since_checkpoint >= self.settings.checkpoint_every
    }

    async fn send(&mut self, event: Event) -> Flow {
        self.tx.send(event).await.map_err(|_| Stop::Closed)
    }

    /// Emits a record of its stream (nothing when the stream is not selected).
    pub(crate) async fn emit<T: StreamRecord>(&mut self, record: T) -> Flow {
        if !self.wants(T::STREAM) {
            return Ok(());
        }
        let data = serde_json::to_value(&record).map_err(|e| {
            let message = format!("a {} record does not serialise: {e}", T::STREAM);
            Stop::Failed(Failure::new(FailureKind::Internal, message))
        })?;
        let record = Record {
            stream: T::STREAM.to_string(),
            data,
            emitted_at: now_ms(),
        };
        self.since_checkpoint += 1;
        self.send(Event::Record(record)).await
    }

    pub(crate) async fn log(&mut self, level: LogLevel, message: impl Into<String>) -> Flow {
        self.send(Event::Log(level, message.into())).await
    }

    /// Has the coordinator publish the state as it is, covering the records sent so far: a
    /// re-read that changes no state lets its records be committed without waiting for
    /// the other objects of its pass.
    pub(crate) async fn flush(&mut self) -> Flow {
        self.since_checkpoint = 0;
        self.send(Event::Checkpoint(Box::new(|_| {}))).await
    }

    /// Ends a batch of re-reads: the coordinator applies `apply` and publishes the state
    /// with `acks`, the acknowledgements of the events the batch answered.
    pub(crate) async fn settle(
        &mut self,
        apply: Box<dyn FnOnce(&mut SyncState) + Send>,
        acks: Vec<feishu_events::Ack>,
    ) -> Flow {
        self.since_checkpoint = 0;
        self.send(Event::Settle(apply, acks)).await
    }

    /// Hands `update` to the coordinator, which applies it and publishes the state.
    pub(crate) async fn checkpoint(&mut self, update: U) -> Flow {
        self.since_checkpoint = 0;
        let apply = self.apply;
        self.send(Event::Checkpoint(Box::new(move |state| {
            apply(state, update)
        })))
        .await
    }
}

/// The wall clock, Unix ms.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Runs `reader` between its module's `Started` and `Finished` events.
pub(crate) async fn drive<R: Reader>(
    reader: R,
    tx: mpsc::Sender<Event>,
    selected: Arc<BTreeSet<String>>,
    settings: Arc<Settings>,
) {
    let mut out = Out::new(tx, selected, settings, R::apply);
    if out.send(Event::Started(R::MODULE)).await.is_err() {
        return;
    }
    let outcome = match reader.read(&mut out).await {
        Ok(()) => Ok(()),
        Err(Stop::Failed(failure)) => Err(failure),
        Err(Stop::Closed) => return,
    };
    let _ = out.send(Event::Finished(R::MODULE, outcome)).await;
}

/// Reads `targets` again with `reader`, up to `concurrency` at a time, each with its own
/// handle to the coordinator; the first failure stops the others.
pub(crate) async fn reread_all<R: Reread>(
    reader: &R,
    targets: Vec<R::Target>,
    out: &mut Out<R::Update>,
) -> Flow {
    let concurrency = out.settings().concurrency;
    let rereads = targets.into_iter().map(|target| {
        let mut out = out.fork();
        async move { reader.reread(target, &mut out).await }
    });
    let mut outcomes = futures::stream::iter(rereads).buffer_unordered(concurrency);
    while let Some(outcome) = outcomes.next().await {
        outcome?;
    }
    Ok(())
}

/// The outcome of parts read side by side (approval codes, tables): the first failure fails
/// the module and the others are logged; a closed consumer ends it at once.
pub(crate) async fn first_failure<U: Send + 'static>(
    outcomes: impl IntoIterator<Item = Flow>,
    out: &mut Out<U>,
) -> Flow {
    let mut failures = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(()) => {}
            Err(Stop::Closed) => return Err(Stop::Closed),
            Err(Stop::Failed(failure)) => failures.push(failure),
        }
    }
    let mut failures = failures.into_iter();
    let Some(first) = failures.next() else {
        return Ok(());
    };
    for other in failures {
        out.log(LogLevel::Error, other.message).await?;
    }
    Err(Stop::Failed(first))
}
