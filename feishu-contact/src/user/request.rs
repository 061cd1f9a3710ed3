//! The user reads: `users/find_by_department`, `users/:user_id` and `users/batch`.

use std::collections::HashSet;

use feishu_core::internal::{PageRequest, check_page_size, stop_after_error};
use feishu_core::{Client, DepartmentId, DepartmentIdType, Endpoint, Request, Result, UserIdType};
use futures::{Stream, StreamExt, TryStreamExt, stream};
use serde::Deserialize;

use super::model::User;
use crate::codes::contact;
use crate::id::UserIdentifier;

/// <https://open.feishu.cn/document/server-docs/contact-v3/user/find_by_department>
pub(crate) const USERS_BY_DEPARTMENT: Endpoint = contact(Endpoint::get(
    "contact.users.find_by_department",
    "contact/v3/users/find_by_department",
));

/// <https://open.feishu.cn/document/server-docs/contact-v3/user/get>
pub(crate) const GET_USER: Endpoint = contact(Endpoint::get(
    "contact.users.get",
    "contact/v3/users/{user_id}",
));

/// <https://open.feishu.cn/document/server-docs/contact-v3/user/batch>
pub(crate) const BATCH_USERS: Endpoint = contact(Endpoint::get(
    "contact.users.batch",
    "contact/v3/users/batch",
));

/// Most ids `users/batch` accepts in one call
/// (<https://open.feishu.cn/document/server-docs/contact-v3/user/batch>).
pub const BATCH_MAX_IDS: usize = 50;

/// Most users one page of `find_by_department` holds (more → 40011); Feishu's default is 10
/// (<https://open.feishu.cn/document/server-docs/contact-v3/user/find_by_department>).
pub const MAX_USER_PAGE_SIZE: u32 = 50;

/// Lists the users directly in one department (not in its sub-departments); built by
/// [`Contact::list_department_users`](crate::Contact::list_department_users).
///
/// # Example
/// ```no_run
/// use feishu_contact::{Contact, DepartmentIdType, ListRequest, UserIdType};
/// use futures::TryStreamExt;
/// # async fn sample(contact: Contact) -> feishu_core::Result<()> {
/// let mut members = contact
///     .list_department_users("D007")
///     .department_id_type(DepartmentIdType::DepartmentId)
///     .user_id_type(UserIdType::UserId)
///     .page_size(50)
///     .into_stream();
/// while let Some(user) = members.try_next().await? {
///     println!("{} {}", user.user_id, user.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListDepartmentUsers {
    client: Client,
    department_id: DepartmentId,
    user_id_type: UserIdType,
    department_id_type: DepartmentIdType,
    page_size: Option<u32>,
    page_token: Option<String>,
}

impl ListDepartmentUsers {
    pub(crate) fn new(client: Client, department_id: DepartmentId) -> Self {
        ListDepartmentUsers {
            client,
            department_id,
            user_id_type: UserIdType::default(),
            department_id_type: DepartmentIdType::default(),
            page_size: None,
            page_token: None,
        }
    }

    /// Id type of the users' ids. Default `open_id`.
    pub fn user_id_type(mut self, t: UserIdType) -> Self {
        self.user_id_type = t;
        self
    }

    /// Id type of the department asked about and of the users' `department_ids`. Default
    /// `open_department_id`.
    pub fn department_id_type(mut self, t: DepartmentIdType) -> Self {
        self.department_id_type = t;
        self
    }

    /// Page size, 1..=[`MAX_USER_PAGE_SIZE`]; Feishu's default is 10. Checked before any
    /// request.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Starts at this page token.
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }
}

impl PageRequest for ListDepartmentUsers {
    type Item = User;

    fn client(&self) -> &Client {
        &self.client
    }

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn page_request(&self, token: Option<String>) -> Result<Request> {
        check_page_size(self.page_size, MAX_USER_PAGE_SIZE)?;
        Ok(Request::new(USERS_BY_DEPARTMENT, &[])?
            .query("department_id", &self.department_id)
            .query("user_id_type", self.user_id_type)
            .query("department_id_type", self.department_id_type)
            .query_opt("page_size", self.page_size)
            .query_opt("page_token", token))
    }
}

/// Gets one user; built by [`Contact::get_user`](crate::Contact::get_user), which sends the
/// `user_id_type` of the id it is given.
///
/// Errors: 41050 (user outside the contact range), 41012 (unknown id).
///
/// # Example
/// ```no_run
/// use feishu_contact::Contact;
/// use feishu_core::UserId;
/// # async fn sample(contact: Contact) -> feishu_core::Result<()> {
/// let user = contact.get_user(UserId::from("a1b2c3d4")).send().await?;
/// println!("{} ({}) works in {:?}", user.name, user.open_id, user.department_ids);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct GetUser {
    client: Client,
    user_id: String,
    user_id_type: UserIdType,
    department_id_type: DepartmentIdType,
}

#[derive(Deserialize)]
struct UserData {
    user: User,
}

impl GetUser {
    pub(crate) fn new<I: UserIdentifier>(client: Client, user_id: I) -> Self {
        GetUser {
            client,
            user_id: user_id.into(),
            user_id_type: I::ID_TYPE,
            department_id_type: DepartmentIdType::default(),
        }
    }

    /// Id type of `department_ids`. Default `open_department_id`.
    pub fn department_id_type(mut self, t: DepartmentIdType) -> Self {
        self.department_id_type = t;
        self
    }

    /// Sends the call.
    pub async fn send(&self) -> Result<User> {
        let req = Request::new(GET_USER, &[&self.user_id])?
            .query("user_id_type", self.user_id_type)
            .query("department_id_type", self.department_id_type);
        let data: UserData = self.client.send(req).await?;
        Ok(data.user)
    }
}

/// Gets many users by id, [`BATCH_MAX_IDS`] per call; built by
/// [`Contact::batch_get_users`](crate::Contact::batch_get_users), which sends the
/// `user_id_type` of the ids it is given.
///
/// Duplicate ids are asked for once. Ids that are unknown or outside the app's contact range
/// are left out of the answer, as Feishu does (compare with the ids you asked for, or use a
/// [`UserCache`](crate::UserCache), which answers them with `None`).
///
/// # Example
/// ```no_run
/// use feishu_contact::Contact;
/// use feishu_core::UserId;
/// # async fn sample(contact: Contact, ids: Vec<String>) -> feishu_core::Result<()> {
/// let users = contact.batch_get_users(ids.iter().map(UserId::from)).send().await?;
/// println!("{} of {} ids found", users.len(), ids.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct BatchGetUsers {
    client: Client,
    user_ids: Vec<String>,
    user_id_type: UserIdType,
    department_id_type: DepartmentIdType,
    concurrency: usize,
}

#[derive(Deserialize)]
struct BatchData {
    #[serde(default, deserialize_with = "feishu_core::internal::de::vec_or_empty")]
    items: Vec<User>,
}

impl BatchGetUsers {
    /// Ids of `user_id_type`, deduplicated (first occurrence kept).
    pub(crate) fn new(client: Client, ids: Vec<String>, user_id_type: UserIdType) -> Self {
        let mut seen = HashSet::new();
        let user_ids = ids
            .into_iter()
            .filter(|id| seen.insert(id.clone()))
            .collect();
        BatchGetUsers {
            client,
            user_ids,
            user_id_type,
            department_id_type: DepartmentIdType::default(),
            concurrency: 4,
        }
    }

    /// Id type of `department_ids`. Default `open_department_id`.
    pub fn department_id_type(mut self, t: DepartmentIdType) -> Self {
        self.department_id_type = t;
        self
    }

    /// How many calls run at once (at least 1). Default 4.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    async fn call(
        client: Client,
        ids: Vec<String>,
        user_id_type: UserIdType,
        department_id_type: DepartmentIdType,
    ) -> Result<Vec<User>> {
        let req = Request::new(BATCH_USERS, &[])?
            .query("user_id_type", user_id_type)
            .query("department_id_type", department_id_type)
            .query_each("user_ids", &ids);
        let data: BatchData = client.send(req).await?;
        Ok(data.items)
    }

    /// All users found, in call order; fails on the first failed call.
    pub async fn send(&self) -> Result<Vec<User>> {
        self.clone().into_stream().try_collect().await
    }

    /// The users found, lazily, calls running with bounded concurrency; ends after the first
    /// error.
    pub fn into_stream(self) -> impl Stream<Item = Result<User>> + Send + 'static {
        let BatchGetUsers {
            client,
            user_ids,
            user_id_type,
            department_id_type,
            concurrency,
        } = self;
        let chunks: Vec<Vec<String>> = user_ids
            .chunks(BATCH_MAX_IDS)
            .map(<[String]>::to_vec)
            .collect();
        let calls = stream::iter(chunks)
            .map(move |ids| Self::call(client.clone(), ids, user_id_type, department_id_type))
            .buffered(concurrency);
        stop_after_error(calls)
            .map_ok(|users| stream::iter(users.into_iter().map(Ok)))
            .try_flatten()
    }
}
