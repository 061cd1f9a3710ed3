//! The group reads: `GET attendance/v1/groups` and `GET attendance/v1/groups/:group_id`.

use std::future::Future;

use feishu_core::internal::de::{bool_or_false, opt_string, vec_or_empty};
use feishu_core::internal::{PageFetch, check_page_size};
use feishu_core::{Client, Endpoint, Page, Request, Result};
use serde::Deserialize;

use super::model::{AttendanceGroup, AttendanceGroupSummary};
use crate::codes::attendance;
use crate::employee::EmployeeType;
use crate::ids::AttendanceGroupId;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/group/list>
/// (50/s, custom apps, `attendance:rule` or `attendance:rule:readonly`).
pub(crate) const LIST_GROUPS: Endpoint = attendance(Endpoint::get(
    "attendance.groups.list",
    "attendance/v1/groups",
));

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/group/get>
/// (50/s; the group is the whole `data`).
pub(crate) const GET_GROUP: Endpoint = attendance(Endpoint::get(
    "attendance.groups.get",
    "attendance/v1/groups/{group_id}",
));

/// Largest `page_size` of the group listing (1–50, Feishu's default 10).
pub const MAX_GROUP_PAGE_SIZE: u32 = 50;

#[derive(Deserialize)]
struct GroupPage {
    #[serde(default, deserialize_with = "vec_or_empty")]
    group_list: Vec<AttendanceGroupSummary>,
    #[serde(default, deserialize_with = "bool_or_false")]
    has_more: bool,
    #[serde(default, deserialize_with = "opt_string")]
    page_token: Option<String>,
}

/// Lists every attendance group (id and name; read one with
/// [`Attendance::get_group`](crate::Attendance::get_group) for its settings); built by
/// [`Attendance::list_groups`](crate::Attendance::list_groups).
///
/// # Example
/// ```no_run
/// use feishu_attendance::{Attendance, ListRequest};
/// use futures::TryStreamExt;
/// # async fn sample(attendance: Attendance) -> feishu_core::Result<()> {
/// let mut groups = attendance.list_groups().into_stream();
/// while let Some(group) = groups.try_next().await? {
///     let full = attendance.get_group(group.group_id).send().await?;
///     println!("{} ({:?}): {} users", full.group_name, full.group_type, full.bind_user_ids.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListGroups {
    client: Client,
    page_size: Option<u32>,
    page_token: Option<String>,
}

impl ListGroups {
    pub(crate) fn new(client: Client) -> Self {
        ListGroups {
            client,
            page_size: None,
            page_token: None,
        }
    }

    /// Page size, 1..=[`MAX_GROUP_PAGE_SIZE`]; Feishu's default is 10. Checked before any
    /// request.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Starts at this page token (resuming a listing).
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }

    fn request(&self, token: Option<String>) -> Result<Request> {
        check_page_size(self.page_size, MAX_GROUP_PAGE_SIZE)?;
        Ok(Request::new(LIST_GROUPS, &[])?
            .query_opt("page_size", self.page_size)
            .query_opt("page_token", token))
    }
}

impl PageFetch for ListGroups {
    type Item = AttendanceGroupSummary;

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn fetch_page(
        &self,
        page_token: Option<String>,
    ) -> impl Future<Output = Result<Page<AttendanceGroupSummary>>> + Send + use<> {
        let client = self.client.clone();
        let request = self.request(page_token);
        async move {
            let page: GroupPage = client.send(request?).await?;
            Ok(Page::new(page.group_list, page.has_more, page.page_token))
        }
    }
}

/// Reads one attendance group; built by
/// [`Attendance::get_group`](crate::Attendance::get_group).
///
/// User ids in the answer are of [`employee_type`](Self::employee_type) (default
/// `employee_id`, Contact's `user_id`); department ids are always `open_department_id`s (the
/// only `dept_type` Feishu accepts).
///
/// # Example
/// ```no_run
/// use feishu_attendance::{Attendance, EmployeeType};
/// # async fn sample(attendance: Attendance) -> feishu_core::Result<()> {
/// let group = attendance
///     .get_group("6919358128597097404")
///     .employee_type(EmployeeType::EmployeeNo)
///     .send()
///     .await?;
/// for shift_id in group.shift_ids() {
///     let shift = attendance.get_shift(shift_id.clone()).await?;
///     println!("{}: {}", group.group_name, shift.shift_name);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct GetGroup {
    client: Client,
    group_id: AttendanceGroupId,
    employee_type: EmployeeType,
}

impl GetGroup {
    pub(crate) fn new(client: Client, group_id: AttendanceGroupId) -> Self {
        GetGroup {
            client,
            group_id,
            employee_type: EmployeeType::default(),
        }
    }

    /// How user ids in the answer are named. Default `employee_id`.
    pub fn employee_type(mut self, employee_type: EmployeeType) -> Self {
        self.employee_type = employee_type;
        self
    }

    /// Sends the call.
    pub async fn send(&self) -> Result<AttendanceGroup> {
        let request = Request::new(GET_GROUP, &[self.group_id.as_str()])?
            .query("employee_type", self.employee_type)
            .query("dept_type", "open_id");
        let mut group: AttendanceGroup = self.client.send(request).await?;
        if group.group_id.as_str().is_empty() {
            group.group_id = self.group_id.clone();
        }
        Ok(group)
    }
}
