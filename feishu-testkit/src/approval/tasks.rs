//! The task actions and the recall: `POST /open-apis/approval/v4/tasks/{approve,reject,transfer}`
//! and `POST /open-apis/approval/v4/instances/cancel`
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/task/approve>
//! and siblings, <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/cancel>).
//!
//! The state machine: only a PENDING task can be approved, rejected or transferred, only by
//! its approver; approving the last pending task approves the instance, rejecting one rejects
//! it; a transfer closes the task as TRANSFERRED and opens a PENDING one for the new approver.
//! Only the initiator can recall, and only a PENDING instance (the fake does not model the
//! admin setting that allows recalling approved ones). Feishu documents no code for "the task
//! is no longer pending"; the fake answers 1390001.

use std::sync::Mutex;

use serde_json::{Value, json};

use super::data::{ApprovalData, built};
use super::handlers::{
    APPROVAL_NOT_FOUND, INSTANCE_NOT_FOUND, NO_PERMISSION, PARAM_INVALID, USER_ID_TYPES,
    USER_NOT_FOUND, check_enum, param_invalid,
};
use crate::reply::Reply;
use crate::request::RequestView;

/// Task not found (the error tables of the task pages).
const TASK_NOT_FOUND: i64 = 1390010;

/// A task action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    Approve,
    Reject,
    Transfer,
}

/// An instance whose status changed, for the `approval_instance` event.
pub(super) struct StatusChange {
    pub(super) approval_code: String,
    pub(super) instance_code: String,
    pub(super) status: String,
}

/// The body's required string fields, or 1390001 naming the first missing one.
fn fields<'a, const N: usize>(body: &'a Value, names: [&str; N]) -> Result<[&'a str; N], Reply> {
    let mut out = [""; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = body
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| param_invalid(name, "", "is required"))?;
    }
    Ok(out)
}

/// The JSON body and the request's `user_id_type`.
fn parse(req: &RequestView) -> Result<(&Value, &str), Reply> {
    check_enum(req, "user_id_type", USER_ID_TYPES)?;
    let body = req
        .json
        .as_ref()
        .filter(|b| b.is_object())
        .ok_or_else(|| param_invalid("body", "", "the body must be a JSON object"))?;
    Ok((body, req.query_first("user_id_type").unwrap_or("open_id")))
}

/// The index of the instance `instance_code` of definition `approval_code`.
fn instance_index(
    data: &ApprovalData,
    approval_code: &str,
    instance_code: &str,
) -> Result<usize, Reply> {
    if data.definition(approval_code).is_none() {
        return Err(Reply::err(
            400,
            APPROVAL_NOT_FOUND,
            "approval code not found",
        ));
    }
    let index = data
        .instances
        .iter()
        .position(|i| {
            i.code == instance_code
                || (!i.uuid.is_empty() && i.uuid.eq_ignore_ascii_case(instance_code))
        })
        .ok_or_else(|| Reply::err(400, INSTANCE_NOT_FOUND, "instance code not found"))?;
    if data.instances[index].approval_code != approval_code {
        return Err(param_invalid(
            "instance_code",
            instance_code,
            "the instance is not of this approval",
        ));
    }
    Ok(index)
}

fn user(data: &ApprovalData, id: &str, id_type: &str) -> Result<usize, Reply> {
    data.cast
        .find_user(id, id_type)
        .ok_or_else(|| Reply::err(400, USER_NOT_FOUND, format!("user not found: {id}")))
}

pub(super) fn task_action(
    data: &Mutex<ApprovalData>,
    req: &RequestView,
    action: Action,
) -> (Reply, Option<StatusChange>) {
    let (body, id_type) = match parse(req) {
        Ok(parts) => parts,
        Err(reply) => return (reply, None),
    };
    let mut data = built(data);
    match apply_task_action(&mut data, body, id_type, action) {
        Ok(change) => (Reply::ok(json!({})), change),
        Err(reply) => (reply, None),
    }
}

fn apply_task_action(
    data: &mut ApprovalData,
    body: &Value,
    id_type: &str,
    action: Action,
) -> Result<Option<StatusChange>, Reply> {
    let [approval_code, instance_code, user_id, task_id] = fields(
        body,
        ["approval_code", "instance_code", "user_id", "task_id"],
    )?;
    let index = instance_index(data, approval_code, instance_code)?;
    let actor = user(data, user_id, id_type)?;
    let target = match action {
        Action::Transfer => {
            let [to] = fields(body, ["transfer_user_id"])?;
            Some(user(data, to, id_type)?)
        }
        _ => None,
    };
    let actor_ids = data.cast.users[actor].clone();
    let target_ids = target.map(|t| data.cast.users[t].clone());
    let now = data.cast.now_ms.max(data.instances[index].start_time) + 1000;
    let mut rng = data.rng();
    let instance = &mut data.instances[index].data;
    let tasks = instance["task_list"]
        .as_array_mut()
        .ok_or_else(|| param_invalid("task_id", task_id, "the instance has no tasks"))?;
    let task = pending_task(tasks, task_id, &actor_ids.open_id)?;
    let (task_status, event) = match action {
        Action::Approve => ("APPROVED", "PASS"),
        Action::Reject => ("REJECTED", "REJECT"),
        Action::Transfer => ("TRANSFERRED", "TRANSFER"),
    };
    task["status"] = json!(task_status);
    task["end_time"] = json!(now.to_string());
    let node = (task["node_id"].clone(), task["node_name"].clone());
    let mut timeline = json!({
        "type": event, "create_time": now.to_string(), "user_id": actor_ids.user_id,
        "open_id": actor_ids.open_id, "task_id": task_id, "node_key": "manager", "ext": "{}",
    });
    if let Some(comment) = body.get("comment").and_then(Value::as_str) {
        timeline["comment"] = json!(comment);
    }
    if let Some(to) = &target_ids {
        timeline["user_id_list"] = json!([to.user_id]);
        timeline["open_id_list"] = json!([to.open_id]);
        tasks.push(json!({
            "id": format!("74{:017}", rng.u64(..10u64.pow(17))), "user_id": to.user_id,
            "open_id": to.open_id, "status": "PENDING", "node_id": node.0, "node_name": node.1,
            "custom_node_id": "manager", "type": "OR", "start_time": now.to_string(), "end_time": "0",
        }));
    }
    let still_pending = tasks.iter().any(|t| t["status"] == "PENDING");
    if let Some(list) = instance["timeline"].as_array_mut() {
        list.push(timeline);
    }
    let finished = match action {
        Action::Reject => Some("REJECTED"),
        Action::Approve if !still_pending => Some("APPROVED"),
        _ => None,
    };
    Ok(finished.map(|status| finish(instance, status, now)))
}

/// The task `task_id`, when `approver` (an open_id) may act on it and it is still pending.
fn pending_task<'a>(
    tasks: &'a mut [Value],
    task_id: &str,
    approver: &str,
) -> Result<&'a mut Value, Reply> {
    let task = tasks
        .iter_mut()
        .find(|t| t["id"] == task_id)
        .ok_or_else(|| Reply::err(400, TASK_NOT_FOUND, format!("task not found: {task_id}")))?;
    if task["open_id"] != approver {
        return Err(Reply::err(
            403,
            NO_PERMISSION,
            "no operation permission: the user is not the task's approver",
        ));
    }
    if task["status"] != "PENDING" {
        let status = task["status"].clone();
        return Err(Reply::err(
            400,
            PARAM_INVALID,
            format!("param is invalid: task {task_id} is not PENDING (it is {status})"),
        ));
    }
    Ok(task)
}

/// Ends an instance with `status` at `now`.
fn finish(instance: &mut Value, status: &str, now: i64) -> StatusChange {
    instance["status"] = json!(status);
    instance["end_time"] = json!(now.to_string());
    StatusChange {
        approval_code: instance["approval_code"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        instance_code: instance["instance_code"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        status: status.to_string(),
    }
}

pub(super) fn cancel(
    data: &Mutex<ApprovalData>,
    req: &RequestView,
) -> (Reply, Option<StatusChange>) {
    let (body, id_type) = match parse(req) {
        Ok(parts) => parts,
        Err(reply) => return (reply, None),
    };
    match apply_cancel(&mut built(data), body, id_type) {
        Ok(change) => (Reply::ok(json!({})), Some(change)),
        Err(reply) => (reply, None),
    }
}

fn apply_cancel(
    data: &mut ApprovalData,
    body: &Value,
    id_type: &str,
) -> Result<StatusChange, Reply> {
    let [approval_code, instance_code, user_id] =
        fields(body, ["approval_code", "instance_code", "user_id"])?;
    let index = instance_index(data, approval_code, instance_code)?;
    let actor = user(data, user_id, id_type)?;
    if actor != data.instances[index].user {
        return Err(Reply::err(
            403,
            NO_PERMISSION,
            "no operation permission: only the initiator can recall",
        ));
    }
    let now = data.cast.now_ms.max(data.instances[index].start_time) + 1000;
    let ids = data.cast.users[actor].clone();
    let instance = &mut data.instances[index].data;
    if instance["status"] != "PENDING" {
        return Err(Reply::err(
            400,
            PARAM_INVALID,
            format!("param is invalid: the instance is {}", instance["status"]),
        ));
    }
    for task in instance["task_list"].as_array_mut().into_iter().flatten() {
        if task["status"] == "PENDING" {
            task["status"] = json!("DONE");
            task["end_time"] = json!(now.to_string());
        }
    }
    if let Some(list) = instance["timeline"].as_array_mut() {
        list.push(json!({
            "type": "CANCEL", "create_time": now.to_string(), "user_id": ids.user_id,
            "open_id": ids.open_id, "ext": "{}", "node_key": "APPLY",
        }));
    }
    Ok(finish(instance, "CANCELED", now))
}
