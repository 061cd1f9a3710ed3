//! The tables of a Base: the [`Table`] model and its listing; creating a table with its
//! fields, and deleting one.

mod create;
mod list;

pub(crate) use create::{CREATE_TABLE, CreatedTableData, DELETE_TABLE};
pub use create::{CreatedTable, NewTable};
pub use list::{ListTables, Table};
