//! Typed Contact v3 API of the Feishu / Lark Open Platform: departments, users, the app's
//! contact range, a directory walk and a user cache for enrichment.
//!
//! - [`Contact::child_departments`] — `GET contact/v3/departments/:id/children`
//!   ([`Department`], lazy stream of pages).
//! - [`Contact::users_by_department`] — `GET contact/v3/users/find_by_department` (direct
//!   members, [`User`]).
//! - [`Contact::user`] — `GET contact/v3/users/:user_id`.
//! - [`Contact::users_batch`] — `GET contact/v3/users/batch`, any number of ids, 50 per call.
//! - [`Contact::scopes`] — `GET contact/v3/scopes`, the app's visible range ([`Scopes`]).
//! - [`Contact::walk`] — every user of the tree (or of given subtrees) exactly once, with a
//!   fallback to the app's contact range when the root is not visible ([`WalkReport`]).
//! - [`Contact::user_cache`] — [`UserCache`]: id → user, misses batched and coalesced.
//!
//! Id types are [`UserIdType`] and [`DepartmentIdType`]; the root department is
//! [`ROOT_DEPARTMENT_ID`] (`"0"`). Every call is paced by the client's rate limiter at
//! Contact's documented 1000/min & 50/s.
//!
//! Scopes: `contact:contact.base:readonly` (or the broad `contact:contact:readonly_as_app`),
//! plus field scopes such as `contact:user.employee_id:readonly` for `user_id` (§8.6 of the
//! API notes). A missing API scope fails with code 99991672 and
//! [`feishu_core::ApiError::required_scopes`] names what to grant; data outside the contact
//! range gives 40004 (department) or 41050 (user).
//!
//! # Example
//! ```no_run
//! use feishu_contact::Contact;
//! use feishu_core::{Client, Credentials, UserIdType};
//! use futures::TryStreamExt;
//!
//! # async fn sample() -> feishu_core::Result<()> {
//! let client = Client::builder()
//!     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
//!     .build()?;
//! let contact = Contact::new(client);
//!
//! // Every user once, named by the tenant-wide user_id.
//! let mut users = contact.walk().user_id_type(UserIdType::UserId).into_stream();
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
mod department;
mod departments;
mod list;
mod scopes;
mod user;
mod users;
mod walk;

use feishu_core::Client;

pub use cache::{UserCache, UserCacheBuilder};
pub use department::{Department, DepartmentLeader, DepartmentStatus, I18nName};
pub use departments::ListChildDepartments;
pub use feishu_core::{DepartmentIdType, ListRequest, UserIdType};
pub use scopes::{ListScopes, ScopeEntry, Scopes};
pub use user::{Avatar, CustomAttr, User, UserOrder, UserStatus};
pub use users::{BATCH_MAX_IDS, BatchGetUsers, FindUsersByDepartment, GetUser};
pub use walk::{
    DirectoryWalk, ROOT_DEPARTMENT_ID, RangeFallback, WalkReport, WalkReportHandle, WalkStream,
};

/// Entry point to Contact v3. Cheap to clone (it holds a [`Client`]).
#[derive(Debug, Clone)]
pub struct Contact {
    client: Client,
}

impl Contact {
    /// Wraps a client.
    pub fn new(client: Client) -> Self {
        Contact { client }
    }

    /// The client this handle uses.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The child departments of `department_id` ([`ROOT_DEPARTMENT_ID`] = the root).
    pub fn child_departments(&self, department_id: impl Into<String>) -> ListChildDepartments {
        ListChildDepartments::new(self.client.clone(), department_id.into())
    }

    /// The users directly in `department_id`.
    pub fn users_by_department(&self, department_id: impl Into<String>) -> FindUsersByDepartment {
        FindUsersByDepartment::new(self.client.clone(), department_id.into())
    }

    /// One user.
    pub fn user(&self, user_id: impl Into<String>) -> GetUser {
        GetUser::new(self.client.clone(), user_id.into())
    }

    /// Many users by id; the ids are split into calls of at most [`BATCH_MAX_IDS`].
    pub fn users_batch<I, S>(&self, user_ids: I) -> BatchGetUsers
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        BatchGetUsers::new(
            self.client.clone(),
            user_ids.into_iter().map(Into::into).collect(),
        )
    }

    /// The app's contact range.
    pub fn scopes(&self) -> ListScopes {
        ListScopes::new(self.client.clone())
    }

    /// A walk over the whole directory (or, with
    /// [`from_departments`](DirectoryWalk::from_departments), over some subtrees).
    pub fn walk(&self) -> DirectoryWalk {
        DirectoryWalk::new(self.clone())
    }

    /// A cache resolving user ids to users.
    pub fn user_cache(&self) -> UserCacheBuilder {
        UserCacheBuilder::new(self.clone())
    }
}
