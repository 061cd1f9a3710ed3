//! A request as the fake services see it: parsed once by the router, read by every handler.

use percent_encoding::percent_decode_str;
use serde_json::Value;
use wiremock::Request;

/// Prefix of the token endpoints, which need no `Authorization` header.
pub(crate) const AUTH_PREFIX: &str = "/open-apis/auth/v3/";

/// The identity behind an accepted tenant token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    pub(crate) app_id: String,
    pub(crate) tenant_key: String,
    pub(crate) token: String,
}

/// A parsed request, as handlers see it.
#[derive(Debug, Clone)]
pub(crate) struct RequestView {
    /// Upper-case HTTP method (`GET`, `POST`, ...).
    pub(crate) method: String,
    /// The path as received, still percent-encoded, without the query.
    pub(crate) path: String,
    /// Percent-decoded path segments (the leading `/` produces no segment).
    pub(crate) segments: Vec<String>,
    /// Decoded query pairs in order, repeats preserved.
    pub(crate) query: Vec<(String, String)>,
    /// Headers with lower-case names.
    pub(crate) headers: Vec<(String, String)>,
    /// The raw body.
    pub(crate) body: Vec<u8>,
    /// The body parsed as JSON, if it is JSON.
    pub(crate) json: Option<Value>,
    /// Who the bearer token belongs to; set by the router once the token was accepted.
    pub(crate) caller: Option<Caller>,
}

impl RequestView {
    /// Parses a wiremock request.
    pub(crate) fn parse(request: &Request) -> RequestView {
        let path = request.url.path().to_owned();
        let segments = path
            .split('/')
            .skip(1)
            .map(|segment| percent_decode_str(segment).decode_utf8_lossy().into_owned())
            .collect();
        let query = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let headers = request
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let json = if request.body.is_empty() {
            None
        } else {
            serde_json::from_slice(&request.body).ok()
        };
        RequestView {
            method: request.method.as_str().to_ascii_uppercase(),
            path,
            segments,
            query,
            headers,
            body: request.body.clone(),
            json,
            caller: None,
        }
    }

    /// Matches the decoded segments against a pattern such as
    /// `/open-apis/testkit/v1/echo/:segment`, returning the captured `:params` in order.
    /// The segment count must be equal; a `:param` never matches an empty segment.
    pub(crate) fn match_path(&self, pattern: &str) -> Option<Vec<&str>> {
        let pattern: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
        if pattern.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (want, got) in pattern.iter().zip(&self.segments) {
            if want.starts_with(':') {
                if got.is_empty() {
                    return None;
                }
                params.push(got.as_str());
            } else if want != got {
                return None;
            }
        }
        Some(params)
    }

    /// The first value of a query parameter.
    pub(crate) fn query_first(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether a boolean query parameter is exactly `true` (Feishu's spelling).
    pub(crate) fn query_flag(&self, name: &str) -> bool {
        self.query_first(name) == Some("true")
    }

    /// The first value of a header (name compared case-insensitively).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The token of an `Authorization: Bearer <token>` header, if the header has that form.
    pub(crate) fn bearer(&self) -> Option<&str> {
        self.header("authorization")
            .and_then(|value| value.strip_prefix("Bearer "))
    }

    /// Whether this is one of the `auth/v3` token endpoints.
    pub(crate) fn is_auth_path(&self) -> bool {
        self.path.starts_with(AUTH_PREFIX)
    }
}
