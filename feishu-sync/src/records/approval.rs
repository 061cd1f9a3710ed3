//! The five approval streams: one instance fetch feeds them all.

use feishu_approval::{Task, TimelineEvent};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::stream_record;

/// The instance as Feishu sent it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ApprovalInstanceRaw {
    /// Approval instance code.
    pub instance_code: String,
    /// Approval definition code (from the config).
    pub approval_code: String,
    /// Instance creation time, Unix ms (the cursor).
    pub start_time: Option<i64>,
    /// The instance GET reply's `data` object, unchanged (form, tasks, timeline, comments).
    #[schemars(with = "Map<String, Value>")]
    pub data: Box<RawValue>,
    /// Set only when the reply did not match its documented shape (e.g. a `task_list` that
    /// is not a list): what could not be read. The other approval streams then lack that
    /// part; `data` has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decode_error: Option<String>,
}
stream_record!(
    ApprovalInstanceRaw,
    "approval_instances_raw",
    Approval,
    ["instance_code"],
    Some("start_time")
);

/// An instance's base fields.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ApprovalInstance {
    /// Approval instance code.
    pub instance_code: String,
    /// Approval definition code (from the config).
    pub approval_code: String,
    /// Definition name.
    pub approval_name: Option<String>,
    /// `PENDING`, `APPROVED`, `REJECTED`, `CANCELED`, `DELETED`, or another value as Feishu
    /// sends it.
    pub status: Option<String>,
    /// Instance creation time, Unix ms (the cursor).
    pub start_time: Option<i64>,
    /// Finish time, Unix ms; null while unfinished.
    pub end_time: Option<i64>,
    /// Initiator's `user_id` (needs `contact:user.employee_id:readonly`).
    pub user_id: Option<String>,
    /// Initiator's `open_id`.
    pub open_id: Option<String>,
    /// Initiator's department.
    pub department_id: Option<String>,
    /// Tenant-unique human-readable number.
    pub serial_number: Option<String>,
    /// Caller-chosen creation id, if any.
    pub uuid: Option<String>,
    /// Whether the instance was reverted.
    pub reverted: Option<bool>,
    /// False when the form was not valid JSON (the raw form is in `approval_instances_raw`).
    pub form_parse_ok: Option<bool>,
}
stream_record!(
    ApprovalInstance,
    "approval_instances",
    Approval,
    ["instance_code"],
    Some("start_time")
);

/// One row per form widget, and per cell of a `fieldList` table.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ApprovalInstanceField {
    /// Approval instance code.
    pub instance_code: String,
    /// Stable path of the widget in the form: `w1`, or `w2[0].w3` for a cell of a
    /// `fieldList` table.
    pub widget_path: String,
    /// Widget id.
    pub widget_id: Option<String>,
    /// Widget label (may be empty for cells).
    pub name: Option<String>,
    /// Widget type as Feishu names it (`input`, `amount`, `fieldList`, ...).
    #[serde(rename = "type")]
    pub widget_type: Option<String>,
    /// The value as sent (for a `fieldList`, the whole table).
    #[schemars(with = "Option<Value>")]
    pub value: Value,
    /// The widget's `ext` object, when it has one.
    #[schemars(with = "Option<Value>")]
    pub ext: Option<Value>,
    /// For a cell: the `fieldList` widget's id.
    pub parent_widget_id: Option<String>,
    /// For a cell: its row in the table, from 0.
    pub row_index: Option<usize>,
    /// Instance creation time, Unix ms (the cursor).
    pub start_time: Option<i64>,
}
stream_record!(
    ApprovalInstanceField,
    "approval_instance_fields",
    Approval,
    ["instance_code", "widget_path"],
    Some("start_time")
);

/// One row per approval task of an instance.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ApprovalTask {
    /// Approval instance code.
    pub instance_code: String,
    /// Task id (`#<index>` when Feishu sends none).
    pub task_id: String,
    /// Position in the instance's `task_list`, from 0.
    pub index: Option<usize>,
    /// Instance creation time, Unix ms (the cursor).
    pub start_time: Option<i64>,
    /// The task object (status, approver, times, ...), as `feishu_approval::Task`
    /// serialises it.
    #[schemars(with = "Option<Value>")]
    pub task: Task,
}
stream_record!(
    ApprovalTask,
    "approval_tasks",
    Approval,
    ["instance_code", "task_id"],
    Some("start_time")
);

/// One row per event of an instance's timeline.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ApprovalTimelineEvent {
    /// Approval instance code.
    pub instance_code: String,
    /// Position in the instance's timeline, from 0.
    pub index: usize,
    /// Instance creation time, Unix ms (the cursor).
    pub start_time: Option<i64>,
    /// The timeline event object (type, user, time, ...), as
    /// `feishu_approval::TimelineEvent` serialises it.
    #[schemars(with = "Option<Value>")]
    pub event: TimelineEvent,
}
stream_record!(
    ApprovalTimelineEvent,
    "approval_timeline",
    Approval,
    ["instance_code", "index"],
    Some("start_time")
);
