//! Resumable record streams of a whole Feishu / Lark tenant.
//!
//! `feishu-sync` turns the typed module crates (Approval, Bitable, Attendance, Contact) into
//! named record streams with primary keys, plus state checkpoints, so a service can replicate
//! a tenant into its own store, or a data platform can run it as a source connector.
//!
//! - [`SourceConfig`]: what to read (JSON or TOML, the names other tools write).
//! - [`Source::check`]: one cheap probe per selected module, with the scope to grant.
//! - [`catalog`]: every stream with its JSON Schema, primary key and cursor, generated from
//!   the stream's record type in [`records`].
//! - [`Source::read`]: a stream of [`Message`]s: records, state checkpoints, stream status.
//! - [`Source::reread`]: some objects (an approval instance, a user) read again, e.g. when a
//!   change event names them.
//!
//! # Guarantees
//! - A state checkpoint comes only after every record it covers: resuming from any emitted
//!   state loses nothing (at-least-once; upsert on the primary key gives exactly-once tables).
//!   One task writes the state; each module's reader changes only its own section.
//! - State is versioned, deterministic JSON with one section per module, each holding the
//!   module's cursor and its unfinished run's progress; it is rejected when it does not fit
//!   the config.
//! - A failing module reports its streams as incomplete with a typed [`Failure`]; the other
//!   modules go on, and the failing module resumes at its last checkpoint.
//!
//! # Example
//! ```no_run
//! use futures::StreamExt;
//! use feishu_sync::{Message, ReadOptions, Source, SourceConfig};
//! # async fn sample() -> Result<(), feishu_sync::SyncError> {
//! let config = SourceConfig::from_path("feishu.toml")?;
//! let source = Source::new(config)?;
//! let mut messages = source.read(ReadOptions::default())?;
//! while let Some(message) = messages.next().await {
//!     match message? {
//!         Message::Record(r) => println!("{} {}", r.stream, r.data),
//!         Message::State(s) => std::fs::write("state.json", s.to_json()).unwrap(),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```

mod catalog;
mod check;
mod config;
mod error;
mod failure;
mod message;
mod module;
mod read;
pub mod records;
mod state;
mod watch;

pub use catalog::{
    APPROVAL_INSTANCE_FIELDS, APPROVAL_INSTANCES, APPROVAL_INSTANCES_RAW, APPROVAL_TASKS,
    APPROVAL_TIMELINE, ATTENDANCE_GROUPS, ATTENDANCE_SHIFTS, ATTENDANCE_USER_FLOWS,
    BITABLE_RECORDS, CONTACT_USERS, StreamSpec, SyncMode, all_streams, catalog,
};
pub use check::{CheckReport, ModuleCheck};
pub use config::{
    ApprovalConfig, AttendanceConfig, BitableConfig, ContactConfig, CredentialsConfig,
    EmployeeType, EventsConfig, SourceConfig,
};
pub use error::{Result, SyncError};
pub use failure::{Failure, FailureKind};
pub use message::{LogLevel, Message, Record, StreamStatus};
pub use module::Module;
pub use read::{ReadOptions, Target};
pub use state::{
    ApprovalRun, ApprovalState, AttendanceRun, AttendanceState, BitableState, ContactRun,
    ContactState, EventsState, STATE_VERSION, SyncState, TableRun,
};
pub use watch::{DEFAULT_RECONCILE_EVERY, Watch, WatchOptions};

use feishu_core::Client;

/// A configured source: a config and the client it reads with.
#[derive(Debug, Clone)]
pub struct Source {
    config: SourceConfig,
    client: Client,
}

impl Source {
    /// A source with a client built from the config.
    pub fn new(config: SourceConfig) -> Result<Self> {
        config.validate()?;
        let client = config.client()?;
        Ok(Source { config, client })
    }

    /// A source reading through `client` (e.g. with custom rate limits or a shared token
    /// store); the config's domain and credentials are not used.
    pub fn with_client(config: SourceConfig, client: Client) -> Result<Self> {
        config.validate()?;
        Ok(Source { config, client })
    }

    /// The config.
    pub fn config(&self) -> &SourceConfig {
        &self.config
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The streams of the selected modules.
    pub fn catalog(&self) -> Vec<StreamSpec> {
        catalog(&self.config)
    }
}
