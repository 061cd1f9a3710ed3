//! The shift object, as `shifts/:shift_id`, `shifts/query` and `shifts` return it
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/shift/get>).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use feishu_core::internal::de::{
    bool_or_false, object_vec, opt_f64, opt_i64, opt_object, string_or_empty,
};

use crate::ids::ShiftId;

/// A shift: when people punch in and out, and how late or early counts.
///
/// Numbers are minutes unless said otherwise; text fields are `""` when absent; fields this
/// SDK does not model (People-edition settings, new fields) are kept in
/// [`extra`](Self::extra).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct Shift {
    /// Shift id.
    #[serde(deserialize_with = "crate::ids::lenient_id")]
    pub shift_id: ShiftId,
    /// Name.
    #[serde(deserialize_with = "string_or_empty")]
    pub shift_name: String,
    /// Punch pairs per day.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub punch_times: Option<i64>,
    /// Whether the shift is flexible.
    #[serde(deserialize_with = "bool_or_false")]
    pub is_flexible: bool,
    /// Flexible minutes (late arrival and early leave), used when `flexible_rule` is empty.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub flexible_minutes: Option<i64>,
    /// Flexible rules.
    #[serde(deserialize_with = "object_vec")]
    pub flexible_rule: Vec<FlexibleRule>,
    /// Whether no off-duty punch is needed.
    #[serde(deserialize_with = "bool_or_false")]
    pub no_need_off: bool,
    /// The punch rules, one per on/off pair.
    #[serde(deserialize_with = "object_vec")]
    pub punch_time_rule: Vec<PunchTimeRule>,
    /// Late-off-late-on rules (People edition).
    #[serde(deserialize_with = "object_vec")]
    pub late_off_late_on_rule: Vec<LateOffLateOnRule>,
    /// Rest periods.
    #[serde(deserialize_with = "object_vec")]
    pub rest_time_rule: Vec<RestTimeRule>,
    /// Overtime periods (People edition).
    #[serde(deserialize_with = "object_vec")]
    pub overtime_rule: Vec<OvertimeRule>,
    /// Minutes late that count as seriously late (takes precedence over the per-rule value).
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub late_minutes_as_serious_late: Option<i64>,
    /// How the day splits into halves (People edition).
    #[serde(
        deserialize_with = "opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub shift_middle_time_rule: Option<ShiftMiddleTimeRule>,
    /// Expected attendance time.
    #[serde(
        deserialize_with = "opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub shift_attendance_time_config: Option<ShiftAttendanceTimeConfig>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A flexible-time rule.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct FlexibleRule {
    /// How much earlier one may leave (after arriving as early).
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub flexible_early_minutes: Option<i64>,
    /// How much later one may arrive (and must then leave).
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub flexible_late_minutes: Option<i64>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One on/off pair of a shift.
///
/// Times are `"hh:mm"` local to the group's time zone; an off time after midnight is written
/// past 24 (`"26:00"` is 02:00 the next day); see [`PunchTimeRule::on_minutes`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct PunchTimeRule {
    /// On-duty time, `"hh:mm"`.
    #[serde(deserialize_with = "string_or_empty")]
    pub on_time: String,
    /// Off-duty time, `"hh:mm"` (past 24 for the next day).
    #[serde(deserialize_with = "string_or_empty")]
    pub off_time: String,
    /// Minutes late that count as late.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub late_minutes_as_late: Option<i64>,
    /// Minutes late that count as a missing punch.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub late_minutes_as_lack: Option<i64>,
    /// How early the on-duty punch opens.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub on_advance_minutes: Option<i64>,
    /// Minutes early that count as leaving early.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub early_minutes_as_early: Option<i64>,
    /// Minutes early that count as a missing punch.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub early_minutes_as_lack: Option<i64>,
    /// How late the off-duty punch stays open.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub off_delay_minutes: Option<i64>,
    /// Minutes late that count as seriously late.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub late_minutes_as_serious_late: Option<i64>,
    /// As sent. The read pages say `true` means an on-duty punch **is** needed, the inverse
    /// of what the field means when a shift is created; the SDK keeps the value as sent.
    #[serde(deserialize_with = "bool_or_false")]
    pub no_need_on: bool,
    /// As sent (the same inversion as [`no_need_on`](Self::no_need_on)).
    #[serde(deserialize_with = "bool_or_false")]
    pub no_need_off: bool,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PunchTimeRule {
    /// The on-duty time as minutes after the shift day's midnight, `None` when it is not
    /// `"h:mm"`/`"hh:mm"`.
    ///
    /// # Example
    /// ```
    /// use feishu_attendance::PunchTimeRule;
    /// let rule: PunchTimeRule = serde_json::from_str(r#"{"on_time":"9:00","off_time":"26:30"}"#).unwrap();
    /// assert_eq!(rule.on_minutes(), Some(540));
    /// assert_eq!(rule.off_minutes(), Some(26 * 60 + 30));
    /// ```
    pub fn on_minutes(&self) -> Option<u32> {
        clock_minutes(&self.on_time)
    }

    /// The off-duty time as minutes after the shift day's midnight (more than 1440 on the
    /// next day).
    pub fn off_minutes(&self) -> Option<u32> {
        clock_minutes(&self.off_time)
    }
}

/// `"h:mm"` / `"hh:mm"` (hours up to 47) as minutes.
fn clock_minutes(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 48 && m < 60 && !s.trim().starts_with('+')).then_some(h * 60 + m)
}

/// A late-off-late-on rule: leaving this late allows arriving that late the next day.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct LateOffLateOnRule {
    /// Minutes left late.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub late_off_minutes: Option<i64>,
    /// Minutes one may arrive late the next day.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub late_on_minutes: Option<i64>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A rest period, `"hh:mm"` to `"hh:mm"`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct RestTimeRule {
    /// Start.
    #[serde(deserialize_with = "string_or_empty")]
    pub rest_begin_time: String,
    /// End.
    #[serde(deserialize_with = "string_or_empty")]
    pub rest_end_time: String,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An overtime period.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct OvertimeRule {
    /// Start, `"hh:mm"`.
    #[serde(deserialize_with = "string_or_empty")]
    pub on_overtime: String,
    /// End, `"hh:mm"`.
    #[serde(deserialize_with = "string_or_empty")]
    pub off_overtime: String,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// How a shift's day splits into halves.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct ShiftMiddleTimeRule {
    /// 0: the middle of the shift with rests, 1: without rests, 2: at the rest, 3: at
    /// [`fixed_middle_time`](Self::fixed_middle_time).
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub middle_time_type: Option<i64>,
    /// The split time when the type is 3.
    #[serde(deserialize_with = "string_or_empty")]
    pub fixed_middle_time: String,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Expected attendance time of a shift.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct ShiftAttendanceTimeConfig {
    /// The whole day.
    #[serde(deserialize_with = "opt_f64", skip_serializing_if = "Option::is_none")]
    pub attendance_time: Option<f64>,
    /// The first half.
    #[serde(deserialize_with = "opt_f64", skip_serializing_if = "Option::is_none")]
    pub on_attendance_time: Option<f64>,
    /// The second half.
    #[serde(deserialize_with = "opt_f64", skip_serializing_if = "Option::is_none")]
    pub off_attendance_time: Option<f64>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
