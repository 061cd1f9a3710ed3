//! One typed record per stream: the single description of a stream's records.
//!
//! Each type says its stream's name, module, primary key and cursor ([`StreamRecord`]); its
//! JSON Schema, and the field descriptions in it, come from the type and its doc comments
//! (`schemars`). The catalog ([`crate::all_streams`]) and `docs/streams.md` are generated
//! from these types, so the records a read emits, their schemas and their documentation
//! cannot drift apart.
//!
//! A read emits records as JSON objects ([`crate::Record::data`]), serialised from these
//! types.

mod approval;
mod attendance;
mod bitable;
mod contact;

use schemars::JsonSchema;
use serde::Serialize;

pub use approval::{
    ApprovalInstance, ApprovalInstanceField, ApprovalInstanceRaw, ApprovalTask,
    ApprovalTimelineEvent,
};
pub use attendance::{AttendanceGroup, AttendanceShift, AttendanceUserFlow};
pub use bitable::BitableRecord;
pub use contact::ContactUser;

use crate::module::Module;

mod sealed {
    pub trait Sealed {}
}

/// A record type of one stream: its name, module, primary key and cursor.
///
/// Implemented by the record types of this module only.
///
/// # Example
/// ```
/// use feishu_sync::records::{ContactUser, StreamRecord};
/// assert_eq!(ContactUser::STREAM, "contact_users");
/// assert_eq!(ContactUser::PRIMARY_KEY, ["id"]);
/// ```
pub trait StreamRecord: Serialize + JsonSchema + sealed::Sealed {
    /// The stream's name.
    const STREAM: &'static str;
    /// The module the stream belongs to.
    const MODULE: Module;
    /// The fields whose values identify a record (upsert on them).
    const PRIMARY_KEY: &'static [&'static str];
    /// The field incremental reads advance on; `None` for a full-refresh stream.
    const CURSOR: Option<&'static str>;
}

/// Implements [`StreamRecord`] for a record type.
macro_rules! stream_record {
    ($ty:ty, $stream:literal, $module:ident, [$($key:literal),+], $cursor:expr) => {
        impl $crate::records::sealed::Sealed for $ty {}
        impl $crate::records::StreamRecord for $ty {
            const STREAM: &'static str = $stream;
            const MODULE: $crate::module::Module = $crate::module::Module::$module;
            const PRIMARY_KEY: &'static [&'static str] = &[$($key),+];
            const CURSOR: Option<&'static str> = $cursor;
        }
    };
}
pub(crate) use stream_record;
