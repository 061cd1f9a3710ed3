//! What `read` yields: records, state checkpoints, stream status and log lines.

use serde::Serialize;
use serde_json::Value;

use crate::failure::Failure;
use crate::state::SyncState;

/// One message of a sync.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Message {
    /// A record of a stream.
    Record(Record),
    /// A checkpoint: every record emitted before it is covered; resume from here.
    State(SyncState),
    /// A stream changed status.
    Status {
        /// The stream.
        stream: String,
        /// Its new status.
        status: StreamStatus,
    },
    /// A log line for the operator.
    Log {
        /// `info`, `warn` or `error`.
        level: LogLevel,
        /// The text (no secrets).
        message: String,
    },
}

/// A record of one stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Record {
    /// The stream's name.
    pub stream: String,
    /// The record's JSON object.
    pub data: Value,
    /// When it was read (Unix ms).
    pub emitted_at: i64,
}

/// The lifecycle of one stream in one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StreamStatus {
    /// Reading started.
    Started,
    /// The first record was read.
    Running,
    /// Every record was read.
    Complete,
    /// Reading stopped early; the state still covers what was emitted, and the module's
    /// section keeps its progress (the next read resumes there).
    Incomplete(Failure),
}

/// Severity of a log message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    /// Informational.
    Info,
    /// Something the operator should look at.
    Warn,
    /// A failure.
    Error,
}

impl Message {
    /// The record, if this is one.
    pub fn as_record(&self) -> Option<&Record> {
        match self {
            Message::Record(r) => Some(r),
            _ => None,
        }
    }
}
