//! The one error type of the SDK.
//!
//! Every fallible call returns [`Error`]. It says *where* a call failed (configuration,
//! caller input, authentication, transport, an undecodable reply, a Feishu business error,
//! pagination) and carries what a person needs to act on it: Feishu's `code`, `msg`, the
//! log id that Feishu support asks for, and the scope to grant when a permission is missing.
//! No variant ever contains a secret: tokens, app secrets and tickets are redacted before an
//! error is built. Context types keep their fields private behind accessors, so that fields
//! can be added without a breaking release.

mod api;
mod detail;
mod transport;

use std::borrow::Cow;
use std::fmt;

pub use api::ApiError;
pub use detail::{ErrorDetail, FieldViolation, HelpLink, PermissionViolation};
pub use transport::{DecodeError, HttpError, TimeoutError, TransportError};

/// Result alias used throughout the SDK.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to Feishu.
///
/// Match on the variant to learn where the failure happened, or use the predicates
/// ([`Error::is_retryable`], [`Error::api_code`], [`Error::log_id`]) for the common questions.
/// `Error` is `Clone`, so one failure can be handed to every waiter of a shared lookup.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client was configured in a way that cannot work (e.g. `http://` to a public host).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A caller-supplied argument is unusable; reported before any request is sent.
    #[error(transparent)]
    InvalidArgument(Box<ArgumentError>),
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
    #[error(transparent)]
    Transport(Box<TransportError>),
    /// An attempt ran out of time.
    #[error(transparent)]
    Timeout(Box<TimeoutError>),
    /// The reply could not be decoded into the expected shape.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// A paginated listing misbehaved (a repeated page token, endless empty pages).
    #[error("pagination error: {0}")]
    Pagination(String),
}

impl Error {
    /// A bad caller argument, named.
    ///
    /// # Example
    /// ```
    /// let e = feishu_core::Error::invalid_argument("page_size", "must be 1..=500, got 0");
    /// assert_eq!(e.to_string(), "invalid argument `page_size`: must be 1..=500, got 0");
    /// ```
    pub fn invalid_argument(
        argument: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Error::InvalidArgument(Box::new(ArgumentError {
            argument: argument.into(),
            message: message.into(),
        }))
    }

    /// A failure of a pluggable store (a [`TokenStore`](crate::TokenStore) or
    /// [`BudgetStore`](crate::BudgetStore) implementation, e.g. Redis being unreachable):
    /// retryable, reported as [`Error::Transport`] naming `what` failed. Keep secrets (a
    /// password in a URL) out of `message`.
    pub fn store_failure(what: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Transport(Box::new(TransportError::new(
            &what.into(),
            message.into(),
            false,
            None,
        )))
    }

    /// Whether repeating the same call later may succeed.
    ///
    /// The request engine already retries these within its budget; this tells a caller whether
    /// retrying the whole operation (e.g. a sync) is worth it.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.is_retryable(),
            Error::Http(e) => e.status() >= 500 || e.status() == 429 || e.status() == 408,
            Error::Transport(_) | Error::Timeout(_) => true,
            Error::Decode(e) => e.status() >= 500,
            Error::Auth(e) => e.is_retryable(),
            Error::Config(_) | Error::InvalidArgument(_) | Error::Pagination(_) => false,
        }
    }

    /// Whether Feishu throttled the call (HTTP 429 or a throttle code of the endpoint).
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Error::Api(e) => e.is_rate_limited(),
            Error::Http(e) => e.status() == 429,
            _ => false,
        }
    }

    /// Feishu's business `code`, when the server sent one.
    pub fn api_code(&self) -> Option<i64> {
        match self {
            Error::Api(e) => Some(e.code()),
            Error::Auth(e) => e.code(),
            _ => None,
        }
    }

    /// The Feishu log id (`X-Tt-Logid`) of the failing reply, when there is one.
    ///
    /// Quote it when asking Feishu support about a failure.
    pub fn log_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.log_id(),
            Error::Auth(e) => e.log_id(),
            Error::Http(e) => e.log_id(),
            Error::Decode(e) => e.log_id(),
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

    /// Whether a write may have been applied although the call failed: it timed out or the
    /// connection broke after the request may have reached Feishu, and the endpoint is not
    /// idempotent, so the SDK did not send it again.
    ///
    /// # Troubleshooting
    /// Read the resource back before repeating the write, or use the endpoint's idempotency
    /// token (Bitable's `client_token`, Approval's `uuid`) so that a repeat is harmless.
    pub fn write_may_have_applied(&self) -> bool {
        match self {
            Error::Transport(e) => e.write_may_have_applied(),
            Error::Timeout(e) => e.write_may_have_applied(),
            _ => false,
        }
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

/// A caller argument that cannot be used, by name.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ArgumentError {
    argument: Cow<'static, str>,
    message: String,
}

impl ArgumentError {
    /// The argument's name (`page_size`, `app_token`, `body`, ...).
    pub fn argument(&self) -> &str {
        &self.argument
    }

    /// What is wrong with it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ArgumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid argument `{}`: {}", self.argument, self.message)
    }
}

impl std::error::Error for ArgumentError {}

/// Obtaining or using an access token failed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthError {
    message: String,
    code: Option<i64>,
    msg: Option<String>,
    log_id: Option<String>,
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

    /// What happened, without any secret.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Feishu's code, when the token endpoint or the API answered with one.
    pub fn code(&self) -> Option<i64> {
        self.code
    }

    /// Feishu's message, when there was one.
    pub fn msg(&self) -> Option<&str> {
        self.msg.as_deref()
    }

    /// Log id of the reply, when there was one.
    pub fn log_id(&self) -> Option<&str> {
        self.log_id.as_deref()
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
        if let Some(hint) = self
            .code
            .and_then(|c| crate::codes::CodeTable::new().hint(c))
        {
            write!(f, "; {hint}")?;
        }
        if let Some(log_id) = &self.log_id {
            write!(f, " [log id {log_id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for AuthError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_clone_send_sync_and_small() {
        fn check<T: Clone + Send + Sync + 'static>() {}
        check::<Error>();
        assert!(std::mem::size_of::<Error>() <= 32);
    }
}
