//! Attendance v1's documented rate limit and error codes; every endpoint of this crate is
//! declared with both ([`attendance`]).
//!
//! Source: the error tables of
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/user_flow/query>
//! and <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/user_task/query>
//! (the same codes on both pages).

use feishu_core::{CodeTable, Endpoint, RateLimit};

/// Attendance's documented limit for every endpoint this crate calls (the queries, shifts,
/// groups): 50 per second.
pub(crate) const ATTENDANCE_LIMIT: RateLimit = RateLimit::per_second(50);

/// 1220004 (HTTP 400, "param is invalid"): an id of the request's `user_ids` does not exist or
/// is not permitted ("user_id is not exist or does not have permission").
pub(crate) const USER_INVALID: i64 = 1220004;

/// 1220005 (HTTP 400, "Permission denied"): a user is outside the data scope the attendance
/// administrator gave the app ("check the data permission scope in the Attendance admin
/// console").
pub(crate) const USER_NOT_PERMITTED: i64 = 1220005;

/// Codes that concern single users of a request, not the whole app: a chunk answering one of
/// them has a user in it that cannot be read, and is split until that user stands alone.
pub(crate) const PER_USER_CODES: [i64; 2] = [USER_INVALID, USER_NOT_PERMITTED];

/// What an attendance administrator does about a user outside the app's data scope.
pub(crate) const DATA_SCOPE_HINT: &str = "an attendance administrator adds the users to the \
    app's data permission scope (Attendance admin console → permissions), or the ids are wrong \
    (a departed user whose id was reused needs include_terminated_user)";

/// Codes the transport acts on for Attendance v1 endpoints.
pub(crate) const ATTENDANCE_CODES: CodeTable = CodeTable::new()
    // 1225000 internal error, 1226500 historical, 1227500 shift service error (HTTP 500);
    // 1226000 "shift service error" (HTTP 500) of the shift pages, e.g.
    // https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/shift/get
    .transient(&[1225000, 1226000, 1226500, 1227500])
    .permission(&[
        (USER_INVALID, DATA_SCOPE_HINT),
        (USER_NOT_PERMITTED, DATA_SCOPE_HINT),
    ]);

/// `endpoint` with Attendance's limit and code table.
pub(crate) const fn attendance(endpoint: Endpoint) -> Endpoint {
    endpoint.limit(ATTENDANCE_LIMIT).codes(ATTENDANCE_CODES)
}
