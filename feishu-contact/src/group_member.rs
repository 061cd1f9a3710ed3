//! `GET /open-apis/contact/v3/group/:group_id/member/simplelist`: the members of a user group.

use std::future::Future;

use feishu_core::internal::de::{bool_or_false, object_vec, opt_string, string_or_empty};
use feishu_core::internal::{PageFetch, check_page_size, wire_enum};
use feishu_core::{Client, DepartmentIdType, Endpoint, Page, Request, Result, UserIdType};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::codes::contact;
use crate::id::GroupId;

/// <https://open.feishu.cn/document/server-docs/contact-v3/group-member/simplelist>
/// (scope `contact:group:readonly`; 1000/min & 50/s).
pub(crate) const GROUP_MEMBERS: Endpoint = contact(Endpoint::get(
    "contact.group_members.simplelist",
    "contact/v3/group/{group_id}/member/simplelist",
));

/// Most members one page of `simplelist` holds (more → 40011); Feishu's default is 50
/// (<https://open.feishu.cn/document/server-docs/contact-v3/group-member/simplelist>).
pub const MAX_GROUP_MEMBER_PAGE_SIZE: u32 = 100;

wire_enum! {
    /// What a group member is (`member_type`). One listing returns one kind only.
    pub enum GroupMemberType {
        /// A user.
        User => "user",
        /// A department (not in dynamic groups).
        Department => "department",
    }
}

/// One member of a user group, as `simplelist` returns it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct GroupMember {
    /// The member's id, of the listing's id type (a user id, or a department id for
    /// department members).
    #[serde(deserialize_with = "string_or_empty")]
    pub member_id: String,
    /// Whether the member is a user or a department.
    pub member_type: GroupMemberType,
    /// The id type, when Feishu echoes it (documented as request-only, yet shown in the
    /// reply example).
    #[serde(
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub member_id_type: Option<String>,
    /// Fields this SDK does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Deserialize)]
struct MembersPage {
    #[serde(default, deserialize_with = "object_vec")]
    memberlist: Vec<GroupMember>,
    #[serde(default, deserialize_with = "bool_or_false")]
    has_more: bool,
    #[serde(default, deserialize_with = "opt_string")]
    page_token: Option<String>,
}

/// Lists the members of one user group, users or departments; built by
/// [`Contact::list_group_members`](crate::Contact::list_group_members).
///
/// Needs `contact:group:readonly`. With a contact range other than "all members", only groups
/// inside the range can be read (else 42009). Each listing returns one kind of member: users by
/// default, departments after [`department_members`](Self::department_members).
///
/// # Example
/// ```no_run
/// use feishu_contact::{Contact, DepartmentIdType, ListRequest, UserIdType};
/// use futures::TryStreamExt;
/// # async fn sample(contact: Contact) -> feishu_core::Result<()> {
/// let users: Vec<_> = contact
///     .list_group_members("g128187")
///     .user_id_type(UserIdType::UserId)
///     .into_stream()
///     .try_collect()
///     .await?;
/// let departments: Vec<_> = contact
///     .list_group_members("g128187")
///     .department_members(DepartmentIdType::DepartmentId)
///     .into_stream()
///     .try_collect()
///     .await?;
/// println!("{} users, {} departments", users.len(), departments.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListGroupMembers {
    client: Client,
    group_id: GroupId,
    members: Members,
    page_size: Option<u32>,
    page_token: Option<String>,
}

/// Which members a listing asks for, and by which id.
#[derive(Debug, Clone, Copy)]
enum Members {
    Users(UserIdType),
    Departments(DepartmentIdType),
}

impl Members {
    /// `(member_type, member_id_type)`: for departments, `open_id` stands for
    /// `open_department_id` and `department_id` for the custom id (simplelist,
    /// `member_id_type`).
    fn wire(self) -> (&'static str, &'static str) {
        match self {
            Members::Users(t) => ("user", t.as_str()),
            Members::Departments(DepartmentIdType::DepartmentId) => ("department", "department_id"),
            Members::Departments(_) => ("department", "open_id"),
        }
    }
}

impl ListGroupMembers {
    pub(crate) fn new(client: Client, group_id: GroupId) -> Self {
        ListGroupMembers {
            client,
            group_id,
            members: Members::Users(UserIdType::default()),
            page_size: None,
            page_token: None,
        }
    }

    /// Lists the user members, named by `t` (the default: users by `open_id`).
    pub fn user_id_type(mut self, t: UserIdType) -> Self {
        self.members = Members::Users(t);
        self
    }

    /// Lists the department members instead of the users, named by `t`.
    pub fn department_members(mut self, t: DepartmentIdType) -> Self {
        self.members = Members::Departments(t);
        self
    }

    /// Page size, 1..=[`MAX_GROUP_MEMBER_PAGE_SIZE`]; Feishu's default is 50. Checked before
    /// any request.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Starts at this page token.
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }

    fn request(&self, page_token: Option<String>) -> Result<Request> {
        check_page_size(self.page_size, MAX_GROUP_MEMBER_PAGE_SIZE)?;
        let (member_type, member_id_type) = self.members.wire();
        Ok(Request::new(GROUP_MEMBERS, &[self.group_id.as_str()])?
            .query("member_type", member_type)
            .query("member_id_type", member_id_type)
            .query_opt("page_size", self.page_size)
            .query_opt("page_token", page_token))
    }
}

impl PageFetch for ListGroupMembers {
    type Item = GroupMember;

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn fetch_page(
        &self,
        page_token: Option<String>,
    ) -> impl Future<Output = Result<Page<GroupMember>>> + Send + use<> {
        let client = self.client.clone();
        let request = self.request(page_token);
        async move {
            let page: MembersPage = client.send(request?).await?;
            Ok(Page::new(page.memberlist, page.has_more, page.page_token))
        }
    }
}
