//! The resumable state of a sync: versioned, deterministic JSON.
//!
//! The same input gives the same bytes: maps are ordered (`BTreeMap`), nothing
//! time-of-run-dependent is stored unless it is a cursor. A state that does not fit the config
//! (another table, another id type) is rejected with an error naming the field.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::config::{EmployeeType, SourceConfig};
use crate::error::{Result, SyncError};

/// The state format written by this version.
pub const STATE_VERSION: u32 = 1;

/// Everything a later run needs to continue.
///
/// # Example
/// ```
/// use feishu_sync::SyncState;
/// let state = SyncState::default();
/// let json = state.to_json();
/// assert_eq!(SyncState::from_json(&json).unwrap(), state);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SyncState {
    /// Format version ([`STATE_VERSION`]).
    pub version: u32,
    /// Approval cursors, per approval code.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub approval: BTreeMap<String, ApprovalState>,
    /// Bitable progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bitable: Option<BitableState>,
    /// Attendance cursor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendance: Option<AttendanceState>,
    /// Contact settings the emitted keys depend on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactState>,
    /// A run that was cut short: resuming finishes it (same "now", completed modules
    /// skipped) instead of starting a new one. Absent once a run finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<RunState>,
}

/// The progress of an unfinished run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RunState {
    /// The run's "now" (Unix ms): the end of its incremental windows.
    pub now_ms: i64,
    /// Modules (`approval`, `bitable`, `attendance`, `contact`) and approval codes
    /// (`approval:<code>`) the run completed.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub completed: BTreeSet<String>,
    /// Per approval code: every instance of this run's window created before this time
    /// (Unix ms) has been emitted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub approval_progress: BTreeMap<String, i64>,
    /// Attendance: how far this run got.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendance_progress: Option<AttendanceProgress>,
}

/// How far an unfinished run got through Attendance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AttendanceProgress {
    /// Start of the window being read (Unix ms); earlier windows are done.
    pub window_start_ms: i64,
    /// Users (in sorted id order) of that window already emitted.
    pub users_done: usize,
}

impl Default for SyncState {
    fn default() -> Self {
        SyncState {
            version: STATE_VERSION,
            approval: BTreeMap::new(),
            bitable: None,
            attendance: None,
            contact: None,
            run: None,
        }
    }
}

/// Approval progress of one approval code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ApprovalState {
    /// Instances created before this time (Unix ms) have been emitted; the next run re-reads
    /// from `cursor_ms - lookback`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor_ms: Option<i64>,
    /// Instances last seen pending (code → creation time, Unix ms): re-fetched every run until
    /// they reach a final status, even once older than the lookback.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending: BTreeMap<String, i64>,
}

/// Bitable progress (a full refresh that can resume mid-table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BitableState {
    /// The Base the state belongs to.
    pub app_token: String,
    /// The table the state belongs to.
    pub table_id: String,
    /// The page to continue at, while a run is under way; absent once a run completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_token: Option<String>,
}

/// Attendance progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AttendanceState {
    /// The id kind the users were selected by.
    pub employee_type: EmployeeType,
    /// Check-ins before this time (Unix ms) have been emitted.
    pub cursor_ms: i64,
}

/// Contact settings that shape the emitted keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ContactState {
    /// The `user_id_type` the `contact_users` keys use.
    pub user_id_type: feishu_core::UserIdType,
}

impl SyncState {
    /// Parses a state document.
    pub fn from_json(s: &str) -> Result<Self> {
        let value: serde_json::Value = serde_json::from_str(s)
            .map_err(|e| SyncError::state("state", format!("not JSON: {e}")))?;
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(STATE_VERSION) => {}
            Some(v) => {
                return Err(SyncError::state(
                    "state.version",
                    format!("version {v} is not supported (this build reads {STATE_VERSION})"),
                ));
            }
            None => return Err(SyncError::state("state.version", "is missing")),
        }
        serde_json::from_value(value)
            .map_err(|e| SyncError::state("state", format!("unexpected shape: {e}")))
    }

    /// The canonical JSON form (deterministic).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("state serialises")
    }

    /// Rejects a state written for a different config.
    pub fn check_against(&self, config: &SourceConfig) -> Result<()> {
        if let (Some(s), Some(c)) = (&self.bitable, &config.bitable) {
            if s.app_token != c.app_token {
                return Err(SyncError::state(
                    "bitable.app_token",
                    format!(
                        "the state is for Base {:?}, the config reads {:?}",
                        s.app_token, c.app_token
                    ),
                ));
            }
            if s.table_id != c.table_id {
                return Err(SyncError::state(
                    "bitable.table_id",
                    format!(
                        "the state is for table {:?}, the config reads {:?}",
                        s.table_id, c.table_id
                    ),
                ));
            }
        }
        if let (Some(s), Some(c)) = (&self.attendance, &config.attendance)
            && s.employee_type != c.employee_type
        {
            return Err(SyncError::state(
                "attendance.employee_type",
                "the state was written for another employee_type",
            ));
        }
        if let (Some(s), Some(c)) = (&self.contact, &config.contact)
            && s.user_id_type != c.user_id_type
        {
            return Err(SyncError::state(
                "contact.user_id_type",
                format!(
                    "the state was written with user_id_type {}, the config says {}",
                    s.user_id_type, c.user_id_type
                ),
            ));
        }
        Ok(())
    }
}
