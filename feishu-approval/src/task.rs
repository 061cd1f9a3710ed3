//! One approval task of an instance (`task_list[]` of
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/get>).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use feishu_core::internal::de::{opt_string, string_or_empty};
use feishu_core::internal::wire_enum;

/// One approval task.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct Task {
    /// Task id.
    #[serde(deserialize_with = "string_or_empty")]
    pub id: String,
    /// Approver's user_id (empty for automatic decisions).
    #[serde(deserialize_with = "string_or_empty")]
    pub user_id: String,
    /// Approver's open_id (empty for automatic decisions).
    #[serde(deserialize_with = "string_or_empty")]
    pub open_id: String,
    /// Status.
    pub status: TaskStatus,
    /// Node id.
    #[serde(deserialize_with = "string_or_empty")]
    pub node_id: String,
    /// Node name.
    #[serde(deserialize_with = "string_or_empty")]
    pub node_name: String,
    /// Custom node id, when the node has one.
    #[serde(
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub custom_node_id: Option<String>,
    /// How the node decides.
    #[serde(rename = "type")]
    pub task_type: TaskType,
    /// Start time.
    #[serde(with = "crate::timestamp")]
    pub start_time: Option<OffsetDateTime>,
    /// End time (`None` while open).
    #[serde(with = "crate::timestamp")]
    pub end_time: Option<OffsetDateTime>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

wire_enum! {
    /// Status of one approval task.
    pub enum TaskStatus {
        /// Waiting for the approver.
        Pending => "PENDING",
        /// Approved.
        Approved => "APPROVED",
        /// Rejected.
        Rejected => "REJECTED",
        /// Handed to someone else.
        Transferred => "TRANSFERRED",
        /// Finished without a decision of its own (e.g. the instance ended).
        Done => "DONE",
    }
}

wire_enum! {
    /// How a task's node decides.
    pub enum TaskType {
        /// All approvers must approve.
        And => "AND",
        /// Any approver decides.
        Or => "OR",
        /// Passed automatically.
        AutoPass => "AUTO_PASS",
        /// Rejected automatically.
        AutoReject => "AUTO_REJECT",
        /// Approvers in sequence.
        Sequential => "SEQUENTIAL",
    }
}
