//! The events waiting for each module's re-read lane, shared between the watch, which queues
//! them, and the lanes, which take everything queued whenever they are free.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::sync::Notify;

use super::changes::{Change, Pending, Taken};
use crate::module::Module;
use crate::read::{Batch, LaneWork, Ticket, Work};
use crate::state::SyncState;

/// Most objects one batch reads: a burst is read in batches of this size, so that
/// acknowledgements keep flowing.
const MAX_BATCH: usize = 200;
/// The Bitable lane takes a batch at most this often. Its reads share Bitable's 20 calls a
/// second (one batch get reads up to 100 records of a table): a lane that called for every
/// change would spend that budget and then wait in the rate limiter for up to a second;
/// one call per table every 100 ms keeps the watch at half the budget and lets the records
/// of a burst share calls.
const BITABLE_SPACING: Duration = Duration::from_millis(100);

/// What the lanes do with their queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Take batches as they come.
    Running,
    /// Stop now (a complete read is about to run); the queue keeps its events.
    Paused,
    /// Take what is queued, then stop (the event feed ended).
    Ending,
}

/// One module's queue.
struct Queue {
    state: Mutex<(Pending, Mode)>,
    /// One permit per change of the queue (one lane waits on it).
    changed: Notify,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, (Pending, Mode)> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set_mode(&self, mode: Mode) {
        self.lock().1 = mode;
        self.changed.notify_one();
    }
}

/// The queues of the three modules whose objects events name.
pub(super) struct Queues {
    approval: Arc<Queue>,
    contact: Arc<Queue>,
    bitable: Arc<Queue>,
}

impl Queues {
    pub(super) fn new() -> Self {
        let queue = || {
            Arc::new(Queue {
                state: Mutex::new((Pending::default(), Mode::Paused)),
                changed: Notify::new(),
            })
        };
        Queues {
            approval: queue(),
            contact: queue(),
            bitable: queue(),
        }
    }

    fn of(&self, module: Module) -> &Arc<Queue> {
        match module {
            Module::Approval => &self.approval,
            Module::Contact => &self.contact,
            _ => &self.bitable,
        }
    }

    /// Queues what `push` adds to the queue of `module`.
    pub(super) fn push(&self, module: Module, push: impl FnOnce(&mut Pending)) {
        let queue = self.of(module);
        push(&mut queue.lock().0);
        queue.changed.notify_one();
    }

    /// Queues deletions no event asked for (found by a complete read), one module each.
    pub(super) fn push_unasked(&self, changes: Vec<Change>) {
        for change in changes {
            self.push(change.module(), |p| p.push_unasked(vec![change]));
        }
    }

    fn set_mode(&self, mode: Mode) {
        for queue in [&self.approval, &self.contact, &self.bitable] {
            queue.set_mode(mode);
        }
    }

    /// Lets the lanes take batches.
    pub(super) fn resume(&self) {
        self.set_mode(Mode::Running);
    }

    /// Stops the lanes after their current batch; the queues keep their events.
    pub(super) fn pause(&self) {
        self.set_mode(Mode::Paused);
    }

    /// Stops the lanes once the queues are empty.
    pub(super) fn end(&self) {
        self.set_mode(Mode::Ending);
    }

    /// The lanes' work, for the modules `modules` names.
    pub(super) fn work(&self, modules: &[Module]) -> LaneWork {
        let mut work = LaneWork::default();
        for module in modules {
            let queue = Arc::clone(self.of(*module));
            match module {
                Module::Approval => {
                    let work_of = QueueWork::new(queue, |b| b.approval, Duration::ZERO);
                    work.approval = Some(Box::new(work_of));
                }
                Module::Contact => {
                    let work_of = QueueWork::new(queue, |b| b.contact, Duration::ZERO);
                    work.contact = Some(Box::new(work_of));
                }
                Module::Bitable => {
                    let work_of = QueueWork::new(queue, |b| b.bitable, BITABLE_SPACING);
                    work.bitable = Some(Box::new(work_of));
                }
                _ => {}
            }
        }
        work
    }
}

/// A lane's view of its queue: batches of its module's objects, at least `spacing` apart.
struct QueueWork<T> {
    queue: Arc<Queue>,
    targets: fn(Batch) -> Vec<T>,
    spacing: Duration,
    last: Option<tokio::time::Instant>,
}

impl<T> QueueWork<T> {
    fn new(queue: Arc<Queue>, targets: fn(Batch) -> Vec<T>, spacing: Duration) -> Self {
        QueueWork {
            queue,
            targets,
            spacing,
            last: None,
        }
    }
}

impl<T: Send + 'static> Work<T> for QueueWork<T> {
    fn next(&mut self) -> BoxFuture<'_, Option<(Vec<T>, Ticket)>> {
        async move {
            if let Some(last) = self.last {
                tokio::time::sleep_until(last + self.spacing).await;
            }
            loop {
                {
                    let mut state = self.queue.lock();
                    let (pending, mode) = &mut *state;
                    match mode {
                        Mode::Paused => return None,
                        Mode::Ending if pending.is_empty() => return None,
                        _ => {}
                    }
                    if !pending.is_empty() {
                        let taken = pending.take(MAX_BATCH);
                        drop(state);
                        self.last = Some(tokio::time::Instant::now());
                        return Some(self.batch(taken));
                    }
                }
                self.queue.changed.notified().await;
            }
        }
        .boxed()
    }
}

impl<T> QueueWork<T> {
    /// The targets of `taken`, and its ticket: the `events` section moves to its newest
    /// event, and its acknowledgements are given with the state covering it.
    fn batch(&self, taken: Taken) -> (Vec<T>, Ticket) {
        let Taken {
            batch,
            acks,
            newest,
            events,
        } = taken;
        let apply = move |state: &mut SyncState| {
            if events == 0 {
                return;
            }
            let section = state.events.get_or_insert_with(Default::default);
            section.applied += events;
            if let Some((created, id)) = newest
                && section.last_event_ms.is_none_or(|last| created >= last)
            {
                section.last_event_ms = Some(created);
                section.last_event_id = Some(id);
            }
        };
        let ticket = Ticket {
            apply: Box::new(apply),
            acks,
        };
        ((self.targets)(batch), ticket)
    }
}
