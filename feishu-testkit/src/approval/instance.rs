//! One generated instance: its detail `data` with form, tasks, comments and a timeline that
//! together cover every documented event type.

use serde_json::{Value, json};

use super::catalog::{APPROVAL_CODE_PURCHASE, HOUR_MS};
use super::people::{Cast, User};

/// The event between START and the end of each instance, by serial.
const MIDDLE_EVENTS: &[&str] = &[
    "REMOVE_REPEAT",
    "TRANSFER",
    "ADD_APPROVER_BEFORE",
    "ADD_APPROVER",
    "ADD_APPROVER_AFTER",
    "DELETE_APPROVER",
    "ROLLBACK_SELECTED",
    "ROLLBACK",
    "CC",
    "PASS",
    "AUTO_PASS",
];

/// What decides an instance before its details are drawn.
pub(super) struct Generated<'a> {
    pub(super) approval_code: &'a str,
    pub(super) code: &'a str,
    pub(super) uuid: &'a str,
    pub(super) serial: u64,
    pub(super) start_time: i64,
    pub(super) status: &'a str,
    pub(super) user: usize,
}

fn timeline_event(kind: &str, at: i64, actor: &User, target: &User, task_id: &str) -> Value {
    let mut event = json!({
        "type": kind, "create_time": at.to_string(),
        "user_id": actor.user_id, "open_id": actor.open_id,
        "task_id": task_id, "node_key": "manager", "ext": "{}",
    });
    match kind {
        "TRANSFER"
        | "ADD_APPROVER_BEFORE"
        | "ADD_APPROVER"
        | "ADD_APPROVER_AFTER"
        | "DELETE_APPROVER" => {
            event["user_id_list"] = json!([target.user_id]);
            event["open_id_list"] = json!([target.open_id]);
            event["ext"] = json!(
                json!({ "user_id_list": [target.user_id], "open_id_list": [target.open_id] })
                    .to_string()
            );
        }
        "CC" => {
            event["cc_user_list"] =
                json!([{ "user_id": target.user_id, "cc_id": "cc1", "open_id": target.open_id }]);
            event["ext"] =
                json!(json!({ "user_id": target.user_id, "open_id": target.open_id }).to_string());
        }
        "REJECT" | "ROLLBACK" | "ROLLBACK_SELECTED" => {
            event["comment"] = json!("please fix the amounts");
        }
        "PASS" => {
            event["files"] = json!([{ "url": "https://example.invalid/sig.png", "file_size": 2048, "title": "sig.png", "type": "image" }]);
        }
        _ => {}
    }
    event
}

/// A status with the dataset's mix (30 % pending, 35 % approved, ...).
pub(super) fn pick_status(rng: &mut fastrand::Rng) -> &'static str {
    match rng.u32(..100) {
        0..30 => "PENDING",
        30..65 => "APPROVED",
        65..80 => "REJECTED",
        80..92 => "CANCELED",
        _ => "DELETED",
    }
}

/// An upper-case GUID, as instance codes are.
pub(super) fn guid(rng: &mut fastrand::Rng) -> String {
    let n = rng.u128(..);
    let hex = format!("{n:032X}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The detail `data` of the instance `g` describes, drawing the rest from `rng`.
pub(super) fn instance_data(
    cast: &Cast,
    approval_name: &str,
    g: &Generated<'_>,
    rng: &mut fastrand::Rng,
) -> Value {
    let user = &cast.users[g.user];
    let finished = g.status != "PENDING";
    let end_time = if finished {
        g.start_time + rng.i64(HOUR_MS / 2..8 * HOUR_MS)
    } else {
        0
    };
    let department = &cast.departments[g.user % cast.departments.len()];
    let form = if g.approval_code == APPROVAL_CODE_PURCHASE {
        cast.purchase_form(rng)
    } else {
        cast.leave_form(rng, g.serial)
    };
    let approver = &cast.users[(g.user + 1) % cast.users.len()];
    let other = &cast.users[(g.user + 2) % cast.users.len()];
    let node_id = format!("{:032x}", rng.u128(..));
    let task_id = format!("74{:017}", rng.u64(..10u64.pow(17)));
    let task_status = match g.status {
        "PENDING" => "PENDING",
        "APPROVED" => "APPROVED",
        "REJECTED" => "REJECTED",
        _ => "DONE",
    };
    let mut task_list = vec![json!({
        "id": task_id, "user_id": approver.user_id, "open_id": approver.open_id,
        "status": task_status, "node_id": node_id, "node_name": "Manager",
        "custom_node_id": "manager", "type": "OR",
        "start_time": (g.start_time + 1000).to_string(),
        "end_time": if finished { end_time.to_string() } else { "0".into() },
    })];
    let middle = MIDDLE_EVENTS[usize::try_from(g.serial).unwrap_or(0) % MIDDLE_EVENTS.len()];
    if middle == "TRANSFER" {
        task_list.insert(
            0,
            json!({
                "id": format!("74{:017}", rng.u64(..10u64.pow(17))), "user_id": other.user_id,
                "open_id": other.open_id, "status": "TRANSFERRED", "node_id": node_id,
                "node_name": "Manager", "type": "OR",
                "start_time": (g.start_time + 1000).to_string(),
                "end_time": (g.start_time + 2000).to_string(),
            }),
        );
    }
    let mut timeline = vec![json!({
        "type": "START", "create_time": g.start_time.to_string(),
        "user_id": user.user_id, "open_id": user.open_id, "ext": "{}", "node_key": "APPLY",
    })];
    timeline.push(timeline_event(
        middle,
        g.start_time + 5000,
        approver,
        other,
        &task_id,
    ));
    let last = match g.status {
        "APPROVED" if g.serial.is_multiple_of(2) => Some("AUTO_PASS"),
        "APPROVED" => Some("PASS"),
        "REJECTED" if g.serial.is_multiple_of(2) => Some("AUTO_REJECT"),
        "REJECTED" => Some("REJECT"),
        "CANCELED" => Some("CANCEL"),
        "DELETED" => Some("DELETE"),
        _ => None,
    };
    if let Some(kind) = last {
        let actor = if kind == "CANCEL" || kind == "DELETE" {
            user
        } else {
            approver
        };
        timeline.push(timeline_event(kind, end_time, actor, other, &task_id));
    }
    let comment_list: Vec<Value> = (0..g.serial % 3)
        .map(|k| {
            let mut comment = json!({
                "id": format!("75{:017}", rng.u64(..10u64.pow(17))),
                "user_id": approver.user_id, "open_id": approver.open_id,
                "comment": format!("comment {k} on #{}", g.serial),
                "create_time": (g.start_time + 10_000 + i64::try_from(k).unwrap_or(0)).to_string(),
            });
            if k == 1 {
                comment["files"] = json!([{
                    "url": "https://example.invalid/file?a=1&b=2", "file_size": 1024,
                    "title": "quote.pdf", "type": "attachment",
                }]);
            }
            comment
        })
        .collect();
    json!({
        "approval_name": approval_name,
        "approval_code": g.approval_code,
        "instance_code": g.code,
        "start_time": g.start_time.to_string(),
        "end_time": end_time.to_string(),
        "user_id": user.user_id,
        "open_id": user.open_id,
        "serial_number": format!("{:012}", 202_500_000_000u64 + g.serial),
        "department_id": department,
        "status": g.status,
        "uuid": g.uuid,
        "reverted": false,
        "form": form.to_string(),
        "task_list": task_list,
        "comment_list": comment_list,
        "timeline": timeline,
    })
}
