//! One HTTP round trip: send the request, read the reply within the size cap.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::{Failure, Transport};
use crate::endpoint::Method;
use crate::error::{AuthError, DecodeError, Error, TimeoutError, TransportError};
use crate::request::Request;

/// The headers of a reply the engine reads.
struct Head {
    log_id: Option<String>,
    reset: Option<Duration>,
    limit: Option<String>,
    content_type: String,
}

impl Head {
    fn read(headers: &reqwest::header::HeaderMap) -> Head {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Head {
            log_id: header("x-tt-logid").or_else(|| header("x-request-id")),
            reset: header("x-ogw-ratelimit-reset")
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(|s| Duration::from_secs_f64(s.min(3600.0))),
            limit: header("x-ogw-ratelimit-limit"),
            content_type: header("content-type").unwrap_or_default(),
        }
    }
}

/// A reply as read off the wire.
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) log_id: Option<String>,
    /// `x-ogw-ratelimit-reset`: seconds until the server's window resets.
    pub(super) reset: Option<Duration>,
    /// `x-ogw-ratelimit-limit`, verbatim (read by the budget).
    pub(super) limit: Option<String>,
    pub(super) is_json: bool,
    pub(super) body: Vec<u8>,
}

impl Transport {
    pub(super) async fn round_trip(
        &self,
        req: &Request,
        url: &Url,
        token: Option<&SecretString>,
    ) -> Result<Reply, Failure> {
        let builder = self.request_builder(req, url, token)?;
        let started = Instant::now();
        let mut response = builder
            .send()
            .await
            .map_err(|e| self.transport_failure(req, e, started))?;
        let status = response.status().as_u16();
        let head = Head::read(response.headers());
        if response
            .content_length()
            .is_some_and(|len| len > self.max_response_bytes as u64)
        {
            return Err(Failure::Fatal(self.too_large(req, status, head.log_id)));
        }
        // Sized from the declared length (bounded by the cap) to avoid regrowing.
        let capacity = response
            .content_length()
            .map_or(0, |n| n.min(self.max_response_bytes as u64) as usize);
        let mut body = Vec::with_capacity(capacity);
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() > self.max_response_bytes => {
                    return Err(Failure::Fatal(self.too_large(req, status, head.log_id)));
                }
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => return Err(self.transport_failure(req, e, started)),
            }
        }
        let is_json = head.content_type.contains("json")
            || (head.content_type.is_empty()
                && body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'));
        Ok(Reply {
            status,
            log_id: head.log_id,
            reset: head.reset,
            limit: head.limit,
            is_json,
            body,
        })
    }

    /// The HTTP request of one attempt: method, URL, timeout, token, body.
    fn request_builder(
        &self,
        req: &Request,
        url: &Url,
        token: Option<&SecretString>,
    ) -> Result<reqwest::RequestBuilder, Failure> {
        let http = &self.http;
        let mut builder = match req.endpoint().method() {
            Method::Get => http.get(url.clone()),
            Method::Post => http.post(url.clone()),
            Method::Put => http.put(url.clone()),
            Method::Patch => http.patch(url.clone()),
            Method::Delete => http.delete(url.clone()),
        };
        builder = builder.timeout(self.timeout);
        if let Some(token) = token {
            builder = builder.header(AUTHORIZATION, bearer(token)?);
        }
        if let Some(body) = req.body() {
            builder = builder
                .header(CONTENT_TYPE, "application/json; charset=utf-8")
                .body(body.to_vec());
        }
        Ok(builder)
    }

    fn too_large(&self, req: &Request, status: u16, log_id: Option<String>) -> Error {
        Error::decode(DecodeError::new(
            req.endpoint().name(),
            status,
            log_id,
            format!(
                "reply body exceeds the limit of {} bytes (ClientBuilder::max_response_bytes)",
                self.max_response_bytes
            ),
            String::new(),
        ))
    }

    /// A failure below HTTP. A connection that never opened cannot have had side effects, so
    /// it is retried for any call; otherwise only calls that are safe to repeat are.
    fn transport_failure(&self, req: &Request, e: reqwest::Error, started: Instant) -> Failure {
        let endpoint = req.endpoint();
        let retry = endpoint.idempotency_kind().is_retry_safe() || e.is_connect();
        let may_have_applied = !retry;
        let error = if e.is_timeout() {
            Error::Timeout(Box::new(TimeoutError::new(
                endpoint.name(),
                started.elapsed(),
                may_have_applied,
            )))
        } else {
            let message = message_without_url(&e);
            Error::Transport(Box::new(TransportError::new(
                endpoint.name(),
                message,
                may_have_applied,
                Some(Arc::new(e.without_url())),
            )))
        };
        if retry {
            Failure::Retry(error)
        } else {
            Failure::Fatal(error)
        }
    }
}

fn bearer(token: &SecretString) -> Result<HeaderValue, Failure> {
    let mut value =
        HeaderValue::from_str(&format!("Bearer {}", token.expose_secret())).map_err(|_| {
            Failure::Fatal(Error::auth(AuthError::new(
                "the access token contains characters not allowed in a header",
            )))
        })?;
    value.set_sensitive(true);
    Ok(value)
}

/// reqwest's error chain as one line, without the URL (ours never carry a token, but a
/// message should not depend on that).
fn message_without_url(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    let mut first = true;
    while let Some(err) = source {
        let mut text = err.to_string();
        if first && let Some(i) = text.find(" for url (") {
            text.truncate(i);
        }
        first = false;
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = err.source();
    }
    parts.join(": ")
}
