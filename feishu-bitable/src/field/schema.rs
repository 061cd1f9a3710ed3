//! [`TableSchema`]: a table's fields by name, what types record values.

use serde::{Deserialize, Serialize};

use super::field_type::FieldType;
use super::model::Field;

/// The fields of one table, by name: what [`Record::typed_fields`](crate::Record::typed_fields)
/// uses to type each value. Build it with [`Bitable::get_schema`](crate::Bitable::get_schema)
/// or from fields you already listed.
///
/// # Example
/// ```
/// use feishu_bitable::{Field, FieldType, TableSchema};
/// let name: Field = serde_json::from_value(serde_json::json!({
///     "field_id": "fld1", "field_name": "Name", "type": 1, "is_primary": true
/// }))?;
/// let schema = TableSchema::new(vec![name]);
/// assert_eq!(schema.field_type("Name"), Some(FieldType::Text));
/// assert_eq!(schema.primary().unwrap().field_id, "fld1");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TableSchema {
    /// The fields, in the order Feishu listed them.
    pub fields: Vec<Field>,
}

impl TableSchema {
    /// A schema over these fields.
    pub fn new(fields: Vec<Field>) -> Self {
        TableSchema { fields }
    }

    /// The field with this name (the first one, should names repeat).
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.field_name == name)
    }

    /// The type of the field with this name.
    pub fn field_type(&self, name: &str) -> Option<FieldType> {
        self.field(name).map(|f| f.field_type)
    }

    /// The primary (index) field.
    pub fn primary(&self) -> Option<&Field> {
        self.fields.iter().find(|f| f.is_primary)
    }
}

impl FromIterator<Field> for TableSchema {
    fn from_iter<I: IntoIterator<Item = Field>>(iter: I) -> Self {
        TableSchema::new(iter.into_iter().collect())
    }
}
