//! The typed fields of one approval instance (`data` of
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/get>),
//! and how they are read from a reply that may not match its documentation.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use feishu_core::internal::de::{bool_or_false, string_or_empty};
use feishu_core::internal::wire_enum;

use crate::comment::Comment;
use crate::ids::{ApprovalCode, InstanceCode, id_or_empty, opt_id};
use crate::task::Task;
use crate::timeline::TimelineEvent;

/// The typed fields of an instance.
///
/// Times are [`OffsetDateTime`]s read from Feishu's Unix milliseconds; `None` means unset
/// (Feishu sends `"0"` for an open instance's `end_time`). Serialised as JSON, times are Unix
/// milliseconds again. Fields this SDK does not model are kept in [`Instance::extra`].
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[non_exhaustive]
pub struct Instance {
    /// Definition name.
    pub approval_name: String,
    /// Definition code.
    pub approval_code: ApprovalCode,
    /// Instance code.
    pub instance_code: InstanceCode,
    /// Creation time.
    #[serde(with = "crate::timestamp")]
    pub start_time: Option<OffsetDateTime>,
    /// Finish time (`None` while unfinished).
    #[serde(with = "crate::timestamp")]
    pub end_time: Option<OffsetDateTime>,
    /// Initiator's user_id (needs `contact:user.employee_id:readonly`).
    pub user_id: String,
    /// Initiator's open_id.
    pub open_id: String,
    /// Tenant-unique human number.
    pub serial_number: String,
    /// Initiator's department.
    pub department_id: String,
    /// Status.
    pub status: InstanceStatus,
    /// Caller-chosen creation id, if any.
    pub uuid: String,
    /// The form as the JSON string Feishu sent; parsed by
    /// [`InstanceDetail::form`](crate::InstanceDetail::form) or [`Form::parse`](crate::Form::parse).
    pub form: String,
    /// Every task of every node (empty when `task_list` could not be read; see
    /// [`DecodeProblem`]).
    pub task_list: Vec<Task>,
    /// Comments (likewise).
    pub comment_list: Vec<Comment>,
    /// Events, oldest first as sent (likewise).
    pub timeline: Vec<TimelineEvent>,
    /// On a modification instance: the original's code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_instance_code: Option<InstanceCode>,
    /// On a revert instance: the original's code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reverted_instance_code: Option<InstanceCode>,
    /// Whether the instance was reverted after completion.
    pub reverted: bool,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

wire_enum! {
    /// Status of an approval instance (`status`). The search API's lower-case values map to
    /// the same variants. `CANCELED` covers both a withdrawal before completion and a revoke
    /// after it: the instance GET never reports `REVERTED`
    /// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval-related-faqs>).
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

/// Something in an instance reply that could not be read into the typed [`Instance`]. The
/// data is not lost: the reply's `data` is kept unchanged in
/// [`InstanceDetail::raw`](crate::InstanceDetail::raw).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum DecodeProblem {
    /// `data` is not a JSON object with an instance's fields (or repeats a field): no typed
    /// field could be read.
    Unreadable {
        /// Why, as serde_json says it.
        error: String,
    },
    /// A list (`task_list`, `comment_list` or `timeline`) is not a JSON array; its typed list
    /// is empty.
    NotAList {
        /// The field.
        field: &'static str,
        /// What was found instead (`a string`, `an object`, ...).
        found: &'static str,
    },
    /// One element of such a list could not be decoded; the typed list goes without it.
    BadElement {
        /// The field.
        field: &'static str,
        /// The element's position in the list sent, from 0.
        index: usize,
        /// Why, as serde_json says it.
        error: String,
    },
}

impl fmt::Display for DecodeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeProblem::Unreadable { error } => {
                write!(f, "the instance could not be read: {error}")
            }
            DecodeProblem::NotAList { field, found } => {
                write!(f, "`{field}` is {found}, not a list")
            }
            DecodeProblem::BadElement {
                field,
                index,
                error,
            } => write!(f, "`{field}[{index}]` could not be read: {error}"),
        }
    }
}

/// `data` of an instance reply as sent: every scalar field read leniently, the three lists
/// borrowed as raw JSON so that one of the wrong shape cannot fail the rest.
#[derive(Deserialize, Default)]
#[serde(default)]
struct WireInstance<'a> {
    #[serde(deserialize_with = "string_or_empty")]
    approval_name: String,
    #[serde(deserialize_with = "id_or_empty")]
    approval_code: ApprovalCode,
    #[serde(deserialize_with = "id_or_empty")]
    instance_code: InstanceCode,
    #[serde(with = "crate::timestamp")]
    start_time: Option<OffsetDateTime>,
    #[serde(with = "crate::timestamp")]
    end_time: Option<OffsetDateTime>,
    #[serde(deserialize_with = "string_or_empty")]
    user_id: String,
    #[serde(deserialize_with = "string_or_empty")]
    open_id: String,
    #[serde(deserialize_with = "string_or_empty")]
    serial_number: String,
    #[serde(deserialize_with = "string_or_empty")]
    department_id: String,
    status: InstanceStatus,
    #[serde(deserialize_with = "string_or_empty")]
    uuid: String,
    #[serde(deserialize_with = "string_or_empty")]
    form: String,
    #[serde(borrow)]
    task_list: Option<&'a RawValue>,
    #[serde(borrow)]
    comment_list: Option<&'a RawValue>,
    #[serde(borrow)]
    timeline: Option<&'a RawValue>,
    #[serde(deserialize_with = "opt_id")]
    modified_instance_code: Option<InstanceCode>,
    #[serde(deserialize_with = "opt_id")]
    reverted_instance_code: Option<InstanceCode>,
    #[serde(deserialize_with = "bool_or_false")]
    reverted: bool,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl Instance {
    /// Reads the `data` of an instance reply. Never fails: what cannot be read is left out of
    /// the typed fields and reported.
    pub(crate) fn read(json: &str) -> (Instance, Vec<DecodeProblem>) {
        let mut problems = Vec::new();
        let wire = match serde_json::from_str::<WireInstance<'_>>(json) {
            Ok(wire) => wire,
            Err(e) => {
                problems.push(DecodeProblem::Unreadable {
                    error: e.to_string(),
                });
                return (Instance::default(), problems);
            }
        };
        let instance = Instance {
            task_list: list("task_list", wire.task_list, &mut problems),
            comment_list: list("comment_list", wire.comment_list, &mut problems),
            timeline: list("timeline", wire.timeline, &mut problems),
            approval_name: wire.approval_name,
            approval_code: wire.approval_code,
            instance_code: wire.instance_code,
            start_time: wire.start_time,
            end_time: wire.end_time,
            user_id: wire.user_id,
            open_id: wire.open_id,
            serial_number: wire.serial_number,
            department_id: wire.department_id,
            status: wire.status,
            uuid: wire.uuid,
            form: wire.form,
            modified_instance_code: wire.modified_instance_code,
            reverted_instance_code: wire.reverted_instance_code,
            reverted: wire.reverted,
            extra: wire.extra,
        };
        (instance, problems)
    }
}

/// A list field: decoded in one pass when it is a list of well-formed elements; otherwise
/// element by element, reporting what is not a list or an element that does not decode.
fn list<T: DeserializeOwned>(
    field: &'static str,
    raw: Option<&RawValue>,
    problems: &mut Vec<DecodeProblem>,
) -> Vec<T> {
    let Some(raw) = raw else {
        return Vec::new();
    };
    if let Ok(items) = serde_json::from_str::<Option<Vec<T>>>(raw.get()) {
        return items.unwrap_or_default();
    }
    let Ok(elements) = serde_json::from_str::<Vec<&RawValue>>(raw.get()) else {
        problems.push(DecodeProblem::NotAList {
            field,
            found: json_kind(raw.get()),
        });
        return Vec::new();
    };
    let mut items = Vec::with_capacity(elements.len());
    for (index, element) in elements.into_iter().enumerate() {
        match serde_json::from_str::<T>(element.get()) {
            Ok(item) => items.push(item),
            Err(e) => problems.push(DecodeProblem::BadElement {
                field,
                index,
                error: e.to_string(),
            }),
        }
    }
    items
}

/// What kind of JSON value a (valid) JSON text holds.
fn json_kind(json: &str) -> &'static str {
    match json.trim_start().as_bytes().first() {
        Some(b'"') => "a string",
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b't' | b'f') => "a bool",
        Some(b'n') => "null",
        _ => "a number",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unknown_statuses_are_kept_and_known_ones_match_any_case() {
        let s: InstanceStatus = serde_json::from_str("\"pending\"").unwrap();
        assert_eq!(s, InstanceStatus::Pending);
        let s: InstanceStatus = serde_json::from_str("\"REVERTED\"").unwrap();
        assert_eq!(s, InstanceStatus::Unknown("REVERTED".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"REVERTED\"");
    }

    fn task(id: &str) -> Value {
        json!({"id": id, "status": "PENDING", "type": "OR", "start_time": "1735700001000"})
    }

    #[test]
    fn a_list_of_the_wrong_shape_is_reported_and_the_rest_is_read() {
        let tasks = Value::Array(vec![task("t1")]).to_string();
        for (task_list, found) in [(json!(tasks), "a string"), (task("t1"), "an object")] {
            let data = json!({
                "instance_code": "I1", "status": "APPROVED", "task_list": task_list,
                "timeline": [{"type": "START", "create_time": "1735700000000"}],
            });
            let (instance, problems) = Instance::read(&data.to_string());
            assert_eq!(instance.instance_code, "I1");
            assert_eq!(instance.status, InstanceStatus::Approved);
            assert!(instance.task_list.is_empty());
            assert_eq!(instance.timeline.len(), 1);
            assert_eq!(
                problems,
                vec![DecodeProblem::NotAList {
                    field: "task_list",
                    found
                }]
            );
            assert_eq!(
                problems[0].to_string(),
                format!("`task_list` is {found}, not a list")
            );
        }
    }

    #[test]
    fn a_bad_element_is_left_out_and_its_neighbours_kept() {
        let data = json!({
            "instance_code": "I1",
            "task_list": [task("t1"), "garbage", task("t3")],
            "comment_list": null,
            "timeline": [],
        });
        let (instance, problems) = Instance::read(&data.to_string());
        let ids: Vec<&str> = instance.task_list.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["t1", "t3"]);
        assert!(matches!(
            problems.as_slice(),
            [DecodeProblem::BadElement {
                field: "task_list",
                index: 1,
                ..
            }]
        ));
    }

    #[test]
    fn a_reply_that_is_no_object_is_unreadable_not_an_error() {
        for data in [
            "\"text\"",
            "[1,2]",
            "42",
            "{\"status\":\"A\",\"status\":\"B\"}",
        ] {
            let (instance, problems) = Instance::read(data);
            assert_eq!(instance, Instance::default(), "{data}");
            assert!(
                matches!(problems.as_slice(), [DecodeProblem::Unreadable { .. }]),
                "{data}: {problems:?}"
            );
        }
    }

    #[test]
    fn unknown_fields_and_lenient_scalars() {
        let data = json!({
            "instance_code": 42, "start_time": 1735700000000_i64, "end_time": "0",
            "reverted": "true", "modified_instance_code": "", "new_field": {"x": 1},
        });
        let (instance, problems) = Instance::read(&data.to_string());
        assert!(problems.is_empty());
        assert_eq!(instance.instance_code, "42");
        assert_eq!(
            instance.start_time.map(feishu_core::internal::unix_ms),
            Some(1735700000000)
        );
        assert_eq!(instance.end_time, None);
        assert!(instance.reverted);
        assert_eq!(instance.modified_instance_code, None);
        assert_eq!(instance.extra["new_field"], json!({"x": 1}));
    }
}
