//! Typed Contact v3 API of the Feishu / Lark Open Platform: departments, users, user groups,
//! the app's contact range, a directory walk, a user cache for enrichment, and user ids by
//! email or mobile number.
//!
//! - [`Contact::get_department`]: `GET contact/v3/departments/:id`, by either department id
//!   type.
//! - [`Contact::list_child_departments`]: `GET contact/v3/departments/:id/children`
//!   ([`Department`]).
//! - [`Contact::list_department_users`]: `GET contact/v3/users/find_by_department` (direct
//!   members, [`User`]).
//! - [`Contact::get_user`]: `GET contact/v3/users/:user_id`, by any of the three user ids.
//! - [`Contact::batch_get_users`]: `GET contact/v3/users/batch`, any number of ids, 50 per
//!   call.
//! - [`Contact::list_scopes`]: `GET contact/v3/scopes`, the app's contact range
//!   ([`ScopeEntry`], collected into [`Scopes`]).
//! - [`Contact::list_group_members`]: `GET contact/v3/group/:group_id/member/simplelist`
//!   ([`GroupMember`]).
//! - [`Contact::walk_directory`]: every user of the tree (or of given subtrees) exactly once;
//!   when the root is not visible, everything the contact range grants: departments, users and
//!   the members of user groups, with a [`WalkReport`] of what could not be seen and what to
//!   grant.
//! - [`Contact::user_cache`]: [`UserCache`], id → user, misses batched and coalesced.
//! - [`Contact::batch_get_user_ids`]: `POST contact/v3/users/batch_get_id`, emails and mobile
//!   numbers ([`ContactPoint`]) → user ids, 50 of each per call, one [`UserIdLookup`] per
//!   input in order.
//! - [`Contact::user_id_resolver`]: [`UserIdResolver`], the same lookup batched and cached.
//!
//! Listings implement [`ListRequest`]: one page with `send`, every item with `into_stream`,
//! page by page with `by_page`. Ids are the core's newtypes ([`OpenId`], [`UnionId`],
//! [`UserId`], [`DepartmentId`]) and [`GroupId`]; a user id passed in says its own
//! `user_id_type` ([`UserIdentifier`]). The root department is [`ROOT_DEPARTMENT_ID`]
//! (`"0"`). Every call is paced by the client's rate limiter at Contact's documented
//! 1000/min & 50/s.
//!
//! Scopes: `contact:contact.base:readonly` (or the broad `contact:contact:readonly_as_app`),
//! `contact:group:readonly` for user groups, plus field scopes such as
//! `contact:user.employee_id:readonly` for `user_id`
//! (<https://open.feishu.cn/document/server-docs/contact-v3/user/field-overview>). A missing
//! API scope fails with code 99991672 and [`feishu_core::ApiError::required_scopes`] names
//! what to grant; data outside the contact range gives 40004 (department), 41050 (user) or
//! 42009 (group).
//!
//! # Example
//! ```no_run
//! use feishu_contact::{Contact, UserIdType};
//! use feishu_core::{Client, Credentials};
//! use futures::TryStreamExt;
//!
//! # async fn sample() -> feishu_core::Result<()> {
//! let client = Client::builder()
//!     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
//!     .build()?;
//! let contact = Contact::new(client);
//!
//! // Every user once, named by the tenant-wide user_id.
//! let mut users = contact
//!     .walk_directory()
//!     .user_id_type(UserIdType::UserId)
//!     .into_stream();
//! let report = users.report_handle();
//! while let Some(user) = users.try_next().await? {
//!     println!("{} {} active={}", user.user_id, user.name, user.is_active());
//! }
//! if let Some(note) = report.get().message() {
//!     eprintln!("{note}");
//! }
//!
//! // Enrich ids from elsewhere.
//! let cache = contact.user_cache().user_id_type(UserIdType::UserId).build();
//! let who = cache.get("a1b2c3d4").await?.map(|u| u.name);
//! # let _ = who; Ok(()) }
//! ```

mod cache;
mod codes;
mod department;
mod group_member;
mod id;
mod scope;
mod user;
mod user_id_lookup;
mod walk;

use feishu_core::Client;

pub use cache::{UserCache, UserCacheBuilder};
pub use department::get::GetDepartment;
pub use department::model::{Department, DepartmentLeader, DepartmentStatus, I18nName};
pub use department::request::{ListChildDepartments, MAX_DEPARTMENT_PAGE_SIZE};
/// Runs every listing of this crate: `send`, `by_page`, `into_stream`.
pub use feishu_core::ListRequest;
pub use feishu_core::{DepartmentId, DepartmentIdType, OpenId, UnionId, UserId, UserIdType};
pub use group_member::{
    GroupMember, GroupMemberType, ListGroupMembers, MAX_GROUP_MEMBER_PAGE_SIZE,
};
pub use id::{GroupId, UserIdentifier};
pub use scope::{ListScopes, MAX_SCOPE_PAGE_SIZE, ScopeEntry, Scopes};
pub use user::model::{Avatar, CustomAttr, User, UserOrder, UserStatus};
pub use user::request::{
    BATCH_MAX_IDS, BatchGetUsers, GetUser, ListDepartmentUsers, MAX_USER_PAGE_SIZE,
};
pub use user_id_lookup::contact_point::ContactPoint;
pub use user_id_lookup::request::{BatchGetUserIds, MAX_LOOKUPS_PER_LIST, UserIdLookup};
pub use user_id_lookup::resolver::{UserIdResolver, UserIdResolverBuilder};
pub use walk::{
    DirectoryWalk, ROOT_DEPARTMENT_ID, RangeFallback, WalkGap, WalkReport, WalkReportHandle,
    WalkStream,
};

/// Entry point to Contact v3. Cheap to clone (it holds a [`Client`]).
///
/// # Example
/// ```no_run
/// use feishu_contact::{Contact, ListRequest};
/// use feishu_core::{Client, Credentials, UserId};
/// # async fn sample() -> feishu_core::Result<()> {
/// let client = Client::builder()
///     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
///     .build()?;
/// let contact = Contact::new(client);
/// let user = contact.get_user(UserId::from("a1b2c3d4")).send().await?;
/// let first_page = contact.list_department_users("0").send().await?;
/// println!("{} shares the root with {} users", user.name, first_page.items.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Contact {
    client: Client,
}

impl Contact {
    /// Wraps a client.
    ///
    /// # Example
    /// ```no_run
    /// # fn sample(client: feishu_core::Client) {
    /// let contact = feishu_contact::Contact::new(client);
    /// # let _ = contact; }
    /// ```
    pub fn new(client: Client) -> Self {
        Contact { client }
    }

    /// The client this handle uses.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The child departments of `department_id` ([`ROOT_DEPARTMENT_ID`] = the root).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_contact::{ListRequest, ROOT_DEPARTMENT_ID};
    /// # async fn sample(contact: feishu_contact::Contact) -> feishu_core::Result<()> {
    /// let first_level = contact.list_child_departments(ROOT_DEPARTMENT_ID).send().await?;
    /// # let _ = first_level; Ok(()) }
    /// ```
    pub fn list_child_departments(
        &self,
        department_id: impl Into<DepartmentId>,
    ) -> ListChildDepartments {
        ListChildDepartments::new(self.client.clone(), department_id.into())
    }

    /// One department by id (an `open_department_id` unless
    /// [`GetDepartment::department_id_type`] says otherwise).
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(contact: feishu_contact::Contact) -> feishu_core::Result<()> {
    /// let department = contact.get_department("od-4e6ac4d14bcd5071a37a39de902c7141").send().await?;
    /// println!("{} ({} members)", department.name, department.member_count.unwrap_or(0));
    /// # Ok(()) }
    /// ```
    pub fn get_department(&self, department_id: impl Into<DepartmentId>) -> GetDepartment {
        GetDepartment::new(self.client.clone(), department_id.into())
    }

    /// The users directly in `department_id`.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_contact::ListRequest;
    /// use futures::TryStreamExt;
    /// # async fn sample(contact: feishu_contact::Contact) -> feishu_core::Result<()> {
    /// let members: Vec<_> = contact.list_department_users("od-4e6ac4d14bcd5071a37a39de902c7141").into_stream().try_collect().await?;
    /// # let _ = members; Ok(()) }
    /// ```
    pub fn list_department_users(
        &self,
        department_id: impl Into<DepartmentId>,
    ) -> ListDepartmentUsers {
        ListDepartmentUsers::new(self.client.clone(), department_id.into())
    }

    /// One user, by an id that says its kind ([`OpenId`], [`UnionId`] or [`UserId`]).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_core::OpenId;
    /// # async fn sample(contact: feishu_contact::Contact) -> feishu_core::Result<()> {
    /// let user = contact.get_user(OpenId::from("ou_7d8a6e6df7621556ce0d21922b676706")).send().await?;
    /// # let _ = user; Ok(()) }
    /// ```
    pub fn get_user<I: UserIdentifier>(&self, user_id: I) -> GetUser {
        GetUser::new(self.client.clone(), user_id)
    }

    /// Many users by ids of one kind; split into calls of at most [`BATCH_MAX_IDS`].
    ///
    /// # Example
    /// ```no_run
    /// use feishu_core::UserId;
    /// # async fn sample(contact: feishu_contact::Contact) -> feishu_core::Result<()> {
    /// let users = contact.batch_get_users(["a1b2c3d4", "e5f6a7b8"].map(UserId::from)).send().await?;
    /// # let _ = users; Ok(()) }
    /// ```
    pub fn batch_get_users<I, Ids>(&self, user_ids: Ids) -> BatchGetUsers
    where
        I: UserIdentifier,
        Ids: IntoIterator<Item = I>,
    {
        let ids = user_ids.into_iter().map(Into::into).collect();
        BatchGetUsers::new(self.client.clone(), ids, I::ID_TYPE)
    }

    /// The app's contact range.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_contact::{ListRequest, Scopes};
    /// use futures::TryStreamExt;
    /// # async fn sample(contact: feishu_contact::Contact) -> feishu_core::Result<()> {
    /// let range: Scopes = contact.list_scopes().into_stream().try_collect().await?;
    /// # let _ = range; Ok(()) }
    /// ```
    pub fn list_scopes(&self) -> ListScopes {
        ListScopes::new(self.client.clone())
    }

    /// The members of a user group.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_contact::ListRequest;
    /// # async fn sample(contact: feishu_contact::Contact) -> feishu_core::Result<()> {
    /// let first_page = contact.list_group_members("g128187").send().await?;
    /// # let _ = first_page; Ok(()) }
    /// ```
    pub fn list_group_members(&self, group_id: impl Into<GroupId>) -> ListGroupMembers {
        ListGroupMembers::new(self.client.clone(), group_id.into())
    }

    /// A walk over the whole directory (or, with
    /// [`from_departments`](DirectoryWalk::from_departments), over some subtrees).
    ///
    /// # Example
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn sample(contact: feishu_contact::Contact) -> feishu_core::Result<()> {
    /// let everyone: Vec<_> = contact.walk_directory().into_stream().try_collect().await?;
    /// # let _ = everyone; Ok(()) }
    /// ```
    pub fn walk_directory(&self) -> DirectoryWalk {
        DirectoryWalk::new(self.client.clone())
    }

    /// User ids (of type `I`: [`OpenId`], [`UnionId`] or [`UserId`]) for email addresses and
    /// mobile numbers; see [`BatchGetUserIds`].
    ///
    /// # Example
    /// ```no_run
    /// use feishu_contact::ContactPoint;
    /// use feishu_core::OpenId;
    /// # async fn sample(contact: feishu_contact::Contact) -> feishu_core::Result<()> {
    /// let found = contact
    ///     .batch_get_user_ids::<OpenId>([ContactPoint::email("zhangsan@example.com")])
    ///     .send()
    ///     .await?;
    /// println!("{:?}", found[0].user_id);
    /// # Ok(()) }
    /// ```
    pub fn batch_get_user_ids<I>(
        &self,
        points: impl IntoIterator<Item = ContactPoint>,
    ) -> BatchGetUserIds<I>
    where
        I: UserIdentifier + From<String>,
    {
        BatchGetUserIds::new(self.client.clone(), points.into_iter().collect())
    }

    /// A cache resolving emails and mobile numbers to user ids of type `I`; see
    /// [`UserIdResolver`].
    ///
    /// # Example
    /// ```no_run
    /// use feishu_core::UserId;
    /// # async fn sample(contact: feishu_contact::Contact) -> feishu_core::Result<()> {
    /// let resolver = contact.user_id_resolver::<UserId>().include_resigned(true).build();
    /// let ids = resolver.resolve_mobiles(["13011111111"]).await?;
    /// # let _ = ids; Ok(()) }
    /// ```
    pub fn user_id_resolver<I>(&self) -> UserIdResolverBuilder<I>
    where
        I: UserIdentifier + From<String>,
    {
        UserIdResolverBuilder::new(self.client.clone())
    }

    /// A cache resolving user ids to users.
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(contact: feishu_contact::Contact) -> feishu_core::Result<()> {
    /// let cache = contact.user_cache().build();
    /// let who = cache.get("ou_7d8a6e6df7621556ce0d21922b676706").await?;
    /// # let _ = who; Ok(()) }
    /// ```
    pub fn user_cache(&self) -> UserCacheBuilder {
        UserCacheBuilder::new(self.client.clone())
    }
}
