//! Records: the [`Record`] model, search (the current endpoint) with its [`Filter`] and
//! [`Sort`], and the historic list endpoint.

mod filter;
mod list;
mod model;
mod search;
mod sort;

pub use filter::{Condition, Conjunction, Filter, FilterGroup, Operator};
pub use list::ListRecords;
pub use model::Record;
pub use search::SearchRecords;
pub use sort::Sort;
