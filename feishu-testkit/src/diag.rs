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

/// Pages over `list` following the query knobs (`page_size`, `page_token`, `repeat_token_at`,
/// `empty_token_at`, `fail_at`, `fail_code`, `fail_status`). Pages are numbered from 1.
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
    let offset = match paging::offset(req, 0, list.len) {
        Ok(offset) => offset,
        Err(token) => return Reply::param_error("page_token", token, "invalid page_token"),
    };
    let mut knobs = [0u64; 5];
    for (slot, name) in knobs.iter_mut().zip([
        "repeat_token_at",
        "empty_token_at",
        "fail_at",
        "fail_code",
        "fail_status",
    ]) {
        match query_u64(req, name, 0) {
            Ok(value) => *slot = value,
            Err(reply) => return reply,
        }
    }
    let [
        repeat_token_at,
        empty_token_at,
        fail_at,
        fail_code,
        fail_status,
    ] = knobs;
    let page_no = offset / page_size + 1;
    if page_no == fail_at {
        let code = if fail_code == 0 {
            DEFAULT_FAIL_CODE
        } else {
            i64::try_from(fail_code).unwrap_or(DEFAULT_FAIL_CODE)
        };
        let status = u16::try_from(fail_status)
            .ok()
            .filter(|s| (100..=599).contains(s))
            .unwrap_or(400);
        return Reply::err(
            status,
            code,
            format!("testkit: injected failure at page {page_no}"),
        );
    }
    let end = offset.saturating_add(page_size).min(list.len);
    let items: Vec<u64> = (offset..end).map(|i| i * list.step).collect();
    let (has_more, token) = if page_no == repeat_token_at {
        (true, Some(PageToken { query: 0, offset }.encode()))
    } else if page_no == empty_token_at {
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
