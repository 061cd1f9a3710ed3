//! The Contact v3 read endpoints.

use std::sync::Mutex;

use serde_json::{Value, json};

use super::data::{ContactData, DeptKind, UserKind};
use crate::lock::lock;
use crate::paging;
use crate::reply::Reply;
use crate::request::RequestView;

/// Contact's "parameter error" code (v3 meaning).
const PARAM_ERROR: i64 = 40001;
/// Department outside the contact range.
const NO_DEPT_AUTHORITY: i64 = 40004;
/// Bad `page_size`.
const BAD_PAGE_SIZE: i64 = 40011;
/// Bad `page_token`.
const BAD_PAGE_TOKEN: i64 = 40012;
/// Invalid user id.
const BAD_USER_ID: i64 = 41012;
/// User outside the contact range.
const NO_USER_AUTHORITY: i64 = 41050;
/// Too many sub-departments for `fetch_child=true`.
const TOO_LARGE: i64 = 43010;

fn param_error(field: &str, value: &str, description: &str) -> Reply {
    Reply::err_with(
        400,
        PARAM_ERROR,
        format!("param error: {field}: {description}"),
        json!({ "field_violations": [ { "field": field, "value": value, "description": description } ] }),
    )
}

/// `user_id_type` and `department_id_type` of a request (Feishu defaults: open ids).
fn id_types(req: &RequestView) -> Result<(UserKind, DeptKind), Reply> {
    let uk = match req.query_first("user_id_type").unwrap_or("open_id") {
        "open_id" => UserKind::Open,
        "union_id" => UserKind::Union,
        "user_id" => UserKind::User,
        other => {
            return Err(param_error(
                "user_id_type",
                other,
                "must be open_id, union_id or user_id",
            ));
        }
    };
    let dk = match req
        .query_first("department_id_type")
        .unwrap_or("open_department_id")
    {
        "open_department_id" => DeptKind::Open,
        "department_id" => DeptKind::Custom,
        other => {
            return Err(param_error(
                "department_id_type",
                other,
                "must be open_department_id or department_id",
            ));
        }
    };
    Ok((uk, dk))
}

/// `(offset, page_size)` of a paged request. Offsets past the end give an empty last page.
fn page_request(req: &RequestView, default: u64, max: u64) -> Result<(usize, usize), Reply> {
    let size = paging::page_size(req, default, 1..=max).map_err(|v| {
        Reply::err(
            400,
            BAD_PAGE_SIZE,
            format!("page size is invalid: {v} (1..={max})"),
        )
    })?;
    let offset = paging::offset(req, 0, u64::MAX)
        .map_err(|_| Reply::err(400, BAD_PAGE_TOKEN, "page token is invalid"))?;
    let to_usize = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    Ok((to_usize(offset), to_usize(size)))
}

fn page_of(items: Vec<Value>, offset: usize, size: usize) -> Value {
    let end = offset.saturating_add(size).min(items.len());
    let start = offset.min(end);
    let has_more = end < items.len();
    let page: Vec<Value> = items[start..end].to_vec();
    let mut data = json!({ "has_more": has_more, "items": page });
    if let Some(token) = paging::next_token(0, end as u64, items.len() as u64) {
        data["page_token"] = json!(token);
    }
    data
}

fn dept_denied(id: &str) -> Reply {
    Reply::err(
        403,
        NO_DEPT_AUTHORITY,
        format!("no dept authority error: department {id} is outside the app's contact range"),
    )
}

pub(super) fn children(data: &Mutex<ContactData>, req: &RequestView, id: &str) -> Reply {
    let (uk, dk) = match id_types(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let (offset, size) = match page_request(req, 10, 50) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let fetch_child = match req.query_first("fetch_child").unwrap_or("false") {
        "true" => true,
        "false" | "" => false,
        other => return param_error("fetch_child", other, "must be true or false"),
    };
    let data = lock(data);
    let Some(d) = data.find_dept(id, dk).filter(|&d| data.dept_visible(d)) else {
        return dept_denied(id);
    };
    let ids = if fetch_child {
        let all: Vec<usize> = data.subtree(d).into_iter().skip(1).collect();
        if data.recursion_limit.is_some_and(|limit| all.len() > limit) {
            return Reply::err(
                400,
                TOO_LARGE,
                format!("department {id} has too many sub-departments to fetch recursively"),
            );
        }
        all
    } else {
        data.children[d].clone()
    };
    let items = ids.iter().map(|&c| data.dept_json(c, uk, dk)).collect();
    Reply::ok(page_of(items, offset, size))
}

pub(super) fn find_by_department(data: &Mutex<ContactData>, req: &RequestView) -> Reply {
    let (uk, dk) = match id_types(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let (offset, size) = match page_request(req, 10, 50) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(id) = req.query_first("department_id").filter(|v| !v.is_empty()) else {
        return param_error("department_id", "", "department_id is required");
    };
    let data = lock(data);
    let Some(d) = data.find_dept(id, dk).filter(|&d| data.dept_visible(d)) else {
        return dept_denied(id);
    };
    let items = data.members[d]
        .iter()
        .map(|&u| data.user_json(u, uk, dk))
        .collect();
    Reply::ok(page_of(items, offset, size))
}

pub(super) fn get_user(data: &Mutex<ContactData>, req: &RequestView, id: &str) -> Reply {
    let (uk, dk) = match id_types(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let data = lock(data);
    match data.find_user(id, uk) {
        None => Reply::err(400, BAD_USER_ID, format!("invalid user id: {id}")),
        Some(u) if !data.user_visible(u) => Reply::err(
            400,
            NO_USER_AUTHORITY,
            format!("no user authority error: user {id} is outside the app's contact range"),
        ),
        Some(u) => Reply::ok(json!({ "user": data.user_json(u, uk, dk) })),
    }
}

pub(super) fn batch(data: &Mutex<ContactData>, req: &RequestView) -> Reply {
    let (uk, dk) = match id_types(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let ids: Vec<&str> = req
        .query
        .iter()
        .filter(|(k, _)| k == "user_ids")
        .map(|(_, v)| v.as_str())
        .collect();
    if ids.is_empty() {
        return param_error("user_ids", "", "user_ids is required");
    }
    if ids.len() > 50 {
        return param_error(
            "user_ids",
            &ids.len().to_string(),
            "at most 50 user_ids per request",
        );
    }
    let data = lock(data);
    let items: Vec<Value> = ids
        .iter()
        .filter_map(|id| data.find_user(id, uk))
        .filter(|&u| data.user_visible(u))
        .map(|u| data.user_json(u, uk, dk))
        .collect();
    Reply::ok(json!({ "items": items }))
}

pub(super) fn scopes(data: &Mutex<ContactData>, req: &RequestView) -> Reply {
    let (uk, dk) = match id_types(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let (offset, size) = match page_request(req, 50, 100) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let data = lock(data);
    let (depts, users) = match &data.range {
        None => (data.children[0].clone(), data.members[0].clone()),
        Some((d, u)) => (d.clone(), u.clone()),
    };
    // Users first, then departments (no groups in the testkit).
    let entries: Vec<(bool, String)> = users
        .iter()
        .map(|&u| (true, data.user_id(u, uk).to_owned()))
        .chain(
            depts
                .iter()
                .map(|&d| (false, data.dept_id(d, dk).to_owned())),
        )
        .collect();
    let end = offset.saturating_add(size).min(entries.len());
    let start = offset.min(end);
    let page = &entries[start..end];
    let user_ids: Vec<&str> = page.iter().filter(|e| e.0).map(|e| e.1.as_str()).collect();
    let department_ids: Vec<&str> = page.iter().filter(|e| !e.0).map(|e| e.1.as_str()).collect();
    let has_more = end < entries.len();
    let mut out = json!({
        "department_ids": department_ids,
        "user_ids": user_ids,
        "group_ids": [],
        "has_more": has_more,
    });
    if let Some(token) = paging::next_token(0, end as u64, entries.len() as u64) {
        out["page_token"] = json!(token);
    }
    Reply::ok(out)
}
