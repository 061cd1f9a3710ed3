//! Re-read lanes: one long-lived task per module taking batches of objects to read again
//! from its own queue, all writing through one coordinator. A watch runs them between its
//! complete reads, so one module's re-reads never wait for another's: each is paced by its
//! own rate budget, and takes everything queued while its previous batch was being read.

use std::collections::BTreeSet;
use std::sync::Arc;

use feishu_events::Ack;
use futures::channel::mpsc;
use futures::future::BoxFuture;
use futures::{FutureExt, Stream};

use super::approval::ApprovalReader;
use super::bitable::{BitableReader, RecordsTarget};
use super::contact::{ContactReader, UserTarget};
use super::coordinator::{Coordinator, Output};
use super::reader::{Event, Out, Reread, Settings, Stop, reread_all};
use super::{Pass, ReadOptions, Task, spawn};
use crate::Source;
use crate::error::Result;
use crate::message::LogLevel;
use crate::state::SyncState;

/// What a batch settles once read: a change of the state (a watch's `events` section) and
/// the acknowledgements of the events that asked for it. Dropped when the batch failed: the
/// acknowledgements then fail, and Feishu delivers the events again.
pub(crate) struct Ticket {
    pub(crate) apply: Box<dyn FnOnce(&mut SyncState) + Send>,
    pub(crate) acks: Vec<Ack>,
}

/// Where a lane takes its batches from.
pub(crate) trait Work<T>: Send + 'static {
    /// The next batch, once there is one; `None` stops the lane.
    fn next(&mut self) -> BoxFuture<'_, Option<(Vec<T>, Ticket)>>;
}

/// The work of each module's lane (a module without one has no lane).
#[derive(Default)]
pub(crate) struct LaneWork {
    pub(crate) approval: Option<Box<dyn Work<(String, String)>>>,
    pub(crate) contact: Option<Box<dyn Work<UserTarget>>>,
    pub(crate) bitable: Option<Box<dyn Work<RecordsTarget>>>,
}

impl Source {
    /// Runs the lanes of `work` from `options.state` until every lane stopped; the output
    /// carries each batch's acknowledgements with the state covering it.
    pub(crate) fn reread_lanes(
        &self,
        work: LaneWork,
        options: ReadOptions,
    ) -> Result<impl Stream<Item = Output> + Send + 'static> {
        let Pass {
            specs,
            selected,
            shared,
            state,
            settings,
        } = self.pass(&options)?;
        let (tx, events) = mpsc::channel(64);
        let mut readers: Vec<BoxFuture<'static, ()>> = Vec::new();
        let lane_of = |tx: &mpsc::Sender<Event>| (tx.clone(), shared.clone(), settings.clone());
        if let (Some(w), Some(r)) = (work.approval, ApprovalReader::new(self, &state)) {
            readers.push(lane(r, w, lane_of(&tx)));
        }
        if let (Some(w), Some(r)) = (work.contact, ContactReader::new(self, &state)) {
            readers.push(lane(r, w, lane_of(&tx)));
        }
        if let (Some(w), Some(r)) = (work.bitable, BitableReader::new(self, &state)) {
            readers.push(lane(r, w, lane_of(&tx)));
        }
        drop(tx);
        Ok(spawn(|out| Task {
            readers,
            coordinator: Coordinator::new(state, out, specs, selected, false),
            events,
        }))
    }
}

/// One module's lane: batch after batch from `work`, each settled once read. A failed batch
/// is an error log line and its ticket is dropped; the lane goes on.
fn lane<R: Reread>(
    reader: R,
    mut work: Box<dyn Work<R::Target>>,
    (tx, selected, settings): (mpsc::Sender<Event>, Arc<BTreeSet<String>>, Arc<Settings>),
) -> BoxFuture<'static, ()> {
    async move {
        let mut out = Out::new(tx, selected, settings, R::apply);
        while let Some((targets, ticket)) = work.next().await {
            let flow = match reread_all(&reader, targets, &mut out).await {
                Ok(()) => out.settle(ticket.apply, ticket.acks).await,
                Err(Stop::Closed) => return,
                Err(Stop::Failed(failure)) => {
                    drop(ticket);
                    tracing::warn!(module = %R::MODULE, error = %failure, "re-read failed");
                    let message = format!(
                        "{}: a re-read failed, its events will be delivered again: {}",
                        R::MODULE,
                        failure.message
                    );
                    out.log(LogLevel::Error, message).await
                }
            };
            if flow.is_err() {
                return;
            }
        }
    }
    .boxed()
}
