//! `user_flows/query` and `user_tasks/query`, validating their parameters as documented.

use std::sync::Mutex;

use serde_json::{Value, json};

use super::punches::{
    TIME_RANGE, flow_json, is_workday, parse_yyyymmdd, punches_between, task_json,
};
use super::roster::{Holders, Roster};
use super::state::AttendanceState;
use crate::directory::DirectoryHandle;
use crate::lock::lock;
use crate::reply::Reply;
use crate::request::RequestView;

// Error codes of query user_flow / user_task
// (https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/user_flow/query).
/// Parameter invalid.
const PARAM_INVALID: i64 = 1220001;
/// The user id does not exist or the app has no permission on it.
const USER_INVALID: i64 = 1220004;
/// Permission denied: check the attendance administrator's data scope.
const PERMISSION_DENIED: i64 = 1220005;

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

/// A Unix-seconds decimal string (`check_time_*`), within [`TIME_RANGE`].
fn time_string(body: &Value, key: &str) -> Option<i64> {
    let t: i64 = body.get(key)?.as_str()?.parse().ok()?;
    TIME_RANGE.contains(&t).then_some(t)
}

/// A JSON integer (`check_date_*`).
fn number(body: &Value, key: &str) -> Option<i64> {
    body.get(key)?.as_i64()
}

pub(super) fn flows(
    state: &Mutex<AttendanceState>,
    directory: &DirectoryHandle,
    req: &RequestView,
) -> Reply {
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
    let state = lock(state).clone();
    let dataset = &state.dataset;
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
    let people = directory.current();
    let roster = Roster {
        directory: &people,
        out_of_scope: &state.out_of_scope,
        by_no,
        include_terminated: req.query_flag("include_terminated_user"),
    };
    let mut results = Vec::new();
    for id in &ids {
        let holders = match roster.resolve(id) {
            Holders::People(holders) => holders,
            Holders::Unknown => return unknown_user(id),
            Holders::OutOfScope => return out_of_scope(id),
        };
        for u in holders {
            let punches = punches_between(dataset.seed, u, from, to, |d| roster.employed_on(u, d));
            results.extend(punches.iter().map(|(day, p)| flow_json(id, u, *day, p)));
        }
    }
    Reply::ok(json!({ "user_flow_results": results }))
}

pub(super) fn tasks(
    state: &Mutex<AttendanceState>,
    directory: &DirectoryHandle,
    req: &RequestView,
) -> Reply {
    let by_no = match employee_type(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let ignore_invalid = req.query_flag("ignore_invalid_users");
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
    let state = lock(state).clone();
    let dataset = &state.dataset;
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
    let people = directory.current();
    let roster = Roster {
        directory: &people,
        out_of_scope: &state.out_of_scope,
        by_no,
        include_terminated: req.query_flag("include_terminated_user"),
    };
    let mut results = Vec::new();
    let (mut invalid_ids, mut unauthorized_ids) = (Vec::new(), Vec::new());
    for id in &ids {
        let holders = match (roster.resolve(id), ignore_invalid) {
            (Holders::People(holders), _) => holders,
            (Holders::Unknown, true) => {
                invalid_ids.push(id.clone());
                continue;
            }
            (Holders::OutOfScope, true) => {
                unauthorized_ids.push(id.clone());
                continue;
            }
            (Holders::Unknown, false) => return unknown_user(id),
            (Holders::OutOfScope, false) => return out_of_scope(id),
        };
        for u in holders {
            for day in (from..=to).filter(|&d| is_workday(d) && roster.employed_on(u, d)) {
                results.push(task_json(dataset.seed, id, roster.name(u), u, day));
            }
        }
    }
    // Field names from the query user_task reply (and oapi-sdk-go QueryUserTaskRespData).
    Reply::ok(json!({
        "user_task_results": results,
        "invalid_user_ids": invalid_ids,
        "unauthorized_user_ids": unauthorized_ids,
    }))
}

/// HTTP 400, 1220004: "user_id is not exist or does not have permission".
fn unknown_user(id: &str) -> Reply {
    Reply::err(
        400,
        USER_INVALID,
        format!("user id does not exist or no permission: {id}"),
    )
}

/// HTTP 400, 1220005: the user is outside the attendance administrator's data scope.
fn out_of_scope(id: &str) -> Reply {
    Reply::err(
        400,
        PERMISSION_DENIED,
        format!("Permission denied: user {id} is outside the attendance data scope"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
