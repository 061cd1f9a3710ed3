//! The attendance rules punch results refer to: shifts and groups, and their read endpoints
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/shift/list>,
//! `…/shift/get`, `…/shift/query`, `…/group/list`, `…/group/get`).
//!
//! Twelve shifts and three groups, always the same. Every task result names
//! [`DEFAULT_GROUP_ID`] and [`DEFAULT_SHIFT_ID`] (09:00–18:00, as the punches are generated);
//! the default group is a fixed-shift group of every current person, Monday to Friday on the
//! default shift. Unknown shift or group ids, and unknown shift names, answer 1220001 (Feishu
//! documents no "not found" code for these reads).

use serde_json::{Value, json};

use crate::directory::Directory;
use crate::paging;
use crate::reply::Reply;
use crate::request::RequestView;

/// The group every generated task result names.
pub const DEFAULT_GROUP_ID: &str = "7300000000000000010";
/// The shift every generated task result names (09:00–18:00, an hour's rest at noon).
pub const DEFAULT_SHIFT_ID: &str = "7300000000000000020";

/// Parameter invalid (the error tables of the shift and group pages).
const PARAM_INVALID: i64 = 1220001;
/// Group get: `employee_type` is neither `employee_id` nor `employee_no`.
const BAD_EMPLOYEE_TYPE: i64 = 1220003;

/// `(name, on, off, flexible minutes)` of the shifts after the default one.
const SHIFTS: [(&str, &str, &str, i64); 12] = [
    ("Day shift", "9:00", "18:00", 0),
    ("Early shift", "8:00", "17:00", 0),
    ("Late shift", "12:00", "21:00", 0),
    ("Night shift", "22:00", "31:00", 0),
    ("Flexible day", "9:30", "18:30", 60),
    ("Half day AM", "9:00", "13:00", 0),
    ("Half day PM", "14:00", "18:00", 0),
    ("Store opening", "7:30", "16:30", 15),
    ("Store closing", "13:00", "22:00", 15),
    ("Weekend duty", "10:00", "16:00", 0),
    ("Support desk", "8:30", "17:30", 30),
    ("Warehouse", "6:00", "15:00", 0),
];

/// The id of shift `i` (the default one is 0).
fn shift_id(i: usize) -> String {
    format!("73000000000000000{:02}", 20 + i)
}

/// Shift `i` as the shift pages show it.
fn shift_json(i: usize) -> Value {
    let (name, on, off, flexible) = SHIFTS[i];
    json!({
        "shift_id": shift_id(i), "shift_name": name, "punch_times": 1,
        "is_flexible": flexible > 0, "flexible_minutes": flexible,
        "flexible_rule": if flexible > 0 { json!([{ "flexible_early_minutes": flexible, "flexible_late_minutes": flexible }]) } else { json!([]) },
        "no_need_off": false,
        "punch_time_rule": [{
            "on_time": on, "off_time": off, "late_minutes_as_late": 1, "late_minutes_as_lack": 60,
            "on_advance_minutes": 120, "early_minutes_as_early": 1, "early_minutes_as_lack": 60,
            "off_delay_minutes": 240, "late_minutes_as_serious_late": 30,
            "no_need_on": true, "no_need_off": true,
        }],
        "late_off_late_on_rule": [],
        "rest_time_rule": if i == 0 { json!([{ "rest_begin_time": "12:00", "rest_end_time": "13:00" }]) } else { json!([]) },
        "overtime_rule": [],
        "late_minutes_as_serious_late": 30,
        "shift_middle_time_rule": { "middle_time_type": 0, "fixed_middle_time": "" },
        "shift_attendance_time_config": { "attendance_time": 1, "on_attendance_time": 0.5, "off_attendance_time": 0.5 },
        "late_off_late_on_setting": { "late_off_base_on_time_type": 0, "late_on_base_on_time_type": 0 },
        "id": shift_id(i),
        "rest_time_flexible_configs": [{ "need_flexible": false, "late_mins": 0 }],
    })
}

/// `(id, name, group_type)` of the groups.
const GROUPS: [(&str, &str, i64); 3] = [
    (DEFAULT_GROUP_ID, "Headquarters", 0),
    ("7300000000000000011", "Stores", 2),
    ("7300000000000000012", "Field sales", 3),
];

/// Group `g`, users named by `employee_no` or `employee_id` (from `people`).
fn group_json(g: usize, people: &Directory, by_no: bool) -> Value {
    let (id, name, group_type) = GROUPS[g];
    let members: Vec<&str> = (0..)
        .map_while(|i| people.person(i))
        .filter(|p| p.departed_at.is_none() && g == 0)
        .map(|p| {
            if by_no {
                p.employee_no.as_str()
            } else {
                p.user_id.as_str()
            }
        })
        .collect();
    let leader: Vec<&str> = members.iter().take(1).copied().collect();
    let day = DEFAULT_SHIFT_ID;
    json!({
        "group_id": id, "group_name": name, "time_zone": "Asia/Shanghai",
        "bind_dept_ids": [], "except_dept_ids": [], "bind_user_ids": members, "except_user_ids": [],
        "group_leader_ids": leader, "sub_group_leader_ids": [],
        "allow_out_punch": g == 2, "allow_pc_punch": false, "allow_remedy": true,
        "remedy_limit": true, "remedy_limit_count": 3,
        "machines": [],
        "locations": [{ "location_id": "l1", "location_name": "HQ Building 2", "location_type": 2,
                        "ssid": "corp-wifi", "bssid": "a0:b1:c2:d3:e4:f5", "gps_range": 300 }],
        "group_type": group_type,
        "punch_day_shift_ids": if group_type == 0 { json!([day, day, day, day, day, "", ""]) } else { json!([]) },
        "free_punch_cfg": if group_type == 3 {
            json!({ "free_start_time": "7:00", "free_end_time": "22:00", "punch_day": 1111100, "work_hours": 480 })
        } else { json!(null) },
        "calendar_id": 1,
        "need_punch_special_days": if g == 0 { json!([{ "punch_day": 20250104, "shift_id": shift_id(9) }]) } else { json!([]) },
        "no_need_punch_special_days": [],
        "punch_type": 2, "effect_time": "1704038400",
        "bind_default_dept_ids": [], "bind_default_user_ids": [],
    })
}

/// The shift ids, in listing order.
pub(super) fn shift_ids() -> Vec<String> {
    (0..SHIFTS.len()).map(shift_id).collect()
}

/// The group ids, in listing order.
pub(super) fn group_ids() -> Vec<String> {
    GROUPS.iter().map(|(id, _, _)| id.to_string()).collect()
}

fn invalid(msg: impl Into<String>) -> Reply {
    Reply::err(400, PARAM_INVALID, msg)
}

/// A page of `items` under `key`, `page_size` 1–50 (default 10).
fn page(req: &RequestView, key: &str, items: Vec<Value>) -> Reply {
    let size = match paging::page_size(req, 10, 1..=50) {
        Ok(n) => usize::try_from(n).unwrap_or(usize::MAX),
        Err(v) => return invalid(format!("page_size invalid: {v} (1..=50)")),
    };
    let fp = paging::fingerprint(&[key]);
    let offset = match paging::offset(req, fp, items.len() as u64) {
        Ok(n) => usize::try_from(n).unwrap_or(usize::MAX),
        Err(token) => return invalid(format!("page_token invalid: {token}")),
    };
    let stop = offset.saturating_add(size).min(items.len());
    let mut data = json!({ key: items[offset.min(stop)..stop], "has_more": stop < items.len() });
    if let Some(token) = paging::next_token(fp, stop as u64, items.len() as u64) {
        data["page_token"] = json!(token);
    }
    Reply::ok(data)
}

/// `GET /open-apis/attendance/v1/shifts`.
pub(super) fn list_shifts(req: &RequestView) -> Reply {
    page(
        req,
        "shift_list",
        (0..SHIFTS.len()).map(shift_json).collect(),
    )
}

/// `GET /open-apis/attendance/v1/shifts/:shift_id`.
pub(super) fn get_shift(id: &str) -> Reply {
    match (0..SHIFTS.len()).find(|&i| shift_id(i) == id) {
        Some(i) => Reply::ok(shift_json(i)),
        None => invalid(format!("shift not found: {id}")),
    }
}

/// `POST /open-apis/attendance/v1/shifts/query?shift_name=`.
pub(super) fn query_shift(req: &RequestView) -> Reply {
    let Some(name) = req.query_first("shift_name").filter(|n| !n.is_empty()) else {
        return invalid("shift_name is required");
    };
    match SHIFTS.iter().position(|(n, ..)| *n == name) {
        Some(i) => Reply::ok(shift_json(i)),
        None => invalid(format!("shift not found: {name}")),
    }
}

/// `GET /open-apis/attendance/v1/groups`.
pub(super) fn list_groups(req: &RequestView) -> Reply {
    let items = GROUPS
        .iter()
        .map(|(id, name, _)| json!({ "group_id": id, "group_name": name }))
        .collect();
    page(req, "group_list", items)
}

/// `GET /open-apis/attendance/v1/groups/:group_id?employee_type=&dept_type=` (both required;
/// `dept_type` only `open_id`).
pub(super) fn get_group(req: &RequestView, people: &Directory, id: &str) -> Reply {
    let by_no = match req.query_first("employee_type") {
        Some("employee_id") => false,
        Some("employee_no") => true,
        Some(other) => {
            return Reply::err(
                400,
                BAD_EMPLOYEE_TYPE,
                format!("employee_type invalid: {other}"),
            );
        }
        None => return invalid("employee_type invalid: missing"),
    };
    if req.query_first("dept_type") != Some("open_id") {
        return invalid("dept_type invalid: only open_id is supported");
    }
    match GROUPS.iter().position(|(g, ..)| *g == id) {
        Some(g) => Reply::ok(group_json(g, people, by_no)),
        None => invalid(format!("group not found: {id}")),
    }
}
