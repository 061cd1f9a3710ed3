//! The Bitable record change event
//! ([drive.file.bitable_record_changed_v1](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/drive-v1/file/events/bitable_record_changed);
//! node-sdk `code-gen/events-template.ts`).
//!
//! It arrives only for Bases the app subscribed to with the drive
//! [subscribe](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/drive-v1/file/subscribe)
//! call, and never carries formula fields.

use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use feishu_core::internal::de::{
    opt_i64, string_or_empty as null_string, vec_or_empty as null_vec,
};

/// Records of one table changed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct RecordChanged {
    /// Always `bitable`.
    #[serde(default, deserialize_with = "null_string")]
    pub file_type: String,
    /// The Base (app) token.
    #[serde(default, deserialize_with = "null_string")]
    pub file_token: String,
    /// The table whose records changed.
    #[serde(default, deserialize_with = "null_string")]
    pub table_id: String,
    /// The table's revision after the change.
    #[serde(default, deserialize_with = "opt_i64")]
    pub revision: Option<i64>,
    /// Who made the change.
    #[serde(default)]
    pub operator_id: Option<UserIds>,
    /// One entry per changed record.
    #[serde(default, deserialize_with = "null_vec")]
    pub action_list: Vec<RecordAction>,
    /// The users whose subscription produced this event.
    #[serde(default, deserialize_with = "null_vec")]
    pub subscriber_id_list: Vec<UserIds>,
    /// When the change happened, Unix seconds.
    #[serde(default, deserialize_with = "opt_i64")]
    pub update_time: Option<i64>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The three ids of a user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct UserIds {
    /// Union id.
    #[serde(default)]
    pub union_id: Option<String>,
    /// User id (needs the employee-id scope).
    #[serde(default)]
    pub user_id: Option<String>,
    /// Open id.
    #[serde(default)]
    pub open_id: Option<String>,
}

/// What happened to one record.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct RecordAction {
    /// The record id.
    #[serde(default, deserialize_with = "null_string")]
    pub record_id: String,
    /// Added, edited or deleted.
    pub action: RecordActionKind,
    /// The changed fields before the change (empty for an addition).
    #[serde(default, deserialize_with = "null_vec")]
    pub before_value: Vec<FieldChange>,
    /// The changed fields after the change (empty for a deletion).
    #[serde(default, deserialize_with = "null_vec")]
    pub after_value: Vec<FieldChange>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One field's value in a record change.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct FieldChange {
    /// The field id.
    #[serde(default, deserialize_with = "null_string")]
    pub field_id: String,
    /// The value serialized as a JSON string, in the shape of the Bitable
    /// [data structure](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/bitable/development-guide/bitable-structure).
    /// Use [`FieldChange::value`] to parse it.
    #[serde(default, deserialize_with = "null_string")]
    pub field_value: String,
    /// For person, creator and modifier fields: the people involved.
    #[serde(default)]
    pub field_identity_value: Option<Value>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl FieldChange {
    /// The value parsed from its JSON string (`Value::Null` for an empty string).
    pub fn value(&self) -> Result<Value, serde_json::Error> {
        if self.field_value.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&self.field_value)
    }
}

/// The kind of a record change (documented values).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordActionKind {
    /// `record_added`.
    Added,
    /// `record_edited`.
    Edited,
    /// `record_deleted`.
    Deleted,
    /// An action this crate does not know yet, as sent.
    Unknown(String),
}

impl RecordActionKind {
    /// The action as Feishu spells it.
    pub fn as_str(&self) -> &str {
        match self {
            RecordActionKind::Added => "record_added",
            RecordActionKind::Edited => "record_edited",
            RecordActionKind::Deleted => "record_deleted",
            RecordActionKind::Unknown(other) => other,
        }
    }
}

impl fmt::Display for RecordActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RecordActionKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Option::<String>::deserialize(d)?.unwrap_or_default();
        Ok(match s.as_str() {
            "record_added" => RecordActionKind::Added,
            "record_edited" => RecordActionKind::Edited,
            "record_deleted" => RecordActionKind::Deleted,
            _ => RecordActionKind::Unknown(s),
        })
    }
}
