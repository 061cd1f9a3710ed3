//! The Base, table, view and field listings, the wiki node lookup, and the checks and paging
//! every Bitable endpoint shares.

use std::sync::Mutex;

use serde_json::{Value, json};

use super::data::{AppDef, BitableData, TableDef, ViewDef};
use super::fields::field_json;
use super::people::{IdType, user_id};
use crate::lock::lock;
use crate::paging;
use crate::reply::Reply;
use crate::request::RequestView;

const WRONG_BASE_TOKEN: i64 = 1254003;
const WRONG_TABLE_ID: i64 = 1254004;
const WRONG_VIEW_ID: i64 = 1254005;
const PAGE_SIZE_INVALID: i64 = 1254011;
pub(super) const INVALID_SORT: i64 = 1254016;
pub(super) const INVALID_FILTER: i64 = 1254018;
pub(super) const INVALID_FIELD_NAMES: i64 = 1254024;
const BASE_NOT_FOUND: i64 = 1254040;
const TABLE_NOT_FOUND: i64 = 1254041;
const VIEW_NOT_FOUND: i64 = 1254042;
pub(super) const FIELD_NAME_NOT_FOUND: i64 = 1254045;
const PERMISSION_DENIED: i64 = 1254302;
const WIKI_PARAM_ERR: i64 = 131002;
const WIKI_NOT_FOUND: i64 = 131005;

/// An error reply with the HTTP status Bitable documents for `code` (the error tables of the
/// record, table and field pages; where two pages disagree, the record pages win).
pub(super) fn fail(code: i64, msg: &str) -> Reply {
    let status = match code {
        PAGE_SIZE_INVALID
        | 1254012
        | 1254015
        | 1254028
        | 1254029
        | 1254036
        | 1254037
        | 1254074
        | 1254080..=1254096
        | 1254607
        | 1255006 => 400,
        PERMISSION_DENIED | 1254027 | 1254034 | 1254304 | 1254608 => 403,
        1255040 => 504,
        _ => 200,
    };
    Reply::err(status, code, msg)
}

pub(super) fn check_app<'a>(data: &'a BitableData, app: &str) -> Result<&'a AppDef, Reply> {
    if let Some(found) = data.app(app) {
        if data.denied.contains(app) {
            return Err(Reply::err_with(
                403,
                PERMISSION_DENIED,
                "Permission denied",
                json!({ "message": "the app has no permission on this Base: add the app as a collaborator (… → Add document app) or grant it manage access in the advanced permission settings" }),
            ));
        }
        return Ok(found);
    }
    if data.wiki.iter().any(|n| n.node_token == app) {
        return Err(fail(
            WRONG_BASE_TOKEN,
            "WrongBaseToken: this is a wiki node token, resolve it with wiki/v2/spaces/get_node",
        ));
    }
    Err(fail(BASE_NOT_FOUND, "BaseTokenNotFound"))
}

/// The table `table` of the Base `app`, or the documented error.
pub(super) fn check_table<'a>(
    data: &'a BitableData,
    app: &str,
    table: &str,
) -> Result<&'a TableDef, Reply> {
    let found = check_app(data, app)?;
    if !table.starts_with("tbl") {
        return Err(fail(WRONG_TABLE_ID, "WrongTableId"));
    }
    found
        .tables
        .iter()
        .find(|t| t.table_id == table)
        .ok_or_else(|| fail(TABLE_NOT_FOUND, "TableIdNotFound"))
}

/// The view `view_id` of `table` (`None` when no view is asked for), or the documented error.
pub(super) fn check_view<'a>(
    table: &'a TableDef,
    view_id: Option<&str>,
) -> Result<Option<&'a ViewDef>, Reply> {
    let Some(view_id) = view_id.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if !view_id.starts_with("vew") {
        return Err(fail(WRONG_VIEW_ID, "WrongViewId"));
    }
    table
        .views
        .iter()
        .find(|v| v.view_id == view_id)
        .map(Some)
        .ok_or_else(|| fail(VIEW_NOT_FOUND, "ViewIdNotFound"))
}

fn page_size(req: &RequestView, default: u64, max: u64) -> Result<u64, Reply> {
    paging::page_size(req, default, 1..=max).map_err(|v| {
        Reply::err_with(
            400,
            PAGE_SIZE_INVALID,
            format!("PageSizeInvalid: page_size must be between 1 and {max}"),
            json!({ "field_violations": [{ "field": "page_size", "value": v, "description": format!("must be between 1 and {max}") }] }),
        )
    })
}

fn page_offset(req: &RequestView, len: u64) -> Result<u64, Reply> {
    paging::offset(req, 0, len).map_err(|_| Reply::err(400, PAGE_SIZE_INVALID, "PageTokenInvalid"))
}

/// The `user_id_type` query parameter.
pub(super) fn id_type(req: &RequestView) -> Result<IdType, Reply> {
    match req.query_first("user_id_type").unwrap_or("open_id") {
        "open_id" | "" => Ok(IdType::Open),
        "union_id" => Ok(IdType::Union),
        "user_id" => Ok(IdType::User),
        other => Err(Reply::param_error(
            "user_id_type",
            other,
            "must be open_id, union_id or user_id",
        )),
    }
}

/// Pages `len` items produced by `item(i)` for `i` in the page's range.
pub(super) fn paged(
    req: &RequestView,
    len: u64,
    default: u64,
    max: u64,
    item: impl Fn(u64) -> Value,
) -> Reply {
    let size = match page_size(req, default, max) {
        Ok(size) => size,
        Err(reply) => return reply,
    };
    let offset = match page_offset(req, len) {
        Ok(offset) => offset,
        Err(reply) => return reply,
    };
    let end = offset.saturating_add(size).min(len);
    let items: Vec<Value> = (offset..end).map(item).collect();
    let mut data = json!({ "items": items, "has_more": end < len, "total": len });
    if let Some(token) = paging::next_token(0, end, len) {
        data["page_token"] = json!(token);
    }
    Reply::ok(data)
}

pub(super) fn get_app(data: &Mutex<BitableData>, app: &str) -> Reply {
    let data = lock(data);
    match check_app(&data, app) {
        Err(reply) => reply,
        Ok(found) => Reply::ok(json!({ "app": {
            "app_token": found.token, "name": found.name, "revision": 7 + found.tables.len(),
            "is_advanced": false, "time_zone": "Asia/Shanghai", "formula_type": 2, "advance_version": "v2",
        }})),
    }
}

pub(super) fn list_tables(data: &Mutex<BitableData>, req: &RequestView, app: &str) -> Reply {
    let data = lock(data);
    let found = match check_app(&data, app) {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    let tables = &found.tables;
    paged(req, tables.len() as u64, 20, 100, |i| {
        let t = &tables[i as usize];
        json!({ "table_id": t.table_id, "name": t.name, "revision": 3 + t.no })
    })
}

pub(super) fn list_views(
    data: &Mutex<BitableData>,
    req: &RequestView,
    app: &str,
    table: &str,
) -> Reply {
    let data = lock(data);
    let table = match check_table(&data, app, table) {
        Ok(t) => t,
        Err(reply) => return reply,
    };
    let ids = match id_type(req) {
        Ok(ids) => ids,
        Err(reply) => return reply,
    };
    paged(req, table.views.len() as u64, 20, 100, |i| {
        let v = &table.views[i as usize];
        let mut view = json!({ "view_id": v.view_id, "view_name": v.name, "view_type": v.view_type, "view_public_level": v.public_level });
        if v.public_level == "Private" {
            view["view_private_owner_id"] = json!(user_id(0, ids));
        }
        view
    })
}

pub(super) fn list_fields(
    data: &Mutex<BitableData>,
    req: &RequestView,
    app: &str,
    table: &str,
) -> Reply {
    let data = lock(data);
    let table = match check_table(&data, app, table) {
        Ok(t) => t,
        Err(reply) => return reply,
    };
    if let Err(reply) = check_view(table, req.query_first("view_id")) {
        return reply;
    }
    let defs = data.fields_of(table);
    let as_array = req.query_flag("text_field_as_array");
    paged(req, defs.len() as u64, 20, 100, |i| {
        field_json(i as usize, &defs[i as usize], as_array)
    })
}

pub(super) fn get_node(data: &Mutex<BitableData>, req: &RequestView) -> Reply {
    let Some(token) = req.query_first("token").filter(|t| !t.is_empty()) else {
        return Reply::err(400, WIKI_PARAM_ERR, "param err: token is required");
    };
    let obj_type = req.query_first("obj_type").unwrap_or("wiki");
    let data = lock(data);
    let node = data.wiki.iter().find(|n| {
        if obj_type == "wiki" {
            n.node_token == token
        } else {
            n.obj_token == token && n.obj_type == obj_type
        }
    });
    let Some(node) = node else {
        return Reply::err(400, WIKI_NOT_FOUND, "not found: node not found");
    };
    Reply::ok(json!({ "node": {
        "space_id": "7000000000000000001",
        "node_token": node.node_token,
        "obj_token": node.obj_token,
        "obj_type": node.obj_type,
        "parent_node_token": "",
        "node_type": "origin",
        "origin_node_token": node.node_token,
        "origin_space_id": "7000000000000000001",
        "has_child": false,
        "title": node.title,
        "obj_create_time": "1735689600",
        "obj_edit_time": "1735776000",
        "node_create_time": "1735689600",
        "creator": user_id(0, IdType::Open),
        "owner": user_id(0, IdType::Open),
        "node_creator": user_id(0, IdType::Open),
    }}))
}
