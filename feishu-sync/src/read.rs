//! `Source::read`: drives the selected modules and yields messages.
//!
//! The modules run side by side on one task (each endpoint family has its own rate budget,
//! so a full sync takes about as long as its slowest module); messages travel through a
//! bounded channel, so a slow consumer slows the reads (backpressure) and dropping the stream
//! stops them.

mod approval;
mod attendance;
mod bitable;
mod contact;

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use futures::channel::mpsc;
use futures::{SinkExt, Stream};
use serde_json::Value;

use crate::catalog::{Module, StreamSpec};
use crate::error::{Result, SyncError};
use crate::message::{LogLevel, Message, Record, StreamStatus};
use crate::records::StreamRecord;
use crate::state::{RunState, SyncState};
use crate::{Source, SourceConfig};

/// Options of one read.
///
/// # Example
/// ```
/// use feishu_sync::ReadOptions;
/// let opts = ReadOptions::default()
///     .streams(["contact_users"])
///     .concurrency(4);
/// # let _ = opts;
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Streams to read; `None` = every stream of the catalog.
    pub streams: Option<Vec<String>>,
    /// The state to resume from.
    pub state: Option<SyncState>,
    /// "Now" in Unix ms (default: the clock). Fixing it makes runs reproducible. Ignored when
    /// the state holds an unfinished run, which keeps its own "now".
    pub now_ms: Option<i64>,
    /// Detail fetches in flight per module (default 8).
    pub concurrency: usize,
    /// Records between two state checkpoints, at most (default 500; Bitable pages are
    /// requested no larger, Approval checkpoints after the instance that crosses it).
    pub checkpoint_every: usize,
    /// Length of one Attendance window in days (default 30): the cursor moves after each.
    pub attendance_window_days: u32,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            streams: None,
            state: None,
            now_ms: None,
            concurrency: 8,
            checkpoint_every: 500,
            attendance_window_days: 30,
        }
    }
}

impl ReadOptions {
    /// Reads only these streams.
    pub fn streams<I, S>(mut self, streams: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.streams = Some(streams.into_iter().map(Into::into).collect());
        self
    }

    /// Resumes from `state`.
    pub fn state(mut self, state: SyncState) -> Self {
        self.state = Some(state);
        self
    }

    /// Fixes "now" (Unix ms).
    pub fn now_ms(mut self, now: i64) -> Self {
        self.now_ms = Some(now);
        self
    }

    /// Detail fetches in flight per module (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Records between two checkpoints (at least 1).
    pub fn checkpoint_every(mut self, n: usize) -> Self {
        self.checkpoint_every = n.max(1);
        self
    }

    /// Days per Attendance window (1 to 30).
    pub fn attendance_window_days(mut self, days: u32) -> Self {
        self.attendance_window_days = days.clamp(1, 30);
        self
    }
}

/// The consumer went away: stop reading.
pub(crate) struct Closed;

/// The producer's side: sends messages, tracks stream status and the state.
pub(crate) struct Emitter {
    tx: mpsc::Sender<Result<Message>>,
    /// This module's view of the state: its own sections are current, the others are not
    /// read. Merged into `shared` at each checkpoint.
    pub(crate) state: SyncState,
    /// The state every checkpoint publishes, shared by the modules running side by side.
    shared: Arc<tokio::sync::Mutex<SyncState>>,
    /// The module this emitter serves (`None` before the modules start).
    module: Option<Module>,
    pub(crate) selected: BTreeSet<String>,
    running: HashSet<String>,
    pub(crate) now_ms: i64,
    pub(crate) concurrency: usize,
    pub(crate) checkpoint_every: usize,
    pub(crate) attendance_window_days: u32,
    /// Records emitted since the last checkpoint.
    pub(crate) since_checkpoint: usize,
}

pub(crate) type Flow<T = ()> = std::result::Result<T, Stop>;

/// Why a module stopped early.
pub(crate) enum Stop {
    /// The consumer dropped the stream.
    Closed,
    /// A Feishu call failed.
    Failed(SyncError),
}

impl From<Closed> for Stop {
    fn from(_: Closed) -> Self {
        Stop::Closed
    }
}

impl Emitter {
    /// The progress record of the run under way.
    pub(crate) fn run(&mut self) -> &mut RunState {
        let now = self.now_ms;
        self.state.run.get_or_insert_with(|| RunState {
            now_ms: now,
            completed: Default::default(),
            approval_progress: Default::default(),
            attendance_progress: None,
        })
    }

    /// An emitter for one module running beside the others: same channel, settings and
    /// shared state, its own copy of the state to advance.
    fn for_module(&self, module: Module) -> Emitter {
        Emitter {
            tx: self.tx.clone(),
            state: self.state.clone(),
            shared: self.shared.clone(),
            module: Some(module),
            selected: self.selected.clone(),
            running: HashSet::new(),
            now_ms: self.now_ms,
            concurrency: self.concurrency,
            checkpoint_every: self.checkpoint_every,
            attendance_window_days: self.attendance_window_days,
            since_checkpoint: 0,
        }
    }

    pub(crate) fn wants(&self, stream: &str) -> bool {
        self.selected.contains(stream)
    }

    async fn send(&mut self, m: Message) -> std::result::Result<(), Closed> {
        self.tx.send(Ok(m)).await.map_err(|_| Closed)
    }

    /// Emits a record of its stream (skipped when the stream is not selected).
    pub(crate) async fn emit<T: StreamRecord>(&mut self, record: T) -> Flow {
        if !self.wants(T::STREAM) {
            return Ok(());
        }
        let data = serde_json::to_value(&record).map_err(|e| {
            Stop::Failed(SyncError::Internal(format!(
                "a {} record does not serialise: {e}",
                T::STREAM
            )))
        })?;
        self.record(T::STREAM, data).await
    }

    /// Emits a record of `stream` (skipped when the stream is not selected).
    async fn record(&mut self, stream: &str, data: Value) -> Flow {
        if !self.wants(stream) {
            return Ok(());
        }
        // Checked before inserting: this runs for every record, the insert once per stream.
        if !self.running.contains(stream) {
            self.running.insert(stream.to_string());
            self.send(Message::Status {
                stream: stream.to_string(),
                status: StreamStatus::Running,
            })
            .await?;
        }
        let emitted_at = now_ms();
        self.send(Message::Record(Record {
            stream: stream.to_string(),
            data,
            emitted_at,
        }))
        .await?;
        self.since_checkpoint += 1;
        Ok(())
    }

    /// Publishes this module's progress: merges its sections into the shared state and sends
    /// a copy, holding the lock while sending. Every module sends its records before it merges
    /// the progress they make, so any state on the stream covers every record before it,
    /// whichever module sent them.
    pub(crate) async fn checkpoint(&mut self) -> Flow {
        self.since_checkpoint = 0;
        let mut shared = self.shared.lock().await;
        if let Some(module) = self.module {
            merge_module(&mut shared, &self.state, module);
        }
        let snapshot = shared.clone();
        self.tx
            .send(Ok(Message::State(snapshot)))
            .await
            .map_err(|_| Closed)?;
        Ok(())
    }

    async fn status(&mut self, streams: &[&str], status: StreamStatus) -> Flow {
        for s in streams {
            if self.wants(s) {
                self.send(Message::Status {
                    stream: s.to_string(),
                    status: status.clone(),
                })
                .await?;
            }
        }
        Ok(())
    }

    pub(crate) async fn log(&mut self, level: LogLevel, message: impl Into<String>) -> Flow {
        self.send(Message::Log {
            level,
            message: message.into(),
        })
        .await?;
        Ok(())
    }
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Wraps a module error with its stream name.
pub(crate) fn failed(stream: &str, e: feishu_core::Error) -> Stop {
    Stop::Failed(SyncError::stream(stream, e))
}

impl Source {
    /// Reads the selected streams: records, then a state checkpoint covering them, per module.
    ///
    /// Needs a Tokio runtime: the reads run on a spawned task and stop when the returned
    /// stream is dropped. Setup errors (unknown stream, state of another config) are returned
    /// at once; failures while reading end the failing module's streams with
    /// [`StreamStatus::Incomplete`] and an error log message, and the other modules go on.
    pub fn read(
        &self,
        options: ReadOptions,
    ) -> Result<impl Stream<Item = Result<Message>> + Send + 'static> {
        let specs = self.catalog();
        let selected = select(&specs, options.streams.as_deref())?;
        let mut state = options.state.clone().unwrap_or_default();
        state.check_against(&self.config)?;
        // Finish a cut run with its own "now"; otherwise start a new run.
        let now = match &state.run {
            Some(run) => run.now_ms,
            None => options.now_ms.unwrap_or_else(now_ms),
        };
        state.run.get_or_insert_with(|| RunState {
            now_ms: now,
            completed: Default::default(),
            approval_progress: Default::default(),
            attendance_progress: None,
        });
        let (tx, rx) = mpsc::channel(256);
        let shared = Arc::new(tokio::sync::Mutex::new(state.clone()));
        let mut emitter = Emitter {
            tx,
            state,
            shared,
            module: None,
            selected,
            running: HashSet::new(),
            now_ms: now,
            concurrency: options.concurrency.max(1),
            checkpoint_every: options.checkpoint_every.max(1),
            attendance_window_days: options.attendance_window_days.clamp(1, 30),
            since_checkpoint: 0,
        };
        let source = self.clone();
        let watcher_tx = emitter.tx.clone();
        let producer = tokio::spawn(async move {
            let _ = run(&source, &specs, &mut emitter).await;
        });
        // A producer that dies must not look like a finished read: say so on the stream.
        tokio::spawn(async move {
            if let Err(e) = producer.await {
                let mut tx = watcher_tx;
                let reason = if e.is_panic() {
                    "the reading task panicked"
                } else {
                    "the reading task was cancelled"
                };
                let _ = tx.send(Err(SyncError::Internal(reason.to_string()))).await;
            }
        });
        Ok(rx)
    }
}

fn select(specs: &[StreamSpec], wanted: Option<&[String]>) -> Result<BTreeSet<String>> {
    let known: BTreeSet<String> = specs.iter().map(|s| s.name.to_string()).collect();
    match wanted {
        None => Ok(known),
        Some(list) => {
            let mut out = BTreeSet::new();
            for name in list {
                if !known.contains(name) {
                    return Err(SyncError::UnknownStream(name.clone()));
                }
                out.insert(name.clone());
            }
            Ok(out)
        }
    }
}

fn module_name(module: Module) -> &'static str {
    match module {
        Module::Approval => "approval",
        Module::Bitable => "bitable",
        Module::Attendance => "attendance",
        Module::Contact => "contact",
    }
}

/// This module's part of `local`, copied into `shared`.
fn merge_module(shared: &mut SyncState, local: &SyncState, module: Module) {
    let name = module_name(module);
    match module {
        Module::Approval => shared.approval = local.approval.clone(),
        Module::Bitable => shared.bitable = local.bitable.clone(),
        Module::Attendance => shared.attendance = local.attendance.clone(),
        Module::Contact => shared.contact = local.contact.clone(),
    }
    if let (Some(shared_run), Some(local_run)) = (shared.run.as_mut(), local.run.as_ref()) {
        let prefix = format!("{name}:");
        for key in &local_run.completed {
            if key == name || key.starts_with(&prefix) {
                shared_run.completed.insert(key.clone());
            }
        }
        match module {
            Module::Approval => {
                shared_run.approval_progress = local_run.approval_progress.clone();
            }
            Module::Attendance => {
                shared_run.attendance_progress = local_run.attendance_progress.clone();
            }
            Module::Bitable | Module::Contact => {}
        }
    }
}

/// Reads the selected modules side by side (each under its endpoint families' own rate
/// limits), then publishes the finished state.
async fn run(
    source: &Source,
    specs: &[StreamSpec],
    em: &mut Emitter,
) -> std::result::Result<(), Closed> {
    let mut readers = Vec::new();
    for module in [
        Module::Approval,
        Module::Bitable,
        Module::Attendance,
        Module::Contact,
    ] {
        let streams: Vec<&'static str> = specs
            .iter()
            .filter(|s| s.module == module && em.wants(s.name))
            .map(|s| s.name)
            .collect();
        if streams.is_empty() {
            continue;
        }
        readers.push(run_module(source, module, streams, em.for_module(module)));
    }
    let outcomes = futures::future::join_all(readers).await;
    if outcomes.iter().any(|o| o.is_err()) {
        return Err(Closed);
    }
    // The run is over (a failed module resumes from its own cursor in the next run).
    let mut shared = em.shared.lock().await;
    shared.run = None;
    let snapshot = shared.clone();
    em.tx
        .send(Ok(Message::State(snapshot)))
        .await
        .map_err(|_| Closed)?;
    Ok(())
}

/// One module's streams: started, read, then complete or incomplete.
async fn run_module(
    source: &Source,
    module: Module,
    streams: Vec<&'static str>,
    mut em: Emitter,
) -> std::result::Result<(), Closed> {
    let em = &mut em;
    let done_in_this_run = em
        .state
        .run
        .as_ref()
        .is_some_and(|r| r.completed.contains(module_name(module)));
    if done_in_this_run {
        // Completed before the cut: its records are all out already.
        em.status(&streams, StreamStatus::Started)
            .await
            .map_err(|_| Closed)?;
        em.status(&streams, StreamStatus::Complete)
            .await
            .map_err(|_| Closed)?;
        return Ok(());
    }
    let flow = async {
        em.status(&streams, StreamStatus::Started).await?;
        let config: &SourceConfig = &source.config;
        match module {
            Module::Approval => approval::read(source, config, em).await,
            Module::Bitable => bitable::read(source, config, em).await,
            Module::Attendance => attendance::read(source, config, em).await,
            Module::Contact => contact::read(source, config, em).await,
        }
    }
    .await;
    match flow {
        Ok(()) => {
            em.run().completed.insert(module_name(module).to_string());
            em.checkpoint().await.map_err(|_| Closed)?;
            em.status(&streams, StreamStatus::Complete)
                .await
                .map_err(|_| Closed)?;
        }
        Err(Stop::Closed) => return Err(Closed),
        Err(Stop::Failed(e)) => {
            let text = e.to_string();
            tracing::warn!(error = %text, "module failed");
            em.log(LogLevel::Error, text.clone())
                .await
                .map_err(|_| Closed)?;
            em.status(&streams, StreamStatus::Incomplete { error: text })
                .await
                .map_err(|_| Closed)?;
        }
    }
    Ok(())
}
