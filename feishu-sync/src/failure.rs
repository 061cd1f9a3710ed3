//! Why a stream ended incomplete, typed, so that a platform maps it without reading text.

use std::fmt;

use serde::Serialize;

/// A stream's failure: its kind and what happened (no secrets).
///
/// # Example
/// ```
/// use feishu_sync::{Failure, FailureKind};
/// let e = feishu_core::Error::Config("no domain".into());
/// let failure = Failure::from_error(&e);
/// assert_eq!(failure.kind, FailureKind::Config);
/// assert!(failure.to_string().contains("no domain"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Failure {
    /// What kind of failure: who can fix it, and whether waiting helps.
    #[serde(flatten)]
    pub kind: FailureKind,
    /// What happened, for people.
    pub message: String,
}

/// The kinds of failure a stream can end with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FailureKind {
    /// No usable access token: credentials refused, or the store app's ticket missing.
    Auth,
    /// The app lacks a scope, or the data lies outside its range. `scopes`: any one of them
    /// grants the call, when Feishu says (may be empty).
    Permission {
        /// Scopes to grant (any one).
        scopes: Vec<String>,
    },
    /// Feishu kept throttling the calls past the client's retries.
    RateLimited,
    /// Feishu or the network failed in a way a later read may not meet (server errors,
    /// timeouts, broken connections).
    Transient,
    /// The configuration cannot work (a setting or argument refused before any request).
    Config,
    /// Feishu refused the request with a code that retrying does not change, e.g. an approval
    /// code or Base the config names that does not exist.
    Rejected {
        /// Feishu's code.
        code: i64,
    },
    /// A reply the SDK could not read, or an internal failure of the read.
    Internal,
}

impl Failure {
    /// A failure of `kind`.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
        }
    }

    /// The failure an SDK error stands for.
    pub fn from_error(error: &feishu_core::Error) -> Self {
        Failure::new(kind_of(error), error.to_string())
    }

    /// The same failure, its message prefixed with where it happened.
    pub(crate) fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

fn kind_of(error: &feishu_core::Error) -> FailureKind {
    use feishu_core::Error;
    if error.is_rate_limited() {
        return FailureKind::RateLimited;
    }
    if let Some(api) = error.as_api()
        && api.is_permission_denied()
    {
        return FailureKind::Permission {
            scopes: api.required_scopes(),
        };
    }
    match error {
        Error::Auth(_) if error.is_retryable() => FailureKind::Transient,
        Error::Auth(_) => FailureKind::Auth,
        Error::Config(_) | Error::InvalidArgument(_) => FailureKind::Config,
        Error::Http(http) if matches!(http.status(), 401 | 403) => {
            FailureKind::Permission { scopes: Vec::new() }
        }
        _ if error.is_retryable() => FailureKind::Transient,
        Error::Api(api) => FailureKind::Rejected { code: api.code() },
        _ => FailureKind::Internal,
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_kinds() {
        let config = feishu_core::Error::invalid_argument("page_size", "0");
        assert_eq!(Failure::from_error(&config).kind, FailureKind::Config);
        let pagination = feishu_core::Error::Pagination("repeated token".into());
        assert_eq!(Failure::from_error(&pagination).kind, FailureKind::Internal);
        let failure = Failure::new(
            FailureKind::Permission {
                scopes: vec!["a:b".into()],
            },
            "no",
        )
        .context("approval_instances");
        assert_eq!(
            serde_json::to_value(&failure).unwrap(),
            serde_json::json!({"kind": "permission", "scopes": ["a:b"], "message": "approval_instances: no"})
        );
    }
}
