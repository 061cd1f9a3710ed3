//! The module sections of [`SyncState`](super::SyncState), each owned by its module's reader.
//!
//! A section holds what outlives a run (cursors, the approval watch list) and, while a run
//! of the module is under way, its progress (`run`), tagged by `stage`. `done` marks a module
//! (approval code, table) completed in a read that was cut before every module ended, so that
//! its resumption skips it; `SyncState::end_run` forgets the mark.

use std::collections::{BTreeMap, BTreeSet};

use feishu_attendance::EmployeeType;
use feishu_core::UserIdType;
use serde::{Deserialize, Serialize};

/// The state of one approval code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ApprovalState {
    /// Every instance created before this time (Unix ms) has been read; the next run reads
    /// from `cursor_ms - lookback_days`. Moves when a run of the code completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor_ms: Option<i64>,
    /// The watch list: instances last seen `PENDING` (code → creation time, Unix ms),
    /// re-fetched every run until they reach a final status, are deleted, or are older than
    /// the config's `pending_max_age_days`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending: BTreeMap<String, i64>,
    /// The unfinished run of this code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<ApprovalRun>,
}

/// How far the unfinished run of one approval code got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum ApprovalRun {
    /// Re-fetching the watch list (pending instances created before the window).
    Watching {
        /// The run's "now" (Unix ms): the end of its window.
        now_ms: i64,
    },
    /// Listing the window `[cursor - lookback, now_ms)` slice by slice (slices of at most
    /// 10 hours).
    Listing {
        /// The run's "now" (Unix ms).
        now_ms: i64,
        /// Start of the slice being read (Unix ms): every earlier slice is done.
        slice_start_ms: i64,
        /// Instances of that slice already emitted (or reported unreadable); a resumed run
        /// lists the slice again and skips them, whatever order Feishu lists them in.
        #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
        emitted: BTreeSet<String>,
    },
    /// Completed in a read that has not ended.
    Done,
}

/// Bitable progress: the tables of the Base, each resumable on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BitableState {
    /// The Base the state belongs to.
    pub app_token: String,
    /// Per table id, the progress of the unfinished run (empty between runs: each run reads
    /// every table from its first page).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tables: BTreeMap<String, TableRun>,
}

impl BitableState {
    /// A section for `app_token` with no run under way.
    pub fn new(app_token: impl Into<String>) -> Self {
        BitableState {
            app_token: app_token.into(),
            tables: BTreeMap::new(),
        }
    }
}

/// How far the unfinished run of one Bitable table got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum TableRun {
    /// Reading: the page to continue at.
    Reading {
        /// The search's page token after the last page emitted.
        page_token: String,
    },
    /// Completed in a read that has not ended.
    Done,
}

/// Attendance progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AttendanceState {
    /// The id kind the users are named by.
    pub employee_type: EmployeeType,
    /// Punches before this time (Unix ms) have been read; the next run reads from
    /// `cursor_ms - lookback_days`. Moves when a run completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor_ms: Option<i64>,
    /// The unfinished run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<AttendanceRun>,
}

impl AttendanceState {
    /// A section for `employee_type` with no cursor yet.
    pub fn new(employee_type: EmployeeType) -> Self {
        AttendanceState {
            employee_type,
            cursor_ms: None,
            run: None,
        }
    }
}

/// How far the unfinished Attendance run got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum AttendanceRun {
    /// Reading one window of check times, its users in id order.
    Reading {
        /// The run's "now" (Unix ms): the end of its range.
        now_ms: i64,
        /// Start of the window being read (Unix ms): earlier windows are done.
        window_start_ms: i64,
        /// Every user whose id sorts at or before this one is done for the window. An id,
        /// not a count, so users joining or leaving the directory before a resumption shift
        /// nothing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after_user: Option<String>,
    },
    /// Completed in a read that has not ended.
    Done,
}

/// Contact settings the emitted keys depend on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ContactState {
    /// The `user_id_type` the `contact_users` keys use.
    pub user_id_type: UserIdType,
    /// The unfinished run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<ContactRun>,
}

impl ContactState {
    /// A section for `user_id_type`.
    pub fn new(user_id_type: UserIdType) -> Self {
        ContactState {
            user_id_type,
            run: None,
        }
    }
}

/// The unfinished Contact run (a walk is not resumable: it is read whole or again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum ContactRun {
    /// Completed in a read that has not ended.
    Done,
}

/// Where a watch ([`Source::watch`](crate::Source::watch)) stands with change events.
///
/// Feishu pushes events and keeps no position an app could resume from, so nothing here is
/// needed to lose nothing: an event is acknowledged only after the state covering its
/// re-read was taken by the consumer (Feishu delivers an unacknowledged event again), and
/// every watch starts with an incremental read covering the time it was down. What is kept
/// says how far the replica is: the newest event it covers, and when it was last reconciled
/// by a complete read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EventsState {
    /// The newest event (by Feishu's create time) whose re-read this state covers: its
    /// create time, Unix ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_ms: Option<i64>,
    /// That event's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_id: Option<String>,
    /// Events applied so far, by every watch that continued this state (a running count).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub applied: u64,
    /// When the last complete read of the watch (its first read, or a periodic
    /// reconciliation) started, Unix ms: every change before it is in the replica.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciled_ms: Option<i64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
