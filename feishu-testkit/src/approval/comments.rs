//! Comments of an instance: `POST` and `GET /open-apis/approval/v4/instances/:instance_id/comments`
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance-comment/create>,
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance-comment/list>).
//!
//! Both take `user_id` (required) and `user_id_type` in the query. A new comment needs no
//! request id; `parent_comment_id` makes it a reply, `comment_id` edits an existing one. The
//! listing documents only `comments`; the fake pages (`page_size` up to 1000) and adds
//! `has_more` / `page_token` only when a page is not the last.

use std::sync::Mutex;

use serde_json::{Value, json};

use super::comment_store::StoredComment;
use super::data::{ApprovalData, built};
use super::handlers::{
    INSTANCE_NOT_FOUND, USER_ID_TYPES, USER_NOT_FOUND, check_enum, page_offset, page_size,
    param_invalid,
};
use super::people::Cast;
use crate::paging;
use crate::reply::Reply;
use crate::request::RequestView;

/// The caller of a comment call: `user_id` of `user_id_type`, both from the query.
fn caller(data: &ApprovalData, req: &RequestView) -> Result<(usize, String), Reply> {
    check_enum(req, "user_id_type", USER_ID_TYPES)?;
    let id_type = req
        .query_first("user_id_type")
        .unwrap_or("open_id")
        .to_string();
    let Some(id) = req.query_first("user_id").filter(|v| !v.is_empty()) else {
        return Err(param_invalid("user_id", "", "is required"));
    };
    let user = data
        .cast
        .find_user(id, &id_type)
        .ok_or_else(|| Reply::err(400, USER_NOT_FOUND, format!("user not found: {id}")))?;
    Ok((user, id_type))
}

fn instance_index(data: &ApprovalData, id: &str) -> Result<usize, Reply> {
    data.instances
        .iter()
        .position(|i| i.code == id || (!i.uuid.is_empty() && i.uuid.eq_ignore_ascii_case(id)))
        .ok_or_else(|| {
            Reply::err(
                400,
                INSTANCE_NOT_FOUND,
                format!("instance code not found: {id}"),
            )
        })
}

pub(super) fn create_comment(
    data: &Mutex<ApprovalData>,
    req: &RequestView,
    instance_id: &str,
) -> Reply {
    let mut data = built(data);
    match add(&mut data, req, instance_id) {
        Ok(id) => Reply::ok(json!({ "comment_id": id })),
        Err(reply) => reply,
    }
}

fn add(data: &mut ApprovalData, req: &RequestView, instance_id: &str) -> Result<String, Reply> {
    let (author, id_type) = caller(data, req)?;
    let index = instance_index(data, instance_id)?;
    let body = match &req.json {
        Some(b) if b.is_object() => b.clone(),
        None if req.body.is_empty() => json!({}),
        _ => return Err(param_invalid("body", "", "the body must be a JSON object")),
    };
    let content = body["content"].as_str().unwrap_or("{}").to_string();
    if !serde_json::from_str::<Value>(&content).is_ok_and(|c| c.is_object()) {
        return Err(param_invalid(
            "content",
            &content,
            "content must be a JSON object serialised to a string",
        ));
    }
    let at_info = mentions(&data.cast, &body, &id_type)?;
    let now = data.cast.now_ms + i64::try_from(data.next_comment).unwrap_or(0);
    let comments = &mut data.instances[index].comments;
    if let Some(edit) = body["comment_id"].as_str().filter(|s| !s.is_empty()) {
        let Some(existing) = find_mut(comments, edit) else {
            return Err(param_invalid("comment_id", edit, "no such comment"));
        };
        existing.content = content;
        existing.at_info = at_info;
        existing.update_time = now;
        return Ok(edit.to_string());
    }
    let id = format!("75{:017}", data.next_comment);
    data.next_comment += 1;
    let comment = StoredComment {
        id: id.clone(),
        content,
        create_time: now,
        update_time: now,
        author,
        at_info,
        extra: body["extra"].as_str().unwrap_or_default().to_string(),
        replies: Vec::new(),
    };
    let comments = &mut data.instances[index].comments;
    match body["parent_comment_id"].as_str().filter(|s| !s.is_empty()) {
        Some(parent) => match comments.iter_mut().find(|c| c.id == parent) {
            Some(parent) => parent.replies.push(comment),
            None => {
                return Err(param_invalid(
                    "parent_comment_id",
                    parent,
                    "no such comment",
                ));
            }
        },
        None => comments.push(comment),
    }
    Ok(id)
}

/// The comment or reply `id`.
fn find_mut<'a>(comments: &'a mut [StoredComment], id: &str) -> Option<&'a mut StoredComment> {
    let pos = comments
        .iter()
        .position(|c| c.id == id || c.replies.iter().any(|r| r.id == id))?;
    let comment = &mut comments[pos];
    if comment.id == id {
        Some(comment)
    } else {
        comment.replies.iter_mut().find(|r| r.id == id)
    }
}

/// `at_info_list`: `{user_id, name, offset}` each, users of `id_type`.
fn mentions(
    cast: &Cast,
    body: &Value,
    id_type: &str,
) -> Result<Vec<(usize, String, String)>, Reply> {
    let mut out = Vec::new();
    for at in body["at_info_list"].as_array().into_iter().flatten() {
        let (Some(id), Some(name), Some(offset)) = (
            at["user_id"].as_str(),
            at["name"].as_str(),
            at["offset"].as_str(),
        ) else {
            return Err(param_invalid(
                "at_info_list",
                "",
                "each entry needs user_id, name and offset (strings)",
            ));
        };
        if offset.parse::<u64>().is_err() {
            return Err(param_invalid(
                "at_info_list.offset",
                offset,
                "must be a non-negative integer string",
            ));
        }
        let user = cast
            .find_user(id, id_type)
            .ok_or_else(|| Reply::err(400, USER_NOT_FOUND, format!("user not found: {id}")))?;
        out.push((user, name.to_string(), offset.to_string()));
    }
    Ok(out)
}

pub(super) fn list_comments(
    data: &Mutex<ApprovalData>,
    req: &RequestView,
    instance_id: &str,
) -> Reply {
    list(&built(data), req, instance_id).map_or_else(|reply| reply, Reply::ok)
}

fn list(data: &ApprovalData, req: &RequestView, instance_id: &str) -> Result<Value, Reply> {
    let (_, id_type) = caller(data, req)?;
    let index = instance_index(data, instance_id)?;
    let size = page_size(req, 100, 1, 1000)?;
    let comments: Vec<Value> = data.instances[index]
        .comments
        .iter()
        .map(|c| c.render(&data.cast, &id_type))
        .collect();
    let fp = paging::fingerprint(&["comments", &data.instances[index].code]);
    let offset = page_offset(req, fp, comments.len())?;
    let stop = offset.saturating_add(size).min(comments.len());
    let mut out = json!({ "comments": comments[offset.min(stop)..stop] });
    if let Some(token) = paging::next_token(fp, stop as u64, comments.len() as u64) {
        out["has_more"] = json!(true);
        out["page_token"] = json!(token);
    }
    Ok(out)
}
