//! `user_flows/query` and `user_tasks/query`, validating their parameters as documented.

use std::sync::Mutex;

use serde_json::{Value, json};

use super::dataset::AttendanceDataset;
use super::punches::{
    TIME_RANGE, flow_json, is_workday, local_day, parse_yyyymmdd, punches, task_json,
};
use crate::directory::{Directory, DirectoryHandle};
use crate::lock::lock;
use crate::reply::Reply;
use crate::request::RequestView;

const PARAM_INVALID: i64 = 1220001;
const USER_INVALID: i64 = 1220004;

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

/// The directory index of the person `id` names (`employee_no` when `by_no`).
pub(super) fn lookup(directory: &Directory, id: &str, by_no: bool) -> Option<usize> {
    if by_no {
        directory.by_employee_no(id)
    } else {
        directory.by_user_id(id)
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

pub(super) fn flows(
    dataset: &Mutex<AttendanceDataset>,
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
    let dataset = lock(dataset).clone();
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
    let mut results = Vec::new();
    for id in &ids {
        let Some(u) = lookup(&people, id, by_no) else {
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

pub(super) fn tasks(
    dataset: &Mutex<AttendanceDataset>,
    directory: &DirectoryHandle,
    req: &RequestView,
) -> Reply {
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
    let dataset = lock(dataset).clone();
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
    let mut results = Vec::new();
    let mut invalid_ids = Vec::new();
    for id in &ids {
        let Some(u) = lookup(&people, id, by_no) else {
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
            let name = people.person(u).map_or("", |p| p.name.as_str());
            results.push(task_json(dataset.seed, id, name, u, day));
        }
    }
    Reply::ok(json!({
        "user_task_results": results,
        "invalid_user_ids": invalid_ids,
        "unauthorized_user_ids": [],
    }))
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
