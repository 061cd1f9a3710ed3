//! Where `feishu-sync read` puts records: JSON-lines files ([`JsonlSink`]) or a SQLite
//! database ([`SqliteSink`]).
//!
//! Both commit a state only together with (after) the records it covers, and reopen at
//! exactly the last committed state, so a crash at any moment leaves an output that resumes
//! without loss and without a damaged record. Each holds an [`OutputLock`] while open, so two
//! processes never write one output.

mod crash;
mod durable;
mod jsonl;
mod lock;
mod sqlite;

pub use crash::{CRASH_ENV, CheckpointStep, CrashPlan, CrashPoint};
pub use durable::{remove_stale_temps, sync_dir, write_atomically};
pub use jsonl::{CHECKPOINT_FILE, JsonlSink, LOCK_FILE, STATE_FILE};
pub use lock::OutputLock;
pub use sqlite::{SqliteSink, lock_path as sqlite_lock_path};

use feishu_sync::{Message, SyncState};

/// A destination of records and checkpoints.
pub trait Sink {
    /// Handles one message of the sync.
    fn write(&mut self, message: &Message) -> Result<(), String>;
    /// Ends the run: flushes (JSON lines) or rolls back (SQLite) what the last checkpoint
    /// does not cover.
    fn finish(&mut self) -> Result<(), String>;
    /// The state the output holds: where a run into it resumes.
    fn committed_state(&self) -> Result<Option<SyncState>, String>;
}

/// How a sink opens its output.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct SinkOptions {
    /// Start over: empty every stream output and forget the state.
    pub full_refresh: bool,
    /// Test-only crash points (see [`CRASH_ENV`]).
    pub crash: CrashPlan,
}

impl SinkOptions {
    /// Starts over when `yes` (see [`SinkOptions::full_refresh`]); the default resumes.
    pub fn with_full_refresh(mut self, yes: bool) -> Self {
        self.full_refresh = yes;
        self
    }

    /// With crash points (tests only).
    pub fn with_crash(mut self, crash: CrashPlan) -> Self {
        self.crash = crash;
        self
    }
}
