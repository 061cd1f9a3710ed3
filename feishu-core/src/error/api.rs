//! A reply with a non-zero Feishu `code`.

use std::fmt;

use super::detail::ErrorDetail;
use crate::codes::CodeTable;

/// A reply with a non-zero Feishu `code`.
///
/// Whether it is retryable, a rate limit or a permission problem was decided by the
/// endpoint's [`CodeTable`] when the reply arrived.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    endpoint: String,
    http_status: u16,
    code: i64,
    msg: String,
    log_id: Option<String>,
    detail: ErrorDetail,
    retryable: bool,
    rate_limited: bool,
    permission: bool,
    hint: Option<&'static str>,
    note: Option<String>,
}

impl ApiError {
    pub(crate) fn new(
        endpoint: &str,
        codes: &CodeTable,
        http_status: u16,
        code: i64,
        msg: String,
        log_id: Option<String>,
        detail: ErrorDetail,
    ) -> Self {
        let rate_limited = http_status == 429 || codes.is_throttled(code);
        let retryable = rate_limited
            || codes.is_transient(code)
            || (endpoint.starts_with("contact.") && code == 40003)
            || (http_status >= 500 && !codes.is_never_retry(code));
        ApiError {
            endpoint: endpoint.to_string(),
            http_status,
            code,
            msg,
            log_id,
            detail,
            retryable,
            rate_limited,
            permission: codes.is_permission(code),
            hint: codes.hint(code),
            note: None,
        }
    }

    /// Adds what the module crate that made the call knows about the failure.
    pub(crate) fn set_note(&mut self, note: String) {
        self.note = Some(note);
    }

    /// What the SDK adds about the failure in its context (e.g. what else was tried).
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// The endpoint that was called (e.g. `approval.instances.get`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// HTTP status of the reply (Feishu often uses 200 for business errors).
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    /// Feishu's error code.
    pub fn code(&self) -> i64 {
        self.code
    }

    /// Feishu's message. Never branch on it: the wording changes.
    pub fn msg(&self) -> &str {
        &self.msg
    }

    /// Log id from `X-Tt-Logid`, else `X-Request-Id`, else the body's `error.log_id`/`logid`.
    pub fn log_id(&self) -> Option<&str> {
        self.log_id.as_deref()
    }

    /// The diagnostic `error` object, when the reply had one.
    pub fn detail(&self) -> &ErrorDetail {
        &self.detail
    }

    /// Whether the code is transient for this endpoint.
    pub fn is_retryable(&self) -> bool {
        self.retryable
    }

    /// Whether Feishu throttled the call.
    pub fn is_rate_limited(&self) -> bool {
        self.rate_limited
    }

    /// Whether the code says a permission or data-range problem.
    pub fn is_permission_denied(&self) -> bool {
        self.permission
    }

    /// Scopes Feishu says are missing, from `error.permission_violations`, falling back to the
    /// scope list embedded in the message (`... [contact:contact.base:readonly] ...`).
    pub fn required_scopes(&self) -> Vec<String> {
        let mut scopes: Vec<String> = self
            .detail
            .permission_violations()
            .iter()
            .filter_map(|v| v.scope().or(v.subject()))
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if scopes.is_empty()
            && self.permission
            && let (Some(start), Some(end)) = (self.msg.find('['), self.msg.find(']'))
            && start < end
        {
            scopes = self.msg[start + 1..end]
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        scopes
    }

    /// A one-line hint of what to do, when the code is one the SDK knows.
    pub fn hint(&self) -> Option<String> {
        let scopes = self.required_scopes();
        if !scopes.is_empty() {
            return Some(format!(
                "grant the app one of these scopes and publish a new version: {}",
                scopes.join(", ")
            ));
        }
        self.hint.map(str::to_string)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "feishu api error {} from {} (http {}): {}",
            self.code, self.endpoint, self.http_status, self.msg
        )?;
        if let Some(hint) = self.hint() {
            write!(f, "; {hint}")?;
        }
        if let Some(note) = &self.note {
            write!(f, "; {note}")?;
        }
        if let Some(log_id) = &self.log_id {
            write!(f, " [log id {log_id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}
