//! [`UrlValue`]: a hyperlink cell.

use feishu_core::internal::de::opt_string;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A hyperlink cell (`{text, link}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct UrlValue {
    /// Shown text.
    #[serde(deserialize_with = "opt_string")]
    pub text: Option<String>,
    /// Target.
    #[serde(deserialize_with = "opt_string")]
    pub link: Option<String>,
    /// Keys this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
