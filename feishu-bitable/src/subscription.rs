//! Subscribing to a Base's events through Drive, so that `drive.file.bitable_record_changed_v1`
//! (and the field-changed event) arrive.

use feishu_core::Endpoint;

use crate::codes::{DRIVE_CODES, DRIVE_SUBSCRIBE_LIMIT};

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/drive-v1/file/subscribe>
// node-sdk code-gen/projects/drive.ts (file.subscribe): `file_type` required (`bitable` for a
// Base, whose file token is its app_token), `event_type` only for folders. No idempotency key
// is documented, so a timeout is not retried (subscribing again is harmless: call it again).
pub(crate) const SUBSCRIBE_FILE: Endpoint = Endpoint::post(
    "drive.files.subscribe",
    "drive/v1/files/{file_token}/subscribe",
)
.limit(DRIVE_SUBSCRIBE_LIMIT)
.codes(DRIVE_CODES);
