//! `contact_users`: the directory's users.

use feishu_contact::User;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::stream_record;

/// One user of the directory, keyed by the config's `user_id_type`; a tombstone
/// (`_deleted: true`) for a user who left or is no longer readable.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ContactUser {
    /// The user's id of the config's `user_id_type` (the key).
    pub id: String,
    /// `open_id` (`ou_...`).
    pub open_id: Option<String>,
    /// `union_id` (`on_...`).
    pub union_id: Option<String>,
    /// `user_id` (needs `contact:user.employee_id:readonly`; empty without it).
    pub user_id: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// The whole user object (departments, status, email, ...), as `feishu_contact::User`
    /// serialises it; null on a tombstone.
    #[schemars(with = "Option<Value>")]
    pub user: Option<User>,
    /// `true` on a tombstone: the user left the directory (a `contact.user.deleted_v3`
    /// event, or a read that no longer finds them). Only the key and `_deleted_at` are set
    /// then; the other fields are null. Absent on every other record.
    #[serde(
        rename = "_deleted",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub deleted: bool,
    /// When the deletion was seen, Unix ms (tombstones only).
    #[serde(rename = "_deleted_at", skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
}
stream_record!(ContactUser, "contact_users", Contact, ["id"], None);

impl ContactUser {
    /// The record of a user read from Contact, keyed by `id`.
    pub(crate) fn of(id: String, user: User) -> Self {
        ContactUser {
            id,
            open_id: Some(user.open_id.to_string()),
            union_id: Some(user.union_id.to_string()),
            user_id: Some(user.user_id.to_string()),
            name: Some(user.name.clone()),
            user: Some(user),
            deleted: false,
            deleted_at: None,
        }
    }

    /// The tombstone of the user `id`, deleted as seen at `at_ms`.
    pub(crate) fn tombstone(id: String, at_ms: i64) -> Self {
        ContactUser {
            id,
            open_id: None,
            union_id: None,
            user_id: None,
            name: None,
            user: None,
            deleted: true,
            deleted_at: Some(at_ms),
        }
    }
}
