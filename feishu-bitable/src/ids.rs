//! The ids this module's calls take and its models carry. Each is a `String` that says which
//! id it is, so a table id cannot be passed where an app token is expected; on the wire (and in
//! any JSON a model is serialised to) each is the plain string.

use feishu_core::internal::de::{opt_string, string_or_empty};
use feishu_core::internal::id_type;
use serde::Deserializer;

id_type! {
    /// A Base's `app_token`: the segment after `/base/` in a Base URL (a `/wiki/` URL holds a
    /// [`WikiNodeToken`] instead; see
    /// [`Bitable::resolve_wiki_node`](crate::Bitable::resolve_wiki_node)).
    AppToken
}

id_type! {
    /// A table's id (`tbl…`), the `table=` parameter of a Base URL.
    TableId
}

id_type! {
    /// A view's id (`vew…`), the `view=` parameter of a Base URL.
    ViewId
}

id_type! {
    /// A field's id (`fld…`). Record `fields` are keyed by field *name*, not by this id.
    FieldId
}

id_type! {
    /// A record's id (`rec…`).
    RecordId
}

id_type! {
    /// A wiki node's token: the segment after `/wiki/` in a wiki URL. It is not an
    /// [`AppToken`], even when the node holds a Base.
    WikiNodeToken
}

/// An id from a string, a number or a bool, with `""` for `null` or absent (core's
/// `string_or_empty`): a page never fails on an id's representation.
pub(crate) fn id_or_empty<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    string_or_empty(d).map(T::from)
}

/// Like [`id_or_empty`], with `None` for `null`, `""` or absent (core's `opt_string`).
pub(crate) fn opt_id<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    Ok(opt_string(d)?.filter(|id| !id.is_empty()).map(T::from))
}
