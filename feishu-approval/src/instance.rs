//! The typed fields of one approval instance (`data` of
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/get>).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use feishu_core::internal::de::{bool_or_false, opt_string, string_or_empty, vec_or_empty};
use feishu_core::internal::wire_enum;

use crate::comment::Comment;
use crate::form::Form;
use crate::task::Task;
use crate::timeline::TimelineEvent;
use crate::times::opt_ms;

/// The typed fields of an instance. Times are Unix milliseconds; `None` means unset
/// (Feishu sends `"0"` for an open instance's `end_time`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct Instance {
    /// Definition name.
    #[serde(deserialize_with = "string_or_empty")]
    pub approval_name: String,
    /// Definition code.
    #[serde(deserialize_with = "string_or_empty")]
    pub approval_code: String,
    /// Instance code.
    #[serde(deserialize_with = "string_or_empty")]
    pub instance_code: String,
    /// Creation time.
    #[serde(deserialize_with = "opt_ms")]
    pub start_time: Option<i64>,
    /// Finish time (`None` while unfinished).
    #[serde(deserialize_with = "opt_ms")]
    pub end_time: Option<i64>,
    /// Initiator's user_id (needs `contact:user.employee_id:readonly`).
    #[serde(deserialize_with = "string_or_empty")]
    pub user_id: String,
    /// Initiator's open_id.
    #[serde(deserialize_with = "string_or_empty")]
    pub open_id: String,
    /// Tenant-unique human number.
    #[serde(deserialize_with = "string_or_empty")]
    pub serial_number: String,
    /// Initiator's department.
    #[serde(deserialize_with = "string_or_empty")]
    pub department_id: String,
    /// Status.
    pub status: InstanceStatus,
    /// Caller-chosen creation id, if any.
    #[serde(deserialize_with = "string_or_empty")]
    pub uuid: String,
    /// The form as the JSON string Feishu sent; see [`Instance::form`].
    #[serde(deserialize_with = "string_or_empty")]
    pub form: String,
    /// Every task of every node.
    #[serde(deserialize_with = "vec_or_empty")]
    pub task_list: Vec<Task>,
    /// Comments.
    #[serde(deserialize_with = "vec_or_empty")]
    pub comment_list: Vec<Comment>,
    /// Events, oldest first as sent.
    #[serde(deserialize_with = "vec_or_empty")]
    pub timeline: Vec<TimelineEvent>,
    /// On a modification instance: the original's code.
    #[serde(
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub modified_instance_code: Option<String>,
    /// On a revert instance: the original's code.
    #[serde(
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub reverted_instance_code: Option<String>,
    /// Whether the instance was reverted after completion.
    #[serde(deserialize_with = "bool_or_false")]
    pub reverted: bool,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Instance {
    /// The parsed form (never fails; malformed forms are reported in [`Form::warnings`]).
    pub fn form(&self) -> Form {
        Form::parse(&self.form)
    }
}

wire_enum! {
    /// Status of an approval instance (`status`). The query API's lower-case values map to
    /// the same variants. `CANCELED` covers both a withdrawal before completion and a revoke
    /// after it (feishu-api.md §5.3).
    pub enum InstanceStatus {
        /// Waiting for approvers.
        Pending => "PENDING",
        /// Approved.
        Approved => "APPROVED",
        /// Rejected.
        Rejected => "REJECTED",
        /// Withdrawn or revoked.
        Canceled => "CANCELED",
        /// Deleted.
        Deleted => "DELETED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_statuses_are_kept_and_known_ones_match_any_case() {
        let s: InstanceStatus = serde_json::from_str("\"pending\"").unwrap();
        assert_eq!(s, InstanceStatus::Pending);
        let s: InstanceStatus = serde_json::from_str("\"REVERTED\"").unwrap();
        assert_eq!(s, InstanceStatus::Unknown("REVERTED".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"REVERTED\"");
    }
}
