//! The one error type of the SDK.
//!
//! Every fallible call returns [`Error`]. It says *where* a call failed (configuration,
//! caller input, authentication, transport, an undecodable reply, a Feishu business error,
//! pagination) and carries what a person needs to act on it: Feishu's `code`, `msg`, the
//! log id that Feishu support asks for, and the scope to grant when a permission is missing.
//! No variant ever contains a secret: tokens, app secrets and tickets are redacted before an
//! error is built.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

/// Result alias used throughout the SDK.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to Feishu.
///
/// Match on the variant to learn where the failure happened, or use the predicates
/// ([`Error::is_retryable`], [`Error::api_code`], [`Error::log_id`]) for the common questions.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client was configured in a way that cannot work (e.g. `http://` to a public host).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A caller-supplied argument is unusable (e.g. an id that is `..` or empty).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Feishu answered with a non-zero `code`.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// No usable access token could be obtained, or Feishu kept rejecting it.
    #[error(transparent)]
    Auth(Box<AuthError>),
    /// The server answered with an HTTP error status and a body that is not a Feishu envelope.
    #[error(transparent)]
    Http(Box<HttpError>),
    /// The request could not be sent or the reply could not be read (connection refused,
    /// reset, TLS failure).
    #[error("transport failure calling {endpoint}: {message}")]
    Transport {
        /// The endpoint family that was being called.
        endpoint: String,
        /// What went wrong, without any secret.
        message: String,
    },
    /// The request or the whole call ran out of time.
    #[error("timed out calling {endpoint} after {elapsed:?}")]
    Timeout {
        /// The endpoint family that was being called.
        endpoint: String,
        /// How long the call had run.
        elapsed: Duration,
    },
    /// The reply could not be decoded into the expected shape.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// A paginated listing misbehaved (e.g. the server repeated a page token).
    #[error("pagination error: {0}")]
    Pagination(String),
}

impl Error {
    /// Whether repeating the same call later may succeed.
    ///
    /// The request engine already retries these within its budget; this tells a caller whether
    /// retrying the whole operation (e.g. a sync) is worth it.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.is_retryable(),
            Error::Http(e) => e.status >= 500 || e.status == 429 || e.status == 408,
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::Decode(e) => e.status >= 500,
            Error::Auth(e) => e.is_retryable(),
            Error::Config(_) | Error::InvalidArgument(_) | Error::Pagination(_) => false,
        }
    }

    /// Feishu's business `code`, when the server sent one.
    pub fn api_code(&self) -> Option<i64> {
        match self {
            Error::Api(e) => Some(e.code),
            Error::Auth(e) => e.code,
            _ => None,
        }
    }

    /// The Feishu log id (`X-Tt-Logid`) of the failing reply, when there is one.
    ///
    /// Quote it when asking Feishu support about a failure.
    pub fn log_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.log_id.as_deref(),
            Error::Auth(e) => e.log_id.as_deref(),
            Error::Http(e) => e.log_id.as_deref(),
            Error::Decode(e) => e.log_id.as_deref(),
            _ => None,
        }
    }

    /// The API error, when Feishu answered with a non-zero `code`.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether this is a permission problem (missing scope, data outside the app's range).
    ///
    /// # Troubleshooting
    /// Grant the scopes listed by [`ApiError::required_scopes`] in the developer console,
    /// publish a new app version, and make sure the data (department, Base, approval) is inside
    /// the app's data range.
    pub fn is_permission_denied(&self) -> bool {
        self.as_api().is_some_and(ApiError::is_permission_denied)
    }

    pub(crate) fn api(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }

    pub(crate) fn auth(e: AuthError) -> Self {
        Error::Auth(Box::new(e))
    }

    pub(crate) fn decode(e: DecodeError) -> Self {
        Error::Decode(Box::new(e))
    }
}

/// A reply with a non-zero Feishu `code`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The endpoint family that was called (e.g. `approval.instances.get`).
    pub endpoint: String,
    /// HTTP status of the reply (Feishu often uses 200 for business errors).
    pub http_status: u16,
    /// Feishu's error code.
    pub code: i64,
    /// Feishu's message. Never branch on it: the wording changes.
    pub msg: String,
    /// Log id from `X-Tt-Logid`, else `X-Request-Id`, else the body's `error.log_id`/`logid`.
    pub log_id: Option<String>,
    /// The diagnostic `error` object, when the reply had one.
    pub detail: ErrorDetail,
}

impl ApiError {
    /// Whether the engine treats this code as transient.
    pub fn is_retryable(&self) -> bool {
        crate::codes::is_retryable_code(self.code, &self.endpoint)
            || self.http_status == 429
            || self.http_status >= 500 && !crate::codes::is_never_retry(self.code)
    }

    /// Whether the code says a permission or data-range problem.
    pub fn is_permission_denied(&self) -> bool {
        crate::codes::is_permission_code(self.code)
    }

    /// Scopes Feishu says are missing, from `error.permission_violations`, falling back to the
    /// scope list embedded in the message (`... [contact:contact.base:readonly] ...`).
    pub fn required_scopes(&self) -> Vec<String> {
        let mut scopes: Vec<String> = self
            .detail
            .permission_violations
            .iter()
            .filter_map(|v| v.scope.clone().or_else(|| v.subject.clone()))
            .filter(|s| !s.is_empty())
            .collect();
        if scopes.is_empty()
            && self.is_permission_denied()
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
        crate::codes::hint(self.code).map(str::to_string)
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
        if let Some(log_id) = &self.log_id {
            write!(f, " [log id {log_id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The `error` object Feishu attaches to failures. Every key is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// Extra help text, often with a documentation link.
    pub message: Option<String>,
    /// Log id (`log_id`, or `logid` in some docs).
    #[serde(alias = "logid")]
    pub log_id: Option<String>,
    /// Link to a troubleshooting page.
    pub troubleshooter: Option<String>,
    /// Parameter validation failures.
    pub field_violations: Vec<FieldViolation>,
    /// Missing permissions.
    pub permission_violations: Vec<PermissionViolation>,
    /// Help links.
    pub helps: Vec<HelpLink>,
}

/// One parameter that failed validation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct FieldViolation {
    /// The parameter name.
    pub field: Option<String>,
    /// The offending value, as Feishu echoes it.
    #[serde(deserialize_with = "crate::codes::lenient_string")]
    pub value: Option<String>,
    /// Why it was rejected.
    pub description: Option<String>,
}

/// One missing permission. Docs show `{scope, url}`, the official SDK models
/// `{type, subject, description}`; both are accepted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PermissionViolation {
    /// The scope to grant.
    pub scope: Option<String>,
    /// Where to grant it.
    pub url: Option<String>,
    /// Violation type (SDK model shape).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The scope or resource (SDK model shape).
    pub subject: Option<String>,
    /// Explanation (SDK model shape).
    pub description: Option<String>,
}

/// A help link.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct HelpLink {
    /// The link.
    pub url: Option<String>,
    /// What it helps with.
    pub description: Option<String>,
}

/// Obtaining or using an access token failed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthError {
    /// What happened, without any secret.
    pub message: String,
    /// Feishu's code, when the token endpoint or the API answered with one.
    pub code: Option<i64>,
    /// Feishu's message, when there was one.
    pub msg: Option<String>,
    /// Log id of the reply, when there was one.
    pub log_id: Option<String>,
    retryable: bool,
}

impl AuthError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        AuthError {
            message: message.into(),
            code: None,
            msg: None,
            log_id: None,
            retryable: false,
        }
    }

    pub(crate) fn with_code(mut self, code: i64, msg: impl Into<String>) -> Self {
        self.code = Some(code);
        self.msg = Some(msg.into());
        self
    }

    pub(crate) fn with_log_id(mut self, log_id: Option<String>) -> Self {
        self.log_id = log_id;
        self
    }

    pub(crate) fn retryable(mut self, retryable: bool) -> Self {
        self.retryable = retryable;
        self
    }

    /// Whether trying again later may succeed (e.g. the store app's ticket has not arrived yet).
    pub fn is_retryable(&self) -> bool {
        self.retryable
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "authentication failed: {}", self.message)?;
        if let Some(code) = self.code {
            write!(f, " (code {code}")?;
            if let Some(msg) = &self.msg {
                write!(f, ": {msg}")?;
            }
            write!(f, ")")?;
        }
        if let Some(hint) = self.code.and_then(crate::codes::hint) {
            write!(f, "; {hint}")?;
        }
        if let Some(log_id) = &self.log_id {
            write!(f, " [log id {log_id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for AuthError {}

/// An HTTP error status whose body is not a Feishu envelope (e.g. a gateway's HTML page).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpError {
    /// The endpoint family that was called.
    pub endpoint: String,
    /// HTTP status.
    pub status: u16,
    /// Log id header, when present.
    pub log_id: Option<String>,
    /// A short, redacted excerpt of the body.
    pub excerpt: String,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http {} from {}", self.status, self.endpoint)?;
        if !self.excerpt.is_empty() {
            write!(f, ": {:?}", self.excerpt)?;
        }
        if let Some(log_id) = &self.log_id {
            write!(f, " [log id {log_id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for HttpError {}

/// A reply that could not be decoded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// The endpoint family that was called.
    pub endpoint: String,
    /// HTTP status of the reply.
    pub status: u16,
    /// Log id, when present.
    pub log_id: Option<String>,
    /// What did not fit (serde's message, or "body too large").
    pub reason: String,
    /// A short, redacted excerpt of the body.
    pub excerpt: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "undecodable reply from {} (http {}): {}",
            self.endpoint, self.status, self.reason
        )?;
        if !self.excerpt.is_empty() {
            write!(f, "; body starts {:?}", self.excerpt)?;
        }
        if let Some(log_id) = &self.log_id {
            write!(f, " [log id {log_id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}
