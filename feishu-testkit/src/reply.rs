//! Building responses in Feishu's wire shapes.
//!
//! Every response leaves through [`Reply::into_template`], which adds the `X-Tt-Logid` header
//! and, on error envelopes, the log id in `error` (spelled as [`LogIdKeys`] says) and
//! `error.troubleshooter` carrying the same id.

use std::time::Duration;

use serde_json::{Map, Value, json};
use wiremock::ResponseTemplate;

use crate::request::RequestView;

/// Content type of every JSON reply.
pub(crate) const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Common "parameter validation failed" code, used for bad `page_size`, `page_token` and
/// other query/body parameters of the testkit endpoints.
pub(crate) const PARAM_INVALID: i64 = 99992402;

/// Which keys of an error envelope's `error` block carry the log id.
///
/// Feishu's "calling an API" guide shows `error.logid`
/// (<https://open.feishu.cn/document/ukTMukTMukTM/ukDNz4SO0MjL5QzM/get->), while SDK models
/// and replies seen in the field use `error.log_id`; a client should read both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LogIdKeys {
    /// `error.log_id` only (the default).
    #[default]
    LogId,
    /// `error.logid` only, as the guide's example spells it.
    Logid,
    /// Both `error.log_id` and `error.logid`, carrying the same id.
    Both,
}

/// The body of a reply.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// A JSON value, serialized with `application/json; charset=utf-8`.
    Json(Value),
    /// Raw bytes with an explicit content type (gateway HTML pages, truncated JSON).
    Raw {
        bytes: Vec<u8>,
        content_type: &'static str,
    },
}

/// A response under construction.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Body,
    /// The Feishu `code` this reply carries (None for non-JSON / malformed bodies).
    pub(crate) code: Option<i64>,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) delay: Duration,
}

impl Reply {
    /// `{code: 0, msg: "success", data}` with HTTP 200.
    pub(crate) fn ok(data: Value) -> Reply {
        Reply::json(200, json!({ "code": 0, "msg": "success", "data": data }))
    }

    /// An error envelope `{code, msg, error: {}}`; `error.log_id` is filled in on the way out.
    pub(crate) fn err(status: u16, code: i64, msg: impl Into<String>) -> Reply {
        Reply::err_with(status, code, msg, json!({}))
    }

    /// An error envelope with a prepared `error` object (`permission_violations`, `helps`,
    /// `field_violations`, ...); `error.log_id` is added on the way out.
    pub(crate) fn err_with(status: u16, code: i64, msg: impl Into<String>, error: Value) -> Reply {
        Reply::json(
            status,
            json!({ "code": code, "msg": msg.into(), "error": error }),
        )
    }

    /// A flat auth reply: `{code: 0, msg: "ok", <fields>}` with no `data` wrapper.
    pub(crate) fn flat(fields: Value) -> Reply {
        let mut object = Map::new();
        object.insert("code".into(), json!(0));
        object.insert("msg".into(), json!("ok"));
        if let Value::Object(extra) = fields {
            object.extend(extra);
        }
        Reply::json(200, Value::Object(object))
    }

    /// Any JSON body; `code` is read from the body when present.
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        let code = body.get("code").and_then(Value::as_i64);
        Reply {
            status,
            body: Body::Json(body),
            code,
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    /// A raw, possibly non-JSON body.
    pub(crate) fn raw(status: u16, bytes: Vec<u8>, content_type: &'static str) -> Reply {
        Reply {
            status,
            body: Body::Raw {
                bytes,
                content_type,
            },
            code: None,
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    /// Adds a response header.
    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    /// Adds to the response delay.
    pub(crate) fn delayed(mut self, by: Duration) -> Reply {
        self.delay = self.delay.saturating_add(by);
        self
    }

    /// HTTP 404, code 99991201, naming the method and path so a wrong path fails readably.
    pub(crate) fn not_found(req: &RequestView) -> Reply {
        Reply::err(
            404,
            99991201,
            format!("path not found: {} {}", req.method, req.path),
        )
    }

    /// HTTP 405, code 99991301: the path exists but not for this method.
    pub(crate) fn method_not_allowed(req: &RequestView) -> Reply {
        Reply::err(
            405,
            99991301,
            format!("request method doesn't match: {} {}", req.method, req.path),
        )
    }

    /// HTTP 400, code 99991663: the tenant token is unknown, expired, revoked or not a tenant
    /// token.
    pub(crate) fn invalid_tenant_token() -> Reply {
        Reply::err(
            400,
            99991663,
            "Invalid access token for authorization. Please make a request with token attached.",
        )
    }

    /// HTTP 400, code 99992402 with one `error.field_violations` entry.
    pub(crate) fn param_error(field: &str, value: &str, description: &str) -> Reply {
        Reply::err_with(
            400,
            PARAM_INVALID,
            format!("field validation failed: {field}: {description}"),
            json!({
                "field_violations": [
                    { "field": field, "value": value, "description": description }
                ]
            }),
        )
    }

    /// Turns the reply into a wiremock response carrying `log_id` (in `keys` of an error
    /// envelope) and the extra latency.
    pub(crate) fn into_template(
        self,
        log_id: &str,
        keys: LogIdKeys,
        latency: Duration,
    ) -> ResponseTemplate {
        let (bytes, content_type) = match self.body {
            Body::Json(mut value) => {
                if let Some(code) = self.code.filter(|code| *code != 0) {
                    attach_log_id(&mut value, log_id, keys, code);
                }
                let bytes = serde_json::to_vec(&value).unwrap_or_else(|_| b"{}".to_vec());
                (bytes, JSON_CONTENT_TYPE)
            }
            Body::Raw {
                bytes,
                content_type,
            } => (bytes, content_type),
        };
        let mut template = ResponseTemplate::new(self.status)
            .set_body_raw(bytes, content_type)
            .insert_header("X-Tt-Logid", log_id);
        for (name, value) in self.headers {
            template = template.insert_header(name, value.as_str());
        }
        let delay = self.delay.saturating_add(latency);
        if !delay.is_zero() {
            template = template.set_delay(delay);
        }
        template
    }
}

/// Adds the log id (under `keys`) and `error.troubleshooter` to an error envelope.
fn attach_log_id(value: &mut Value, log_id: &str, keys: LogIdKeys, code: i64) {
    let Value::Object(object) = value else {
        return;
    };
    let error = object
        .entry("error")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(error) = error {
        if matches!(keys, LogIdKeys::LogId | LogIdKeys::Both) {
            error.insert("log_id".into(), json!(log_id));
        }
        if matches!(keys, LogIdKeys::Logid | LogIdKeys::Both) {
            error.insert("logid".into(), json!(log_id));
        }
        error.insert(
            "troubleshooter".into(),
            json!(format!(
                "https://open.feishu.cn/search?from=openapi&log_id={log_id}&code={code}"
            )),
        );
    }
}
