//! Approval events: instance and task status changes.
//!
//! Both arrive only for approval definitions the app subscribed to with
//! [subscribe](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/subscribe),
//! and both use the v1 envelope (the event's `app_id`, `tenant_key` and `type` are in
//! [`EventHeader`](crate::EventHeader)).

use serde::Deserialize;
use serde_json::{Map, Value};

use feishu_core::internal::de::{opt_i64, string_or_empty as null_string};
use feishu_core::internal::wire_enum;

/// An approval instance changed status
/// ([approval_instance](https://open.feishu.cn/document/ukTMukTMukTM/uIDO24iM4YjLygjN/event/common-event/approval-instance-event);
/// the v2 form `approval.instance.status_changed_v4` decodes into the same type).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct InstanceStatusChanged {
    /// The approval definition code.
    #[serde(default, deserialize_with = "null_string")]
    pub approval_code: String,
    /// The instance code; fetch the instance for its details.
    #[serde(default, deserialize_with = "null_string")]
    pub instance_code: String,
    /// The new status.
    pub status: InstanceStatus,
    /// When the change happened, Unix ms. Sent as a string, except for `REVERTED` where it
    /// is a number (documented); both are accepted.
    #[serde(default, deserialize_with = "opt_i64")]
    pub operate_time: Option<i64>,
    /// When the change happened on the instance, Unix ms.
    #[serde(default, deserialize_with = "opt_i64")]
    pub instance_operate_time: Option<i64>,
    /// The `uuid` given when the instance was created through the API, if any.
    #[serde(default)]
    pub uuid: Option<String>,
    /// Fields not modelled here (including the v1 `app_id`, `tenant_key`, `type`).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An approval task changed status
/// ([approval_task](https://open.feishu.cn/document/ukTMukTMukTM/uIDO24iM4YjLygjN/event/common-event/approval-task-event)).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct TaskStatusChanged {
    /// The approval definition code.
    #[serde(default, deserialize_with = "null_string")]
    pub approval_code: String,
    /// The instance code.
    #[serde(default, deserialize_with = "null_string")]
    pub instance_code: String,
    /// The task id.
    #[serde(default, deserialize_with = "null_string")]
    pub task_id: String,
    /// The task's operator (open id); empty for automatically approved tasks.
    #[serde(default)]
    pub open_id: Option<String>,
    /// The task's operator (user id); empty for automatically approved tasks.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The new status.
    pub status: TaskStatus,
    /// When the change happened, Unix ms.
    #[serde(default, deserialize_with = "opt_i64")]
    pub operate_time: Option<i64>,
    /// The node's custom id (empty when the node has none).
    #[serde(default)]
    pub custom_key: Option<String>,
    /// The node's system id.
    #[serde(default)]
    pub def_key: Option<String>,
    /// Extra data as a JSON string; only on rollbacks (`rollback_node_ids`,
    /// `rollback_custom_node_ids`).
    #[serde(default)]
    pub extra: Option<String>,
    /// Fields not modelled here (including the v1 `app_id`, `tenant_key`, `type`).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

wire_enum! {
    /// Status of an approval instance in an `approval_instance` event (documented values).
    pub enum InstanceStatus {
        /// Under review.
        Pending => "PENDING",
        /// Approved.
        Approved => "APPROVED",
        /// Rejected.
        Rejected => "REJECTED",
        /// Withdrawn by the initiator.
        Canceled => "CANCELED",
        /// Deleted with its definition.
        Deleted => "DELETED",
        /// An approved instance revoked by its initiator (only events report this).
        Reverted => "REVERTED",
        /// Closed after timing out.
        OvertimeClose => "OVERTIME_CLOSE",
        /// A timed-out instance restored.
        OvertimeRecover => "OVERTIME_RECOVER",
    }
}

wire_enum! {
    /// Status of an approval task in an `approval_task` event (documented values).
    pub enum TaskStatus {
        /// Restored.
        Reverted => "REVERTED",
        /// Waiting for the approver.
        Pending => "PENDING",
        /// Approved.
        Approved => "APPROVED",
        /// Rejected.
        Rejected => "REJECTED",
        /// Transferred to someone else.
        Transferred => "TRANSFERRED",
        /// Sent back.
        Rollback => "ROLLBACK",
        /// Done (closed because another task decided the node).
        Done => "DONE",
        /// Closed after timing out.
        OvertimeClose => "OVERTIME_CLOSE",
        /// A timed-out task restored.
        OvertimeRecover => "OVERTIME_RECOVER",
    }
}
