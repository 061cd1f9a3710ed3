//! Records: the [`Record`] model, search (the current endpoint) with its [`Filter`] and
//! [`Sort`], the historic list endpoint, and records by id ([`BatchGetRecords`]); writing records one at a time, in batches, and by
//! key ([`UpsertRecords`]).

mod batch;
mod batch_get;
mod fields;
mod filter;
mod list;
mod model;
mod search;
mod sort;
mod upsert;
mod write;

pub(crate) use batch::Target;
pub use batch::{
    BatchCreateRecords, BatchDeleteRecords, BatchUpdateRecords, MAX_BATCH_DELETE, MAX_BATCH_WRITE,
    RecordUpdate,
};
pub use batch_get::{BatchGetRecords, MAX_BATCH_GET, RecordsById};
pub use fields::Fields;
pub use filter::{Condition, Conjunction, Filter, FilterGroup, Operator};
pub use list::ListRecords;
pub use model::Record;
pub use search::SearchRecords;
pub use sort::Sort;
pub use upsert::{KeyMatch, UpsertError, UpsertOutcome, UpsertRecords, UpsertSummary};
pub use write::{CreateRecord, DeleteRecord, DeletedRecord, UpdateRecord};
