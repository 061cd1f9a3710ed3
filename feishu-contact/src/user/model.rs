//! The user object
//! (<https://open.feishu.cn/document/server-docs/contact-v3/user/field-overview>).

use feishu_core::{DepartmentId, OpenId, UnionId, UserId, UserIdType};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A user as Contact v3 returns it (`users/:id`, `users/batch`, `find_by_department`).
///
/// Which fields are filled depends on the app's field scopes (see the field overview at
/// <https://open.feishu.cn/document/server-docs/contact-v3/user/field-overview>): a missing
/// scope leaves a field out, which decodes as `""`, `false`, `None` or an empty list. Unknown fields are kept
/// in [`extra`](Self::extra).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct User {
    /// Per-app id (`ou_…`).
    #[serde(deserialize_with = "crate::id::lenient_id")]
    pub open_id: OpenId,
    /// Per-developer id (`on_…`).
    #[serde(deserialize_with = "crate::id::lenient_id")]
    pub union_id: UnionId,
    /// Tenant id; needs `contact:user.employee_id:readonly`. Attendance calls it `employee_id`.
    #[serde(deserialize_with = "crate::id::lenient_id")]
    pub user_id: UserId,
    /// Name.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub name: String,
    /// English name.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub en_name: String,
    /// Nickname.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub nickname: String,
    /// Email (`contact:user.email:readonly`).
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub email: String,
    /// Enterprise (Feishu Mail) address.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub enterprise_email: String,
    /// Mobile number as stored (`contact:user.phone:readonly`).
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub mobile: String,
    /// Whether the mobile number is visible to others.
    #[serde(deserialize_with = "feishu_core::internal::de::bool_or_false")]
    pub mobile_visible: bool,
    /// 0 undisclosed, 1 male, 2 female, 3 other.
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub gender: Option<i64>,
    /// Avatar URLs.
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub avatar: Option<Avatar>,
    /// Avatar key (effectively unused).
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub avatar_key: String,
    /// Status flags (`contact:user.employee:readonly`).
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<UserStatus>,
    /// Departments, ids of the requested `department_id_type`.
    #[serde(deserialize_with = "crate::id::lenient_ids")]
    pub department_ids: Vec<DepartmentId>,
    /// Direct manager, of the requested `user_id_type`.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub leader_user_id: String,
    /// Dotted-line managers.
    #[serde(deserialize_with = "feishu_core::internal::de::string_vec")]
    pub dotted_line_leader_user_ids: Vec<String>,
    /// Sort orders per department.
    #[serde(deserialize_with = "feishu_core::internal::de::object_vec")]
    pub orders: Vec<UserOrder>,
    /// City.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub city: String,
    /// Country code (`CN`).
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub country: String,
    /// Work station.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub work_station: String,
    /// Join time, Unix seconds.
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub join_time: Option<i64>,
    /// Tenant administrator.
    #[serde(deserialize_with = "feishu_core::internal::de::bool_or_false")]
    pub is_tenant_manager: bool,
    /// HR employee number (`contact:user.employee_number:read`); Attendance's `employee_no`.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub employee_no: String,
    /// 1 regular, 2 intern, 3 outsourced, 4 contractor, 5 consultant; others tenant-defined.
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub employee_type: Option<i64>,
    /// Job title.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub job_title: String,
    /// Custom attributes.
    #[serde(deserialize_with = "feishu_core::internal::de::object_vec")]
    pub custom_attrs: Vec<CustomAttr>,
    /// Frozen (same as `status.is_frozen`).
    #[serde(deserialize_with = "feishu_core::internal::de::bool_or_false")]
    pub is_frozen: bool,
    /// Data residency (`contact:user.user_geo`).
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub geo: String,
    /// Job level (`contact:user.job_level:readonly`).
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub job_level_id: String,
    /// Job family (`contact:user.job_family:readonly`).
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub job_family_id: String,
    /// Fields this SDK does not know yet (`assign_info`, `department_path`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl User {
    /// The user's id of `kind`, `None` when Feishu did not send it (e.g. `user_id` without
    /// `contact:user.employee_id:readonly`).
    pub fn id(&self, kind: UserIdType) -> Option<&str> {
        let id = match kind {
            UserIdType::OpenId => self.open_id.as_str(),
            UserIdType::UnionId => self.union_id.as_str(),
            UserIdType::UserId => self.user_id.as_str(),
            _ => return None,
        };
        Some(id).filter(|s| !s.is_empty())
    }

    /// Whether the user has resigned (`status.is_resigned`).
    pub fn is_resigned(&self) -> bool {
        self.status.as_ref().is_some_and(|s| s.is_resigned)
    }

    /// A common "active employee" filter (a convention, not a Feishu rule): activated and not
    /// frozen, resigned, exited or unjoined. `false` when the status is missing.
    pub fn is_active(&self) -> bool {
        self.status.as_ref().is_some_and(|s| {
            s.is_activated && !s.is_frozen && !s.is_resigned && !s.is_exited && !s.is_unjoin
        })
    }

    /// The primary department (from `orders[].is_primary_dept`, else the first of
    /// `department_ids`).
    pub fn primary_department_id(&self) -> Option<&DepartmentId> {
        self.orders
            .iter()
            .find(|o| o.is_primary_dept && !o.department_id.as_str().is_empty())
            .map(|o| &o.department_id)
            .or_else(|| self.department_ids.first())
    }
}

/// User status flags.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct UserStatus {
    /// Suspended.
    #[serde(deserialize_with = "feishu_core::internal::de::bool_or_false")]
    pub is_frozen: bool,
    /// Left the company.
    #[serde(deserialize_with = "feishu_core::internal::de::bool_or_false")]
    pub is_resigned: bool,
    /// Account activated.
    #[serde(deserialize_with = "feishu_core::internal::de::bool_or_false")]
    pub is_activated: bool,
    /// Quit voluntarily (becomes resigned later).
    #[serde(deserialize_with = "feishu_core::internal::de::bool_or_false")]
    pub is_exited: bool,
    /// Invited, not yet joined.
    #[serde(deserialize_with = "feishu_core::internal::de::bool_or_false")]
    pub is_unjoin: bool,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Avatar URLs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct Avatar {
    /// 72×72.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub avatar_72: String,
    /// 240×240.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub avatar_240: String,
    /// 640×640.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub avatar_640: String,
    /// Original size.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub avatar_origin: String,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A user's sort order in one department.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct UserOrder {
    /// The department (of the requested `department_id_type`).
    #[serde(deserialize_with = "crate::id::lenient_id")]
    pub department_id: DepartmentId,
    /// The user's order inside the department.
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_order: Option<i64>,
    /// The department's order among the user's departments.
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub department_order: Option<i64>,
    /// Whether this is the user's primary department.
    #[serde(deserialize_with = "feishu_core::internal::de::bool_or_false")]
    pub is_primary_dept: bool,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A custom attribute; `value` is kept as raw JSON (its shape depends on `type`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct CustomAttr {
    /// `TEXT`, `HREF`, `ENUMERATION`, `PICTURE_ENUM`, `GENERIC_USER`, ...
    #[serde(
        rename = "type",
        deserialize_with = "feishu_core::internal::de::string_or_empty"
    )]
    pub kind: String,
    /// Attribute id.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub id: String,
    /// The value object (`{text, url, pc_url, option_id, ...}`).
    pub value: Value,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
