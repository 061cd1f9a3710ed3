//! The attendance group objects: the listing's summary and the full group of
//! `groups/:group_id`
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/group/get>).

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use feishu_core::internal::de::{
    bool_or_false, object_vec, opt_f64, opt_i64, opt_object, string_or_empty,
};

use crate::ids::{AttendanceGroupId, ShiftId};

/// A group as `GET groups` lists it: id and name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct AttendanceGroupSummary {
    /// Group id.
    #[serde(deserialize_with = "crate::ids::lenient_id")]
    pub group_id: AttendanceGroupId,
    /// Name.
    #[serde(deserialize_with = "string_or_empty")]
    pub group_name: String,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An attendance group: who punches, by which shifts, how. Its ~150 documented settings are
/// mostly switches; the ones that say which people and shifts belong to it are typed, the
/// rest are kept in [`extra`](Self::extra) as sent.
///
/// User ids are of the [`EmployeeType`](crate::EmployeeType) the group was read with;
/// department ids are `open_department_id`s.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct AttendanceGroup {
    /// Group id.
    #[serde(deserialize_with = "crate::ids::lenient_id")]
    pub group_id: AttendanceGroupId,
    /// Name.
    #[serde(deserialize_with = "string_or_empty")]
    pub group_name: String,
    /// Time zone (`Asia/Shanghai`).
    #[serde(deserialize_with = "string_or_empty")]
    pub time_zone: String,
    /// How the group schedules (fixed shifts, scheduled shifts, free hours).
    #[serde(
        deserialize_with = "crate::de::opt_from_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub group_type: Option<GroupType>,
    /// Fixed-shift groups: the shift of each weekday, Monday first (empty for the other
    /// types; an empty or `"0"` entry is a rest day).
    #[serde(deserialize_with = "crate::ids::lenient_ids")]
    pub punch_day_shift_ids: Vec<ShiftId>,
    /// Departments in the group.
    #[serde(deserialize_with = "feishu_core::internal::de::string_vec")]
    pub bind_dept_ids: Vec<String>,
    /// Users in the group.
    #[serde(deserialize_with = "feishu_core::internal::de::string_vec")]
    pub bind_user_ids: Vec<String>,
    /// Departments that take part without punching.
    #[serde(deserialize_with = "feishu_core::internal::de::string_vec")]
    pub bind_default_dept_ids: Vec<String>,
    /// Users who take part without punching.
    #[serde(deserialize_with = "feishu_core::internal::de::string_vec")]
    pub bind_default_user_ids: Vec<String>,
    /// Main leaders.
    #[serde(deserialize_with = "feishu_core::internal::de::string_vec")]
    pub group_leader_ids: Vec<String>,
    /// Deputy leaders.
    #[serde(deserialize_with = "feishu_core::internal::de::string_vec")]
    pub sub_group_leader_ids: Vec<String>,
    /// Days that must be worked, with their shift.
    #[serde(deserialize_with = "object_vec")]
    pub need_punch_special_days: Vec<SpecialDay>,
    /// Days off.
    #[serde(deserialize_with = "object_vec")]
    pub no_need_punch_special_days: Vec<SpecialDay>,
    /// Free-hours settings (free groups).
    #[serde(
        deserialize_with = "opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub free_punch_cfg: Option<FreePunchConfig>,
    /// How people may punch, a bit set: 1 GPS, 2 Wi-Fi, 4 machine, 8 IP.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub punch_type: Option<i64>,
    /// Punch places.
    #[serde(deserialize_with = "object_vec")]
    pub locations: Vec<PunchLocation>,
    /// Punch machines.
    #[serde(deserialize_with = "object_vec")]
    pub machines: Vec<PunchMachine>,
    /// Whether field (outside) punches are allowed.
    #[serde(deserialize_with = "bool_or_false")]
    pub allow_out_punch: bool,
    /// Whether punching from a PC is allowed.
    #[serde(deserialize_with = "bool_or_false")]
    pub allow_pc_punch: bool,
    /// Holiday calendar (0 none, 1 mainland China, 2 US, 3 Japan, 4 India, 5 Singapore).
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub calendar_id: Option<i64>,
    /// When the settings took effect, Unix seconds (Feishu sends a string; written back as
    /// one).
    #[serde(
        deserialize_with = "opt_i64",
        serialize_with = "crate::de::opt_i64_as_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub effect_time: Option<i64>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AttendanceGroup {
    /// Every shift the group refers to (weekday shifts, then special days), once each, rest
    /// days (`""`, `"0"`) left out: the ids to read with
    /// [`Attendance::get_shift`](crate::Attendance::get_shift).
    ///
    /// # Example
    /// ```
    /// use feishu_attendance::AttendanceGroup;
    /// let group: AttendanceGroup = serde_json::from_str(r#"{"group_id":"g1","group_type":0,
    ///     "punch_day_shift_ids":["s1","s1","s1","s1","s1","0",""],
    ///     "need_punch_special_days":[{"punch_day":20250104,"shift_id":"s2"}]}"#).unwrap();
    /// assert_eq!(group.shift_ids(), ["s1", "s2"]);
    /// ```
    pub fn shift_ids(&self) -> Vec<&ShiftId> {
        let mut out: Vec<&ShiftId> = Vec::new();
        let days = self
            .need_punch_special_days
            .iter()
            .chain(&self.no_need_punch_special_days);
        for id in self
            .punch_day_shift_ids
            .iter()
            .chain(days.map(|d| &d.shift_id))
        {
            if !matches!(id.as_str(), "" | "0") && !out.contains(&id) {
                out.push(id);
            }
        }
        out
    }
}

/// How a group schedules (`group_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GroupType {
    /// 0: the same shift on given weekdays.
    Fixed,
    /// 2: shifts scheduled per person and day.
    Scheduled,
    /// 3: free hours.
    Free,
    /// A value this SDK does not know, kept as sent.
    Unknown(i64),
}

impl GroupType {
    /// The wire value.
    pub fn as_i64(self) -> i64 {
        match self {
            GroupType::Fixed => 0,
            GroupType::Scheduled => 2,
            GroupType::Free => 3,
            GroupType::Unknown(n) => n,
        }
    }
}

impl From<i64> for GroupType {
    fn from(n: i64) -> Self {
        match n {
            0 => GroupType::Fixed,
            2 => GroupType::Scheduled,
            3 => GroupType::Free,
            other => GroupType::Unknown(other),
        }
    }
}

impl fmt::Display for GroupType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupType::Fixed => f.write_str("fixed"),
            GroupType::Scheduled => f.write_str("scheduled"),
            GroupType::Free => f.write_str("free"),
            GroupType::Unknown(n) => write!(f, "unknown ({n})"),
        }
    }
}

impl Serialize for GroupType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.as_i64())
    }
}

/// A special day and its shift.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct SpecialDay {
    /// The day as `yyyyMMdd`.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub punch_day: Option<i64>,
    /// Its shift.
    #[serde(deserialize_with = "crate::ids::lenient_id")]
    pub shift_id: ShiftId,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Free-hours settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct FreePunchConfig {
    /// Earliest punch, `"hh:mm"`.
    #[serde(deserialize_with = "string_or_empty")]
    pub free_start_time: String,
    /// Latest punch, `"hh:mm"`.
    #[serde(deserialize_with = "string_or_empty")]
    pub free_end_time: String,
    /// Working weekdays as seven digits, Monday first (`1111100`).
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub punch_day: Option<i64>,
    /// Required minutes per day.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub work_hours: Option<i64>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A punch place.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct PunchLocation {
    /// Name.
    #[serde(deserialize_with = "string_or_empty")]
    pub location_name: String,
    /// 1 GPS, 2 Wi-Fi, 8 IP.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub location_type: Option<i64>,
    /// Latitude.
    #[serde(deserialize_with = "opt_f64", skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    /// Longitude.
    #[serde(deserialize_with = "opt_f64", skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    /// Wi-Fi name.
    #[serde(deserialize_with = "string_or_empty")]
    pub ssid: String,
    /// Address.
    #[serde(deserialize_with = "string_or_empty")]
    pub address: String,
    /// GPS range in metres.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub gps_range: Option<i64>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A punch machine.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct PunchMachine {
    /// Serial number.
    #[serde(deserialize_with = "string_or_empty")]
    pub machine_sn: String,
    /// Name.
    #[serde(deserialize_with = "string_or_empty")]
    pub machine_name: String,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
