//! `GET /open-apis/contact/v3/departments/:department_id/children` (§8.1).

use feishu_core::internal::PageRequest;
use feishu_core::{Client, DepartmentIdType, Request, Result, UserIdType};

use crate::department::Department;
use crate::list::CHILD_DEPARTMENTS;

/// Lists the child departments of one department; built by
/// [`Contact::child_departments`](crate::Contact::child_departments).
///
/// Needs one of `contact:contact.base:readonly`, `contact:department.organize:readonly` or the
/// broad contact scopes, and the department inside the app's contact range (else 40004).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListChildDepartments {
    client: Client,
    department_id: String,
    user_id_type: UserIdType,
    department_id_type: DepartmentIdType,
    fetch_child: bool,
    page_size: Option<u32>,
    page_token: Option<String>,
}

impl ListChildDepartments {
    pub(crate) fn new(client: Client, department_id: String) -> Self {
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

    /// Id type of the path id and of the department ids in the answer. Default
    /// `open_department_id`.
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

    /// Page size; Feishu's default is 10, its maximum 50 (more → 40011).
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
        Ok(Request::new(CHILD_DEPARTMENTS, &[&self.department_id])?
            .query("user_id_type", self.user_id_type)
            .query("department_id_type", self.department_id_type)
            .query("fetch_child", self.fetch_child)
            .query_opt("page_size", self.page_size)
            .query_opt("page_token", token))
    }
}
