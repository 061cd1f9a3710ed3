//! The event envelopes Feishu sends: the v2 form (`schema`, `header`, `event`), the v1 form
//! (`ts`, `uuid`, `token`, `type: "event_callback"`, `event`) and the `url_verification`
//! challenge, as described in the
//! [event overview](https://open.feishu.cn/document/ukTMukTMukTM/uUTNz4SN1MjL1UzM)
//! (oapi-sdk-go `event/model.go`, node-sdk `dispatcher/request-handle.ts`).

use std::fmt;

use secrecy::SecretString;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::{Error, Result};
use crate::kind::EventKind;

/// `type` of the challenge request (oapi-sdk-go `event/model.go` `ReqTypeChallenge`).
pub(crate) const URL_VERIFICATION: &str = "url_verification";
/// `type` of a v1 event (oapi-sdk-go `event/model.go` `ReqTypeEventCallBack`).
pub(crate) const EVENT_CALLBACK: &str = "event_callback";

/// Which envelope an event arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Schema {
    /// The v1 form (`ts`, `uuid`, `token`, `type: "event_callback"`); still used by
    /// `approval_instance`, `approval_task` and `app_ticket`.
    V1,
    /// The v2 form (`schema: "2.0"`, `header`, `event`).
    V2,
}

/// What every event carries, whichever envelope it came in.
///
/// The verification token is not kept: it is checked on arrival and dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventHeader {
    /// The envelope form.
    pub schema: Schema,
    /// The event's unique id: `header.event_id` (v2) or `uuid` (v1). Feishu delivers at
    /// least once; the same id arriving twice is the same event.
    pub event_id: String,
    /// The event type, e.g. `contact.user.created_v3` or `approval_instance`.
    pub event_type: String,
    /// When Feishu created the event, in Unix milliseconds (`header.create_time` of v2,
    /// `ts` of v1), when present and numeric.
    pub create_time_ms: Option<i64>,
    /// The app the event is for.
    pub app_id: String,
    /// The tenant the event comes from (empty for app-level events such as `app_ticket`).
    pub tenant_key: String,
}

/// One decoded event: its header, its typed content and the raw `event` object.
///
/// # Example
/// ```
/// use feishu_events::{Event, EventKind};
///
/// let body = br#"{"schema":"2.0","header":{"event_id":"e1","event_type":"contact.user.deleted_v3",
///   "create_time":"1608725989000","token":"t","app_id":"cli_x","tenant_key":"tk"},
///   "event":{"object":{"open_id":"ou_1","name":"Zhang San"}}}"#;
/// let event = Event::from_json(body).unwrap();
/// assert_eq!(event.header.event_id, "e1");
/// match &event.kind {
///     EventKind::UserDeleted(deleted) => assert_eq!(deleted.object.open_id.as_deref(), Some("ou_1")),
///     other => panic!("unexpected {other:?}"),
/// }
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Event {
    /// What every event carries.
    pub header: EventHeader,
    /// The typed content, or [`EventKind::Unknown`] for types this crate does not model.
    pub kind: EventKind,
    body: Box<RawValue>,
}

impl Event {
    /// Decodes a plaintext event envelope (v1 or v2) without any verification: for bodies
    /// that were already checked (the long connection, a queue) and for tests. Webhook
    /// requests go through [`WebhookHandler`](crate::WebhookHandler) instead.
    ///
    /// A challenge or an unknown shape is [`Error::Malformed`]; a known type whose `event`
    /// does not fit is [`Error::Decode`] (with the raw event kept).
    pub fn from_json(plain: &[u8]) -> Result<Event> {
        match Envelope::parse(plain)? {
            Envelope::Event(parts) => parts.into_event(),
            Envelope::Challenge { .. } => Err(Error::Malformed(
                "a url_verification challenge is not an event".into(),
            )),
        }
    }

    /// The event id (see [`EventHeader::event_id`]).
    pub fn event_id(&self) -> &str {
        &self.header.event_id
    }

    /// The event type (see [`EventHeader::event_type`]).
    pub fn event_type(&self) -> &str {
        &self.header.event_type
    }

    /// The raw `event` object as received (for fields this crate does not model).
    pub fn raw(&self) -> &RawValue {
        &self.body
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("header", &self.header)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A parsed plaintext body.
pub(crate) enum Envelope {
    /// A `url_verification` request.
    Challenge {
        challenge: String,
        token: Option<SecretString>,
    },
    /// An event, not yet decoded into its kind.
    Event(EventParts),
}

/// An event envelope split into what the handler checks and what it decodes.
pub(crate) struct EventParts {
    pub(crate) header: EventHeader,
    pub(crate) token: Option<SecretString>,
    pub(crate) body: Box<RawValue>,
}

impl EventParts {
    /// Decodes the `event` object into its kind.
    pub(crate) fn into_event(self) -> Result<Event> {
        let header = &self.header;
        let kind = EventKind::decode(&header.event_type, &header.event_id, &self.body)?;
        Ok(Event {
            header: self.header,
            kind,
            body: self.body,
        })
    }
}

/// Every top-level field any envelope form uses.
#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    header: Option<RawHeader>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    challenge: Option<String>,
    #[serde(default)]
    token: Option<SecretString>,
    #[serde(default)]
    ts: Option<crate::de::Loose>,
    #[serde(default)]
    uuid: Option<String>,
    #[serde(default, borrow)]
    event: Option<&'a RawValue>,
    #[serde(default)]
    encrypt: Option<serde::de::IgnoredAny>,
}

/// The v2 `header` (oapi-sdk-go `event/model.go` `EventHeader`).
#[derive(Deserialize)]
struct RawHeader {
    #[serde(default)]
    event_id: String,
    #[serde(default)]
    event_type: String,
    #[serde(default)]
    create_time: Option<crate::de::Loose>,
    #[serde(default)]
    token: Option<SecretString>,
    #[serde(default)]
    app_id: String,
    #[serde(default)]
    tenant_key: String,
}

/// The fields of a v1 `event` object that belong in the header.
#[derive(Deserialize)]
struct V1EventHead {
    #[serde(default, rename = "type")]
    event_type: String,
    #[serde(default)]
    app_id: String,
    #[serde(default)]
    tenant_key: String,
}

impl Envelope {
    /// Parses a plaintext body. Never panics; anything unexpected is [`Error::Malformed`].
    pub(crate) fn parse(plain: &[u8]) -> Result<Envelope> {
        let raw: RawEnvelope<'_> = serde_json::from_slice(plain)
            .map_err(|e| Error::Malformed(format!("not a JSON event envelope: {e}")))?;
        if raw.encrypt.is_some() {
            return Err(Error::EncryptedWithoutKey);
        }
        if raw.kind.as_deref() == Some(URL_VERIFICATION) {
            let challenge = raw
                .challenge
                .ok_or_else(|| Error::Malformed("url_verification without challenge".into()))?;
            return Ok(Envelope::Challenge {
                challenge,
                token: raw.token,
            });
        }
        let event = raw
            .event
            .ok_or_else(|| Error::Malformed("no `event` object".into()))?;
        if !event.get().trim_start().starts_with('{') {
            return Err(Error::Malformed("`event` is not an object".into()));
        }
        if let (Some(_), Some(header)) = (&raw.schema, raw.header) {
            return Ok(Envelope::Event(EventParts {
                header: EventHeader {
                    schema: Schema::V2,
                    event_id: header.event_id,
                    event_type: header.event_type,
                    create_time_ms: header.create_time.and_then(|t| t.unix_ms()),
                    app_id: header.app_id,
                    tenant_key: header.tenant_key,
                },
                token: header.token,
                body: event.to_owned(),
            }));
        }
        if raw.kind.as_deref() != Some(EVENT_CALLBACK) {
            return Err(Error::Malformed(
                "neither a v2 envelope (schema + header) nor a v1 event_callback".into(),
            ));
        }
        let head: V1EventHead = serde_json::from_str(event.get())
            .map_err(|e| Error::Malformed(format!("v1 `event` head: {e}")))?;
        Ok(Envelope::Event(EventParts {
            header: EventHeader {
                schema: Schema::V1,
                event_id: raw.uuid.unwrap_or_default(),
                event_type: head.event_type,
                create_time_ms: raw.ts.and_then(|t| t.unix_ms()),
                app_id: head.app_id,
                tenant_key: head.tenant_key,
            },
            token: raw.token,
            body: event.to_owned(),
        }))
    }
}
