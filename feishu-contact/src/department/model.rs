//! The department object
//! (<https://open.feishu.cn/document/server-docs/contact-v3/department/field-overview>).

use feishu_core::{DepartmentId, DepartmentIdType};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A department as `departments/:id/children` returns it.
///
/// Text fields are `""` when Feishu leaves them out (a field scope is missing, or the value is
/// empty); unknown fields are kept in [`extra`](Self::extra).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct Department {
    /// Name (`contact:department.base:readonly`).
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub name: String,
    /// Localised names.
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub i18n_name: Option<I18nName>,
    /// The parent's id (of the requested `department_id_type`); `"0"` under the root.
    #[serde(deserialize_with = "crate::id::lenient_id")]
    pub parent_department_id: DepartmentId,
    /// The tenant's custom department id.
    #[serde(deserialize_with = "crate::id::lenient_id")]
    pub department_id: DepartmentId,
    /// The system id (`od-…`).
    #[serde(deserialize_with = "crate::id::lenient_id")]
    pub open_department_id: DepartmentId,
    /// The main leader (of the requested `user_id_type`).
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub leader_user_id: String,
    /// The department's group chat.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub chat_id: String,
    /// Sort key, a numeric string (smaller first).
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub order: String,
    /// Unit ids.
    #[serde(deserialize_with = "feishu_core::internal::de::string_vec")]
    pub unit_ids: Vec<String>,
    /// Users in the department and its descendants.
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub member_count: Option<i64>,
    /// Users whose primary department is within.
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub primary_member_count: Option<i64>,
    /// Status flags.
    #[serde(
        deserialize_with = "feishu_core::internal::de::opt_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<DepartmentStatus>,
    /// Leaders (Feishu spells the keys in camelCase: `leaderType`, `leaderID`).
    #[serde(deserialize_with = "feishu_core::internal::de::object_vec")]
    pub leaders: Vec<DepartmentLeader>,
    /// Employee types that join the department group chat.
    #[serde(deserialize_with = "feishu_core::internal::de::i64_vec")]
    pub group_chat_employee_types: Vec<i64>,
    /// HR business partners (needs `contact:department.hrbp:readonly`).
    #[serde(deserialize_with = "feishu_core::internal::de::string_vec")]
    pub department_hrbps: Vec<String>,
    /// Fields this SDK does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Department {
    /// The department's id of `kind`, `None` when Feishu did not send it.
    pub fn id(&self, kind: DepartmentIdType) -> Option<&DepartmentId> {
        let id = match kind {
            DepartmentIdType::OpenDepartmentId => &self.open_department_id,
            DepartmentIdType::DepartmentId => &self.department_id,
            _ => return None,
        };
        Some(id).filter(|id| !id.as_str().is_empty())
    }

    /// Whether Feishu marks the department deleted.
    pub fn is_deleted(&self) -> bool {
        self.status.as_ref().is_some_and(|s| s.is_deleted)
    }
}

/// Localised names (`zh_cn`, `ja_jp`, `en_us`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct I18nName {
    /// Chinese.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub zh_cn: String,
    /// Japanese.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub ja_jp: String,
    /// English.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub en_us: String,
    /// Other locales.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Department status.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct DepartmentStatus {
    /// Deleted.
    #[serde(deserialize_with = "feishu_core::internal::de::bool_or_false")]
    pub is_deleted: bool,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One department leader.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct DepartmentLeader {
    /// 1 = main leader, 2 = deputy (`leaderType`).
    #[serde(
        rename = "leaderType",
        deserialize_with = "feishu_core::internal::de::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub leader_type: Option<i64>,
    /// The leader's user id, of the requested `user_id_type` (`leaderID`).
    #[serde(
        rename = "leaderID",
        deserialize_with = "feishu_core::internal::de::string_or_empty"
    )]
    pub leader_id: String,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl DepartmentLeader {
    /// Whether this is the main leader (`leaderType` 1).
    pub fn is_main(&self) -> bool {
        self.leader_type == Some(1)
    }
}
