//! Fields (columns) of a table: their model, their type numbers, their listing and
//! [`TableSchema`], the lookup that types record values; adding, changing and deleting them.

mod field_type;
mod list;
mod model;
mod schema;
mod write;

pub use field_type::{FieldType, UiType};
pub use list::ListFields;
pub use model::{Field, FieldProperty, FormulaResultType, SelectOption};
pub use schema::TableSchema;
pub(crate) use write::{CREATE_FIELD, DELETE_FIELD, FIELD_NOT_FOUND, FieldData, UPDATE_FIELD};
pub use write::{DeletedField, NewField};
