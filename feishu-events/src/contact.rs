//! Contact events: users joining, changing and leaving, and department changes (v2
//! envelope; oapi-sdk-go `event/dispatcher/contact_v3_event_dispatch.go`).
//!
//! Every field is optional here: which ones arrive depends on the app's contact scopes and
//! data permissions, and `old_object` of an update carries only what changed. Fields not
//! modelled stay in `other`.

use serde::Deserialize;
use serde_json::{Map, Value};

use feishu_core::internal::de::{opt_i64, vec_or_empty as null_vec};

/// The body of `contact.user.created_v3`, `contact.user.updated_v3` and
/// `contact.user.deleted_v3`
/// ([created](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/user/events/created),
/// [updated](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/user/events/updated),
/// [deleted](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/user/events/deleted)).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct UserEvent {
    /// The user after the change (for a deletion: as it was when deleted).
    #[serde(default)]
    pub object: User,
    /// Updated: the previous values of the changed fields. Deleted: the departments and
    /// open id before the deletion. Created: absent.
    #[serde(default)]
    pub old_object: Option<User>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A user as contact events describe it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// Open id (`ou_...`), per app.
    #[serde(default)]
    pub open_id: Option<String>,
    /// Union id (`on_...`), per developer.
    #[serde(default)]
    pub union_id: Option<String>,
    /// User id within the tenant (needs the employee-id scope).
    #[serde(default)]
    pub user_id: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// English name.
    #[serde(default)]
    pub en_name: Option<String>,
    /// Work email.
    #[serde(default)]
    pub email: Option<String>,
    /// Enterprise email.
    #[serde(default)]
    pub enterprise_email: Option<String>,
    /// Job title.
    #[serde(default)]
    pub job_title: Option<String>,
    /// The departments the user belongs to.
    #[serde(default, deserialize_with = "null_vec")]
    pub department_ids: Vec<String>,
    /// The direct manager's id.
    #[serde(default)]
    pub leader_user_id: Option<String>,
    /// Employee number.
    #[serde(default)]
    pub employee_no: Option<String>,
    /// Employee type (1 regular, 2 intern, 3 outsourcing, 4 labor, 5 consultant, or a
    /// custom value).
    #[serde(default, deserialize_with = "opt_i64")]
    pub employee_type: Option<i64>,
    /// Join time, Unix seconds.
    #[serde(default, deserialize_with = "opt_i64")]
    pub join_time: Option<i64>,
    /// Account status flags.
    #[serde(default)]
    pub status: Option<UserStatus>,
    /// Fields not modelled here (avatar, orders, custom_attrs, ...).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A user's account status flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct UserStatus {
    /// Frozen.
    #[serde(default)]
    pub is_frozen: Option<bool>,
    /// Left the company.
    #[serde(default)]
    pub is_resigned: Option<bool>,
    /// Activated.
    #[serde(default)]
    pub is_activated: Option<bool>,
    /// Left on their own.
    #[serde(default)]
    pub is_exited: Option<bool>,
    /// Has not joined yet.
    #[serde(default)]
    pub is_unjoin: Option<bool>,
}

/// The body of `contact.department.created_v3`, `updated_v3` and `deleted_v3`
/// ([created](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/department/events/created),
/// [updated](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/department/events/updated),
/// [deleted](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/department/events/deleted)).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct DepartmentEvent {
    /// The department after the change (for a deletion: as it was).
    #[serde(default)]
    pub object: Department,
    /// Updated: the previous values. Deleted: the status and open department id.
    #[serde(default)]
    pub old_object: Option<Department>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A department as contact events describe it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Department {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// The parent department's id.
    #[serde(default)]
    pub parent_department_id: Option<String>,
    /// Custom department id.
    #[serde(default)]
    pub department_id: Option<String>,
    /// Open department id (`od-...`).
    #[serde(default)]
    pub open_department_id: Option<String>,
    /// The department head's user id.
    #[serde(default)]
    pub leader_user_id: Option<String>,
    /// The department group chat.
    #[serde(default)]
    pub chat_id: Option<String>,
    /// Sort order among siblings.
    #[serde(default, deserialize_with = "opt_i64")]
    pub order: Option<i64>,
    /// Whether the department is deleted.
    #[serde(default)]
    pub status: Option<DepartmentStatus>,
    /// Fields not modelled here (leaders, department_hrbps, unit_ids, ...).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A department's status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct DepartmentStatus {
    /// Deleted.
    #[serde(default)]
    pub is_deleted: Option<bool>,
}
