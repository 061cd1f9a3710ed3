//! Fault injection: queued deterministic faults, seeded random shares, and forbidden prefixes.
//!
//! Faults apply to data requests only (everything outside `/open-apis/auth/v3/`); latency
//! applies to every response.

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::json;

use crate::rate_limit::{rate_limited, throttled};
use crate::relay;
use crate::reply::Reply;
use crate::request::RequestView;

/// The scope named by [`Fault::Permission`] in `error.permission_violations`.
pub const FAULT_SCOPE: &str = "testkit:fault:readonly";

/// `x-ogw-ratelimit-limit` sent with 429s caused by [`Fault::RateLimited`] or the random
/// rate-limited share (per-prefix limits send their own `per_second`).
pub const FAULT_RATE_LIMIT: u32 = 100;

/// One injected failure, for [`crate::FakeTenant::fail_next`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// HTTP status `n` (e.g. 500, 502, 503, 504) with a `text/html` gateway page, no JSON.
    ServerError(u16),
    /// HTTP 429, code 99991400, with `x-ogw-ratelimit-limit` / `x-ogw-ratelimit-reset`
    /// (the reset is the tenant's `set_rate_limit_reset` value, default 1 s).
    RateLimited,
    /// HTTP 400, code 1000004 "method rate limited" (the API was called too fast), with the
    /// same headers as [`RateLimited`](Self::RateLimited). Feishu's common error codes list
    /// the code (<https://open.feishu.cn/document/ukTMukTMukTM/ugjM14COyUjL4ITN>) without an
    /// HTTP status; 400 is what the gateway uses for throttling on older APIs
    /// (<https://open.feishu.cn/document/ukTMukTMukTM/uUzN04SN3QjL1cDN>).
    MethodRateLimited,
    /// HTTP 400, code 1000005 "app rate limited" (the whole app is throttled), with the same
    /// headers as [`RateLimited`](Self::RateLimited); the status is chosen as for
    /// [`MethodRateLimited`](Self::MethodRateLimited).
    AppRateLimited,
    /// HTTP 200 with `Content-Type: application/json` and a truncated, invalid JSON body.
    Malformed,
    /// HTTP 400, code 99991663 ("invalid access token"), even when the token is good.
    TokenInvalid,
    /// HTTP 400, code 99991672 with `error.permission_violations` naming [`FAULT_SCOPE`].
    Permission,
    /// An arbitrary JSON error envelope: HTTP `status` with `{code, msg, error}`.
    Code {
        /// HTTP status of the reply.
        status: u16,
        /// The Feishu `code` of the reply.
        code: i64,
    },
    /// Answer normally, but only after this extra delay (for client timeout tests).
    Delay(Duration),
    /// Apply the request, then reset the TCP connection (RST) before the first byte of the
    /// reply: the write happened, the client never hears of it. Needs a tenant built with
    /// [`connection_faults`](crate::FakeTenantBuilder::connection_faults); without it the
    /// request is refused (HTTP 400, a code no retry policy repeats) with a message naming the
    /// missing option, and not applied.
    ResetConnection,
    /// Apply the request, send the reply's head and half of its body, then close the
    /// connection. Needs [`connection_faults`](crate::FakeTenantBuilder::connection_faults),
    /// as [`ResetConnection`](Self::ResetConnection) does.
    CutReplyBody,
}

/// Mutable fault knobs.
#[derive(Debug)]
pub(crate) struct FaultState {
    pub(crate) latency: Duration,
    pub(crate) rate_limited_share: f64,
    pub(crate) server_error_share: f64,
    pub(crate) malformed_share: f64,
    pub(crate) rate_limit_reset: Duration,
    pub(crate) queue: VecDeque<Fault>,
    pub(crate) forbidden: Vec<(String, String)>,
    /// Whether the relay that breaks connections is in front of the server.
    pub(crate) connection_faults: bool,
    rng: fastrand::Rng,
    rotation: usize,
}

/// What a queued fault does to the current request.
pub(crate) enum Outcome {
    /// No fault queued.
    None,
    /// Answer with this instead of the real reply.
    Reply(Reply),
    /// Answer normally after this extra delay.
    Delay(Duration),
    /// Answer normally, with the relay's [`MARKER`](crate::relay::MARKER) header set to this
    /// value so that the relay breaks the connection.
    BreakConnection(&'static str),
}

impl FaultState {
    pub(crate) fn new(seed: u64, latency: Duration) -> FaultState {
        FaultState {
            latency,
            rate_limited_share: 0.0,
            server_error_share: 0.0,
            malformed_share: 0.0,
            rate_limit_reset: Duration::from_secs(1),
            queue: VecDeque::new(),
            forbidden: Vec::new(),
            connection_faults: false,
            rng: fastrand::Rng::with_seed(seed),
            rotation: 0,
        }
    }

    /// Clears every knob except the rng position.
    pub(crate) fn reset(&mut self) {
        self.latency = Duration::ZERO;
        self.rate_limited_share = 0.0;
        self.server_error_share = 0.0;
        self.malformed_share = 0.0;
        self.rate_limit_reset = Duration::from_secs(1);
        self.queue.clear();
        self.forbidden.clear();
    }

    /// Pops the next queued fault, if any. `app_id` names the app in a permission error when
    /// the request carries no accepted token yet.
    pub(crate) fn take_queued(&mut self, req: &RequestView, app_id: &str) -> Outcome {
        let Some(fault) = self.queue.pop_front() else {
            return Outcome::None;
        };
        match fault {
            Fault::ServerError(status) => Outcome::Reply(server_error(status)),
            Fault::RateLimited => {
                Outcome::Reply(rate_limited(FAULT_RATE_LIMIT, self.rate_limit_reset))
            }
            Fault::MethodRateLimited => Outcome::Reply(throttled(
                400,
                METHOD_RATE_LIMITED,
                "method rate limited",
                FAULT_RATE_LIMIT,
                self.rate_limit_reset,
            )),
            Fault::AppRateLimited => Outcome::Reply(throttled(
                400,
                APP_RATE_LIMITED,
                "app rate limited",
                FAULT_RATE_LIMIT,
                self.rate_limit_reset,
            )),
            Fault::Malformed => Outcome::Reply(malformed()),
            Fault::TokenInvalid => Outcome::Reply(Reply::invalid_tenant_token()),
            Fault::Permission => Outcome::Reply(permission_denied(req, app_id, FAULT_SCOPE)),
            Fault::Code { status, code } => Outcome::Reply(Reply::err(
                status,
                code,
                format!("testkit: injected error {code}"),
            )),
            Fault::Delay(delay) => Outcome::Delay(delay),
            Fault::ResetConnection | Fault::CutReplyBody if !self.connection_faults => {
                Outcome::Reply(Reply::err(
                    400,
                    TESTKIT_MISUSE,
                    format!(
                        "testkit: {fault:?} needs a tenant built with \
                         FakeTenant::builder().connection_faults()"
                    ),
                ))
            }
            Fault::ResetConnection => Outcome::BreakConnection(relay::RESET),
            Fault::CutReplyBody => Outcome::BreakConnection(relay::CUT_BODY),
        }
    }

    /// Draws the seeded random number and applies the configured shares.
    pub(crate) fn random(&mut self) -> Option<Reply> {
        let total = self.rate_limited_share + self.server_error_share + self.malformed_share;
        if total <= 0.0 {
            return None;
        }
        let draw = self.rng.f64();
        if draw < self.rate_limited_share {
            return Some(rate_limited(FAULT_RATE_LIMIT, self.rate_limit_reset));
        }
        if draw < self.rate_limited_share + self.server_error_share {
            let status = [500, 502, 503, 504][self.rotation % 4];
            self.rotation += 1;
            return Some(server_error(status));
        }
        if draw < total {
            return Some(malformed());
        }
        None
    }

    /// Answers 99991672 when the path is under a forbidden prefix.
    pub(crate) fn forbidden(&self, req: &RequestView, app_id: &str) -> Option<Reply> {
        let (_, scope) = self
            .forbidden
            .iter()
            .find(|(prefix, _)| req.path.starts_with(prefix.as_str()))?;
        Some(permission_denied(req, app_id, scope))
    }
}

/// Common error code: the API was called too fast
/// (<https://open.feishu.cn/document/ukTMukTMukTM/ugjM14COyUjL4ITN>).
const METHOD_RATE_LIMITED: i64 = 1000004;
/// Not a Feishu code: a connection fault queued on a tenant without the relay.
const TESTKIT_MISUSE: i64 = 99_999_999;
/// Common error code: the app is throttled (same list).
const APP_RATE_LIMITED: i64 = 1000005;

/// A gateway error page: HTTP `status`, `text/html`, no JSON.
pub(crate) fn server_error(status: u16) -> Reply {
    let reason = match status {
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Server Error",
    };
    let page = format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n\
         <center><h1>{status} {reason}</h1></center>\r\n<hr><center>testkit-gateway</center>\r\n\
         </body>\r\n</html>\r\n"
    );
    Reply::raw(status, page.into_bytes(), "text/html")
}

/// HTTP 200 whose JSON body is cut off mid-way.
pub(crate) fn malformed() -> Reply {
    Reply::raw(
        200,
        br#"{"code":0,"msg":"success","data":{"items":[1,2,"#.to_vec(),
        crate::reply::JSON_CONTENT_TYPE,
    )
}

/// HTTP 400, code 99991672 naming the missing `scope`; the help URL names the caller's app
/// (`app_id` when the request has no accepted token yet).
fn permission_denied(req: &RequestView, app_id: &str, scope: &str) -> Reply {
    let app_id = req
        .caller
        .as_ref()
        .map_or(app_id, |caller| caller.app_id.as_str());
    let auth_url = format!("https://open.feishu.cn/app/{app_id}/auth?q={scope}");
    Reply::err_with(
        400,
        99991672,
        format!(
            "Access denied. One of the following scopes is required: [{scope}]. \
             Please apply for the scope and release a new app version: {auth_url}"
        ),
        json!({
            "message": format!("Refer to the documentation to fix the permission: {auth_url}"),
            "permission_violations": [
                { "type": "action_privilege_required", "subject": scope, "scope": scope, "url": auth_url }
            ],
            "helps": [
                { "url": auth_url, "description": format!("add the scope {scope}") }
            ]
        }),
    )
}
