//! The coordinator: the one task that writes the state. It forwards the readers' records and
//! log lines, applies their state updates in the order they were sent, publishes a state
//! after each, and reports every stream's status.
//!
//! Readers send records before the update that covers them, on one channel, so every state
//! the coordinator publishes covers every record before it, whichever module sent them.

use std::collections::{BTreeSet, HashSet};

use feishu_events::Ack;
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};

use super::reader::Event;
use crate::catalog::StreamSpec;
use crate::error::Result;
use crate::message::{LogLevel, Message, StreamStatus};
use crate::module::Module;
use crate::state::SyncState;

/// The consumer went away.
pub(super) struct Closed;

/// One message for the consumer, with the acknowledgements of the events whose re-reads it
/// covers (a watch's; empty otherwise): they are given once the consumer handled it.
pub(crate) struct Output {
    pub(crate) item: Result<Message>,
    pub(crate) acks: Vec<Ack>,
}

impl Output {
    /// A message that settles nothing.
    pub(crate) fn plain(item: Result<Message>) -> Self {
        Output {
            item,
            acks: Vec::new(),
        }
    }
}

/// A last change of the state, applied by the coordinator before it publishes the final
/// state (a watch records there which events the read covers). It learns whether every
/// selected stream completed.
pub(crate) type Finale = Box<dyn FnOnce(&mut SyncState, bool) + Send>;

pub(super) struct Coordinator {
    state: SyncState,
    out: mpsc::Sender<Output>,
    specs: Vec<StreamSpec>,
    selected: BTreeSet<String>,
    running: HashSet<String>,
    /// Whether the read ends a run (a full read) or only updates the state (a re-read).
    ends_run: bool,
    /// Applied before the final state.
    finale: Option<Finale>,
    /// Whether a module failed.
    failed: bool,
}

impl Coordinator {
    pub(super) fn new(
        state: SyncState,
        out: mpsc::Sender<Output>,
        specs: Vec<StreamSpec>,
        selected: BTreeSet<String>,
        ends_run: bool,
    ) -> Self {
        Coordinator {
            state,
            out,
            specs,
            selected,
            running: HashSet::new(),
            ends_run,
            finale: None,
            failed: false,
        }
    }

    /// Applies `finale` to the state before the final one is published.
    pub(super) fn finale(mut self, finale: Option<Finale>) -> Self {
        self.finale = finale;
        self
    }

    async fn send(&mut self, message: Message) -> Result<(), Closed> {
        self.out
            .send(Output::plain(Ok(message)))
            .await
            .map_err(|_| Closed)
    }

    /// The selected streams of `module`.
    fn streams_of(&self, module: Module) -> Vec<String> {
        self.specs
            .iter()
            .filter(|s| s.module == module && self.selected.contains(s.name))
            .map(|s| s.name.to_string())
            .collect()
    }

    async fn status(&mut self, module: Module, status: &StreamStatus) -> Result<(), Closed> {
        for stream in self.streams_of(module) {
            self.send(Message::Status {
                stream,
                status: status.clone(),
            })
            .await?;
        }
        Ok(())
    }

    /// Handles events until every reader is done, then publishes the final state.
    pub(super) async fn run(mut self, mut events: mpsc::Receiver<Event>) -> Result<(), Closed> {
        while let Some(event) = events.next().await {
            self.handle(event).await?;
        }
        if self.ends_run {
            self.state.end_run();
        }
        if let Some(finale) = self.finale.take() {
            finale(&mut self.state, !self.failed);
        }
        let state = self.state.clone();
        self.send(Message::State(state)).await
    }

    async fn handle(&mut self, event: Event) -> Result<(), Closed> {
        match event {
            Event::Started(module) => self.status(module, &StreamStatus::Started).await?,
            Event::Record(record) => {
                // Checked before inserting: this runs for every record, the insert once.
                if !self.running.contains(&record.stream) {
                    self.running.insert(record.stream.clone());
                    self.send(Message::Status {
                        stream: record.stream.clone(),
                        status: StreamStatus::Running,
                    })
                    .await?;
                }
                self.send(Message::Record(record)).await?;
            }
            Event::Log(level, message) => self.send(Message::Log { level, message }).await?,
            Event::Checkpoint(apply) => {
                apply(&mut self.state);
                let state = self.state.clone();
                self.send(Message::State(state)).await?;
            }
            Event::Settle(apply, acks) => {
                apply(&mut self.state);
                let item = Ok(Message::State(self.state.clone()));
                self.out
                    .send(Output { item, acks })
                    .await
                    .map_err(|_| Closed)?;
            }
            Event::Finished(module, Ok(())) => {
                self.status(module, &StreamStatus::Complete).await?;
            }
            Event::Finished(module, Err(failure)) => {
                self.failed = true;
                tracing::warn!(module = %module, error = %failure, "module failed");
                self.send(Message::Log {
                    level: LogLevel::Error,
                    message: failure.message.clone(),
                })
                .await?;
                self.status(module, &StreamStatus::Incomplete(failure))
                    .await?;
            }
        }
        Ok(())
    }
}
