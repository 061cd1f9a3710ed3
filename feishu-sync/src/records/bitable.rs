//! `bitable_records`: the records of the Base's tables.

use feishu_bitable::Person;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

use super::stream_record;

/// One record of one table, `fields` exactly as search records sent them; a tombstone
/// (`_deleted: true`) for a deleted record.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct BitableRecord {
    /// The Base (from the config).
    pub app_token: String,
    /// The table the record belongs to.
    pub table_id: String,
    /// Record id.
    pub record_id: String,
    /// Cell values keyed by field name, raw JSON exactly as search records sends them: text
    /// as segment arrays (mentions and links kept), numbers as numbers (empty cells are
    /// absent). Null on a tombstone.
    pub fields: Option<Map<String, Value>>,
    /// Creation time, Unix ms.
    pub created_time: Option<i64>,
    /// Last modification time, Unix ms.
    pub last_modified_time: Option<i64>,
    /// Creator (person object).
    #[schemars(with = "Option<Value>")]
    pub created_by: Option<Person>,
    /// Last modifier (person object).
    #[schemars(with = "Option<Value>")]
    pub last_modified_by: Option<Person>,
    /// `true` on a tombstone: the record was deleted (a `record_deleted` action of
    /// `drive.file.bitable_record_changed_v1`, or a read that no longer finds it). Only the
    /// key and `_deleted_at` are set then; the other fields are null. Absent on every other
    /// record.
    #[serde(
        rename = "_deleted",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub deleted: bool,
    /// When the deletion was seen, Unix ms (tombstones only).
    #[serde(rename = "_deleted_at", skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
}
stream_record!(
    BitableRecord,
    "bitable_records",
    Bitable,
    ["app_token", "table_id", "record_id"],
    None
);

impl BitableRecord {
    /// The tombstone of a record of `table_id`, deleted as seen at `at_ms`.
    pub(crate) fn tombstone(
        app_token: String,
        table_id: String,
        record_id: String,
        at_ms: i64,
    ) -> Self {
        BitableRecord {
            app_token,
            table_id,
            record_id,
            fields: None,
            created_time: None,
            last_modified_time: None,
            created_by: None,
            last_modified_by: None,
            deleted: true,
            deleted_at: Some(at_ms),
        }
    }
}
