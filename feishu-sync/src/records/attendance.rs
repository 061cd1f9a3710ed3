//! `attendance_user_flows` (punches), and the definitions punch results refer to:
//! `attendance_shifts`, `attendance_groups`.

use feishu_attendance::{Shift, UserFlow};
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

/// One shift definition: the `shift_id` of punch results names one of these.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct AttendanceShift {
    /// Shift id (the key).
    pub shift_id: String,
    /// Name.
    pub shift_name: Option<String>,
    /// The whole shift (punch rules, flexible and rest rules, ...), as
    /// `feishu_attendance::Shift` serialises it.
    #[schemars(with = "Option<Value>")]
    pub shift: Shift,
}
stream_record!(
    AttendanceShift,
    "attendance_shifts",
    Attendance,
    ["shift_id"],
    None
);

/// One attendance group: who punches, by which shifts (the `group_id` of punch results).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct AttendanceGroup {
    /// Group id (the key).
    pub group_id: String,
    /// Name.
    pub group_name: Option<String>,
    /// Time zone (`Asia/Shanghai`).
    pub time_zone: Option<String>,
    /// The whole group (members, shifts per weekday, settings), as
    /// `feishu_attendance::AttendanceGroup` serialises it; user ids are of the config's
    /// `employee_type`.
    #[schemars(with = "Option<Value>")]
    pub group: feishu_attendance::AttendanceGroup,
}
stream_record!(
    AttendanceGroup,
    "attendance_groups",
    Attendance,
    ["group_id"],
    None
);
