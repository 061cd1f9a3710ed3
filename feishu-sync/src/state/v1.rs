//! Reading a version-1 state (feishu-sync 0.1): cursors, watch lists and the Bitable page
//! token carry over into version 2; an unfinished run's progress does not.

use std::collections::BTreeMap;

use feishu_attendance::EmployeeType;
use feishu_core::UserIdType;
use serde::Deserialize;
use serde_json::Value;

use super::{
    ApprovalState, AttendanceState, BitableState, ContactState, STATE_VERSION, SyncState, TableRun,
};
use crate::error::{Result, SyncError};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateV1 {
    #[allow(dead_code)]
    version: u32,
    #[serde(default)]
    approval: BTreeMap<String, ApprovalV1>,
    #[serde(default)]
    bitable: Option<BitableV1>,
    #[serde(default)]
    attendance: Option<AttendanceV1>,
    #[serde(default)]
    contact: Option<ContactV1>,
    /// The unfinished run: not carried over.
    #[serde(default)]
    #[allow(dead_code)]
    run: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApprovalV1 {
    #[serde(default)]
    cursor_ms: Option<i64>,
    #[serde(default)]
    pending: BTreeMap<String, i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BitableV1 {
    app_token: String,
    table_id: String,
    #[serde(default)]
    page_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttendanceV1 {
    employee_type: EmployeeType,
    cursor_ms: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactV1 {
    user_id_type: UserIdType,
}

/// The version-2 form of a version-1 document.
pub(super) fn upgrade(value: Value) -> Result<SyncState> {
    let old: StateV1 = serde_json::from_value(value).map_err(|e| {
        SyncError::state(
            "state",
            format!("unexpected shape of a version 1 state: {e}"),
        )
    })?;
    let approval = old
        .approval
        .into_iter()
        .map(|(code, a)| {
            let state = ApprovalState {
                cursor_ms: a.cursor_ms,
                pending: a.pending,
                run: None,
            };
            (code, state)
        })
        .collect();
    let bitable = old.bitable.map(|b| {
        let mut section = BitableState::new(b.app_token);
        if let Some(page_token) = b.page_token {
            section
                .tables
                .insert(b.table_id, TableRun::Reading { page_token });
        }
        section
    });
    let attendance = old.attendance.map(|a| {
        let mut section = AttendanceState::new(a.employee_type);
        section.cursor_ms = Some(a.cursor_ms);
        section
    });
    Ok(SyncState {
        version: STATE_VERSION,
        approval,
        bitable,
        attendance,
        contact: old.contact.map(|c| ContactState::new(c.user_id_type)),
        events: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_state_carries_its_cursors_over() {
        let v1 = r#"{"version":1,
            "approval":{"A":{"cursor_ms":5,"pending":{"i1":3}}},
            "bitable":{"app_token":"bas1","table_id":"tbl1","page_token":"p2"},
            "attendance":{"employee_type":"employee_id","cursor_ms":9},
            "contact":{"user_id_type":"open_id"},
            "run":{"now_ms":100,"completed":["approval"],"attendance_progress":
                {"window_start_ms":1,"users_done":50}}}"#;
        let state = SyncState::from_json(v1).unwrap();
        assert_eq!(
            state.to_json(),
            r#"{"version":2,"approval":{"A":{"cursor_ms":5,"pending":{"i1":3}}},"bitable":{"app_token":"bas1","tables":{"tbl1":{"stage":"reading","page_token":"p2"}}},"attendance":{"employee_type":"employee_id","cursor_ms":9},"contact":{"user_id_type":"open_id"}}"#
        );
        let e = SyncState::from_json(r#"{"version":1,"bitable":{"app_token":3}}"#).unwrap_err();
        assert!(e.to_string().contains("version 1"), "{e}");
    }
}
