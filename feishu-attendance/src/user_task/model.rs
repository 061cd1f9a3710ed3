//! The punch result (task) object, as `user_tasks/query` returns it
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/user_task/query>).

use feishu_core::internal::wire_enum;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::{Date, Month};

use crate::user_flow::model::UserFlow;

/// One user's result for one day and shift.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct UserTask {
    /// Result id (the primary key).
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub result_id: String,
    /// The user, an id of the query's employee type.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub user_id: String,
    /// The user's name.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub employee_name: String,
    /// Work day as `yyyyMMdd` (see [`UserTask::date`]).
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub day: Option<i64>,
    /// Attendance group (`"1"` = none).
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub group_id: String,
    /// Shift (`"9"` = default shift).
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub shift_id: String,
    /// One entry per shift segment.
    #[serde(deserialize_with = "feishu_core::internal::de::object_vec")]
    pub records: Vec<TaskRecord>,
    /// Fields this SDK does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl UserTask {
    /// The work day, `None` when `day` is absent or not a valid `yyyyMMdd`.
    pub fn date(&self) -> Option<Date> {
        let d = self.day?;
        let month = Month::try_from(u8::try_from((d / 100) % 100).ok()?).ok()?;
        Date::from_calendar_date(
            i32::try_from(d / 10_000).ok()?,
            month,
            u8::try_from(d % 100).ok()?,
        )
        .ok()
    }
}

/// One shift segment of a [`UserTask`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct TaskRecord {
    /// Check-in punch record id.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub check_in_record_id: String,
    /// Check-in punch (its `check_result` is not meaningful; use `check_in_result`).
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub check_in_record: Option<UserFlow>,
    /// Check-out punch record id.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub check_out_record_id: String,
    /// Check-out punch.
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub check_out_record: Option<UserFlow>,
    /// Check-in result.
    #[serde(
        deserialize_with = "crate::de::opt_from_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub check_in_result: Option<CheckResult>,
    /// Check-out result.
    #[serde(
        deserialize_with = "crate::de::opt_from_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub check_out_result: Option<CheckResult>,
    /// Why the check-in result is what it is.
    #[serde(
        deserialize_with = "crate::de::opt_from_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub check_in_result_supplement: Option<ResultSupplement>,
    /// Why the check-out result is what it is.
    #[serde(
        deserialize_with = "crate::de::opt_from_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub check_out_result_supplement: Option<ResultSupplement>,
    /// Scheduled on-duty time, Unix seconds.
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_i64",
        serialize_with = "crate::de::opt_i64_as_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub check_in_shift_time: Option<i64>,
    /// Scheduled off-duty time, Unix seconds.
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_i64",
        serialize_with = "crate::de::opt_i64_as_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub check_out_shift_time: Option<i64>,
    /// 0 normal, 1 overtime.
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub task_shift_type: Option<i64>,
    /// Fields this SDK does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

wire_enum! {
    /// A punch result.
    pub enum CheckResult {
        /// No punch needed.
        NoNeedCheck => "NoNeedCheck",
        /// Set by the system (deprecated).
        SystemCheck => "SystemCheck",
        /// On time.
        Normal => "Normal",
        /// Left early.
        Early => "Early",
        /// Late.
        Late => "Late",
        /// Seriously late.
        SeriousLate => "SeriousLate",
        /// Missing punch.
        Lack => "Lack",
        /// Invalid.
        Invalid => "Invalid",
        /// None.
        None => "None",
        /// Not yet due.
        Todo => "Todo",
    }
}

wire_enum! {
    /// Why a result is what it is.
    pub enum ResultSupplement {
        /// Nothing special.
        None => "None",
        /// Changed by a manager.
        ManagerModification => "ManagerModification",
        /// A correction (补卡).
        CardReplacement => "CardReplacement",
        /// Shift change.
        ShiftChange => "ShiftChange",
        /// Business travel.
        Travel => "Travel",
        /// Leave.
        Leave => "Leave",
        /// Going out.
        GoOut => "GoOut",
        /// A correction request.
        CardReplacementApplication => "CardReplacementApplication",
        /// Field punch.
        FieldPunch => "FieldPunch",
    }
}
