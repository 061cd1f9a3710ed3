//! Testkit-only diagnostic endpoints under `/open-apis/testkit/v1/` (they do not exist on a
//! real tenant): segment echo, paged numbers (GET and POST search), a huge response, and
//! `whoami`.

use serde_json::{Value, json};

use crate::paging::{self, PageToken};
use crate::reply::Reply;
use crate::request::RequestView;
use crate::service::{FakeService, only};

const ECHO: &str = "/open-apis/testkit/v1/echo/:segment";
const NUMBERS: &str = "/open-apis/testkit/v1/numbers";
const NUMBERS_SEARCH: &str = "/open-apis/testkit/v1/numbers/search";
const HUGE: &str = "/open-apis/testkit/v1/huge";
const WHOAMI: &str = "/open-apis/testkit/v1/whoami";

/// Default `total` of the numbers endpoints.
const DEFAULT_TOTAL: u64 = 25;
/// Default `page_size` of the numbers endpoints.
const DEFAULT_PAGE_SIZE: u64 = 10;
/// Largest accepted `page_size`.
const MAX_PAGE_SIZE: u64 = 100;
/// Default `fail_code` of `fail_at` (Approval's "param invalid", not retryable).
const DEFAULT_FAIL_CODE: i64 = 1390001;
/// Largest `bytes` the huge endpoint produces (256 MiB).
const MAX_HUGE_BYTES: u64 = 256 * 1024 * 1024;

/// The diagnostic endpoints; they keep no state.
#[derive(Debug, Default)]
pub(crate) struct DiagService;

impl FakeService for DiagService {
    fn handle(&self, req: &RequestView) -> Option<Reply> {
        route(req)
    }
}

fn route(req: &RequestView) -> Option<Reply> {
    if let Some(params) = req.match_path(ECHO) {
        let segment = params[0];
        return Some(only(req, "GET", || echo(req, segment)));
    }
    if req.match_path(NUMBERS).is_some() {
        return Some(only(req, "GET", || numbers(req)));
    }
    if req.match_path(NUMBERS_SEARCH).is_some() {
        return Some(only(req, "POST", || numbers_search(req)));
    }
    if req.match_path(HUGE).is_some() {
        return Some(only(req, "GET", || huge(req)));
    }
    if req.match_path(WHOAMI).is_some() {
        return Some(only(req, "GET", || whoami(req)));
    }
    None
}

fn echo(req: &RequestView, segment: &str) -> Reply {
    let query: Vec<Value> = req.query.iter().map(|(k, v)| json!([k, v])).collect();
    Reply::ok(json!({
        "segment": segment,
        "raw_path": req.path,
        "segments": req.segments,
        "query": query,
    }))
}

fn whoami(req: &RequestView) -> Reply {
    match &req.caller {
        Some(caller) => Reply::ok(json!({
            "app_id": caller.app_id,
            "tenant_key": caller.tenant_key,
            "token": caller.token,
        })),
        None => Reply::err(500, 1500, "internal error: no caller"),
    }
}

fn huge(req: &RequestView) -> Reply {
    let bytes = match query_u64(req, "bytes", 1024) {
        Ok(bytes) if bytes <= MAX_HUGE_BYTES => bytes,
        Ok(_) => {
            return Reply::param_error(
                "bytes",
                req.query_first("bytes").unwrap_or_default(),
                "must be at most 268435456",
            );
        }
        Err(reply) => return reply,
    };
    let size = usize::try_from(bytes).unwrap_or(usize::MAX);
    Reply::ok(Value::String("x".repeat(size)))
}

/// A virtual list: `len` items, item `i` is `i * step`.
struct Numbers {
    len: u64,
    step: u64,
}

fn numbers(req: &RequestView) -> Reply {
    match query_u64(req, "total", DEFAULT_TOTAL) {
        Ok(total) => page(
            req,
            &Numbers {
                len: total,
                step: 1,
            },
        ),
        Err(reply) => reply,
    }
}

fn numbers_search(req: &RequestView) -> Reply {
    let body = match (&req.json, req.body.is_empty()) {
        (Some(body), _) => body.clone(),
        (None, true) => json!({}),
        (None, false) => return Reply::param_error("body", "", "request body must be JSON"),
    };
    let multiple_of = match body.get("multiple_of") {
        None | Some(Value::Null) => 1,
        Some(value) => match value.as_u64().filter(|k| *k > 0) {
            Some(k) => k,
            None => {
                return Reply::param_error(
                    "multiple_of",
                    &value.to_string(),
                    "must be a positive integer",
                );
            }
        },
    };
    let total = match body.get("total") {
        None | Some(Value::Null) => DEFAULT_TOTAL,
        Some(value) => match value.as_u64() {
            Some(total) => total,
            None => {
                return Reply::param_error(
                    "total",
                    &value.to_string(),
                    "must be a non-negative integer",
                );
            }
        },
    };
    // Multiples of k in 0..total: 0, k, 2k, ... -> ceil(total / k) items.
    page(
        req,
        &Numbers {
            len: total.div_ceil(multiple_of),
            step: multiple_of,
        },
    )
}

/// The paging misbehaviours a numbers request asks for; pages are numbered from 1 and 0 means
/// "never".
#[derive(Debug, Default)]
struct Misbehaviour {
    /// This page answers with the token it was given (a repeating token).
    repeat_token_at: u64,
    /// This page says `has_more: true` with an empty token.
    empty_token_at: u64,
    /// From this page on, every page says `has_more: true` with a fresh token and no items.
    endless_from: u64,
    /// This page fails with `fail_status` / `fail_code`.
    fail_at: u64,
    fail_code: u64,
    fail_status: u64,
}

impl Misbehaviour {
    fn parse(req: &RequestView) -> Result<Misbehaviour, Reply> {
        Ok(Misbehaviour {
            repeat_token_at: query_u64(req, "repeat_token_at", 0)?,
            empty_token_at: query_u64(req, "empty_token_at", 0)?,
            endless_from: query_u64(req, "endless_from", 0)?,
            fail_at: query_u64(req, "fail_at", 0)?,
            fail_code: query_u64(req, "fail_code", 0)?,
            fail_status: query_u64(req, "fail_status", 0)?,
        })
    }

    /// The injected failure of page `page_no`, if it is the failing page.
    fn failure(&self, page_no: u64) -> Option<Reply> {
        if page_no != self.fail_at {
            return None;
        }
        let code = if self.fail_code == 0 {
            DEFAULT_FAIL_CODE
        } else {
            i64::try_from(self.fail_code).unwrap_or(DEFAULT_FAIL_CODE)
        };
        let status = u16::try_from(self.fail_status)
            .ok()
            .filter(|s| (100..=599).contains(s))
            .unwrap_or(400);
        Some(Reply::err(
            status,
            code,
            format!("testkit: injected failure at page {page_no}"),
        ))
    }
}

/// Pages over `list` following the query knobs (`page_size`, `page_token`, and the
/// [`Misbehaviour`] knobs).
///
/// Tokens of ordinary pages point at an offset; a page of the endless tail carries its step
/// number in the token's query part, so every endless page hands out a token never seen
/// before.
fn page(req: &RequestView, list: &Numbers) -> Reply {
    let page_size = match query_u64(req, "page_size", DEFAULT_PAGE_SIZE) {
        Ok(size) if (1..=MAX_PAGE_SIZE).contains(&size) => size,
        Ok(_) => {
            return Reply::param_error(
                "page_size",
                req.query_first("page_size").unwrap_or_default(),
                "must be between 1 and 100",
            );
        }
        Err(reply) => return reply,
    };
    let token = match req.query_first("page_token").filter(|t| !t.is_empty()) {
        None => PageToken {
            query: 0,
            offset: 0,
        },
        Some(text) => match PageToken::decode(text).filter(|t| t.offset <= list.len) {
            Some(token) => token,
            None => return Reply::param_error("page_token", text, "invalid page_token"),
        },
    };
    let knobs = match Misbehaviour::parse(req) {
        Ok(knobs) => knobs,
        Err(reply) => return reply,
    };
    let offset = token.offset;
    let page_no = offset / page_size + 1;
    if let Some(reply) = knobs.failure(page_no) {
        return reply;
    }
    let endless = token.query > 0 || (knobs.endless_from > 0 && page_no >= knobs.endless_from);
    if endless {
        let next = PageToken {
            query: token.query + 1,
            offset,
        };
        return Reply::ok(json!({
            "items": [], "has_more": true, "page_token": next.encode(), "total": list.len,
        }));
    }
    let end = offset.saturating_add(page_size).min(list.len);
    let items: Vec<u64> = (offset..end).map(|i| i * list.step).collect();
    let (has_more, token) = if page_no == knobs.repeat_token_at {
        (true, Some(PageToken { query: 0, offset }.encode()))
    } else if page_no == knobs.empty_token_at {
        (true, Some(String::new()))
    } else {
        let next = paging::next_token(0, end, list.len);
        (next.is_some(), next)
    };
    let mut data = json!({ "items": items, "has_more": has_more, "total": list.len });
    if let Some(token) = token {
        data["page_token"] = json!(token);
    }
    Reply::ok(data)
}

/// A non-negative integer query parameter, `default` when absent or empty.
fn query_u64(req: &RequestView, name: &str, default: u64) -> Result<u64, Reply> {
    match req.query_first(name).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(value) => value
            .parse()
            .map_err(|_| Reply::param_error(name, value, "must be a non-negative integer")),
    }
}
