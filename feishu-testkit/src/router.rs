//! The catch-all wiremock responder: parses each request into a [`RequestView`], applies fault
//! knobs, checks the bearer token and dispatches to the module handlers.
//!
//! Adding a module is one line in [`MODULES`]: a handler is
//! `fn(&State, &RequestView) -> Option<Reply>` that returns `None` for paths it does not own,
//! and uses [`RequestView::match_path`] / [`only`] to match its routes.

use std::sync::Arc;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use serde_json::Value;
use wiremock::{Request, Respond, ResponseTemplate};

use crate::auth::{self, Caller};
use crate::reply::Reply;
use crate::state::{State, lock};
use crate::{diag, faults, rate_limit};

/// A module handler: `None` means "not my path".
pub(crate) type Handler = fn(&State, &RequestView) -> Option<Reply>;

/// The module handlers, tried in order after authentication. Add new modules here.
const MODULES: &[Handler] = &[
    diag::handle,
    crate::approval::handle,
    crate::contact::handle,
    crate::attendance::handle,
    crate::bitable::handle,
];

/// Prefix of the token endpoints, which need no `Authorization` header.
pub(crate) const AUTH_PREFIX: &str = "/open-apis/auth/v3/";

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

    /// The first value of a header (name compared case-insensitively).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether this is one of the `auth/v3` token endpoints.
    pub(crate) fn is_auth_path(&self) -> bool {
        self.path.starts_with(AUTH_PREFIX)
    }
}

/// Runs `f` when the request has `method`, otherwise answers 99991301.
pub(crate) fn only(req: &RequestView, method: &str, f: impl FnOnce() -> Reply) -> Reply {
    if req.method == method {
        f()
    } else {
        Reply::method_not_allowed(req)
    }
}

/// The wiremock responder that owns the tenant state.
#[derive(Debug, Clone)]
pub(crate) struct Router {
    pub(crate) state: Arc<State>,
}

impl Respond for Router {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = &*self.state;
        let mut req = RequestView::parse(request);
        let log_id = state.next_log_id();
        let reply = route(state, &mut req);
        let latency = lock(&state.faults).latency;
        lock(&state.journal).record(&req, &reply, &log_id);
        reply.into_template(&log_id, latency)
    }
}

/// Decides the reply for one request.
fn route(state: &State, req: &mut RequestView) -> Reply {
    if let Some(reply) = crate::events::endpoint(state, req) {
        return reply;
    }
    if req.is_auth_path() {
        return auth::handle(state, req);
    }
    let mut extra_delay = Duration::ZERO;
    match faults::take_queued(state, req) {
        faults::Outcome::Reply(reply) => return reply,
        faults::Outcome::Delay(delay) => extra_delay = delay,
        faults::Outcome::None => {}
    }
    if let Some(reply) = faults::random(state) {
        return reply;
    }
    match auth::check(state, req) {
        Ok(caller) => req.caller = Some(caller),
        Err(reply) => return reply,
    }
    if let Some(reply) = faults::forbidden(state, req) {
        return reply;
    }
    if let Some(reply) = rate_limit::check(state, req) {
        return reply;
    }
    let reply = MODULES
        .iter()
        .find_map(|handler| handler(state, req))
        .unwrap_or_else(|| Reply::not_found(req));
    reply.delayed(extra_delay)
}
