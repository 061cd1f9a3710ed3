//! The two shapes Bitable record endpoints answer in.

/// The shape record fields come in.
///
/// Search always answers [`Structured`](Self::Structured). List records answers
/// `Structured` with `text_field_as_array=true`, and otherwise the shape set with
/// [`BitableKnobs::set_unflagged_list_shape`](crate::bitable::BitableKnobs::set_unflagged_list_shape),
/// [`Historic`](Self::Historic) by default, as the list endpoint's documentation shows it
/// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/list>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RecordShape {
    /// The list endpoint's historic shape: text as plain strings; numbers, progress, currency
    /// and rating as decimal strings; links as `[{record_ids, table_id, text, text_arr,
    /// type}]`; lookup and formula values as text segments; created / modified by as one
    /// person object.
    #[default]
    Historic,
    /// The shape of search and of the record data structure documentation
    /// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/bitable-record-data-structure-overview>):
    /// text as segment arrays, numbers as JSON numbers, links as `{link_record_ids}`, lookup
    /// and formula values as `{type, value}`, created / modified by as person arrays.
    Structured,
}
