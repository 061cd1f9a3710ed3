//! The ids this module's calls take and its models carry. Each is a `String` that says which
//! id it is, so a table id cannot be passed where an app token is expected; on the wire (and in
//! any JSON a model is serialised to) each is the plain string.

use feishu_core::internal::id_type;

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

pub(crate) use feishu_core::internal::de::{id_or_empty, opt_id};
