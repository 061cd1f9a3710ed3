//! Failures below the Feishu envelope: HTTP statuses, transport errors, timeouts, replies
//! that do not decode.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// An HTTP error status whose body is not a Feishu envelope (e.g. a gateway's HTML page).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpError {
    endpoint: String,
    status: u16,
    log_id: Option<String>,
    excerpt: String,
}

impl HttpError {
    pub(crate) fn new(
        endpoint: &str,
        status: u16,
        log_id: Option<String>,
        excerpt: String,
    ) -> Self {
        HttpError {
            endpoint: endpoint.to_string(),
            status,
            log_id,
            excerpt,
        }
    }

    /// The endpoint that was called.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Log id header, when present.
    pub fn log_id(&self) -> Option<&str> {
        self.log_id.as_deref()
    }

    /// A short, redacted excerpt of the body.
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }
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
    endpoint: String,
    status: u16,
    log_id: Option<String>,
    reason: String,
    excerpt: String,
}

impl DecodeError {
    pub(crate) fn new(
        endpoint: &str,
        status: u16,
        log_id: Option<String>,
        reason: String,
        excerpt: String,
    ) -> Self {
        DecodeError {
            endpoint: endpoint.to_string(),
            status,
            log_id,
            reason,
            excerpt,
        }
    }

    /// A decode error found by a module crate after the envelope was accepted (e.g. a field
    /// that must be an object is a string).
    pub fn after_envelope(endpoint: &str, reason: impl Into<String>) -> Self {
        Self::new(endpoint, 200, None, reason.into(), String::new())
    }

    /// The endpoint that was called.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// HTTP status of the reply.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Log id, when present.
    pub fn log_id(&self) -> Option<&str> {
        self.log_id.as_deref()
    }

    /// What did not fit (serde's message, or "body too large").
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// A short, redacted excerpt of the body.
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }
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

/// The request could not be sent or the reply could not be read.
#[derive(Clone)]
#[non_exhaustive]
pub struct TransportError {
    endpoint: String,
    message: String,
    may_have_applied: bool,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl TransportError {
    pub(crate) fn new(
        endpoint: &str,
        message: String,
        may_have_applied: bool,
        source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        TransportError {
            endpoint: endpoint.to_string(),
            message,
            may_have_applied,
            source,
        }
    }

    /// The endpoint that was being called.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// What went wrong, without any secret.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether a non-idempotent write may have reached Feishu (and so was not retried).
    pub fn write_may_have_applied(&self) -> bool {
        self.may_have_applied
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("endpoint", &self.endpoint)
            .field("message", &self.message)
            .field("may_have_applied", &self.may_have_applied)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "transport failure calling {}: {}",
            self.endpoint, self.message
        )?;
        if self.may_have_applied {
            write!(f, " (the write may have been applied; it was not retried)")?;
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// An attempt ran out of time.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TimeoutError {
    endpoint: String,
    elapsed: Duration,
    may_have_applied: bool,
}

impl TimeoutError {
    pub(crate) fn new(endpoint: &str, elapsed: Duration, may_have_applied: bool) -> Self {
        TimeoutError {
            endpoint: endpoint.to_string(),
            elapsed,
            may_have_applied,
        }
    }

    /// The endpoint that was being called.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// How long the attempt had run.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// Whether a non-idempotent write may have reached Feishu (and so was not retried).
    pub fn write_may_have_applied(&self) -> bool {
        self.may_have_applied
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "timed out calling {} after {:?}",
            self.endpoint, self.elapsed
        )?;
        if self.may_have_applied {
            write!(f, " (the write may have been applied; it was not retried)")?;
        }
        Ok(())
    }
}

impl std::error::Error for TimeoutError {}
