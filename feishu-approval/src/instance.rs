//! One approval instance: `GET /open-apis/approval/v4/instances/:instance_id` (§5.3).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use feishu_core::internal::de::{
    bool_or_false, opt_i64, opt_string, string_or_empty, vec_or_empty,
};
use feishu_core::{Client, Request, Result, UserIdType};

use crate::GET_INSTANCE;
use crate::enums::{InstanceStatus, TaskStatus, TaskType, TimelineType};
use crate::form::Form;
use crate::rows::{self, CommentRow, FormRow, TaskRow, TimelineRow};
use crate::times::opt_ms;

/// An instance with its typed fields and the reply's `data` object exactly as sent.
///
/// The raw JSON is the guarantee: whatever the typed [`Instance`] does not model (new
/// fields, odd shapes) is still in [`InstanceDetail::raw`], unchanged. Serialising an
/// `InstanceDetail` writes `raw`; deserialising one decodes the typed view from it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct InstanceDetail {
    /// The typed view.
    pub instance: Instance,
    /// The `data` object of the reply, unchanged.
    pub raw: Value,
}

impl InstanceDetail {
    /// Decodes the typed view of a `data` object, keeping the object.
    pub fn from_raw(raw: Value) -> serde_json::Result<InstanceDetail> {
        let instance = Instance::deserialize(&raw)?;
        Ok(InstanceDetail { instance, raw })
    }

    /// The instance code.
    pub fn code(&self) -> &str {
        &self.instance.instance_code
    }

    /// The parsed form (see [`Form`]; never fails).
    pub fn form(&self) -> Form {
        self.instance.form()
    }

    /// The form flattened into key/value rows (see [`crate::rows`]).
    pub fn form_rows(&self) -> Vec<FormRow> {
        rows::form_rows(self.code(), &self.form())
    }

    /// One row per task, with its index.
    pub fn task_rows(&self) -> Vec<TaskRow> {
        rows::task_rows(&self.instance)
    }

    /// One row per timeline event, with its index.
    pub fn timeline_rows(&self) -> Vec<TimelineRow> {
        rows::timeline_rows(&self.instance)
    }

    /// One row per comment, with its index.
    pub fn comment_rows(&self) -> Vec<CommentRow> {
        rows::comment_rows(&self.instance)
    }
}

impl Serialize for InstanceDetail {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for InstanceDetail {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let raw = Value::deserialize(d)?;
        InstanceDetail::from_raw(raw).map_err(serde::de::Error::custom)
    }
}

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
    #[serde(deserialize_with = "opt_ms")]
    pub start_time: Option<i64>,
    /// End time (`None` while open).
    #[serde(deserialize_with = "opt_ms")]
    pub end_time: Option<i64>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A comment.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct Comment {
    /// Comment id.
    #[serde(deserialize_with = "string_or_empty")]
    pub id: String,
    /// Author's user_id.
    #[serde(deserialize_with = "string_or_empty")]
    pub user_id: String,
    /// Author's open_id.
    #[serde(deserialize_with = "string_or_empty")]
    pub open_id: String,
    /// Text.
    #[serde(deserialize_with = "string_or_empty")]
    pub comment: String,
    /// Creation time.
    #[serde(deserialize_with = "opt_ms")]
    pub create_time: Option<i64>,
    /// Attached files.
    #[serde(deserialize_with = "vec_or_empty")]
    pub files: Vec<FileRef>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A file attached to a comment or a timeline event. URLs are signed and expire.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct FileRef {
    /// Download URL.
    #[serde(deserialize_with = "string_or_empty")]
    pub url: String,
    /// Size in bytes.
    #[serde(deserialize_with = "opt_i64")]
    pub file_size: Option<i64>,
    /// File name.
    #[serde(deserialize_with = "string_or_empty")]
    pub title: String,
    /// `image` or `attachment`.
    #[serde(rename = "type", deserialize_with = "string_or_empty")]
    pub file_type: String,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One timeline event. Unknown event types are kept in [`TimelineType::Unknown`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct TimelineEvent {
    /// Event type.
    #[serde(rename = "type")]
    pub event_type: TimelineType,
    /// When.
    #[serde(deserialize_with = "opt_ms")]
    pub create_time: Option<i64>,
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

/// Request builder for one instance; from [`crate::Approval::get_instance`].
#[derive(Debug, Clone)]
#[must_use]
pub struct GetInstance {
    client: Client,
    instance_id: String,
    pub(crate) params: InstanceParams,
}

/// Optional parameters of the instance GET, shared with the concurrent fetcher.
#[derive(Debug, Clone, Default)]
pub(crate) struct InstanceParams {
    pub(crate) locale: Option<String>,
    pub(crate) user_id: Option<String>,
    pub(crate) user_id_type: Option<UserIdType>,
    pub(crate) nested_mutable_group: Option<bool>,
}

impl InstanceParams {
    pub(crate) fn request(&self, instance_id: &str) -> Result<Request> {
        Ok(Request::new(GET_INSTANCE, &[instance_id])?
            .query_opt("locale", self.locale.as_deref())
            .query_opt("user_id", self.user_id.as_deref())
            .query_opt("user_id_type", self.user_id_type.map(UserIdType::as_str))
            .query_opt("nested_mutable_group", self.nested_mutable_group))
    }
}

impl GetInstance {
    pub(crate) fn new(client: Client, instance_id: String) -> Self {
        GetInstance {
            client,
            instance_id,
            params: InstanceParams::default(),
        }
    }

    /// Language of names and labels (`zh-CN`, `en-US`, ...).
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.params.locale = Some(locale.into());
        self
    }

    /// The initiator's id (of type [`GetInstance::user_id_type`]).
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.params.user_id = Some(user_id.into());
        self
    }

    /// The id type of `user_id` (default `open_id`).
    pub fn user_id_type(mut self, user_id_type: UserIdType) -> Self {
        self.params.user_id_type = Some(user_id_type);
        self
    }

    /// Whether to return full reference-Bitable widget data.
    pub fn nested_mutable_group(mut self, nested: bool) -> Self {
        self.params.nested_mutable_group = Some(nested);
        self
    }

    /// Fetches the instance. Unknown code → `Err` with code 1390003.
    pub async fn send(self) -> Result<InstanceDetail> {
        self.client
            .send(self.params.request(&self.instance_id)?)
            .await
    }
}
