//! Fields (columns) of a table: their model, their type numbers, their listing and
//! [`TableSchema`], the lookup that types record values.

mod field_type;
mod list;
mod model;
mod schema;

pub use field_type::{FieldType, UiType};
pub use list::ListFields;
pub use model::{Field, FieldProperty, FormulaResultType, SelectOption};
pub use schema::TableSchema;
