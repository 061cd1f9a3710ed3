//! Bitable's documented limit and error codes, shared by its endpoint declarations.
//!
//! Sources: the Bitable error-code table
//! (<https://open.feishu.cn/document/server-docs/docs/bitable-v1/bitable-overview>, "Error
//! codes") and the per-endpoint "frequency limit" of each API page.

use feishu_core::{CodeTable, RateLimit};

/// Every Bitable read endpoint: 20 requests per second per app and tenant (each API page's
/// "frequency limit"; Bitable limits cannot be raised).
pub(crate) const BITABLE_LIMIT: RateLimit = RateLimit::per_second(20);

/// Codes the transport acts on for Bitable endpoints.
pub(crate) const BITABLE_CODES: CodeTable = CodeTable::new()
    // 1254290 TooManyRequest.
    .throttled(&[1254290])
    // 1254291 write conflict, 1254607 data not ready, 1254036 Base being copied,
    // 1255001..=1255005 internal errors, 1255040 request timed out, 90235 retry later.
    .transient(&[
        1254291, 1254607, 1254036, 1255001, 1255002, 1255003, 1255004, 1255005, 1255040, 90235,
    ])
    .permission(&[
        (1254302, "the app has no access to this Base: add it as a collaborator (… → \"Add document app\")"),
        (91403, "the app has no access to this Base: add it as a collaborator (… → \"Add document app\")"),
    ])
    // 1254040..=1254045: the Base, table, view, field or record does not exist.
    .never_retry(&[1254040, 1254041, 1254042, 1254043, 1254044, 1254045]);
