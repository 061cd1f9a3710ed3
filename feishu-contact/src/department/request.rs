//! `GET /open-apis/contact/v3/departments/:department_id/children`.

use feishu_core::internal::{PageRequest, check_page_size};
use feishu_core::{Client, DepartmentId, DepartmentIdType, Endpoint, Request, Result, UserIdType};

use super::model::Department;
use crate::codes::contact;

/// <https://open.feishu.cn/document/server-docs/contact-v3/department/children>
pub(crate) const CHILD_DEPARTMENTS: Endpoint = contact(Endpoint::get(
    "contact.departments.children",
    "contact/v3/departments/{department_id}/children",
));

/// Most departments one page of `children` holds (more → 40011); Feishu's default is 10.
pub const MAX_DEPARTMENT_PAGE_SIZE: u32 = 50;

/// Lists the child departments of one department; built by
/// [`Contact::list_child_departments`](crate::Contact::list_child_departments).
///
/// Needs one of `contact:contact.base:readonly`, `contact:department.organize:readonly` or the
/// broad contact scopes, and the department inside the app's contact range (else 40004).
///
/// # Example
/// ```no_run
/// use feishu_contact::{Contact, DepartmentIdType, ListRequest, ROOT_DEPARTMENT_ID};
/// use futures::TryStreamExt;
/// # async fn sample(contact: Contact) -> feishu_core::Result<()> {
/// let tree: Vec<_> = contact
///     .list_child_departments(ROOT_DEPARTMENT_ID)
///     .department_id_type(DepartmentIdType::DepartmentId)
///     .fetch_child(true)
///     .into_stream()
///     .try_collect()
///     .await?;
/// for d in &tree {
///     println!("{} under {}: {}", d.department_id, d.parent_department_id, d.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListChildDepartments {
    client: Client,
    department_id: DepartmentId,
    user_id_type: UserIdType,
    department_id_type: DepartmentIdType,
    fetch_child: bool,
    page_size: Option<u32>,
    page_token: Option<String>,
}

impl ListChildDepartments {
    pub(crate) fn new(client: Client, department_id: DepartmentId) -> Self {
        ListChildDepartments {
            client,
            department_id,
            user_id_type: UserIdType::default(),
            department_id_type: DepartmentIdType::default(),
            fetch_child: false,
            page_size: None,
            page_token: None,
        }
    }

    /// Id type of `leader_user_id` / `leaders` in the answer. Default `open_id`.
    pub fn user_id_type(mut self, t: UserIdType) -> Self {
        self.user_id_type = t;
        self
    }

    /// Id type of the department asked about and of the department ids in the answer.
    /// Default `open_department_id`.
    pub fn department_id_type(mut self, t: DepartmentIdType) -> Self {
        self.department_id_type = t;
        self
    }

    /// `true`: all descendants, recursively (Feishu refuses departments with more than 500
    /// sub-departments: 40162 / 43010). Default `false`: direct children only.
    pub fn fetch_child(mut self, fetch_child: bool) -> Self {
        self.fetch_child = fetch_child;
        self
    }

    /// Page size, 1..=[`MAX_DEPARTMENT_PAGE_SIZE`]; Feishu's default is 10. Checked before
    /// any request.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Starts at this page token (resuming a listing).
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }
}

impl PageRequest for ListChildDepartments {
    type Item = Department;

    fn client(&self) -> &Client {
        &self.client
    }

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn page_request(&self, token: Option<String>) -> Result<Request> {
        check_page_size(self.page_size, MAX_DEPARTMENT_PAGE_SIZE)?;
        Ok(
            Request::new(CHILD_DEPARTMENTS, &[self.department_id.as_str()])?
                .query("user_id_type", self.user_id_type)
                .query("department_id_type", self.department_id_type)
                .query("fetch_child", self.fetch_child)
                .query_opt("page_size", self.page_size)
                .query_opt("page_token", token),
        )
    }
}
