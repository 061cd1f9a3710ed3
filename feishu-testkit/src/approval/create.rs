//! `POST /open-apis/approval/v4/instances`: a new PENDING instance with one pending task
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/create>).

use std::sync::Mutex;

use serde_json::{Value, json};

use super::catalog::INSTANCE_STATUSES;
use super::data::{ApprovalData, Instance, built};
use super::form_rules::check_form;
use super::handlers::{APPROVAL_DELETED, APPROVAL_NOT_FOUND, USER_NOT_FOUND, param_invalid};
use super::instance::guid;
use super::people::Cast;
use crate::reply::Reply;
use crate::request::RequestView;

/// The instance's `uuid` was used before: "one uuid creates one instance; a conflict fails
/// with 60012" (the create page's `uuid` field).
pub(super) const UUID_CONFLICT: i64 = 60012;

/// What the create handler made, for the `approval_instance` event.
pub(super) struct Created {
    pub(super) approval_code: String,
    pub(super) instance_code: String,
}

fn body_str<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Creates an instance from the request, or says why not.
pub(super) fn create_instance(
    data: &Mutex<ApprovalData>,
    req: &RequestView,
) -> (Reply, Option<Created>) {
    let Some(body) = req.json.as_ref().filter(|b| b.is_object()) else {
        return (
            param_invalid("body", "", "the body must be a JSON object"),
            None,
        );
    };
    let mut data = built(data);
    match plan(&data, body) {
        Ok(plan) => {
            let created = insert(&mut data, plan);
            let reply = Reply::ok(json!({ "instance_code": created.instance_code }));
            (reply, Some(created))
        }
        Err(reply) => (reply, None),
    }
}

/// Who starts the instance and who approves it, once the request is valid.
struct Plan {
    approval_code: String,
    uuid: String,
    user: usize,
    approver: usize,
    department: String,
    form: String,
}

fn plan(data: &ApprovalData, body: &Value) -> Result<Plan, Reply> {
    let Some(approval_code) = body_str(body, "approval_code") else {
        return Err(param_invalid("approval_code", "", "is required"));
    };
    let definition = match data.definition(approval_code) {
        None => {
            return Err(Reply::err(
                400,
                APPROVAL_NOT_FOUND,
                "approval code not found",
            ));
        }
        Some(d) if d.deleted => {
            return Err(Reply::err(
                400,
                APPROVAL_DELETED,
                "approval has been deleted",
            ));
        }
        Some(d) => d,
    };
    let user = initiator(&data.cast, body)?;
    let uuid = body_str(body, "uuid").unwrap_or_default().to_string();
    if uuid.chars().count() > 64 || body.get("uuid").is_some_and(|u| u == "") {
        return Err(param_invalid("uuid", &uuid, "length must be 1..=64"));
    }
    if !uuid.is_empty()
        && data
            .instances
            .iter()
            .any(|i| i.uuid.eq_ignore_ascii_case(&uuid))
    {
        return Err(Reply::err(
            400,
            UUID_CONFLICT,
            format!("uuid conflict: {uuid} was already used"),
        ));
    }
    let Some(form) = body_str(body, "form") else {
        return Err(param_invalid("form", "", "is required"));
    };
    let submitted: Value = serde_json::from_str(form).map_err(|_| {
        param_invalid(
            "form",
            form,
            "form must be a JSON array serialised to a string",
        )
    })?;
    let schema: Value = serde_json::from_str(definition.data["form"].as_str().unwrap_or("[]"))
        .unwrap_or_else(|_| json!([]));
    check_form(
        schema.as_array().map_or(&[][..], Vec::as_slice),
        &submitted,
        &data.cast,
    )?;
    let approver = chosen_approver(&data.cast, body)?.unwrap_or((user + 1) % data.cast.users.len());
    let department = match body_str(body, "department_id") {
        Some(d) => d.to_string(),
        None => data.cast.departments[user % data.cast.departments.len()].clone(),
    };
    Ok(Plan {
        approval_code: approval_code.to_string(),
        uuid,
        user,
        approver,
        department,
        form: form.to_string(),
    })
}

/// `user_id` wins over `open_id`, as documented.
fn initiator(cast: &Cast, body: &Value) -> Result<usize, Reply> {
    let (id, kind) = match (body_str(body, "user_id"), body_str(body, "open_id")) {
        (Some(id), _) => (id, "user_id"),
        (None, Some(id)) => (id, "open_id"),
        (None, None) => {
            return Err(param_invalid(
                "user_id",
                "",
                "user_id or open_id is required",
            ));
        }
    };
    cast.find_user(id, kind)
        .ok_or_else(|| Reply::err(400, USER_NOT_FOUND, format!("user not found: {id}")))
}

/// The first approver given for a node (`node_approver_user_id_list` /
/// `node_approver_open_id_list`), if any; every approver named must be a user.
fn chosen_approver(cast: &Cast, body: &Value) -> Result<Option<usize>, Reply> {
    let mut chosen = None;
    for (list, kind) in [
        ("node_approver_user_id_list", "user_id"),
        ("node_approver_open_id_list", "open_id"),
    ] {
        let ids = body[list]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|entry| entry["value"].as_array().into_iter().flatten())
            .filter_map(Value::as_str);
        for id in ids {
            let user = cast.find_user(id, kind).ok_or_else(|| {
                Reply::err(400, USER_NOT_FOUND, format!("approver not found: {id}"))
            })?;
            chosen = chosen.or(Some(user));
        }
    }
    Ok(chosen)
}

fn insert(data: &mut ApprovalData, plan: Plan) -> Created {
    let mut rng = data.rng();
    let code = guid(&mut rng);
    let serial = data.take_serial();
    let start = data.cast.now_ms;
    let approval_name = data
        .definition(&plan.approval_code)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let user = &data.cast.users[plan.user];
    let approver = &data.cast.users[plan.approver];
    let task_id = format!("74{:017}", rng.u64(..10u64.pow(17)));
    let instance = json!({
        "approval_name": approval_name,
        "approval_code": plan.approval_code,
        "instance_code": code,
        "start_time": start.to_string(),
        "end_time": "0",
        "user_id": user.user_id,
        "open_id": user.open_id,
        "serial_number": format!("{:012}", 202_500_000_000u64 + serial),
        "department_id": plan.department,
        "status": INSTANCE_STATUSES[0],
        "uuid": plan.uuid,
        "reverted": false,
        "form": plan.form,
        "task_list": [{
            "id": task_id, "user_id": approver.user_id, "open_id": approver.open_id,
            "status": "PENDING", "node_id": "b1f0c0de0000000000000000000manag",
            "node_name": "Manager", "custom_node_id": "manager", "type": "OR",
            "start_time": start.to_string(), "end_time": "0",
        }],
        "comment_list": [],
        "timeline": [{
            "type": "START", "create_time": start.to_string(), "user_id": user.user_id,
            "open_id": user.open_id, "ext": "{}", "node_key": "APPLY",
        }],
    });
    data.insert(Instance {
        approval_code: plan.approval_code.clone(),
        code: code.clone(),
        uuid: plan.uuid,
        start_time: start,
        user: plan.user,
        data: instance,
        comments: Vec::new(),
    });
    Created {
        approval_code: plan.approval_code,
        instance_code: code,
    }
}
