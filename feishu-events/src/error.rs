//! The one error type of the crate.
//!
//! Every variant says where an event was refused or a connection failed, and none of them
//! carries a secret: the encrypt key, the verification token, the app secret and app tickets
//! never reach an error message.
//!
//! It is a type of its own, beside [`feishu_core::Error`] rather than inside it: nothing here
//! is an Open Platform API call (webhook refusals are about the request Feishu sent, and the
//! long-connection endpoint lives outside `/open-apis`), so no variant wraps a core error,
//! and none converts into one without losing what it says. Like the core error it is
//! `Clone + Send + Sync + 'static`; an application that calls the API and receives events
//! puts both in its own error type (or `Box<dyn std::error::Error>`).

use std::fmt;
use std::time::Duration;

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why an event body or a connection was refused.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The handler or connection was configured in a way that cannot work.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The request signature headers are missing or do not match the body.
    #[error("request signature refused: {0}")]
    Signature(SignatureError),
    /// The request timestamp is outside the accepted window (a replay, or a badly skewed
    /// clock).
    #[error("request timestamp is {skew:?} away from now, more than the {window:?} accepted")]
    StaleTimestamp {
        /// How far the timestamp is from the local clock.
        skew: Duration,
        /// The configured freshness window.
        window: Duration,
    },
    /// The encrypted body could not be decrypted.
    #[error("encrypted body refused: {0}")]
    Decrypt(DecryptError),
    /// The body carries a verification token that is not the app's.
    #[error("verification token does not match the app's")]
    Token,
    /// The body is encrypted but no encrypt key is configured.
    #[error("the body is encrypted but no encrypt key is configured")]
    EncryptedWithoutKey,
    /// The body is not a Feishu event envelope (not JSON, or no known shape).
    #[error("malformed event body: {0}")]
    Malformed(String),
    /// The envelope was understood but its `event` does not have the documented shape of
    /// its type. The raw event is kept, so nothing is lost.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The long-connection endpoint refused the app for good (e.g. a wrong app secret, a
    /// forbidden app, too many connections).
    #[error("long connection refused: code {code}: {msg}")]
    Refused {
        /// Feishu's code (e.g. 514 auth failed, 403 forbidden, 1000040350 too many
        /// connections).
        code: i64,
        /// Feishu's message.
        msg: String,
    },
    /// The long connection could not be (re)established within the reconnect budget.
    #[error("long connection gave up after {attempts} reconnect attempts: {last}")]
    ReconnectExhausted {
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// A network failure talking to the long-connection endpoint or websocket.
    #[error("long connection transport failure: {0}")]
    Transport(String),
}

impl Error {
    /// The HTTP status a webhook answers with when it refuses a request for this reason.
    pub fn http_status(&self) -> u16 {
        match self {
            Error::Signature(_) | Error::Token | Error::StaleTimestamp { .. } => 401,
            Error::Decrypt(_) | Error::Malformed(_) => 400,
            Error::Decode(_) => 200,
            Error::Config(_)
            | Error::EncryptedWithoutKey
            | Error::Refused { .. }
            | Error::ReconnectExhausted { .. }
            | Error::Transport(_) => 500,
        }
    }

    /// The raw `event` object when a known event type did not decode.
    pub fn raw_event(&self) -> Option<&serde_json::value::RawValue> {
        match self {
            Error::Decode(e) => Some(&e.raw),
            _ => None,
        }
    }
}

/// What is wrong with the signature headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// `X-Lark-Request-Timestamp`, `X-Lark-Request-Nonce` or `X-Lark-Signature` is absent.
    MissingHeaders,
    /// The timestamp is not a number of seconds.
    BadTimestamp,
    /// The signature does not match the body.
    Mismatch,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureError::MissingHeaders => "signature headers are missing",
            SignatureError::BadTimestamp => "the timestamp header is not a number",
            SignatureError::Mismatch => "the signature does not match the body",
        })
    }
}

/// Why an `encrypt` value could not be decrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecryptError {
    /// Not standard base64.
    Base64,
    /// Shorter than one IV plus one block.
    TooShort,
    /// Not a whole number of AES blocks after the IV.
    NotBlockAligned,
    /// The PKCS#7 padding is wrong: almost always a wrong encrypt key.
    Padding,
    /// The plaintext is not UTF-8 JSON.
    NotJson,
}

impl fmt::Display for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecryptError::Base64 => "the encrypt value is not base64",
            DecryptError::TooShort => "the ciphertext is shorter than an IV and one block",
            DecryptError::NotBlockAligned => "the ciphertext is not a multiple of 16 bytes",
            DecryptError::Padding => "bad padding after decryption (wrong encrypt key?)",
            DecryptError::NotJson => "the decrypted body is not JSON",
        })
    }
}

/// A known event type whose `event` object does not have the documented shape.
///
/// `Debug` and `Display` leave the raw event out (it may hold a secret such as an
/// `app_ticket`); read it with [`DecodeError::raw`].
#[derive(Clone, thiserror::Error)]
#[error("event {event_id:?} of type {event_type:?} does not decode: {message}")]
pub struct DecodeError {
    pub(crate) event_type: String,
    pub(crate) event_id: String,
    pub(crate) message: String,
    pub(crate) raw: Box<serde_json::value::RawValue>,
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("event_type", &self.event_type)
            .field("event_id", &self.event_id)
            .field("message", &self.message)
            .field("raw_len", &self.raw.get().len())
            .finish()
    }
}

impl DecodeError {
    /// The event type, e.g. `contact.user.created_v3`.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    /// The event id (`header.event_id`, or `uuid` of a v1 event).
    pub fn event_id(&self) -> &str {
        &self.event_id
    }

    /// What did not fit.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The raw `event` object as received.
    pub fn raw(&self) -> &serde_json::value::RawValue {
        &self.raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_clone_send_sync_and_small() {
        fn check<T: Clone + Send + Sync + 'static>() {}
        check::<Error>();
        assert!(std::mem::size_of::<Error>() <= 40);
        let refused = Error::Refused {
            code: 514,
            msg: "auth failed".into(),
        };
        assert_eq!(refused.clone().to_string(), refused.to_string());
    }
}
