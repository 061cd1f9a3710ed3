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
/// Department GET: no such department.
const DEPARTMENT_NOT_FOUND: i64 = 40015;
/// Too many sub-departments for `fetch_child=true`.
const TOO_LARGE: i64 = 43010;
/// Group member simplelist: bad `member_id_type`
/// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/group-member/simplelist>).
const BAD_MEMBER_ID_TYPE: i64 = 41071;
/// Group member simplelist: `member_type` and `member_id_type` do not fit together.
const MEMBER_TYPE_MISMATCH: i64 = 41072;
/// Group member simplelist: bad `member_type`.
const BAD_MEMBER_TYPE: i64 = 41074;
/// Group member simplelist: unknown `group_id`.
const BAD_GROUP_ID: i64 = 42002;
/// Group member simplelist: the group is outside the app's contact range.
const NO_GROUP_AUTHORITY: i64 = 42009;

pub(super) fn param_error(field: &str, value: &str, description: &str) -> Reply {
    Reply::err_with(
        400,
        PARAM_ERROR,
        format!("param error: {field}: {description}"),
        json!({ "field_violations": [ { "field": field, "value": value, "description": description } ] }),
    )
}

/// `user_id_type` and `department_id_type` of a request (Feishu defaults: open ids).
pub(super) fn id_types(req: &RequestView) -> Result<(UserKind, DeptKind), Reply> {
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

/// `GET /open-apis/contact/v3/departments/:department_id`
/// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/department/get>):
/// an id breaking the documented rule (`^[a-zA-Z0-9][a-zA-Z0-9_\-@.]{0,63}$`) → 40001, an
/// unknown one → 40015, one outside the contact range → 40004 (HTTP 403).
pub(super) fn get_department(data: &Mutex<ContactData>, req: &RequestView, id: &str) -> Reply {
    let (uk, dk) = match id_types(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let well_formed = id.len() <= 64
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-@.".contains(c));
    if !well_formed {
        return param_error(
            "department_id",
            id,
            "must match ^[a-zA-Z0-9][a-zA-Z0-9_\\-@.]{0,63}$",
        );
    }
    let data = lock(data);
    let Some(d) = data.find_dept(id, dk) else {
        return Reply::err(
            400,
            DEPARTMENT_NOT_FOUND,
            format!("department not exist: {id}"),
        );
    };
    if !data.dept_visible(d) {
        return dept_denied(id);
    }
    Reply::ok(json!({ "department": data.dept_json(d, uk, dk) }))
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

/// `GET /open-apis/contact/v3/scopes`: users, then departments, then groups, paged together
/// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/scope/list>).
/// With "all members", the root's first-level departments and direct users and every group.
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
    let (depts, users, groups) = match &data.range {
        None => (
            data.children[0].clone(),
            data.members[0].clone(),
            (0..data.groups.len()).collect(),
        ),
        Some(grant) => (
            grant.depts.clone(),
            grant.users.clone(),
            grant.groups.clone(),
        ),
    };
    let users = users
        .into_iter()
        .filter(|&u| !data.scope_user_ids_withheld && data.users[u].departed_at.is_none())
        .map(|u| (Entry::User, data.user_id(u, uk).to_owned()));
    let depts = depts
        .into_iter()
        .map(|d| (Entry::Department, data.dept_id(d, dk).to_owned()));
    let groups = groups
        .into_iter()
        .map(|g| (Entry::Group, data.groups[g].id.clone()));
    let entries: Vec<(Entry, String)> = users.chain(depts).chain(groups).collect();
    let end = offset.saturating_add(size).min(entries.len());
    let page = &entries[offset.min(end)..end];
    let ids = |kind: Entry| -> Vec<&str> {
        page.iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| id.as_str())
            .collect()
    };
    let mut out = json!({
        "department_ids": ids(Entry::Department),
        "group_ids": ids(Entry::Group),
        "has_more": end < entries.len(),
    });
    // Only returned when the app holds contact:user.employee_id:readonly (scope/list docs).
    if !data.scope_user_ids_withheld {
        out["user_ids"] = json!(ids(Entry::User));
    }
    if let Some(token) = paging::next_token(0, end as u64, entries.len() as u64) {
        out["page_token"] = json!(token);
    }
    Reply::ok(out)
}

/// Which list of the `scopes` reply an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    User,
    Department,
    Group,
}

/// `GET /open-apis/contact/v3/group/:group_id/member/simplelist`: one kind of member per call
/// (`member_type` `user`, the default, or `department`), ids of `member_id_type` (`open_id`
/// by default; `union_id` / `user_id` for users, `department_id` for departments, `open_id`
/// meaning `open_department_id` for departments, which the field text also calls
/// `open_department_id`: both are accepted). `page_size` 1–100, default 50. Items are
/// `{member_id, member_type}`: the field table says `member_id_type` is not returned (the
/// reply example shows it anyway).
pub(super) fn group_members(data: &Mutex<ContactData>, req: &RequestView, id: &str) -> Reply {
    let member_type = req.query_first("member_type").unwrap_or("user");
    let member_id_type = req.query_first("member_id_type").unwrap_or("open_id");
    let kind = match member_kind(member_type, member_id_type) {
        Ok(kind) => kind,
        Err(reply) => return reply,
    };
    let (offset, size) = match page_request(req, 50, 100) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let data = lock(data);
    let Some(&g) = data.group_by_id.get(id) else {
        return Reply::err(400, BAD_GROUP_ID, format!("invalid group_id: {id}"));
    };
    if !data.group_visible(g) {
        return Reply::err(
            403,
            NO_GROUP_AUTHORITY,
            format!("no user group authority error: group {id} is outside the app's contact range"),
        );
    }
    let group = &data.groups[g];
    let members: Vec<Value> = match kind {
        MemberKind::User(uk) => group
            .users
            .iter()
            .filter(|&&u| data.users[u].departed_at.is_none())
            .map(|&u| json!({ "member_id": data.user_id(u, uk), "member_type": "user" }))
            .collect(),
        MemberKind::Department(dk) => group
            .depts
            .iter()
            .map(|&d| json!({ "member_id": data.dept_id(d, dk), "member_type": "department" }))
            .collect(),
    };
    let end = offset.saturating_add(size).min(members.len());
    let mut out = json!({
        "memberlist": members[offset.min(end)..end],
        "has_more": end < members.len(),
    });
    if let Some(token) = paging::next_token(0, end as u64, members.len() as u64) {
        out["page_token"] = json!(token);
    }
    Reply::ok(out)
}

/// Which members a group member listing returns, named by which id.
enum MemberKind {
    User(UserKind),
    Department(DeptKind),
}

fn member_kind(member_type: &str, member_id_type: &str) -> Result<MemberKind, Reply> {
    let user_kind = match member_id_type {
        "open_id" => Some(UserKind::Open),
        "union_id" => Some(UserKind::Union),
        "user_id" => Some(UserKind::User),
        "department_id" | "open_department_id" => None,
        other => {
            return Err(Reply::err(
                400,
                BAD_MEMBER_ID_TYPE,
                format!("invalid member_id_type: {other}"),
            ));
        }
    };
    let mismatch = || {
        Reply::err(
            400,
            MEMBER_TYPE_MISMATCH,
            format!("member_type {member_type} does not match member_id_type {member_id_type}"),
        )
    };
    match (member_type, member_id_type) {
        ("user", _) => user_kind.map(MemberKind::User).ok_or_else(mismatch),
        ("department", "open_id" | "open_department_id") => {
            Ok(MemberKind::Department(DeptKind::Open))
        }
        ("department", "department_id") => Ok(MemberKind::Department(DeptKind::Custom)),
        ("department", _) => Err(mismatch()),
        (other, _) => Err(Reply::err(
            400,
            BAD_MEMBER_TYPE,
            format!("invalid member_type: {other}"),
        )),
    }
}
