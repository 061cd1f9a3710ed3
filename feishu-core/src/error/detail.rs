//! The `error` object Feishu attaches to failures.
//!
//! Its shape is documented loosely: the docs show `log_id`, some pages `logid`, and the
//! official SDKs model permission violations as `{type, subject, description}` where the docs
//! show `{scope, url}`. Every key is optional and every spelling is taken; a block that does not
//! fit is kept as far as it fits rather than dropped.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The `error` object Feishu attaches to failures. Every key is optional.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ErrorDetail {
    message: Option<String>,
    log_id: Option<String>,
    troubleshooter: Option<String>,
    field_violations: Vec<FieldViolation>,
    permission_violations: Vec<PermissionViolation>,
    helps: Vec<HelpLink>,
}

impl ErrorDetail {
    /// Reads the block leniently: unknown keys are ignored, either log id spelling is taken
    /// (`log_id` first), and a list element of the wrong shape is skipped, not fatal.
    pub(crate) fn from_value(value: Value) -> Self {
        let Value::Object(mut map) = value else {
            return ErrorDetail::default();
        };
        let mut text = |key: &str| map.remove(key).and_then(string_of);
        let message = text("message");
        let log_id = text("log_id").or_else(|| text("logid"));
        let troubleshooter = text("troubleshooter");
        ErrorDetail {
            message,
            log_id,
            troubleshooter,
            field_violations: list(map.remove("field_violations")),
            permission_violations: list(map.remove("permission_violations")),
            helps: list(map.remove("helps")),
        }
    }

    /// Extra help text, often with a documentation link.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Log id (`log_id`, or `logid` in some replies).
    pub fn log_id(&self) -> Option<&str> {
        self.log_id.as_deref()
    }

    /// Link to a troubleshooting page.
    pub fn troubleshooter(&self) -> Option<&str> {
        self.troubleshooter.as_deref()
    }

    /// Parameter validation failures.
    pub fn field_violations(&self) -> &[FieldViolation] {
        &self.field_violations
    }

    /// Missing permissions.
    pub fn permission_violations(&self) -> &[PermissionViolation] {
        &self.permission_violations
    }

    /// Help links.
    pub fn helps(&self) -> &[HelpLink] {
        &self.helps
    }
}

fn string_of(v: Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

fn list<T: for<'de> Deserialize<'de>>(v: Option<Value>) -> Vec<T> {
    match v {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|i| T::deserialize(i).ok())
            .collect(),
        _ => Vec::new(),
    }
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(string_of(Value::deserialize(d)?))
}

/// One parameter that failed validation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct FieldViolation {
    #[serde(deserialize_with = "lenient_string")]
    field: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    value: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    description: Option<String>,
}

impl FieldViolation {
    /// The parameter name.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The offending value, as Feishu echoes it.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// Why it was rejected.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
}

/// One missing permission. Docs show `{scope, url}`, the official SDK models
/// `{type, subject, description}`; both are accepted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PermissionViolation {
    #[serde(deserialize_with = "lenient_string")]
    scope: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    url: Option<String>,
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    kind: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    subject: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    description: Option<String>,
}

impl PermissionViolation {
    /// The scope to grant.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// Where to grant it.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// Violation type (SDK model shape).
    pub fn kind(&self) -> Option<&str> {
        self.kind.as_deref()
    }

    /// The scope or resource (SDK model shape).
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// Explanation (SDK model shape).
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
}

/// A help link.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct HelpLink {
    #[serde(deserialize_with = "lenient_string")]
    url: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    description: Option<String>,
}

impl HelpLink {
    /// The link.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// What it helps with.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_log_id_spellings_keep_the_block() {
        let d = ErrorDetail::from_value(json!({
            "log_id": "L1", "logid": "L2",
            "permission_violations": [{"scope": "a:b"}, 7, {"type": "action", "subject": "c:d"}],
            "field_violations": [{"field": "page_size", "value": 0}],
        }));
        assert_eq!(d.log_id(), Some("L1"));
        assert_eq!(d.permission_violations().len(), 2);
        assert_eq!(d.field_violations()[0].value(), Some("0"));
        let d = ErrorDetail::from_value(json!({"logid": "L2"}));
        assert_eq!(d.log_id(), Some("L2"));
        assert!(ErrorDetail::from_value(json!("oops")).log_id().is_none());
    }
}
