//! The user endpoints: `users/find_by_department` (§8.2), `users/:user_id` (§8.3) and
//! `users/batch` (§8.4).

use std::collections::HashSet;

use feishu_core::internal::{PageRequest, stop_after_error};
use feishu_core::{Client, DepartmentIdType, Request, Result, UserIdType};
use futures::{Stream, StreamExt, TryStreamExt, stream};
use serde::Deserialize;

use crate::list::{BATCH_USERS, GET_USER, USERS_BY_DEPARTMENT};
use crate::user::User;

/// Most ids `users/batch` accepts in one call.
pub const BATCH_MAX_IDS: usize = 50;

/// Lists the users directly in one department (not in its sub-departments); built by
/// [`Contact::users_by_department`](crate::Contact::users_by_department).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct FindUsersByDepartment {
    client: Client,
    department_id: String,
    user_id_type: UserIdType,
    department_id_type: DepartmentIdType,
    page_size: Option<u32>,
    page_token: Option<String>,
}

impl FindUsersByDepartment {
    pub(crate) fn new(client: Client, department_id: String) -> Self {
        FindUsersByDepartment {
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

    /// Id type of `department_id` and of the users' `department_ids`. Default
    /// `open_department_id`.
    pub fn department_id_type(mut self, t: DepartmentIdType) -> Self {
        self.department_id_type = t;
        self
    }

    /// Page size; Feishu's default is 10, its maximum 50 (more → 40011).
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

impl PageRequest for FindUsersByDepartment {
    type Item = User;

    fn client(&self) -> &Client {
        &self.client
    }

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn page_request(&self, token: Option<String>) -> Result<Request> {
        Ok(Request::new(USERS_BY_DEPARTMENT, &[])?
            .query("department_id", &self.department_id)
            .query("user_id_type", self.user_id_type)
            .query("department_id_type", self.department_id_type)
            .query_opt("page_size", self.page_size)
            .query_opt("page_token", token))
    }
}

/// Gets one user; built by [`Contact::user`](crate::Contact::user).
///
/// Errors: 41050 (user outside the contact range), 41012 (invalid id).
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
    pub(crate) fn new(client: Client, user_id: String) -> Self {
        GetUser {
            client,
            user_id,
            user_id_type: UserIdType::default(),
            department_id_type: DepartmentIdType::default(),
        }
    }

    /// Id type of the path id and of the ids in the answer. Default `open_id`.
    pub fn user_id_type(mut self, t: UserIdType) -> Self {
        self.user_id_type = t;
        self
    }

    /// Id type of `department_ids`. Default `open_department_id`.
    pub fn department_id_type(mut self, t: DepartmentIdType) -> Self {
        self.department_id_type = t;
        self
    }

    /// Sends the call.
    pub async fn send(self) -> Result<User> {
        let req = Request::new(GET_USER, &[&self.user_id])?
            .query("user_id_type", self.user_id_type)
            .query("department_id_type", self.department_id_type);
        let data: UserData = self.client.send(req).await?;
        Ok(data.user)
    }
}

/// Gets many users by id, [`BATCH_MAX_IDS`] per call; built by
/// [`Contact::users_batch`](crate::Contact::users_batch).
///
/// Duplicate ids are asked for once. Ids that are unknown or outside the app's contact range
/// are silently left out of the answer, as Feishu does (compare with the ids you asked for,
/// or use a [`UserCache`](crate::UserCache), which reports them as `None`).
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
    pub(crate) fn new(client: Client, ids: Vec<String>) -> Self {
        let mut seen = HashSet::new();
        let user_ids = ids
            .into_iter()
            .filter(|id| seen.insert(id.clone()))
            .collect();
        BatchGetUsers {
            client,
            user_ids,
            user_id_type: UserIdType::default(),
            department_id_type: DepartmentIdType::default(),
            concurrency: 4,
        }
    }

    /// Id type of the ids asked for and of the ids in the answer. Default `open_id`.
    pub fn user_id_type(mut self, t: UserIdType) -> Self {
        self.user_id_type = t;
        self
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
    pub async fn send(self) -> Result<Vec<User>> {
        self.into_stream().try_collect().await
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
