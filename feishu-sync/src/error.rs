//! Errors that stop a sync before or outside its streams: configuration, state, setup. A
//! stream that fails while reading ends with [`crate::StreamStatus::Incomplete`] instead.

/// What can go wrong in a sync.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The configuration is unusable; `field` names the offending setting
    /// (e.g. `bitable.app_token`).
    #[error("invalid config: {field}: {message}")]
    Config {
        /// Dotted path of the field.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The state does not fit this config or cannot be read.
    #[error("invalid state: {field}: {message}")]
    State {
        /// Dotted path of the field.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A stream unknown to the catalog was requested.
    #[error("unknown stream {0:?}")]
    UnknownStream(String),
    /// A call to Feishu failed outside any stream (e.g. fetching the token).
    #[error(transparent)]
    Feishu(#[from] feishu_core::Error),
    /// A watch's event feed failed for good (e.g. the long connection was refused, or gave
    /// up reconnecting).
    #[error("event feed: {0}")]
    Events(String),
    /// The read stopped for a reason of its own (e.g. its task panicked): the records so far
    /// are covered by the last state only, and the run is not complete.
    #[error("internal error: {0}")]
    Internal(String),
}

impl SyncError {
    pub(crate) fn config(field: impl Into<String>, message: impl Into<String>) -> Self {
        SyncError::Config {
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn state(field: impl Into<String>, message: impl Into<String>) -> Self {
        SyncError::State {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Result alias of this crate.
pub type Result<T, E = SyncError> = std::result::Result<T, E>;
