//! Attendance v1 of the fake tenant (feishu-api.md §7): punch flows and punch results
//! (tasks) of the Contact users, generated deterministically per user and day.
//!
//! - `POST /open-apis/attendance/v1/user_flows/query?employee_type=&include_terminated_user=`
//!   body `{user_ids, check_time_from, check_time_to}` (Unix seconds as strings, `[from, to)`)
//!   → `data.user_flow_results[]`.
//! - `POST /open-apis/attendance/v1/user_tasks/query?employee_type=&ignore_invalid_users=`
//!   body `{user_ids, check_date_from, check_date_to}` (`yyyyMMdd` numbers, both inclusive)
//!   → `data.user_task_results[]`, `invalid_user_ids`, `unauthorized_user_ids`.
//!
//! Users are the Contact users: `employee_type=employee_id` names them by Contact `user_id`,
//! `employee_no` by their `employee_no`. Days are China time (UTC+8). On a workday (Mon–Fri)
//! a user punches in around 09:00 and out around 18:00, sometimes once more around noon, and is
//! absent on about one workday in twenty; weekends have no punches. Every workday has one
//! task result per user (`Lack` when absent). `include_terminated_user` does not change the
//! answer here (ids are never reused).
//!
//! Validation (all HTTP 400, code 1220001 unless noted): `employee_type` missing or not
//! `employee_id`/`employee_no`; body not JSON; `user_ids` missing, empty or more than 50;
//! `check_time_*` missing or not decimal strings (as documented; a JSON number is refused)
//! or outside years 1970–9999; `check_date_*` missing, not JSON numbers or not valid
//! `yyyyMMdd` dates; `to <= from`; a span over the limit (flows: 31 days by
//! default, tasks: 31 days inclusive by default; see [`AttendanceDataset`]). Unknown user ids:
//! flows → 1220004; tasks → 1220004 unless `ignore_invalid_users=true` (then listed in
//! `invalid_user_ids`).

use serde_json::{Value, json};

use crate::contact::{ContactData, mix};
use crate::reply::Reply;
use crate::router::{RequestView, only};
use crate::state::{State, lock};
use crate::tenant::FakeTenant;

const FLOWS: &str = "/open-apis/attendance/v1/user_flows/query";
const TASKS: &str = "/open-apis/attendance/v1/user_tasks/query";

const PARAM_INVALID: i64 = 1220001;
const USER_INVALID: i64 = 1220004;

/// Seconds in a day.
const DAY: i64 = 86_400;
/// China time offset.
const UTC8: i64 = 8 * 3600;
/// Accepted `check_time_*` values: 1970-01-01 up to the end of year 9999 (keeps the day
/// arithmetic far from `i64` overflow).
const TIME_RANGE: std::ops::Range<i64> = 0..253_402_300_800;

/// Knobs of the attendance data; set with [`FakeTenant::set_attendance_dataset`].
#[derive(Debug, Clone, PartialEq)]
pub struct AttendanceDataset {
    /// Seed of the punch times.
    pub seed: u64,
    /// Longest accepted `check_time_to - check_time_from` of `user_flows/query`, in seconds.
    /// Default 31 days.
    pub max_flow_span_secs: i64,
    /// Most days (inclusive count) accepted by `user_tasks/query`. Default 31.
    pub max_task_days: i64,
}

impl Default for AttendanceDataset {
    fn default() -> Self {
        AttendanceDataset {
            seed: 0xA77E_0DA0_0000_0001,
            max_flow_span_secs: 31 * DAY,
            max_task_days: 31,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct AttendanceData {
    dataset: AttendanceDataset,
}

/// One generated punch.
struct Punch {
    check_time: i64,
    index: u64,
}

/// Local (UTC+8) day number of a Unix time.
fn local_day(t: i64) -> i64 {
    (t + UTC8).div_euclid(DAY)
}

fn is_workday(day: i64) -> bool {
    // Day 0 (1970-01-01) was a Thursday; 0 = Sunday.
    let weekday = (day + 4).rem_euclid(7);
    (1..=5).contains(&weekday)
}

fn punches(seed: u64, user: usize, day: i64) -> Vec<Punch> {
    if !is_workday(day) {
        return Vec::new();
    }
    let h = mix(seed ^ (user as u64).wrapping_mul(0x1_0000_0001) ^ (day as u64) << 20);
    if h.is_multiple_of(20) {
        return Vec::new();
    }
    let start = day * DAY - UTC8;
    let jitter = |shift: u32| ((h >> shift) % 2400) as i64 - 1200;
    let mut out = vec![Punch {
        check_time: start + 9 * 3600 + jitter(8),
        index: 0,
    }];
    if (h >> 40).is_multiple_of(7) {
        out.push(Punch {
            check_time: start + 12 * 3600 + jitter(24) / 2,
            index: 1,
        });
    }
    out.push(Punch {
        check_time: start + 18 * 3600 + jitter(16),
        index: 2,
    });
    out
}

fn record_id(user: usize, day: i64, index: u64) -> String {
    format!("74{:07}{:06}{}", user, day, index)
}

fn flow_json(id: &str, user: usize, day: i64, p: &Punch) -> Value {
    let wifi = p.index != 1;
    json!({
        "user_id": id,
        "creator_id": id,
        "location_name": if wifi { "HQ Building 2" } else { "Client site" },
        "check_time": p.check_time.to_string(),
        "comment": "",
        "record_id": record_id(user, day, p.index),
        "ssid": if wifi { "corp-wifi" } else { "" },
        "bssid": if wifi { "a0:b1:c2:d3:e4:f5" } else { "" },
        "is_field": !wifi,
        "is_wifi": wifi,
        "type": if p.index == 1 { 6 } else { 0 },
        "photo_urls": [],
        "device_id": "",
        "check_result": "",
        "external_id": "",
        "idempotent_id": "",
        "longitude": 120.1,
        "latitude": 30.2,
        "create_time": p.check_time.to_string(),
    })
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's civil_from_days).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) → days since 1970-01-01.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `yyyyMMdd` → day number, validating the calendar date.
fn parse_yyyymmdd(v: i64) -> Option<i64> {
    let (y, m, d) = (v / 10_000, (v / 100) % 100, v % 100);
    if !(1900..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let day = days_from_civil(y, m, d);
    (civil_from_days(day) == (y, m, d)).then_some(day)
}

fn yyyymmdd(day: i64) -> i64 {
    let (y, m, d) = civil_from_days(day);
    y * 10_000 + m * 100 + d
}

fn invalid(msg: impl Into<String>) -> Reply {
    Reply::err(400, PARAM_INVALID, msg)
}

/// Whether ids name users by `user_id` (`employee_id`) or `employee_no`.
fn employee_type(req: &RequestView) -> Result<bool, Reply> {
    match req.query_first("employee_type") {
        Some("employee_id") => Ok(false),
        Some("employee_no") => Ok(true),
        Some(other) => Err(invalid(format!("employee_type invalid: {other:?}"))),
        None => Err(invalid("employee_type invalid: missing")),
    }
}

fn user_ids(body: &Value) -> Result<Vec<String>, Reply> {
    let Some(list) = body.get("user_ids").and_then(Value::as_array) else {
        return Err(invalid("user_ids is required"));
    };
    if list.is_empty() {
        return Err(invalid("user_ids is empty"));
    }
    if list.len() > 50 {
        return Err(invalid(format!(
            "user_ids has {} ids, at most 50 allowed",
            list.len()
        )));
    }
    list.iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| invalid("user_ids must be strings"))
        })
        .collect()
}

fn lookup(contact: &ContactData, id: &str, by_no: bool) -> Option<usize> {
    if by_no {
        contact.user_by_employee_no.get(id).copied()
    } else {
        contact.user_by_user_id.get(id).copied()
    }
}

/// A Unix-seconds decimal string (`check_time_*`), within [`TIME_RANGE`].
fn time_string(body: &Value, key: &str) -> Option<i64> {
    let t: i64 = body.get(key)?.as_str()?.parse().ok()?;
    TIME_RANGE.contains(&t).then_some(t)
}

/// A JSON integer (`check_date_*`).
fn number(body: &Value, key: &str) -> Option<i64> {
    body.get(key)?.as_i64()
}

/// Routes the Attendance v1 endpoints.
pub(crate) fn handle(state: &State, req: &RequestView) -> Option<Reply> {
    if req.match_path(FLOWS).is_some() {
        return Some(only(req, "POST", || flows(state, req)));
    }
    if req.match_path(TASKS).is_some() {
        return Some(only(req, "POST", || tasks(state, req)));
    }
    None
}

fn flows(state: &State, req: &RequestView) -> Reply {
    let by_no = match employee_type(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(body) = &req.json else {
        return invalid("request body must be JSON");
    };
    let ids = match user_ids(body) {
        Ok(ids) => ids,
        Err(r) => return r,
    };
    let (Some(from), Some(to)) = (
        time_string(body, "check_time_from"),
        time_string(body, "check_time_to"),
    ) else {
        return invalid(
            "check_time_from and check_time_to are required Unix-second strings (1970-9999)",
        );
    };
    let dataset = lock(&state.attendance).dataset.clone();
    if to <= from {
        return invalid("check_time_to must be after check_time_from");
    }
    if to - from > dataset.max_flow_span_secs {
        return invalid(format!(
            "time span too long: {} s, at most {} s",
            to - from,
            dataset.max_flow_span_secs
        ));
    }
    let contact = lock(&state.contact);
    let mut results = Vec::new();
    for id in &ids {
        let Some(u) = lookup(&contact, id, by_no) else {
            return Reply::err(
                400,
                USER_INVALID,
                format!("user id does not exist or no permission: {id}"),
            );
        };
        for day in local_day(from)..=local_day(to - 1) {
            for p in punches(dataset.seed, u, day) {
                if (from..to).contains(&p.check_time) {
                    results.push(flow_json(id, u, day, &p));
                }
            }
        }
    }
    Reply::ok(json!({ "user_flow_results": results }))
}

fn tasks(state: &State, req: &RequestView) -> Reply {
    let by_no = match employee_type(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let ignore_invalid = req.query_first("ignore_invalid_users") == Some("true");
    let Some(body) = &req.json else {
        return invalid("request body must be JSON");
    };
    let ids = match user_ids(body) {
        Ok(ids) => ids,
        Err(r) => return r,
    };
    let (Some(from), Some(to)) = (
        number(body, "check_date_from").and_then(parse_yyyymmdd),
        number(body, "check_date_to").and_then(parse_yyyymmdd),
    ) else {
        return invalid("check_date_from and check_date_to are required yyyyMMdd numbers");
    };
    let dataset = lock(&state.attendance).dataset.clone();
    if to < from {
        return invalid("check_date_to is before check_date_from");
    }
    if to - from + 1 > dataset.max_task_days {
        return invalid(format!(
            "date span too long: {} days, at most {}",
            to - from + 1,
            dataset.max_task_days
        ));
    }
    let contact = lock(&state.contact);
    let mut results = Vec::new();
    let mut invalid_ids = Vec::new();
    for id in &ids {
        let Some(u) = lookup(&contact, id, by_no) else {
            if ignore_invalid {
                invalid_ids.push(id.clone());
                continue;
            }
            return Reply::err(
                400,
                USER_INVALID,
                format!("user id does not exist or no permission: {id}"),
            );
        };
        for day in from..=to {
            if !is_workday(day) {
                continue;
            }
            results.push(task_json(dataset.seed, id, &contact.users[u].name, u, day));
        }
    }
    Reply::ok(json!({
        "user_task_results": results,
        "invalid_user_ids": invalid_ids,
        "unauthorized_user_ids": [],
    }))
}

fn task_json(seed: u64, id: &str, name: &str, u: usize, day: i64) -> Value {
    let ps = punches(seed, u, day);
    let start = day * DAY - UTC8;
    let shift_in = start + 9 * 3600;
    let shift_out = start + 18 * 3600;
    let mut record = json!({
        "check_in_shift_time": shift_in.to_string(),
        "check_out_shift_time": shift_out.to_string(),
        "task_shift_type": 0,
    });
    match (ps.first(), ps.last()) {
        (Some(first), Some(last)) => {
            record["check_in_record_id"] = json!(record_id(u, day, first.index));
            record["check_in_record"] = flow_json(id, u, day, first);
            record["check_out_record_id"] = json!(record_id(u, day, last.index));
            record["check_out_record"] = flow_json(id, u, day, last);
            record["check_in_result"] = json!(if first.check_time > shift_in {
                "Late"
            } else {
                "Normal"
            });
            record["check_out_result"] = json!(if last.check_time < shift_out {
                "Early"
            } else {
                "Normal"
            });
            record["check_in_result_supplement"] = json!("None");
            record["check_out_result_supplement"] = json!("None");
        }
        _ => {
            record["check_in_result"] = json!("Lack");
            record["check_out_result"] = json!("Lack");
            record["check_in_result_supplement"] = json!("None");
            record["check_out_result_supplement"] = json!("None");
        }
    }
    json!({
        "result_id": format!("75{:07}{:06}", u, day),
        "user_id": id,
        "employee_name": name,
        "day": yyyymmdd(day),
        "group_id": "7300000000000000010",
        "shift_id": "7300000000000000020",
        "records": [record],
    })
}

/// Attendance knobs and ground truth.
impl FakeTenant {
    /// Replaces the attendance knobs (seed, span limits).
    pub fn set_attendance_dataset(&self, dataset: AttendanceDataset) {
        lock(&self.state().attendance).dataset = dataset;
    }

    /// Number of punch flows `user_flows/query` returns for these users in `[from, to)`
    /// (Unix seconds), whatever the span; 0 when `to <= from` or a time is outside the
    /// accepted years 1970–9999. `employee_type` is `employee_id` or `employee_no`;
    /// unknown ids count 0.
    pub fn attendance_flow_count(
        &self,
        employee_type: &str,
        user_ids: &[String],
        from: i64,
        to: i64,
    ) -> usize {
        if to <= from || !TIME_RANGE.contains(&from) || !TIME_RANGE.contains(&to) {
            return 0;
        }
        let seed = lock(&self.state().attendance).dataset.seed;
        let contact = lock(&self.state().contact);
        let by_no = employee_type == "employee_no";
        user_ids
            .iter()
            .filter_map(|id| lookup(&contact, id, by_no))
            .map(|u| {
                (local_day(from)..=local_day(to - 1))
                    .flat_map(|day| punches(seed, u, day))
                    .filter(|p| (from..to).contains(&p.check_time))
                    .count()
            })
            .sum()
    }

    /// Number of task results `user_tasks/query` returns for these users between two
    /// `yyyyMMdd` dates (inclusive), whatever the span; unknown ids count 0.
    pub fn attendance_task_count(
        &self,
        employee_type: &str,
        user_ids: &[String],
        from_yyyymmdd: i64,
        to_yyyymmdd: i64,
    ) -> usize {
        let (Some(from), Some(to)) = (parse_yyyymmdd(from_yyyymmdd), parse_yyyymmdd(to_yyyymmdd))
        else {
            return 0;
        };
        let contact = lock(&self.state().contact);
        let by_no = employee_type == "employee_no";
        let workdays = (from..=to).filter(|&d| is_workday(d)).count();
        user_ids
            .iter()
            .filter(|id| lookup(&contact, id, by_no).is_some())
            .count()
            * workdays
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips() {
        assert_eq!(yyyymmdd(0), 19_700_101);
        assert_eq!(
            parse_yyyymmdd(20_250_102),
            Some(days_from_civil(2025, 1, 2))
        );
        assert_eq!(parse_yyyymmdd(20_250_230), None);
        for day in [-1000, 0, 365, 18_000, 20_000, 20_454] {
            assert_eq!(parse_yyyymmdd(yyyymmdd(day)), Some(day));
        }
        // 2025-01-04 was a Saturday, 2025-01-06 a Monday.
        assert!(!is_workday(days_from_civil(2025, 1, 4)));
        assert!(is_workday(days_from_civil(2025, 1, 6)));
    }

    #[test]
    fn wire_types_and_extremes_are_refused_not_overflowed() {
        let body = json!({
            "a": "1736092800", "b": 1736092800, "c": i64::MAX.to_string(),
            "d": i64::MIN.to_string(), "e": "-1", "f": "17e8", "g": 20250102, "h": "20250102",
        });
        assert_eq!(time_string(&body, "a"), Some(1_736_092_800));
        for key in ["b", "c", "d", "e", "f", "missing"] {
            assert_eq!(time_string(&body, key), None, "{key}");
        }
        assert_eq!(number(&body, "g"), Some(20_250_102));
        assert_eq!(number(&body, "h"), None);
        for v in [i64::MIN, i64::MAX, -20_250_102, 0] {
            assert_eq!(parse_yyyymmdd(v), None, "{v}");
        }
    }

    #[test]
    fn punches_are_deterministic_and_in_day() {
        let day = days_from_civil(2025, 1, 6);
        let a: Vec<i64> = punches(1, 3, day).iter().map(|p| p.check_time).collect();
        let b: Vec<i64> = punches(1, 3, day).iter().map(|p| p.check_time).collect();
        assert_eq!(a, b);
        for t in a {
            assert_eq!(local_day(t), day);
        }
    }
}
