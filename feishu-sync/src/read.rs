//! `Source::read` and `Source::reread`: one reader per selected module, side by side, and a
//! coordinator that owns the state.
//!
//! Each module's reader ([`reader::Reader`]) reads its streams and sends records, log lines
//! and updates of its own state section through one channel; the coordinator
//! ([`coordinator`]) is the only writer of the [`SyncState`]: it applies the updates in order
//! and publishes a state after each, so a state covers every record before it. Readers run
//! side by side on one task, each paced by its endpoint families' rate budgets in the client;
//! messages leave through a bounded channel, so a slow consumer slows the reads
//! (backpressure) and dropping the stream stops them.

mod approval;
mod attendance;
mod bitable;
mod contact;
mod coordinator;
mod lanes;
mod reader;

use std::collections::BTreeSet;
use std::sync::Arc;

use futures::channel::mpsc;
use futures::future::{BoxFuture, Either};
use futures::{FutureExt, SinkExt, Stream, StreamExt};

use crate::Source;
use crate::catalog::StreamSpec;
use crate::error::{Result, SyncError};
use crate::message::Message;
use crate::module::Module;
use crate::state::SyncState;

use approval::ApprovalReader;
use attendance::AttendanceReader;
use bitable::BitableReader;
pub(crate) use bitable::RecordsTarget;
use contact::ContactReader;
pub(crate) use contact::UserTarget;
use coordinator::Coordinator;
pub(crate) use coordinator::{Finale, Output};
pub(crate) use lanes::{LaneWork, Ticket, Work};
pub(crate) use reader::now_ms;
use reader::{Event, Reread, Settings, drive};

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
    /// "Now" in Unix ms (default: the clock) for the modules that start a run. Fixing it
    /// makes runs reproducible. A module whose section holds an unfinished run keeps that
    /// run's own "now".
    pub now_ms: Option<i64>,
    /// Detail fetches in flight per approval code, user chunks per attendance window, and
    /// department listings per directory walk (default 8).
    pub concurrency: usize,
    /// Records between two state checkpoints, at most (default 500; Bitable pages are
    /// requested no larger, Approval checkpoints after the instance that crosses it).
    pub checkpoint_every: usize,
    /// Length of one Attendance window in days (default 30): progress is kept per window.
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

    /// Detail fetches in flight per approval code (at least 1).
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

    pub(crate) fn settings(&self) -> Arc<Settings> {
        Arc::new(Settings {
            now_ms: self.now_ms.unwrap_or_else(now_ms),
            concurrency: self.concurrency.max(1),
            checkpoint_every: self.checkpoint_every.max(1),
            attendance_window_days: self.attendance_window_days.clamp(1, 30),
        })
    }
}

/// One object to read again with [`Source::reread`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// An approval instance: its records in the five approval streams, and its place in the
    /// code's watch list.
    ApprovalInstance {
        /// The approval definition code.
        approval_code: String,
        /// The instance code.
        instance_code: String,
    },
    /// A directory user, by an id of the config's `contact.user_id_type`; a tombstone when
    /// they are gone.
    ContactUser {
        /// The user's id.
        id: String,
    },
    /// A record of a table of the config's Base (read by batch get); a tombstone when it is
    /// gone.
    BitableRecord {
        /// The table.
        table_id: String,
        /// The record.
        record_id: String,
    },
}

impl Target {
    fn module(&self) -> Module {
        match self {
            Target::ApprovalInstance { .. } => Module::Approval,
            Target::ContactUser { .. } => Module::Contact,
            Target::BitableRecord { .. } => Module::Bitable,
        }
    }
}

/// What the spawned task runs: the readers beside the coordinator.
struct Task {
    readers: Vec<BoxFuture<'static, ()>>,
    coordinator: Coordinator,
    events: mpsc::Receiver<Event>,
}

impl Source {
    /// Reads the selected streams: records, and state checkpoints covering them.
    ///
    /// Needs a Tokio runtime: the reads run on a spawned task and stop when the returned
    /// stream is dropped. Setup errors (unknown stream, state of another config) are returned
    /// at once; failures while reading end the failing module's streams with
    /// [`StreamStatus::Incomplete`](crate::StreamStatus::Incomplete) and an error log
    /// message, and the other modules go on.
    pub fn read(
        &self,
        options: ReadOptions,
    ) -> Result<impl Stream<Item = Result<Message>> + Send + 'static> {
        self.read_with(options, None)
    }

    /// [`read`](Self::read), with `finale` applied to the state before the final one is
    /// published.
    pub(crate) fn read_with(
        &self,
        options: ReadOptions,
        finale: Option<Finale>,
    ) -> Result<impl Stream<Item = Result<Message>> + Send + 'static> {
        let Pass {
            specs,
            selected,
            shared,
            state,
            settings,
        } = self.pass(&options)?;
        let (tx, events) = mpsc::channel(64);
        let mut readers: Vec<BoxFuture<'static, ()>> = Vec::new();
        for module in Module::ALL {
            if !specs
                .iter()
                .any(|s| s.module == module && selected.contains(s.name))
            {
                continue;
            }
            let (tx, selected, settings) = (tx.clone(), shared.clone(), settings.clone());
            let reader = match module {
                Module::Approval => ApprovalReader::new(self, &state)
                    .map(|r| drive(r, tx, selected, settings).boxed()),
                Module::Bitable => BitableReader::new(self, &state)
                    .map(|r| drive(r, tx, selected, settings).boxed()),
                Module::Attendance => AttendanceReader::new(self, &state)
                    .map(|r| drive(r, tx, selected, settings).boxed()),
                Module::Contact => ContactReader::new(self, &state)
                    .map(|r| drive(r, tx, selected, settings).boxed()),
            };
            readers.extend(reader);
        }
        drop(tx);
        let output = spawn(|out| Task {
            readers,
            coordinator: Coordinator::new(state, out, specs, selected, true).finale(finale),
            events,
        });
        Ok(output.map(|o| o.item))
    }

    /// Reads some objects again (an approval instance, a user, Bitable records), for
    /// instance when a change event names them: their records in the selected streams, and
    /// the state updates they make (a pending instance that reached a final status leaves
    /// the watch list), then a final state. A user or record that no longer exists becomes a
    /// tombstone (`_deleted: true`); an approval instance that no longer exists is a warning
    /// log line. Cursors and unfinished runs are left as they are.
    ///
    /// # Example
    /// ```no_run
    /// use futures::StreamExt;
    /// use feishu_sync::{ReadOptions, Source, Target};
    /// # async fn sample(source: Source) -> feishu_sync::Result<()> {
    /// let target = Target::ApprovalInstance {
    ///     approval_code: "3B68E280-CF10-4198-B4CD-2E3BB97981D8".into(),
    ///     instance_code: "81D31358-93AF-92D6-7425-01A5D67C4E71".into(),
    /// };
    /// let mut messages = source.reread([target], ReadOptions::default())?;
    /// while let Some(message) = messages.next().await {
    ///     println!("{:?}", message?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn reread(
        &self,
        targets: impl IntoIterator<Item = Target>,
        options: ReadOptions,
    ) -> Result<impl Stream<Item = Result<Message>> + Send + 'static> {
        let mut batch = Batch::default();
        for target in targets {
            let module = target.module();
            if !module.is_selected(&self.config) {
                return Err(SyncError::config(
                    module.as_str(),
                    format!(
                        "a {module} object cannot be read again without the `{module}` section"
                    ),
                ));
            }
            match target {
                Target::ApprovalInstance {
                    approval_code,
                    instance_code,
                } => batch.approval.push((approval_code, instance_code)),
                Target::ContactUser { id } => batch.contact.push(UserTarget::Read(id)),
                Target::BitableRecord {
                    table_id,
                    record_id,
                } => batch.add_record(table_id, record_id, false),
            }
        }
        self.reread_batch(batch, options)
    }

    /// Reads `batch` again: its modules side by side, its objects up to `concurrency` at a
    /// time per module.
    fn reread_batch(
        &self,
        batch: Batch,
        options: ReadOptions,
    ) -> Result<impl Stream<Item = Result<Message>> + Send + 'static> {
        let Pass {
            specs,
            selected,
            shared,
            state,
            settings,
        } = self.pass(&options)?;
        let (tx, events) = mpsc::channel(64);
        let mut readers: Vec<BoxFuture<'static, ()>> = Vec::new();
        let Batch {
            approval,
            contact,
            bitable,
        } = batch;
        if let (false, Some(r)) = (approval.is_empty(), ApprovalReader::new(self, &state)) {
            readers.push(drive_reread(
                r,
                approval,
                tx.clone(),
                shared.clone(),
                settings.clone(),
            ));
        }
        if let (false, Some(r)) = (contact.is_empty(), ContactReader::new(self, &state)) {
            readers.push(drive_reread(
                r,
                contact,
                tx.clone(),
                shared.clone(),
                settings.clone(),
            ));
        }
        if let (false, Some(r)) = (bitable.is_empty(), BitableReader::new(self, &state)) {
            readers.push(drive_reread(r, bitable, tx.clone(), shared, settings));
        }
        drop(tx);
        let output = spawn(|out| Task {
            readers,
            coordinator: Coordinator::new(state, out, specs, selected, false),
            events,
        });
        Ok(output.map(|o| o.item))
    }
}

/// Objects to read again, per module.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// `(approval code, instance code)`.
    pub(crate) approval: Vec<(String, String)>,
    /// Users to read again or to record as deleted.
    pub(crate) contact: Vec<UserTarget>,
    /// Records to read again or to record as deleted, per table.
    pub(crate) bitable: Vec<RecordsTarget>,
}

impl Batch {
    /// Adds a record of `table` to read again (`deleted: false`) or to record as deleted.
    pub(crate) fn add_record(&mut self, table: String, record: String, deleted: bool) {
        let at = match self.bitable.iter().position(|t| t.table == table) {
            Some(at) => at,
            None => {
                self.bitable.push(RecordsTarget {
                    table,
                    ..RecordsTarget::default()
                });
                self.bitable.len() - 1
            }
        };
        let target = &mut self.bitable[at];
        if deleted {
            target.deleted.push(record);
        } else {
            target.read.push(record);
        }
    }
}

/// Re-reads `targets` with `reader`, between its module's `Started` and `Finished` events,
/// up to `concurrency` at a time (each with its own handle to the coordinator). The first
/// failure stops the module.
fn drive_reread<R: Reread>(
    reader: R,
    targets: Vec<R::Target>,
    tx: mpsc::Sender<Event>,
    selected: Arc<BTreeSet<String>>,
    settings: Arc<Settings>,
) -> BoxFuture<'static, ()> {
    struct Batch<R: Reread>(R, std::sync::Mutex<Vec<R::Target>>);
    impl<R: Reread> reader::Reader for Batch<R> {
        type Update = R::Update;
        const MODULE: Module = R::MODULE;
        fn apply(state: &mut SyncState, update: Self::Update) {
            R::apply(state, update);
        }
        async fn read(&self, out: &mut reader::Out<Self::Update>) -> reader::Flow {
            let targets = std::mem::take(
                &mut *self
                    .1
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            );
            reader::reread_all(&self.0, targets, out).await
        }
    }
    drive(
        Batch(reader, std::sync::Mutex::new(targets)),
        tx,
        selected,
        settings,
    )
    .boxed()
}

/// What every pass (a read, a re-read, the lanes) starts from.
pub(crate) struct Pass {
    pub(crate) specs: Vec<StreamSpec>,
    pub(crate) selected: BTreeSet<String>,
    /// `selected`, for the readers.
    pub(crate) shared: Arc<BTreeSet<String>>,
    /// The state to start from, checked against the config.
    pub(crate) state: SyncState,
    pub(crate) settings: Arc<Settings>,
}

impl Source {
    /// The catalog, the streams `options` selects, its state (checked against the config)
    /// and its settings.
    pub(crate) fn pass(&self, options: &ReadOptions) -> Result<Pass> {
        let specs = self.catalog();
        let selected = select(&specs, options.streams.as_deref())?;
        let state = options.state.clone().unwrap_or_default();
        state.check_against(&self.config)?;
        Ok(Pass {
            shared: Arc::new(selected.clone()),
            settings: options.settings(),
            specs,
            selected,
            state,
        })
    }
}

/// Spawns the task `make` builds around the output channel; returns the output.
fn spawn(
    make: impl FnOnce(mpsc::Sender<Output>) -> Task,
) -> impl Stream<Item = Output> + Send + 'static {
    let (out, rx) = mpsc::channel(256);
    let watcher = out.clone();
    let task = make(out);
    let producer = tokio::spawn(async move {
        let readers = futures::future::join_all(task.readers);
        let coordinator = task.coordinator.run(task.events).boxed();
        // The coordinator ends after the readers (the channel closes when they are done),
        // or first when the consumer went away: then the readers are dropped (stopped).
        match futures::future::select(readers, coordinator).await {
            Either::Left((_, coordinator)) => {
                let _ = coordinator.await;
            }
            Either::Right(_) => {}
        }
    });
    // A producer that dies must not look like a finished read: say so on the stream.
    tokio::spawn(async move {
        if let Err(e) = producer.await {
            let mut tx = watcher;
            let reason = if e.is_panic() {
                "the reading task panicked"
            } else {
                "the reading task was cancelled"
            };
            let item = Err(SyncError::Internal(reason.to_string()));
            let _ = tx.send(Output::plain(item)).await;
        }
    });
    rx
}

pub(crate) fn select(specs: &[StreamSpec], wanted: Option<&[String]>) -> Result<BTreeSet<String>> {
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
