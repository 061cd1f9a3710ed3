//! Contact v3's documented rate limit and the error codes the transport acts on; every
//! endpoint of this crate is declared with both ([`contact`]).

use feishu_core::{CodeTable, Endpoint, RateLimit};

/// Contact v3's documented limit for every endpoint this crate calls: 1000 per minute and 50
/// per second (the "frequency limit" of each API page, e.g.
/// <https://open.feishu.cn/document/server-docs/contact-v3/scope/list>).
pub(crate) const CONTACT_LIMIT: RateLimit = RateLimit::per_minute(1000).and_per_second(50);

/// Codes the transport acts on for Contact v3 endpoints (the error tables of each API page,
/// e.g. <https://open.feishu.cn/document/server-docs/contact-v3/user/get> and
/// <https://open.feishu.cn/document/server-docs/contact-v3/group-member/simplelist>). 40003 is
/// an internal error on v3 (HTTP 500; the core retries it for `contact.*`).
pub(crate) const CONTACT_CODES: CodeTable = CodeTable::new()
    .permission(&[
        (40004, "the department is outside the app's contact range"),
        (41050, "the user is outside the app's contact range"),
        (40014, "the app has no authority over the parent department"),
        (
            42009,
            "the user group is outside the app's contact range (add it to the range, or grant \
             contact:group:readonly)",
        ),
    ])
    // The error table of
    // https://open.feishu.cn/document/server-docs/contact-v3/department/get and of user/get.
    .hints(&[
        (
            40015,
            "no department has this id (check department_id_type)",
        ),
        (
            41012,
            "no user has this id (check the user_id_type it was sent with)",
        ),
        (43010, "the department is too large for this call"),
    ]);

/// `endpoint` with Contact's limit and code table.
pub(crate) const fn contact(endpoint: Endpoint) -> Endpoint {
    endpoint.limit(CONTACT_LIMIT).codes(CONTACT_CODES)
}
