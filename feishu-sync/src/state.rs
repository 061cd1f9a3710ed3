//! The resumable state of a sync: versioned, deterministic JSON, one section per module.
//!
//! Each module owns its section: its cursor and watch list, and the progress of its
//! unfinished run (`run`), so a cut read resumes every module where its last checkpoint left
//! it, and a platform can store each module's section on its own. The same input gives the
//! same bytes: maps and sets are ordered, nothing time-of-run-dependent is stored unless it
//! is a cursor. A state that does not fit the config (another Base, another id type) is
//! rejected with an error naming the field.

mod sections;
mod v1;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::SourceConfig;
use crate::error::{Result, SyncError};
use crate::module::Module;

pub use sections::{
    ApprovalRun, ApprovalState, AttendanceRun, AttendanceState, BitableState, ContactRun,
    ContactState, EventsState, TableRun,
};

/// The state format written by this version. Version 1 (feishu-sync 0.1) is read and
/// converted; see [`SyncState::from_json`].
pub const STATE_VERSION: u32 = 2;

/// Everything a later read needs to continue: one section per module.
///
/// # Example
/// ```
/// use feishu_sync::SyncState;
/// let state = SyncState::default();
/// let json = state.to_json();
/// assert_eq!(json, r#"{"version":2}"#);
/// assert_eq!(SyncState::from_json(&json).unwrap(), state);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SyncState {
    /// Format version ([`STATE_VERSION`]).
    pub version: u32,
    /// Approval, per approval code.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub approval: BTreeMap<String, ApprovalState>,
    /// Bitable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bitable: Option<BitableState>,
    /// Attendance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendance: Option<AttendanceState>,
    /// Contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactState>,
    /// Change events, when the state was written by a watch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<EventsState>,
}

impl Default for SyncState {
    fn default() -> Self {
        SyncState {
            version: STATE_VERSION,
            approval: BTreeMap::new(),
            bitable: None,
            attendance: None,
            contact: None,
            events: None,
        }
    }
}

impl SyncState {
    /// Parses a state document of this version, or of version 1, which is converted: its
    /// cursors, pending watch lists and Bitable page token carry over; the progress of an
    /// unfinished version-1 run does not (the modules it had completed are read again, which
    /// only repeats records). Any other version is refused.
    pub fn from_json(s: &str) -> Result<Self> {
        let value: serde_json::Value = serde_json::from_str(s)
            .map_err(|e| SyncError::state("state", format!("not JSON: {e}")))?;
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(STATE_VERSION) => serde_json::from_value(value)
                .map_err(|e| SyncError::state("state", format!("unexpected shape: {e}"))),
            Some(1) => v1::upgrade(value),
            Some(v) => Err(SyncError::state(
                "state.version",
                format!(
                    "version {v} is not supported (this build reads versions 1 and \
                     {STATE_VERSION}); start over with an empty state"
                ),
            )),
            None => Err(SyncError::state("state.version", "is missing")),
        }
    }

    /// The canonical JSON form (deterministic).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("state serialises")
    }

    /// A state holding only `module`'s section (what a platform storing one state per
    /// stream keeps for that module's streams).
    ///
    /// # Example
    /// ```
    /// use feishu_sync::{Module, SyncState};
    /// let state = SyncState::from_json(
    ///     r#"{"version":2,"contact":{"user_id_type":"open_id"},"approval":{"A":{"cursor_ms":5}}}"#,
    /// ).unwrap();
    /// assert_eq!(state.only(Module::Contact).to_json(), r#"{"version":2,"contact":{"user_id_type":"open_id"}}"#);
    /// ```
    pub fn only(&self, module: Module) -> SyncState {
        let mut out = SyncState::default();
        match module {
            Module::Approval => out.approval = self.approval.clone(),
            Module::Bitable => out.bitable = self.bitable.clone(),
            Module::Attendance => out.attendance = self.attendance.clone(),
            Module::Contact => out.contact = self.contact.clone(),
        }
        out
    }

    /// Ends the read's run: forgets which modules (approval codes, tables) completed in it, so
    /// that the next read starts a new run for them. Modules that did not finish keep their
    /// progress and resume where they stopped. `Source::read` does this when every selected
    /// module has ended; a cut read leaves the marks, so its resumption skips what was done.
    pub fn end_run(&mut self) {
        for section in self.approval.values_mut() {
            if section.run == Some(ApprovalRun::Done) {
                section.run = None;
            }
        }
        if let Some(section) = &mut self.bitable
            && section.tables.values().all(|t| *t == TableRun::Done)
        {
            section.tables.clear();
        }
        if let Some(section) = &mut self.attendance
            && section.run == Some(AttendanceRun::Done)
        {
            section.run = None;
        }
        if let Some(section) = &mut self.contact
            && section.run == Some(ContactRun::Done)
        {
            section.run = None;
        }
    }

    /// Rejects a state written for a different config: another Base, another attendance
    /// `employee_type`, another contact `user_id_type` (the keys and cursors would not mean
    /// the same).
    pub fn check_against(&self, config: &SourceConfig) -> Result<()> {
        if let (Some(s), Some(c)) = (&self.bitable, &config.bitable)
            && s.app_token != c.app_token
        {
            return Err(SyncError::state(
                "bitable.app_token",
                format!(
                    "the state is for Base {:?}, the config reads {:?}",
                    s.app_token, c.app_token
                ),
            ));
        }
        if let (Some(s), Some(c)) = (&self.attendance, &config.attendance)
            && s.employee_type != c.employee_type
        {
            return Err(SyncError::state(
                "attendance.employee_type",
                format!(
                    "the state was written with employee_type {}, the config says {}",
                    s.employee_type, c.employee_type
                ),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_round_trip_and_end() {
        let json = r#"{"version":2,
            "approval":{"A":{"cursor_ms":5,"pending":{"i1":3},
                "run":{"stage":"listing","now_ms":9,"slice_start_ms":6,"emitted":["i2"]}},
                "B":{"cursor_ms":9,"run":{"stage":"done"}}},
            "bitable":{"app_token":"bas1","tables":{"tbl1":{"stage":"reading","page_token":"p"},
                "tbl2":{"stage":"done"}}},
            "attendance":{"employee_type":"employee_no","cursor_ms":4,
                "run":{"stage":"reading","now_ms":9,"window_start_ms":4,"after_user":"u7"}},
            "contact":{"user_id_type":"user_id","run":{"stage":"done"}}}"#;
        let mut state = SyncState::from_json(json).unwrap();
        assert_eq!(SyncState::from_json(&state.to_json()).unwrap(), state);
        state.end_run();
        assert!(matches!(
            state.approval["A"].run,
            Some(ApprovalRun::Listing { .. })
        ));
        assert_eq!(state.approval["B"].run, None);
        assert_eq!(
            state.bitable.as_ref().unwrap().tables.len(),
            2,
            "tbl1 unfinished"
        );
        assert!(state.attendance.as_ref().unwrap().run.is_some());
        assert_eq!(state.contact.as_ref().unwrap().run, None);
    }

    #[test]
    fn unknown_fields_and_stages_are_refused() {
        for bad in [
            r#"{"version":2,"approval":{"A":{"run":{"stage":"later"}}}}"#,
            r#"{"version":2,"approval":{"A":{"run":{"stage":"listing","now_ms":1}}}}"#,
            r#"{"version":2,"contact":{"user_id_type":"open_id","extra":1}}"#,
            r#"{"version":2,"run":{"now_ms":1}}"#,
        ] {
            let e = SyncState::from_json(bad).unwrap_err();
            assert!(e.to_string().contains("unexpected shape"), "{bad}: {e}");
        }
        let e = SyncState::from_json(r#"{"version":3}"#).unwrap_err();
        assert!(e.to_string().contains("versions 1 and 2"), "{e}");
    }
}
