//! `GET /open-apis/contact/v3/departments/:department_id`: one department by either of its ids.

use feishu_core::{
    Client, DepartmentId, DepartmentIdType, Endpoint, Error, Request, Result, UserIdType,
};
use serde::Deserialize;

use super::model::Department;
use crate::codes::contact;

/// <https://open.feishu.cn/document/server-docs/contact-v3/department/get>. Its documented
/// limit is "special" (not published); the client paces it at Contact's usual 1000 per minute
/// and 50 per second and backs off when Feishu throttles.
pub(crate) const GET_DEPARTMENT: Endpoint = contact(Endpoint::get(
    "contact.departments.get",
    "contact/v3/departments/{department_id}",
));

/// Longest department id (the path parameter's rule: at most 64 characters, matching
/// `^[a-zA-Z0-9][a-zA-Z0-9_\-@.]{0,63}$`).
const MAX_DEPARTMENT_ID_LEN: usize = 64;

/// Gets one department; built by [`Contact::get_department`](crate::Contact::get_department).
///
/// The id is read as an `open_department_id` (`od-…`) unless
/// [`department_id_type`](Self::department_id_type) says it is the tenant's custom
/// `department_id`; `"0"` is the root (readable when the contact range is "all members").
///
/// Errors: 40015 (no such department), 40004 (outside the app's contact range).
///
/// # Example
/// ```no_run
/// use feishu_contact::{Contact, DepartmentIdType, UserIdType};
/// # async fn sample(contact: Contact) -> feishu_core::Result<()> {
/// let department = contact
///     .get_department("D096")
///     .department_id_type(DepartmentIdType::DepartmentId)
///     .user_id_type(UserIdType::UserId)
///     .send()
///     .await?;
/// println!("{} led by {}", department.name, department.leader_user_id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct GetDepartment {
    client: Client,
    department_id: DepartmentId,
    department_id_type: DepartmentIdType,
    user_id_type: UserIdType,
}

#[derive(Deserialize)]
struct DepartmentData {
    department: Department,
}

impl GetDepartment {
    pub(crate) fn new(client: Client, department_id: DepartmentId) -> Self {
        GetDepartment {
            client,
            department_id,
            department_id_type: DepartmentIdType::default(),
            user_id_type: UserIdType::default(),
        }
    }

    /// What kind of id the department is named by (and the kind of its ids in the answer).
    /// Default `open_department_id`.
    pub fn department_id_type(mut self, t: DepartmentIdType) -> Self {
        self.department_id_type = t;
        self
    }

    /// Id type of `leader_user_id`, `leaders` and `department_hrbps`. Default `open_id`.
    pub fn user_id_type(mut self, t: UserIdType) -> Self {
        self.user_id_type = t;
        self
    }

    /// Sends the call.
    pub async fn send(&self) -> Result<Department> {
        check_department_id(self.department_id.as_str())?;
        let req = Request::new(GET_DEPARTMENT, &[self.department_id.as_str()])?
            .query("user_id_type", self.user_id_type)
            .query("department_id_type", self.department_id_type);
        let data: DepartmentData = self.client.send(req).await?;
        Ok(data.department)
    }
}

/// The path parameter's documented rule, checked before sending.
fn check_department_id(id: &str) -> Result<()> {
    let mut chars = id.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '@' | '.'));
    if first_ok && rest_ok && id.len() <= MAX_DEPARTMENT_ID_LEN {
        Ok(())
    } else {
        Err(Error::invalid_argument(
            "department_id",
            format!(
                "{id:?} is not a department id (1-{MAX_DEPARTMENT_ID_LEN} characters: letters, digits, `_-@.`, starting with a letter or digit)"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::check_department_id;

    #[test]
    fn department_ids_follow_the_documented_rule() {
        for ok in [
            "0",
            "D096",
            "od-4e6ac4d14bcd5071a37a39de902c7141",
            "a@b.c_d",
        ] {
            assert!(check_department_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-x", "a/b", "..", "部门", &"a".repeat(65)] {
            assert!(check_department_id(bad).is_err(), "{bad}");
        }
    }
}
