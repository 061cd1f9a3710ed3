//! Comments of an instance and the files attached to comments and timeline events
//! (`comment_list[]` of <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/get>).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use feishu_core::internal::de::{opt_i64, string_or_empty, vec_or_empty};

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
    #[serde(with = "crate::timestamp")]
    pub create_time: Option<OffsetDateTime>,
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
