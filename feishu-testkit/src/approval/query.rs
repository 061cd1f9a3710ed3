//! `POST /open-apis/approval/v4/instances/query`: instances by the documented filters, with
//! lower-case statuses.

use std::sync::Mutex;

use serde_json::{Value, json};

use super::catalog::DAY_MS;
use super::data::{ApprovalData, Instance, built};
use super::handlers::{
    APPROVAL_NOT_FOUND, INSTANCE_NOT_FOUND, USER_ID_TYPES, check_enum, page_offset, page_size,
    param_invalid,
};
use crate::paging;
use crate::reply::Reply;
use crate::request::RequestView;

const QUERY_LOCALES: &[&str] = &["zh-CN", "en-US", "ja-JP"];

fn body_str<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

pub(super) fn query_instances(data: &Mutex<ApprovalData>, req: &RequestView) -> Reply {
    let size = match page_size(req, 10, 5, 200) {
        Ok(n) => n,
        Err(r) => return r,
    };
    if let Err(reply) = check_enum(req, "user_id_type", USER_ID_TYPES) {
        return reply;
    }
    let body = match (&req.json, req.body.is_empty()) {
        (Some(Value::Object(_)), _) => req.json.clone().unwrap_or_default(),
        (None, true) => json!({}),
        _ => return param_invalid("body", "", "request body must be a JSON object"),
    };
    let user_id = body_str(&body, "user_id");
    let approval_code = body_str(&body, "approval_code");
    let instance_code = body_str(&body, "instance_code");
    let external_id = body_str(&body, "instance_external_id");
    let group_external_id = body_str(&body, "group_external_id");
    if user_id.is_none()
        && approval_code.is_none()
        && instance_code.is_none()
        && external_id.is_none()
        && group_external_id.is_none()
    {
        return param_invalid(
            "approval_code",
            "",
            "one of user_id, approval_code, instance_code, instance_external_id, group_external_id is required",
        );
    }
    if let Some(locale) = body_str(&body, "locale")
        && !QUERY_LOCALES.contains(&locale)
    {
        return param_invalid("locale", locale, "must be zh-CN, en-US or ja-JP");
    }
    let statuses: Option<&[&str]> = match body_str(&body, "instance_status") {
        None | Some("ALL") => None,
        Some("PENDING") => Some(&["PENDING"]),
        Some("APPROVED") => Some(&["APPROVED"]),
        Some("REJECT") => Some(&["REJECTED"]),
        Some("RECALL") => Some(&["CANCELED"]),
        Some("DELETED") => Some(&["DELETED"]),
        Some(other) => {
            return param_invalid(
                "instance_status",
                other,
                "must be PENDING, RECALL, REJECT, DELETED, APPROVED or ALL",
            );
        }
    };
    let from = body.get("instance_start_time_from").map(feishu_ms);
    let to = body.get("instance_start_time_to").map(feishu_ms);
    let range = match (from, to) {
        (None, None) => None,
        (Some(Some(f)), Some(Some(t)))
            if f <= t && t.checked_sub(f).is_some_and(|span| span <= 30 * DAY_MS) =>
        {
            Some((f, t))
        }
        (Some(Some(_)), Some(Some(_))) => {
            return param_invalid(
                "instance_start_time_to",
                "",
                "the time range must be ordered and at most 30 days",
            );
        }
        _ => {
            return param_invalid(
                "instance_start_time_from",
                "",
                "instance_start_time_from and instance_start_time_to must be set together as Unix ms",
            );
        }
    };
    let id_type = req.query_first("user_id_type").unwrap_or("open_id");
    let data = built(data);
    if let Some(code) = approval_code
        && data.definition(code).is_none()
    {
        return Reply::err(
            400,
            APPROVAL_NOT_FOUND,
            format!("approval code not found: {code}"),
        );
    }
    if let Some(code) = instance_code
        && data.find(code).is_none()
    {
        return Reply::err(
            400,
            INSTANCE_NOT_FOUND,
            format!("instance code not found: {code}"),
        );
    }
    let user_key = |user: usize| data.cast.user_key(user, id_type);
    let matches: Vec<&Instance> = data
        .instances
        .iter()
        .filter(|i| approval_code.is_none_or(|c| i.approval_code == c))
        .filter(|i| instance_code.is_none_or(|c| i.code == c))
        .filter(|i| external_id.is_none_or(|c| i.uuid == c))
        .filter(|_| group_external_id.is_none())
        .filter(|i| user_id.is_none_or(|u| user_key(i.user) == u))
        .filter(|i| {
            statuses.is_none_or(|s| s.contains(&i.data["status"].as_str().unwrap_or_default()))
        })
        .filter(|i| range.is_none_or(|(f, t)| (f..=t).contains(&i.start_time)))
        .filter(|i| i.data["reverted"] != json!(true))
        .collect();
    let fp = paging::fingerprint(&["query", &body.to_string(), id_type]);
    let offset = match page_offset(req, fp, matches.len()) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let stop = (offset + size).min(matches.len());
    let items: Vec<Value> = matches[offset..stop]
        .iter()
        .map(|i| {
            let def = data.definition(&i.approval_code);
            json!({
                "approval": {
                    "code": i.approval_code, "name": def.map(|d| d.name.as_str()).unwrap_or_default(),
                    "is_external": false, "external": { "batch_cc_read": false },
                    "approval_id": format!("73{:017}", paging::fingerprint(&[&i.approval_code]) % 10u64.pow(17)),
                    "icon": "",
                },
                "group": { "external_id": "", "name": def.map(|d| d.group.as_str()).unwrap_or_default() },
                "instance": {
                    "code": i.code, "external_id": i.uuid, "user_id": user_key(i.user),
                    "start_time": i.data["start_time"], "end_time": i.data["end_time"],
                    "status": i.data["status"].as_str().unwrap_or_default().to_ascii_lowercase(),
                    "title": "", "extra": "", "serial_id": i.data["serial_number"],
                    "link": { "pc_link": "", "mobile_link": "" },
                },
            })
        })
        .collect();
    let mut out = json!({
        "count": matches.len(),
        "instance_list": items,
        "has_more": stop < matches.len(),
    });
    if let Some(token) = paging::next_token(fp, stop as u64, matches.len() as u64) {
        out["page_token"] = json!(token);
    }
    Reply::ok(out)
}

/// A Unix-ms value sent as a string or a number.
fn feishu_ms(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}
