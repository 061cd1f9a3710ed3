//! The definition GET, instance listing and instance GET.

use std::sync::Mutex;

use serde_json::json;

use super::catalog::MAX_LIST_WINDOW_MS;
use super::data::{ApprovalData, built};
use crate::paging;
use crate::reply::Reply;
use crate::request::RequestView;

/// Parameter invalid.
pub(super) const PARAM_INVALID: i64 = 1390001;
/// Approval code not found.
pub(super) const APPROVAL_NOT_FOUND: i64 = 1390002;
/// Instance code not found.
pub(super) const INSTANCE_NOT_FOUND: i64 = 1390003;
/// No operation permission on this instance (HTTP 403), from the error table of
/// <https://open.feishu.cn/document/server-docs/approval-v4/instance/get>.
pub(super) const NO_PERMISSION: i64 = 1390009;
/// A user id (initiator, approver, commenter) the tenant does not know.
pub(super) const USER_NOT_FOUND: i64 = 1390004;
/// Approval definition deleted.
pub(super) const APPROVAL_DELETED: i64 = 1390016;
const LOCALES: &[&str] = &[
    "zh-CN", "en-US", "ja-JP", "zh-HK", "zh-TW", "de-DE", "es-ES", "fr-FR", "id-ID", "it-IT",
    "ko-KR", "pt-BR", "th-TH", "vi-VN", "ms-MY", "ru-RU",
];
/// Accepted `user_id_type`s.
pub(super) const USER_ID_TYPES: &[&str] = &["open_id", "union_id", "user_id"];

/// HTTP 400, 1390001 with one field violation.
pub(super) fn param_invalid(field: &str, value: &str, description: &str) -> Reply {
    Reply::err_with(
        400,
        PARAM_INVALID,
        format!("param is invalid: {field}: {description}"),
        json!({ "field_violations": [{ "field": field, "value": value, "description": description }] }),
    )
}

/// Checks an optional query parameter against a list of allowed values.
pub(super) fn check_enum(req: &RequestView, name: &str, allowed: &[&str]) -> Result<(), Reply> {
    match req.query_first(name) {
        Some(v) if !allowed.contains(&v) => Err(param_invalid(
            name,
            v,
            &format!("must be one of {}", allowed.join(", ")),
        )),
        _ => Ok(()),
    }
}

pub(super) fn get_definition(data: &Mutex<ApprovalData>, req: &RequestView, code: &str) -> Reply {
    if let Err(reply) = check_enum(req, "locale", LOCALES)
        .and_then(|()| check_enum(req, "user_id_type", USER_ID_TYPES))
    {
        return reply;
    }
    let data = built(data);
    match data.definition(code) {
        None => Reply::err(
            400,
            APPROVAL_NOT_FOUND,
            format!("approval code not found: {code}"),
        ),
        Some(d) if d.deleted => Reply::err(400, APPROVAL_DELETED, "approval has been deleted"),
        Some(d) => {
            let mut body = d.data.clone();
            if req.query_first("with_admin_id") == Some("true") {
                body["approval_admin_ids"] = json!([data.cast.users[0].open_id]);
            }
            Reply::ok(body)
        }
    }
}

fn required_ms(req: &RequestView, name: &str) -> Result<i64, Reply> {
    match req.query_first(name).filter(|v| !v.is_empty()) {
        None => Err(param_invalid(name, "", "is required")),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|ms| *ms >= 0)
            .ok_or_else(|| param_invalid(name, v, "must be a Unix timestamp in milliseconds")),
    }
}

/// The `page_size` query parameter, `min..=max`.
pub(super) fn page_size(
    req: &RequestView,
    default: u64,
    min: u64,
    max: u64,
) -> Result<usize, Reply> {
    paging::page_size(req, default, min..=max)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
        .map_err(|v| param_invalid("page_size", v, &format!("must be between {min} and {max}")))
}

/// The offset of the `page_token` query parameter, bound to the query `fingerprint`.
pub(super) fn page_offset(req: &RequestView, fingerprint: u64, len: usize) -> Result<usize, Reply> {
    paging::offset(req, fingerprint, len as u64)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
        .map_err(|token| param_invalid("page_token", token, "invalid page_token"))
}

pub(super) fn list_instances(data: &Mutex<ApprovalData>, req: &RequestView) -> Reply {
    let approval_code = match req.query_first("approval_code").filter(|v| !v.is_empty()) {
        Some(code) => code.to_string(),
        None => return param_invalid("approval_code", "", "is required"),
    };
    let (start, end) = match (required_ms(req, "start_time"), required_ms(req, "end_time")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if end < start {
        return param_invalid(
            "end_time",
            &end.to_string(),
            "end_time must not be earlier than start_time",
        );
    }
    let size = match page_size(req, 100, 1, 100) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let data = built(data);
    match data.definition(&approval_code) {
        None => {
            return Reply::err(
                400,
                APPROVAL_NOT_FOUND,
                format!("approval code not found: {approval_code}"),
            );
        }
        Some(d) if d.deleted => {
            return Reply::err(400, APPROVAL_DELETED, "approval has been deleted");
        }
        Some(_) => {}
    }
    if data.spec.enforce_window && end - start > MAX_LIST_WINDOW_MS {
        return param_invalid(
            "end_time",
            &end.to_string(),
            "the time range must not exceed 10 hours (testkit rule; upstream enforcement UNCONFIRMED)",
        );
    }
    let codes = data.codes_in(&approval_code, start, end);
    let fp = paging::fingerprint(&["list", &approval_code, &start.to_string(), &end.to_string()]);
    let offset = match page_offset(req, fp, codes.len()) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let stop = (offset + size).min(codes.len());
    let mut body = json!({
        "instance_code_list": codes[offset..stop],
        "has_more": stop < codes.len(),
    });
    if let Some(token) = paging::next_token(fp, stop as u64, codes.len() as u64) {
        body["page_token"] = json!(token);
    }
    Reply::ok(body)
}

pub(super) fn get_instance(data: &Mutex<ApprovalData>, req: &RequestView, id: &str) -> Reply {
    if let Err(reply) = check_enum(req, "locale", LOCALES)
        .and_then(|()| check_enum(req, "user_id_type", USER_ID_TYPES))
    {
        return reply;
    }
    let data = built(data);
    match data.find(id) {
        Some(instance) if data.denied.contains(&instance.code) => Reply::err(
            403,
            NO_PERMISSION,
            format!("no operation permission on instance {}", instance.code),
        ),
        Some(instance) => Reply::ok(instance.data.clone()),
        None => Reply::err(
            400,
            INSTANCE_NOT_FOUND,
            format!("instance code not found: {id}"),
        ),
    }
}
