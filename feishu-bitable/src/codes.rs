//! Bitable's documented limits and error codes, shared by its endpoint declarations.
//!
//! Sources: the Bitable error-code table
//! (<https://open.feishu.cn/document/server-docs/docs/bitable-v1/bitable-overview>, "Error
//! codes"), the error table of each record write page (e.g.
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/batch_create>)
//! and the per-endpoint "frequency limit" of each API page. Bitable limits cannot be raised on
//! request (<https://open.feishu.cn/document/ukTMukTMukTM/uUzN04SN3QjL1cDN>).

use feishu_core::{CodeTable, RateLimit};

/// Every Bitable read endpoint: 20 requests per second per app and tenant (each API page's
/// "frequency limit").
pub(crate) const BITABLE_LIMIT: RateLimit = RateLimit::per_second(20);

/// The record write endpoints (create, update, delete, and their batch forms): 50 per second
/// each (their pages' "frequency limit"; oapi-sdk-go's 2024 comments still said 10/s). Per
/// table, the one-writer rule binds first.
pub(crate) const RECORD_WRITE_LIMIT: RateLimit = RateLimit::per_second(50);

/// Table and field writes (create / delete a table, create / update / delete a field): 10 per
/// second each (their pages' "frequency limit").
pub(crate) const SCHEMA_WRITE_LIMIT: RateLimit = RateLimit::per_second(10);

/// 1254043 RecordIdNotFound: a record id that does not exist (or no longer does).
pub(crate) const RECORD_NOT_FOUND: i64 = 1254043;
/// 1254104 RecordAddOnceExceedLimit: too many records for one call (the figure changed from
/// 500 to 1,000; an older deployment may still say 500).
pub(crate) const TOO_MANY_RECORDS: i64 = 1254104;

/// Codes the transport acts on for Bitable endpoints.
pub(crate) const BITABLE_CODES: CodeTable = CodeTable::new()
    // 1254290 TooManyRequest; 1254112 TooManyRequestInSingleBase (update-record page's error
    // table): throttled, nothing was processed.
    .throttled(&[1254290, 1254112])
    // Refused before anything was applied, so repeated even for a write that is not
    // idempotent: 1254291 "Write conflict" (the same table does not take concurrent writes:
    // the call was rejected, not half done); 1254036 "Base is copying" (the Base cannot be
    // operated on until the copy is done).
    .not_applied(&[1254291, 1254036])
    // Retried when repeating is harmless (reads, updates, deletes, token-carrying creates):
    // 1254607 data not ready (a previous operation is unfinished, or this one timed out on
    // the server: it may be partly done), 1254608 the same request (same client_token) is
    // still being processed, 1255001..=1255005 internal errors, 1255040 request timed out,
    // 90235 retry later.
    .transient(&[
        1254607, 1254608, 1255001, 1255002, 1255003, 1255004, 1255005, 1255040, 90235,
    ])
    .permission(&[
        (1254302, "the app has no access to this Base: add it as a collaborator (… → \"Add document app\")"),
        (1254304, "advanced permissions restrict this Base: give the app manage rights on it"),
        (91403, "the app has no access to this Base: add it as a collaborator (… → \"Add document app\")"),
    ])
    // 1254040..=1254045: the Base, table, view, field or record does not exist.
    .never_retry(&[1254040, 1254041, 1254042, 1254043, 1254044, 1254045])
    .hints(&[
        (1254045, "field names must match exactly, spaces and line breaks included"),
        (1254104, "too many records in one call: at most 1,000 (500 for deletes)"),
        (1254303, "upload the file to this Base first (Drive media upload_all with parent_type bitable_file)"),
        (1255006, "the client_token was used for a different request: use a new one"),
        (1254037, "client_token must be a UUIDv4"),
    ]);

/// Drive's file subscription: 1000 per minute and 50 per second
/// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/drive-v1/file/subscribe>).
pub(crate) const DRIVE_SUBSCRIBE_LIMIT: RateLimit = RateLimit::per_minute(1000).and_per_second(50);

/// Codes of Drive's file subscription (the subscribe page's error table).
pub(crate) const DRIVE_CODES: CodeTable = CodeTable::new()
    // 1069601 fail (HTTP 500): "retry".
    .transient(&[1069601])
    .permission(&[(
        1069603,
        "only the file's owner or a manager may subscribe: give the app manage rights on the Base",
    )])
    .hints(&[
        (
            1069602,
            "file_type must be bitable for a Base, without event_type",
        ),
        (
            1069604,
            "no such file: for a Base, the file token is its app_token",
        ),
    ]);
