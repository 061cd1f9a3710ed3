//! Ids shared by the module crates: the id-type selectors (`user_id_type`,
//! `department_id_type`) and newtypes for the ids of users and departments, so that an
//! `OpenId` cannot be passed where a `UserId` is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Which id a user is named by (`user_id_type`).
///
/// # Example
/// ```
/// use feishu_core::UserIdType;
/// assert_eq!(UserIdType::OpenId.as_str(), "open_id");
/// assert_eq!("user_id".parse::<UserIdType>().unwrap(), UserIdType::UserId);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum UserIdType {
    /// `open_id` (`ou_…`), per app; the Feishu default.
    #[default]
    OpenId,
    /// `union_id` (`on_…`), per developer account.
    UnionId,
    /// `user_id`, the tenant's employee id; needs `contact:user.employee_id:readonly`.
    UserId,
}

impl UserIdType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            UserIdType::OpenId => "open_id",
            UserIdType::UnionId => "union_id",
            UserIdType::UserId => "user_id",
        }
    }
}

impl fmt::Display for UserIdType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UserIdType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "open_id" => Ok(UserIdType::OpenId),
            "union_id" => Ok(UserIdType::UnionId),
            "user_id" => Ok(UserIdType::UserId),
            other => Err(Error::invalid_argument(
                "user_id_type",
                format!("unknown value {other:?}; expected open_id, union_id or user_id"),
            )),
        }
    }
}

/// Which id a department is named by (`department_id_type`).
///
/// # Example
/// ```
/// use feishu_core::DepartmentIdType;
/// assert_eq!(DepartmentIdType::default().as_str(), "open_department_id");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DepartmentIdType {
    /// `open_department_id` (`od-…`), the Feishu default.
    #[default]
    OpenDepartmentId,
    /// The tenant's custom `department_id`.
    DepartmentId,
}

impl DepartmentIdType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DepartmentIdType::OpenDepartmentId => "open_department_id",
            DepartmentIdType::DepartmentId => "department_id",
        }
    }
}

impl fmt::Display for DepartmentIdType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DepartmentIdType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "open_department_id" => Ok(DepartmentIdType::OpenDepartmentId),
            "department_id" => Ok(DepartmentIdType::DepartmentId),
            other => Err(Error::invalid_argument(
                "department_id_type",
                format!("unknown value {other:?}; expected open_department_id or department_id"),
            )),
        }
    }
}

crate::__id_type! {
    /// A user's `open_id` (`ou_…`): per app, the Feishu default.
    OpenId
}

crate::__id_type! {
    /// A user's `union_id` (`on_…`): per developer account, shared by its apps.
    UnionId
}

crate::__id_type! {
    /// A user's `user_id`: the tenant's employee id (needs `contact:user.employee_id:readonly`).
    UserId
}

crate::__id_type! {
    /// A department's id, of whichever [`DepartmentIdType`] the call names
    /// (`open_department_id` `od-…` by default, or the tenant's custom `department_id`).
    DepartmentId
}
