//! [`GroupChat`]: one chat of a group chat cell.

use feishu_core::internal::de::{opt_string, string_or_empty};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One chat of a group chat cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct GroupChat {
    /// Chat id (`oc_…`).
    #[serde(deserialize_with = "string_or_empty")]
    pub id: String,
    /// Chat name.
    #[serde(deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// Avatar URL.
    #[serde(deserialize_with = "opt_string")]
    pub avatar_url: Option<String>,
    /// Keys this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
