//! The timeline of an instance (`timeline[]` of
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/get>).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use feishu_core::internal::de::{string_or_empty, vec_or_empty};
use feishu_core::internal::wire_enum;

use crate::comment::FileRef;

/// One timeline event. Unknown event types are kept in [`TimelineType::Unknown`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct TimelineEvent {
    /// Event type.
    #[serde(rename = "type")]
    pub event_type: TimelineType,
    /// When.
    #[serde(with = "crate::timestamp")]
    pub create_time: Option<OffsetDateTime>,
    /// Actor's user_id.
    #[serde(deserialize_with = "string_or_empty")]
    pub user_id: String,
    /// Actor's open_id.
    #[serde(deserialize_with = "string_or_empty")]
    pub open_id: String,
    /// Target user_ids (cc'd, transferees, added approvers).
    #[serde(deserialize_with = "vec_or_empty")]
    pub user_id_list: Vec<String>,
    /// Target open_ids.
    #[serde(deserialize_with = "vec_or_empty")]
    pub open_id_list: Vec<String>,
    /// Related task.
    #[serde(deserialize_with = "string_or_empty")]
    pub task_id: String,
    /// Reason text.
    #[serde(deserialize_with = "string_or_empty")]
    pub comment: String,
    /// Cc'd users.
    #[serde(deserialize_with = "vec_or_empty")]
    pub cc_user_list: Vec<CcUser>,
    /// `ext` as the JSON string Feishu sent; see [`TimelineEvent::ext_json`].
    #[serde(deserialize_with = "string_or_empty")]
    pub ext: String,
    /// Key of the node that produced the event.
    #[serde(deserialize_with = "string_or_empty")]
    pub node_key: String,
    /// Attached files.
    #[serde(deserialize_with = "vec_or_empty")]
    pub files: Vec<FileRef>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TimelineEvent {
    /// `ext` decoded, when it is valid JSON.
    pub fn ext_json(&self) -> Option<Value> {
        serde_json::from_str(&self.ext).ok()
    }
}

/// A cc'd user of a timeline event.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct CcUser {
    /// user_id.
    #[serde(deserialize_with = "string_or_empty")]
    pub user_id: String,
    /// Cc id within the instance.
    #[serde(deserialize_with = "string_or_empty")]
    pub cc_id: String,
    /// open_id.
    #[serde(deserialize_with = "string_or_empty")]
    pub open_id: String,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

wire_enum! {
    /// Type of a timeline event.
    pub enum TimelineType {
        /// Submitted.
        Start => "START",
        /// Approved by an approver.
        Pass => "PASS",
        /// Rejected by an approver.
        Reject => "REJECT",
        /// Passed automatically.
        AutoPass => "AUTO_PASS",
        /// Rejected automatically.
        AutoReject => "AUTO_REJECT",
        /// A duplicate approver was removed.
        RemoveRepeat => "REMOVE_REPEAT",
        /// Transferred (`user_id_list` = transferees).
        Transfer => "TRANSFER",
        /// Approver added before the current one.
        AddApproverBefore => "ADD_APPROVER_BEFORE",
        /// Approver added in parallel.
        AddApprover => "ADD_APPROVER",
        /// Approver added after the current one.
        AddApproverAfter => "ADD_APPROVER_AFTER",
        /// Approvers removed (`user_id_list` = affected users).
        DeleteApprover => "DELETE_APPROVER",
        /// Rolled back to a chosen node.
        RollbackSelected => "ROLLBACK_SELECTED",
        /// Rolled back to the start.
        Rollback => "ROLLBACK",
        /// Withdrawn.
        Cancel => "CANCEL",
        /// Deleted.
        Delete => "DELETE",
        /// Carbon copy (`ext.user_id` = cc'd user).
        Cc => "CC",
    }
}
