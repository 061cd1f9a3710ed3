//! How a query names its users (`employee_type`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// How users are named in requests and answers (`employee_type`, required by both queries:
/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/user_flow/query>).
///
/// Serialises as its wire value (`"employee_id"`, `"employee_no"`), so configs can name it.
///
/// # Example
/// ```
/// use feishu_attendance::EmployeeType;
/// assert_eq!(EmployeeType::EmployeeId.as_str(), "employee_id");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EmployeeType {
    /// `employee_id`: the tenant-level id shown in Admin › Organisation › Members, the same as
    /// Contact's `user_id` ([`UserId`](feishu_core::UserId)), not an `open_id`.
    #[default]
    EmployeeId,
    /// `employee_no`: the HR employee number (Contact's `employee_no`).
    EmployeeNo,
}

impl EmployeeType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            EmployeeType::EmployeeId => "employee_id",
            EmployeeType::EmployeeNo => "employee_no",
        }
    }
}

impl fmt::Display for EmployeeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
