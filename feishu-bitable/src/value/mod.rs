//! A typed view of record cells, keyed by the field's type.
//!
//! Feishu sends the same cell in different shapes. Search, and list records with
//! `text_field_as_array=true`, send the structured shape of the record data structure page
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/bitable-record-data-structure-overview>):
//! text as segment arrays, JSON numbers, `{link_record_ids}`, `{type, value}` for lookups and
//! formulas. The historic list shape (list records without the flag, as its page shows it:
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/list>)
//! has text as plain strings, numbers, progress, currency and rating as decimal strings,
//! links as `[{record_ids, ...}]` and created / modified by as one person. Which of the
//! number forms a tenant sends is not documented either way, so every reader accepts both.
//! [`FieldValue::parse`] reads all of them into one typed value; a shape it does not
//! recognise is kept as [`FieldValue::Unknown`] holding the raw JSON unchanged: nothing is
//! dropped, nothing panics.

mod attachment;
mod field_value;
mod group_chat;
mod location;
mod parse;
mod person;
mod text;
mod url;
mod write;

pub use attachment::Attachment;
pub use field_value::{Computed, FieldValue};
pub use group_chat::GroupChat;
pub use location::Location;
pub use person::Person;
pub(crate) use person::opt_person;
pub use text::{TextSegment, text_segments};
pub use url::UrlValue;
pub(crate) use write::WriteValue;
