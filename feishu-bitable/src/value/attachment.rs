//! [`Attachment`]: one file of an attachment cell.

use feishu_core::internal::de::{opt_i64, opt_string, string_or_empty};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One file of an attachment cell. `url` / `tmp_url` point at the Drive media API and need a
/// Bearer token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct Attachment {
    /// Drive file token.
    #[serde(deserialize_with = "string_or_empty")]
    pub file_token: String,
    /// File name.
    #[serde(deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// MIME type (`type` on the wire).
    #[serde(rename = "type", deserialize_with = "opt_string")]
    pub mime_type: Option<String>,
    /// Size in bytes.
    #[serde(deserialize_with = "opt_i64")]
    pub size: Option<i64>,
    /// Download URL.
    #[serde(deserialize_with = "opt_string")]
    pub url: Option<String>,
    /// URL that yields a temporary download URL.
    #[serde(deserialize_with = "opt_string")]
    pub tmp_url: Option<String>,
    /// Keys this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
