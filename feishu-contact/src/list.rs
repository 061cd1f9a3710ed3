//! Contact v3's documented limit, its error codes, and the endpoints this crate calls.

use feishu_core::{CodeTable, Endpoint, RateLimit};

/// Contact v3's documented limit for every endpoint this crate calls: 1000 per minute and 50
/// per second (each API page's "frequency limit").
pub(crate) const CONTACT_LIMIT: RateLimit = RateLimit::per_minute(1000).and_per_second(50);

/// Codes the transport acts on for Contact v3 endpoints
/// (<https://open.feishu.cn/document/server-docs/contact-v3/user/field-overview>, error codes
/// of each API page). 40003 is an internal error on v3 (retried by the core for `contact.*`).
pub(crate) const CONTACT_CODES: CodeTable = CodeTable::new().permission(&[
    (40004, "the department is outside the app's contact range"),
    (41050, "the user is outside the app's contact range"),
    (40014, "the app has no authority over the parent department"),
]);

const fn contact(endpoint: Endpoint) -> Endpoint {
    endpoint.limit(CONTACT_LIMIT).codes(CONTACT_CODES)
}

/// <https://open.feishu.cn/document/server-docs/contact-v3/department/children>
pub(crate) const CHILD_DEPARTMENTS: Endpoint = contact(Endpoint::get(
    "contact.departments.children",
    "contact/v3/departments/{department_id}/children",
));

/// <https://open.feishu.cn/document/server-docs/contact-v3/user/find_by_department>
pub(crate) const USERS_BY_DEPARTMENT: Endpoint = contact(Endpoint::get(
    "contact.users.find_by_department",
    "contact/v3/users/find_by_department",
));

/// <https://open.feishu.cn/document/server-docs/contact-v3/user/get>
pub(crate) const GET_USER: Endpoint = contact(Endpoint::get(
    "contact.users.get",
    "contact/v3/users/{user_id}",
));

/// <https://open.feishu.cn/document/server-docs/contact-v3/user/batch>
pub(crate) const BATCH_USERS: Endpoint = contact(Endpoint::get(
    "contact.users.batch",
    "contact/v3/users/batch",
));

/// <https://open.feishu.cn/document/server-docs/contact-v3/scope/list>
pub(crate) const SCOPES: Endpoint = contact(Endpoint::get("contact.scopes", "contact/v3/scopes"));
