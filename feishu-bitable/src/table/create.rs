//! Creating a table with its fields
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table/create>)
//! and deleting one
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table/delete>).

use feishu_core::internal::de::vec_or_empty;
use feishu_core::{Endpoint, Idempotency};
use serde::{Deserialize, Serialize};

use crate::codes::{BITABLE_CODES, SCHEMA_WRITE_LIMIT};
use crate::field::NewField;
use crate::ids::{FieldId, TableId, ViewId, id_or_empty, opt_id};

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table/create>
// node-sdk code-gen/projects/bitable.ts (appTable.create): 10/s. No idempotency key: a repeat
// would meet the first table's name (1254013), so it is not retried after a timeout.
pub(crate) const CREATE_TABLE: Endpoint = Endpoint::post(
    "bitable.tables.create",
    "bitable/v1/apps/{app_token}/tables",
)
.idempotency(Idempotency::NotIdempotent)
.limit(SCHEMA_WRITE_LIMIT)
.codes(BITABLE_CODES);

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table/delete>
// node-sdk code-gen/projects/bitable.ts (appTable.delete): 10/s; a repeat finds no table
// (1254041), read as "already gone".
pub(crate) const DELETE_TABLE: Endpoint = Endpoint::delete(
    "bitable.tables.delete",
    "bitable/v1/apps/{app_token}/tables/{table_id}",
)
.limit(SCHEMA_WRITE_LIMIT)
.codes(BITABLE_CODES);

/// A table to create: its name, its fields (the first is the primary field) and the name of
/// its default grid view.
///
/// Feishu's rules (create-table page): a name of 1–100 characters without `/ \ ? * : [ ]`,
/// unique in the Base; the primary field is text, number, date, phone, URL, formula or
/// location; a view name needs fields; without fields the table gets one text field.
///
/// # Example
/// ```
/// use feishu_bitable::{FieldType, NewField, NewTable, UiType};
/// let table = NewTable::new("Orders")
///     .default_view_name("All orders")
///     .field(NewField::new("Order", FieldType::Text))
///     .field(NewField::new("Amount", FieldType::Number).ui_type(UiType::Currency))
///     .field(NewField::new("Status", FieldType::SingleSelect).options(["Open", "Paid"]));
/// assert_eq!(table.fields().len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[must_use]
pub struct NewTable {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_view_name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<NewField>,
}

impl NewTable {
    /// A table named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        NewTable {
            name: name.into(),
            default_view_name: None,
            fields: Vec::new(),
        }
    }

    /// The name of the default grid view.
    pub fn default_view_name(mut self, name: impl Into<String>) -> Self {
        self.default_view_name = Some(name.into());
        self
    }

    /// Adds a field (the first one added is the primary field; at most 300).
    pub fn field(mut self, field: NewField) -> Self {
        self.fields.push(field);
        self
    }

    /// The fields so far.
    pub fn fields(&self) -> &[NewField] {
        &self.fields
    }
}

/// `data` of the create-table reply.
#[derive(Deserialize)]
pub(crate) struct CreatedTableData {
    #[serde(flatten)]
    pub(crate) table: CreatedTable,
}

/// A new table's ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct CreatedTable {
    /// The new table.
    #[serde(deserialize_with = "id_or_empty")]
    pub table_id: TableId,
    /// Its default view (sent when a view name or fields were given).
    #[serde(deserialize_with = "opt_id")]
    pub default_view_id: Option<ViewId>,
    /// Its fields' ids, in the order given (sent when fields were given).
    #[serde(rename = "field_id_list", deserialize_with = "vec_or_empty")]
    pub field_ids: Vec<FieldId>,
}
