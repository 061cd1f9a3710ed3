//! Receiving events over HTTP ("send events to the developer's server").
//!
//! [`WebhookHandler`] is framework-neutral: request headers and body in, the response to
//! send and the decoded event out. It answers the `url_verification` challenge, decrypts
//! encrypted bodies, checks the signature (with a freshness window against replays) or the
//! verification token, and recognises redeliveries by event id. It never blocks and never
//! panics, so the response goes out well within Feishu's limits (1 s for the challenge, 3 s
//! for an event), see
//! [send events to the developer's server](https://open.feishu.cn/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/choose-a-subscription-mode/send-notifications-to-developers-server).
//!
//! To process events asynchronously, forward them into a channel with
//! [`WebhookHandler::handle_and_forward`] and consume [`WebhookEvents`] as a `Stream`; the
//! `axum` feature wires exactly that into a ready router (`feishu_events::axum`). To answer
//! Feishu only once an event was processed, use [`WebhookHandler::handle_and_deliver`] and
//! [`WebhookDeliveries`] (each event comes with its [`Ack`](crate::Ack)).
//!
//! # Example
//! ```
//! use feishu_events::{EventKind, WebhookHandler};
//!
//! let handler = WebhookHandler::builder()
//!     .verification_token("v-token")
//!     .build()
//!     .unwrap();
//! let body = br#"{"challenge":"abc","token":"v-token","type":"url_verification"}"#;
//! let outcome = handler.handle(&http::HeaderMap::new(), body);
//! assert_eq!(outcome.response.status(), 200);
//! assert_eq!(outcome.response.body(), r#"{"challenge":"abc"}"#);
//! assert!(outcome.result.unwrap().is_none());
//! ```

mod channel;

use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

pub use channel::{
    DEFAULT_ACK_TIMEOUT, DEFAULT_CAPACITY, DEFAULT_HANDOFF_TIMEOUT, DeliverySender, EventSender,
    WebhookDeliveries, WebhookEvents, delivery_channel, event_channel,
};

use crate::crypto;
use crate::dedup::Deduplicator;
use crate::envelope::{Envelope, Event};
use crate::error::{DecryptError, Error, Result, SignatureError};

/// Request timestamp header (oapi-sdk-go `event/model.go` `EventRequestTimestamp`).
pub const TIMESTAMP_HEADER: &str = "X-Lark-Request-Timestamp";
/// Request nonce header (oapi-sdk-go `event/model.go` `EventRequestNonce`).
pub const NONCE_HEADER: &str = "X-Lark-Request-Nonce";
/// Request signature header (oapi-sdk-go `event/model.go` `EventSignature`).
pub const SIGNATURE_HEADER: &str = "X-Lark-Signature";
/// Content type of every response (oapi-sdk-go `event/model.go` `DefaultContentType`).
pub const RESPONSE_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Default freshness window of the signed timestamp. Feishu does not document one; five
/// minutes is the usual choice for signed webhooks and tolerates ordinary clock skew.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(5 * 60);

/// Verifies, decrypts and decodes webhook requests. Cheap to clone (clones share the
/// duplicate memory).
#[derive(Clone)]
pub struct WebhookHandler {
    verification_token: Option<SecretString>,
    encrypt_key: Option<SecretString>,
    max_skew: Option<Duration>,
    dedup: Deduplicator,
}

impl std::fmt::Debug for WebhookHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookHandler")
            .field("verification_token", &self.verification_token.is_some())
            .field("encrypt_key", &self.encrypt_key.is_some())
            .field("max_skew", &self.max_skew)
            .finish_non_exhaustive()
    }
}

/// Configures a [`WebhookHandler`].
#[derive(Default)]
pub struct WebhookHandlerBuilder {
    verification_token: Option<SecretString>,
    encrypt_key: Option<SecretString>,
    max_skew: Option<Option<Duration>>,
    dedup: Option<Deduplicator>,
}

impl std::fmt::Debug for WebhookHandlerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookHandlerBuilder")
            .field("verification_token", &self.verification_token.is_some())
            .field("encrypt_key", &self.encrypt_key.is_some())
            .finish_non_exhaustive()
    }
}

impl WebhookHandlerBuilder {
    /// The app's Verification Token (developer console → Events and callbacks → Encryption
    /// strategy). Every event and challenge must carry it.
    pub fn verification_token(mut self, token: impl Into<SecretString>) -> Self {
        self.verification_token = Some(token.into());
        self
    }

    /// The app's Encrypt Key. With it, bodies are decrypted and every event's signature
    /// headers are checked.
    pub fn encrypt_key(mut self, key: impl Into<SecretString>) -> Self {
        self.encrypt_key = Some(key.into());
        self
    }

    /// How far the signed `X-Lark-Request-Timestamp` may be from the local clock
    /// ([`DEFAULT_MAX_SKEW`]); `None` turns the check off. Only signed requests (an Encrypt
    /// Key is set) carry a timestamp to check.
    pub fn max_skew(mut self, window: Option<Duration>) -> Self {
        self.max_skew = Some(window);
        self
    }

    /// The memory of recent event ids (default: 100 000 ids for 12 hours). Pass a clone of
    /// another handler's or connection's to share it.
    pub fn deduplicator(mut self, dedup: Deduplicator) -> Self {
        self.dedup = Some(dedup);
        self
    }

    /// Builds the handler. At least one of the verification token and the encrypt key is
    /// required: without either, anyone could post events.
    pub fn build(self) -> Result<WebhookHandler> {
        let usable =
            |s: &Option<SecretString>| s.as_ref().is_some_and(|s| !s.expose_secret().is_empty());
        if !usable(&self.verification_token) && !usable(&self.encrypt_key) {
            return Err(Error::Config(
                "a webhook needs the app's verification token or encrypt key (or both)".into(),
            ));
        }
        Ok(WebhookHandler {
            verification_token: self
                .verification_token
                .filter(|s| !s.expose_secret().is_empty()),
            encrypt_key: self.encrypt_key.filter(|s| !s.expose_secret().is_empty()),
            max_skew: self.max_skew.unwrap_or(Some(DEFAULT_MAX_SKEW)),
            dedup: self.dedup.unwrap_or_default(),
        })
    }
}

/// The three signature headers of a request, for frameworks that do not use
/// [`http::HeaderMap`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SignatureHeaders<'a> {
    /// `X-Lark-Request-Timestamp`.
    pub timestamp: Option<&'a str>,
    /// `X-Lark-Request-Nonce`.
    pub nonce: Option<&'a str>,
    /// `X-Lark-Signature`.
    pub signature: Option<&'a str>,
}

impl<'a> SignatureHeaders<'a> {
    /// Reads the three headers from a header map (names are case-insensitive).
    pub fn from_header_map(headers: &'a http::HeaderMap) -> Self {
        let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        SignatureHeaders {
            timestamp: get(TIMESTAMP_HEADER),
            nonce: get(NONCE_HEADER),
            signature: get(SIGNATURE_HEADER),
        }
    }

    fn is_empty(&self) -> bool {
        self.timestamp.is_none() && self.nonce.is_none() && self.signature.is_none()
    }
}

/// The response to send back to Feishu. Its content type is always
/// [`RESPONSE_CONTENT_TYPE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookResponse {
    status: u16,
    body: String,
}

impl WebhookResponse {
    fn json(status: u16, body: serde_json::Value) -> Self {
        WebhookResponse {
            status,
            body: body.to_string(),
        }
    }

    /// `200 {"msg":"success"}`: the event was taken (oapi-sdk-go `event/dispatcher/dispatcher.go`).
    pub(crate) fn success() -> Self {
        Self::json(200, serde_json::json!({ "msg": "success" }))
    }

    /// A refusal with an HTTP status and a reason (never a secret).
    pub(crate) fn refusal(status: u16, reason: &str) -> Self {
        Self::json(status, serde_json::json!({ "msg": reason }))
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The JSON body.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// As an [`http::Response`] with the content type set.
    pub fn into_http(self) -> http::Response<String> {
        let mut response = http::Response::new(self.body);
        *response.status_mut() =
            http::StatusCode::from_u16(self.status).unwrap_or(http::StatusCode::OK);
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(RESPONSE_CONTENT_TYPE),
        );
        response
    }
}

/// What a request amounted to.
#[derive(Debug)]
#[non_exhaustive]
pub struct WebhookOutcome {
    /// Send this back to Feishu.
    pub response: WebhookResponse,
    /// `Ok(Some(event))`: a new event. `Ok(None)`: a challenge or a redelivery already
    /// seen. `Err(_)`: refused, or a known event type that did not decode (then it is
    /// acknowledged and the error keeps the raw event).
    pub result: Result<Option<Event>>,
}

/// What a verified request contained.
enum Verified {
    Challenge(String),
    Duplicate,
    Event(Box<Event>),
}

impl WebhookHandler {
    /// A builder.
    pub fn builder() -> WebhookHandlerBuilder {
        WebhookHandlerBuilder::default()
    }

    /// Handles one request given its headers and raw body.
    pub fn handle(&self, headers: &http::HeaderMap, body: &[u8]) -> WebhookOutcome {
        self.handle_with(SignatureHeaders::from_header_map(headers), body)
    }

    /// Handles one request given its signature headers and raw body.
    pub fn handle_with(&self, headers: SignatureHeaders<'_>, body: &[u8]) -> WebhookOutcome {
        let (response, result) = match self.verify(headers, body) {
            Ok(Verified::Challenge(challenge)) => (
                WebhookResponse::json(200, serde_json::json!({ "challenge": challenge })),
                Ok(None),
            ),
            Ok(Verified::Duplicate) => (WebhookResponse::success(), Ok(None)),
            Ok(Verified::Event(event)) => (WebhookResponse::success(), Ok(Some(*event))),
            Err(e @ Error::Decode(_)) => (WebhookResponse::success(), Err(e)),
            Err(e) => {
                tracing::warn!(error = %e, "feishu webhook request refused");
                (
                    WebhookResponse::refusal(e.http_status(), &e.to_string()),
                    Err(e),
                )
            }
        };
        WebhookOutcome { response, result }
    }

    /// Forgets that `event` was seen, so its redelivery is accepted: call it when the event
    /// was decoded but could not be processed and the request is answered with an error.
    pub fn forget(&self, event: &Event) {
        self.dedup.forget(event.event_id());
    }

    /// The memory of recent event ids.
    pub fn deduplicator(&self) -> &Deduplicator {
        &self.dedup
    }

    fn verify(&self, headers: SignatureHeaders<'_>, body: &[u8]) -> Result<Verified> {
        let signed = self.encrypt_key.is_some() && !headers.is_empty();
        if signed {
            self.check_signature(headers, body)?;
        }
        let plain = self.plaintext(body)?;
        match Envelope::parse(&plain)? {
            Envelope::Challenge { challenge, token } => {
                self.check_token(token.as_ref())?;
                Ok(Verified::Challenge(challenge))
            }
            Envelope::Event(parts) => {
                if self.encrypt_key.is_some() && !signed {
                    return Err(Error::Signature(SignatureError::MissingHeaders));
                }
                self.check_token(parts.token.as_ref())?;
                if !self.dedup.first_sighting(&parts.header.event_id) {
                    tracing::debug!(event_id = %parts.header.event_id, "feishu event redelivered; already seen");
                    return Ok(Verified::Duplicate);
                }
                parts.into_event().map(|e| Verified::Event(Box::new(e)))
            }
        }
    }

    fn check_signature(&self, headers: SignatureHeaders<'_>, body: &[u8]) -> Result<()> {
        let (Some(key), Some(timestamp), Some(nonce), Some(signature)) = (
            &self.encrypt_key,
            headers.timestamp,
            headers.nonce,
            headers.signature,
        ) else {
            return Err(Error::Signature(SignatureError::MissingHeaders));
        };
        if !crypto::verify_signature(timestamp, nonce, key, body, signature) {
            return Err(Error::Signature(SignatureError::Mismatch));
        }
        if let Some(window) = self.max_skew {
            check_fresh(timestamp, window)?;
        }
        Ok(())
    }

    /// The plaintext body: decrypted when the body is `{"encrypt": ...}`.
    fn plaintext<'b>(&self, body: &'b [u8]) -> Result<Cow<'b, [u8]>> {
        #[derive(Deserialize)]
        struct Outer {
            #[serde(default)]
            encrypt: Option<String>,
        }
        let outer: Outer = serde_json::from_slice(body)
            .map_err(|e| Error::Malformed(format!("body is not a JSON object: {e}")))?;
        let Some(encrypt) = outer.encrypt else {
            return Ok(Cow::Borrowed(body));
        };
        let key = self
            .encrypt_key
            .as_ref()
            .ok_or(Error::EncryptedWithoutKey)?;
        let plain = crypto::decrypt(key, &encrypt).map_err(Error::Decrypt)?;
        if serde_json::from_slice::<serde::de::IgnoredAny>(&plain).is_err() {
            return Err(Error::Decrypt(DecryptError::NotJson));
        }
        Ok(Cow::Owned(plain))
    }

    fn check_token(&self, token: Option<&SecretString>) -> Result<()> {
        let Some(expected) = &self.verification_token else {
            return Ok(());
        };
        match token {
            Some(got) if crypto::secrets_equal(got.expose_secret(), expected.expose_secret()) => {
                Ok(())
            }
            _ => Err(Error::Token),
        }
    }
}

/// Checks a signed timestamp (Unix seconds; a value that can only be milliseconds is read
/// as such) against the local clock.
fn check_fresh(timestamp: &str, window: Duration) -> Result<()> {
    let value: u64 = timestamp
        .trim()
        .parse()
        .map_err(|_| Error::Signature(SignatureError::BadTimestamp))?;
    let secs = if value > 100_000_000_000 {
        value / 1000
    } else {
        value
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let skew = Duration::from_secs(now.abs_diff(secs));
    if skew > window {
        return Err(Error::StaleTimestamp { skew, window });
    }
    Ok(())
}
