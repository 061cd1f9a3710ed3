//! The request journal: every request the tenant answered, plus always-on counters.

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use serde_json::Value;

use crate::reply::Reply;
use crate::request::RequestView;

/// Paths of the four token endpoints counted by [`crate::FakeTenant::token_requests`].
const TOKEN_PATHS: [&str; 4] = [
    "/open-apis/auth/v3/tenant_access_token/internal",
    "/open-apis/auth/v3/app_access_token/internal",
    "/open-apis/auth/v3/app_access_token",
    "/open-apis/auth/v3/tenant_access_token",
];

/// One request the fake tenant received, and how it answered.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct JournalEntry {
    /// Upper-case HTTP method.
    pub method: String,
    /// The path as received, still percent-encoded, without the query string.
    pub path: String,
    /// The percent-decoded path segments (`/a/b%2Fc` gives `["a", "b/c"]`).
    pub segments: Vec<String>,
    /// Decoded query pairs in order, repeated keys preserved.
    pub query: Vec<(String, String)>,
    /// Request headers (lower-case names). Empty when body recording is off.
    pub headers: Vec<(String, String)>,
    /// The token of an `Authorization: Bearer <token>` header (test data, so it is kept).
    pub authorization: Option<String>,
    /// The request body: parsed JSON, or a JSON string holding the (lossy UTF-8) bytes when
    /// the body is not JSON. `None` for an empty body or when body recording is off.
    pub body: Option<Value>,
    /// The HTTP status the tenant answered.
    pub status: u16,
    /// The Feishu `code` the tenant answered (`None` for non-JSON or malformed replies).
    pub code: Option<i64>,
    /// The `X-Tt-Logid` the reply carried.
    pub log_id: String,
    /// When the request was answered.
    pub at: Instant,
}

/// The journal storage and counters.
#[derive(Debug)]
pub(crate) struct Journal {
    entries: VecDeque<JournalEntry>,
    capacity: usize,
    record_bodies: bool,
    per_path: HashMap<String, usize>,
    per_status: HashMap<u16, usize>,
    token_requests: usize,
    total: usize,
}

impl Journal {
    pub(crate) fn new(record_bodies: bool, capacity: usize) -> Journal {
        Journal {
            entries: VecDeque::new(),
            capacity,
            record_bodies,
            per_path: HashMap::new(),
            per_status: HashMap::new(),
            token_requests: 0,
            total: 0,
        }
    }

    /// Records one answered request.
    pub(crate) fn record(&mut self, req: &RequestView, reply: &Reply, log_id: &str) {
        self.total += 1;
        *self.per_path.entry(req.path.clone()).or_default() += 1;
        *self.per_status.entry(reply.status).or_default() += 1;
        if TOKEN_PATHS.contains(&req.path.as_str()) {
            self.token_requests += 1;
        }
        if self.capacity == 0 {
            return;
        }
        if self.entries.len() >= self.capacity {
            self.entries.pop_front();
        }
        let authorization = req
            .header("authorization")
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::to_owned);
        let (headers, body) = if self.record_bodies {
            let body = match (&req.json, req.body.is_empty()) {
                (Some(json), _) => Some(json.clone()),
                (None, true) => None,
                (None, false) => Some(Value::String(
                    String::from_utf8_lossy(&req.body).into_owned(),
                )),
            };
            (req.headers.clone(), body)
        } else {
            (Vec::new(), None)
        };
        self.entries.push_back(JournalEntry {
            method: req.method.clone(),
            path: req.path.clone(),
            segments: req.segments.clone(),
            query: req.query.clone(),
            headers,
            authorization,
            body,
            status: reply.status,
            code: reply.code,
            log_id: log_id.to_owned(),
            at: Instant::now(),
        });
    }

    pub(crate) fn entries(&self) -> Vec<JournalEntry> {
        self.entries.iter().cloned().collect()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.per_path.clear();
        self.per_status.clear();
        self.token_requests = 0;
        self.total = 0;
    }

    pub(crate) fn count_path(&self, path: &str) -> usize {
        self.per_path.get(path).copied().unwrap_or(0)
    }

    pub(crate) fn count_prefix(&self, prefix: &str) -> usize {
        self.per_path
            .iter()
            .filter(|(path, _)| path.starts_with(prefix))
            .map(|(_, count)| count)
            .sum()
    }

    pub(crate) fn count_status(&self, status: u16) -> usize {
        self.per_status.get(&status).copied().unwrap_or(0)
    }

    pub(crate) fn token_requests(&self) -> usize {
        self.token_requests
    }

    pub(crate) fn total(&self) -> usize {
        self.total
    }
}
