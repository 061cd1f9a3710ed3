//! `contact_users`: the directory's users.

use feishu_contact::User;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::stream_record;

/// One user of the directory, keyed by the config's `user_id_type`.
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
    /// serialises it.
    #[schemars(with = "Option<Value>")]
    pub user: User,
}
stream_record!(ContactUser, "contact_users", Contact, ["id"], None);
