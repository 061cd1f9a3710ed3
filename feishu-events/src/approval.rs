//! Approval events: instance and task status changes.
//!
//! Both arrive only for approval definitions the app subscribed to with
//! [subscribe](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/subscribe),
//! and both use the v1 envelope (the event's `app_id`, `tenant_key` and `type` are in
//! [`EventHeader`](crate::EventHeader)).

use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::de::{null_string, opt_i64};

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

macro_rules! status_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $wire:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// A status this crate does not know yet, as sent.
            Unknown(String),
        }

        impl $name {
            /// The status as Feishu spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Unknown(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($wire => $name::$variant,)*
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = Option::<String>::deserialize(d)?.unwrap_or_default();
                Ok($name::from(s.as_str()))
            }
        }
    };
}

status_enum! {
    /// Status of an approval instance in an `approval_instance` event (documented values).
    InstanceStatus {
        /// Under review.
        Pending = "PENDING",
        /// Approved.
        Approved = "APPROVED",
        /// Rejected.
        Rejected = "REJECTED",
        /// Withdrawn by the initiator.
        Canceled = "CANCELED",
        /// Deleted with its definition.
        Deleted = "DELETED",
        /// An approved instance revoked by its initiator (only events report this).
        Reverted = "REVERTED",
        /// Closed after timing out.
        OvertimeClose = "OVERTIME_CLOSE",
        /// A timed-out instance restored.
        OvertimeRecover = "OVERTIME_RECOVER",
    }
}

status_enum! {
    /// Status of an approval task in an `approval_task` event (documented values).
    TaskStatus {
        /// Restored.
        Reverted = "REVERTED",
        /// Waiting for the approver.
        Pending = "PENDING",
        /// Approved.
        Approved = "APPROVED",
        /// Rejected.
        Rejected = "REJECTED",
        /// Transferred to someone else.
        Transferred = "TRANSFERRED",
        /// Sent back.
        Rollback = "ROLLBACK",
        /// Done (closed because another task decided the node).
        Done = "DONE",
        /// Closed after timing out.
        OvertimeClose = "OVERTIME_CLOSE",
        /// A timed-out task restored.
        OvertimeRecover = "OVERTIME_RECOVER",
    }
}
