//! From a reply to a value or a [`Failure`]: the `{code, msg, data}` envelope, success decided
//! on `code`, and what each failure means for a retry.

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

use super::attempt::Reply;
use super::{Failure, Transport};
use crate::codes;
use crate::endpoint::{Endpoint, ReplyShape};
use crate::error::{ApiError, DecodeError, Error, ErrorDetail, HttpError};
use crate::redact;

#[derive(Deserialize)]
struct Envelope<T> {
    code: i64,
    #[serde(default)]
    msg: Option<String>,
    #[serde(default = "none")]
    data: Option<T>,
    #[serde(default)]
    error: Option<Value>,
}

fn none<T>() -> Option<T> {
    None
}

/// An envelope read without trusting any key's type, for replies the strict pass refused.
#[derive(Deserialize)]
struct LooseEnvelope {
    #[serde(default)]
    code: Option<Value>,
    #[serde(default)]
    msg: Option<Value>,
    #[serde(default)]
    error: Option<Value>,
    #[serde(default, rename = "data")]
    _data: Option<IgnoredAny>,
}

/// `(code, msg, data, error)` of a reply.
type Parts<T> = (i64, Option<String>, Option<T>, Option<Value>);

impl Transport {
    pub(super) fn classify<T: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        reply: &Reply,
    ) -> Result<T, Failure> {
        if !reply.is_json {
            return Err(self.not_json(endpoint, reply));
        }
        let (code, msg, data, error) = match strict::<T>(endpoint, &reply.body) {
            Ok(parts) => parts,
            Err(shape_err) => self.loose(endpoint, reply, shape_err)?,
        };
        tracing::Span::current().record("code", code);
        if code == 0 {
            if reply.status == 429 {
                // Contradictory, but success is decided on `code`; still counted.
                self.telemetry.record_rate_limited(endpoint.name());
            }
            return match data {
                Some(d) => Ok(d),
                None => serde_json::from_str::<T>("{}")
                    .or_else(|_| serde_json::from_str::<T>("null"))
                    .map_err(|e| {
                        Failure::Fatal(decode_error(
                            endpoint,
                            reply,
                            format!("`data` is missing: {}", redact::decode_reason(&e)),
                        ))
                    }),
            };
        }
        Err(self.api_failure(endpoint, reply, code, msg, error))
    }

    fn api_failure(
        &self,
        endpoint: &Endpoint,
        reply: &Reply,
        code: i64,
        msg: Option<String>,
        error: Option<Value>,
    ) -> Failure {
        let detail = error.map(ErrorDetail::from_value).unwrap_or_default();
        let log_id = reply
            .log_id
            .clone()
            .or_else(|| detail.log_id().map(str::to_string));
        let api = ApiError::new(
            endpoint.name(),
            endpoint.code_table(),
            reply.status,
            code,
            msg.unwrap_or_default(),
            log_id,
            detail,
        );
        if endpoint.is_authenticated() && codes::is_token_invalid(code) {
            return Failure::TokenRejected(Box::new(api));
        }
        if api.is_rate_limited() {
            return Failure::RateLimited(Error::api(api));
        }
        // A write refused before it was applied (a write conflict) can be sent again even
        // when it is not idempotent; anything else only when repeating it is harmless.
        let repeatable = endpoint.idempotency_kind().is_retry_safe()
            || endpoint.code_table().is_not_applied(code);
        let retry = repeatable && api.is_retryable();
        retry_or_fatal(Error::api(api), retry)
    }

    /// A non-JSON reply: an HTTP error page, or garbage with a success status.
    fn not_json(&self, endpoint: &Endpoint, reply: &Reply) -> Failure {
        let error = Error::Http(Box::new(HttpError::new(
            endpoint.name(),
            reply.status,
            reply.log_id.clone(),
            redact::excerpt(&reply.body),
        )));
        match reply.status {
            429 => Failure::RateLimited(error),
            s if s >= 400 => {
                let retry = endpoint.idempotency_kind().is_retry_safe() && (s >= 500 || s == 408);
                retry_or_fatal(error, retry)
            }
            _ => Failure::Fatal(decode_error(
                endpoint,
                reply,
                "expected a JSON reply".into(),
            )),
        }
    }

    /// The strict pass failed: find the code anyway, or say why the reply is unusable.
    fn loose<T>(
        &self,
        endpoint: &Endpoint,
        reply: &Reply,
        shape_err: serde_json::Error,
    ) -> Result<Parts<T>, Failure> {
        let retry_safe = endpoint.idempotency_kind().is_retry_safe();
        let Ok(loose) = serde_json::from_slice::<LooseEnvelope>(&reply.body) else {
            // Not JSON at all (truncated, garbage): a transport-level glitch.
            let error = decode_error(
                endpoint,
                reply,
                format!("invalid JSON: {}", redact::decode_reason(&shape_err)),
            );
            if reply.status == 429 {
                return Err(Failure::RateLimited(error));
            }
            return Err(retry_or_fatal(error, retry_safe));
        };
        let code = loose.code.as_ref().and_then(|c| {
            c.as_i64()
                .or_else(|| c.as_str().and_then(|s| s.trim().parse().ok()))
        });
        match code {
            Some(c) if c != 0 => {
                let msg = loose.msg.map(|m| match m {
                    Value::String(s) => s,
                    other => other.to_string(),
                });
                Ok((c, msg, None, loose.error))
            }
            Some(_) => Err(Failure::Fatal(decode_error(
                endpoint,
                reply,
                format!(
                    "unexpected `data` shape: {}",
                    redact::decode_reason(&shape_err)
                ),
            ))),
            None => {
                let error = decode_error(endpoint, reply, "the reply has no integer `code`".into());
                if reply.status == 429 {
                    // A gateway's own JSON 429: the request was not processed.
                    return Err(Failure::RateLimited(error));
                }
                Err(retry_or_fatal(error, retry_safe && reply.status >= 500))
            }
        }
    }
}

/// The happy path: one pass over the body.
fn strict<T: DeserializeOwned>(endpoint: &Endpoint, body: &[u8]) -> serde_json::Result<Parts<T>> {
    match endpoint.reply_shape() {
        ReplyShape::Flat => {
            let env = serde_json::from_slice::<Envelope<IgnoredAny>>(body)?;
            if env.code == 0 {
                serde_json::from_slice::<T>(body).map(|t| (0, env.msg, Some(t), None))
            } else {
                Ok((env.code, env.msg, None, env.error))
            }
        }
        _ => serde_json::from_slice::<Envelope<T>>(body)
            .map(|env| (env.code, env.msg, env.data, env.error)),
    }
}

fn decode_error(endpoint: &Endpoint, reply: &Reply, reason: String) -> Error {
    Error::decode(DecodeError::new(
        endpoint.name(),
        reply.status,
        reply.log_id.clone(),
        reason,
        redact::excerpt(&reply.body),
    ))
}

fn retry_or_fatal(error: Error, retry: bool) -> Failure {
    if retry {
        Failure::Retry(error)
    } else {
        Failure::Fatal(error)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use proptest::prelude::*;

    use super::*;
    use crate::budget::{Budget, BudgetScope, InMemoryBudgetStore, RateLimits};
    use crate::retry::RetryPolicy;
    use crate::telemetry::Telemetry;

    fn transport() -> Transport {
        Transport {
            http: reqwest::Client::new(),
            base: url::Url::parse("http://127.0.0.1:1/").unwrap(),
            timeout: Duration::from_secs(1),
            retry: RetryPolicy::default(),
            budget: Budget::new(
                std::sync::Arc::new(InMemoryBudgetStore::new()),
                RateLimits::disabled(),
            ),
            scope: BudgetScope::new("http://127.0.0.1:1", "cli_test", None),
            max_response_bytes: 1 << 20,
            telemetry: Telemetry::default(),
        }
    }

    fn reply(status: u16, body: &[u8], json: bool) -> Reply {
        Reply {
            status,
            log_id: Some("l".into()),
            reset: Some(Duration::from_secs(1)),
            limit: None,
            is_json: json,
            body: body.to_vec(),
        }
    }

    const READ: Endpoint = Endpoint::get("t.read", "t");
    const WRITE: Endpoint = Endpoint::post("t.write", "t");
    const FLAT: Endpoint = Endpoint::post_read("t.flat", "t").unauthenticated_flat();
    const THROTTLING: Endpoint = Endpoint::post("t.throttling", "t")
        .codes(crate::codes::CodeTable::new().throttled(&[1254290]));

    fn decode(body: &[u8], status: u16, json: bool) {
        let t = transport();
        for ep in [READ, WRITE, FLAT, THROTTLING] {
            let _ = t.classify::<Value>(&ep, &reply(status, body, json));
            let _ = t.classify::<Vec<u64>>(&ep, &reply(status, body, json));
        }
    }

    #[test]
    fn a_429_without_an_integer_code_is_a_rate_limit_even_for_writes() {
        let t = transport();
        let bodies: [&[u8]; 3] = [br#"{"message":"slow down"}"#, b"{\"code\":", b"{}"];
        for body in bodies {
            for ep in [READ, WRITE] {
                let r = t.classify::<Value>(&ep, &reply(429, body, true));
                assert!(matches!(r, Err(Failure::RateLimited(_))), "{body:?}");
            }
        }
    }

    #[test]
    fn throttle_codes_are_the_endpoints_own() {
        let t = transport();
        let body = br#"{"code":1254290,"msg":"TooManyRequest"}"#;
        let r = t.classify::<Value>(&THROTTLING, &reply(200, body, true));
        assert!(matches!(r, Err(Failure::RateLimited(_))));
        // Another family does not treat Bitable's code as a throttle; a write is not retried.
        let r = t.classify::<Value>(&WRITE, &reply(200, body, true));
        assert!(matches!(r, Err(Failure::Fatal(_))));
        for code in [99991400, 1000004, 1000005] {
            let body = format!(r#"{{"code":{code},"msg":"limited"}}"#);
            let r = t.classify::<Value>(&WRITE, &reply(400, body.as_bytes(), true));
            assert!(matches!(r, Err(Failure::RateLimited(_))), "{code}");
        }
    }

    #[test]
    fn an_error_block_with_both_log_id_spellings_is_kept() {
        let t = transport();
        let body = br#"{"code":1254000,"msg":"bad","error":{"log_id":"A","logid":"B",
            "field_violations":[{"field":"x","description":"d"}]}}"#;
        let mut r = reply(200, body, true);
        r.log_id = None;
        match t.classify::<Value>(&READ, &r) {
            Err(Failure::Fatal(Error::Api(api))) => {
                assert_eq!(api.log_id(), Some("A"));
                assert_eq!(api.detail().field_violations().len(), 1);
            }
            _ => panic!("expected a fatal API error"),
        }
    }

    #[test]
    fn a_write_refused_before_it_was_applied_is_retried_even_when_not_idempotent() {
        const CONFLICTING: Endpoint = Endpoint::post("t.conflict", "t").codes(
            crate::codes::CodeTable::new()
                .transient(&[1254607])
                .not_applied(&[1254291]),
        );
        let t = transport();
        let conflict = br#"{"code":1254291,"msg":"Write conflict"}"#;
        assert!(matches!(
            t.classify::<Value>(&CONFLICTING, &reply(200, conflict, true)),
            Err(Failure::Retry(_))
        ));
        // Merely transient: the write may be half done, so a non-idempotent one is not repeated.
        let busy = br#"{"code":1254607,"msg":"Data not ready"}"#;
        assert!(matches!(
            t.classify::<Value>(&CONFLICTING, &reply(400, busy, true)),
            Err(Failure::Fatal(_))
        ));
        // Another family's table does not make the code safe.
        assert!(matches!(
            t.classify::<Value>(&WRITE, &reply(200, conflict, true)),
            Err(Failure::Fatal(_))
        ));
    }

    #[test]
    fn transient_failures_of_writes_are_not_retried() {
        let t = transport();
        let body = br#"{"code":1500,"msg":"internal error"}"#;
        assert!(matches!(
            t.classify::<Value>(&READ, &reply(200, body, true)),
            Err(Failure::Retry(_))
        ));
        assert!(matches!(
            t.classify::<Value>(&WRITE, &reply(200, body, true)),
            Err(Failure::Fatal(_))
        ));
        assert!(matches!(
            t.classify::<Value>(&WRITE, &reply(503, b"<html>", false)),
            Err(Failure::Fatal(_))
        ));
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| serde_json::json!(f)),
            ".*".prop_map(Value::from),
            prop_oneof![Just("code"), Just("msg"), Just("data"), Just("error")]
                .prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("code".to_string()),
                        Just("msg".to_string()),
                        Just("data".to_string()),
                        Just("error".to_string()),
                        Just("log_id".to_string()),
                        Just("logid".to_string()),
                        Just("permission_violations".to_string()),
                        "[a-z_]{1,8}",
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic_the_decoder(
            body in proptest::collection::vec(any::<u8>(), 0..512),
            status in 100u16..600,
            json in any::<bool>(),
        ) {
            decode(&body, status, json);
        }

        #[test]
        fn arbitrary_json_never_panics_the_decoder(value in arb_json(), status in 100u16..600) {
            decode(&serde_json::to_vec(&value).unwrap(), status, true);
            let env = serde_json::json!({"code": 0, "msg": "ok", "data": value, "error": value});
            decode(&serde_json::to_vec(&env).unwrap(), status, true);
            let env = serde_json::json!({"code": 1254290, "msg": value, "error": value});
            decode(&serde_json::to_vec(&env).unwrap(), status, true);
        }
    }
}
