//! `attendance_user_flows`: punches.

use feishu_attendance::UserFlow;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::stream_record;

/// One punch (check-in or check-out) of one user.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct AttendanceUserFlow {
    /// Punch record id.
    pub record_id: String,
    /// The user, an id of the config's `employee_type` (`employee_id` = Contact `user_id`,
    /// or `employee_no`).
    pub user_id: Option<String>,
    /// Punch time, Unix **seconds** (the cursor).
    pub check_time: Option<i64>,
    /// The whole punch record (location, Wi-Fi, type, photos, ...), as
    /// `feishu_attendance::UserFlow` serialises it.
    #[schemars(with = "Option<Value>")]
    pub flow: UserFlow,
}
stream_record!(
    AttendanceUserFlow,
    "attendance_user_flows",
    Attendance,
    ["record_id"],
    Some("check_time")
);
