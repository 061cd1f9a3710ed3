//! `bitable_records`: the records of the Base's tables.

use feishu_bitable::Person;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

use super::stream_record;

/// One record of one table, `fields` exactly as search records sent them.
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
    /// absent).
    pub fields: Map<String, Value>,
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
}
stream_record!(
    BitableRecord,
    "bitable_records",
    Bitable,
    ["app_token", "table_id", "record_id"],
    None
);
