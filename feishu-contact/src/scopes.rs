//! `GET /open-apis/contact/v3/scopes`: the app's visible contact range (§8.5).

use feishu_core::internal::pages;
use feishu_core::{Client, DepartmentIdType, Page, Request, Result, UserIdType};
use futures::{Stream, StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};

use crate::list::SCOPES;

/// The app's contact range, or one page of it.
///
/// With an "all members" range Feishu lists the root's first-level departments and direct
/// users; otherwise exactly the granted departments (not their children) and the individually
/// granted users. `user_ids` is only filled when the app holds
/// `contact:user.employee_id:readonly`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct Scopes {
    /// Granted departments (of the requested `department_id_type`).
    #[serde(deserialize_with = "feishu_core::internal::de::string_vec")]
    pub department_ids: Vec<String>,
    /// Individually granted users (of the requested `user_id_type`).
    #[serde(deserialize_with = "feishu_core::internal::de::string_vec")]
    pub user_ids: Vec<String>,
    /// Granted user groups.
    #[serde(deserialize_with = "feishu_core::internal::de::string_vec")]
    pub group_ids: Vec<String>,
}

impl Scopes {
    /// Whether nothing is visible.
    pub fn is_empty(&self) -> bool {
        self.department_ids.is_empty() && self.user_ids.is_empty() && self.group_ids.is_empty()
    }
}

/// One entry of the contact range.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScopeEntry {
    /// An individually granted user.
    User(String),
    /// A granted department (walk it for its sub-departments).
    Department(String),
    /// A granted user group.
    Group(String),
}

#[derive(Deserialize)]
struct ScopesData {
    #[serde(flatten)]
    scopes: Scopes,
    #[serde(default, deserialize_with = "feishu_core::internal::de::bool_or_false")]
    has_more: bool,
    #[serde(default, deserialize_with = "feishu_core::internal::de::opt_string")]
    page_token: Option<String>,
}

/// Lists the app's contact range; built by [`Contact::scopes`](crate::Contact::scopes).
/// Tenant tokens only.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListScopes {
    client: Client,
    user_id_type: UserIdType,
    department_id_type: DepartmentIdType,
    page_size: Option<u32>,
}

impl ListScopes {
    pub(crate) fn new(client: Client) -> Self {
        ListScopes {
            client,
            user_id_type: UserIdType::default(),
            department_id_type: DepartmentIdType::default(),
            page_size: None,
        }
    }

    /// Id type of `user_ids`. Default `open_id`.
    pub fn user_id_type(mut self, t: UserIdType) -> Self {
        self.user_id_type = t;
        self
    }

    /// Id type of `department_ids`. Default `open_department_id`.
    pub fn department_id_type(mut self, t: DepartmentIdType) -> Self {
        self.department_id_type = t;
        self
    }

    /// Entries per page (users, departments and groups together), 1–100; Feishu's default
    /// is 50.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    async fn fetch(&self, token: Option<&str>) -> Result<Page<Scopes>> {
        let req = Request::new(SCOPES, &[])?
            .query("user_id_type", self.user_id_type)
            .query("department_id_type", self.department_id_type)
            .query_opt("page_size", self.page_size)
            .query_opt("page_token", token);
        let data: ScopesData = self.client.send(req).await?;
        Ok(Page::new(vec![data.scopes], data.has_more, data.page_token))
    }

    /// The first page.
    pub async fn send(self) -> Result<Page<Scopes>> {
        self.fetch(None).await
    }

    /// Every entry, page after page, lazily: users, then departments, then groups within
    /// each page.
    pub fn into_stream(self) -> impl Stream<Item = Result<ScopeEntry>> + Send + 'static {
        pages(None, move |token: Option<String>| {
            let this = self.clone();
            async move { this.fetch(token.as_deref()).await }
        })
        .map_ok(|page| {
            let entries: Vec<Result<ScopeEntry>> = page
                .items
                .into_iter()
                .flat_map(|s| {
                    let users = s.user_ids.into_iter().map(ScopeEntry::User);
                    let depts = s.department_ids.into_iter().map(ScopeEntry::Department);
                    let groups = s.group_ids.into_iter().map(ScopeEntry::Group);
                    users.chain(depts).chain(groups).collect::<Vec<_>>()
                })
                .map(Ok)
                .collect();
            stream::iter(entries)
        })
        .try_flatten()
        .boxed()
    }

    /// The whole range, all pages merged.
    pub async fn collect_all(self) -> Result<Scopes> {
        let mut all = Scopes::default();
        let mut entries = self.into_stream();
        while let Some(entry) = entries.next().await {
            match entry? {
                ScopeEntry::User(id) => all.user_ids.push(id),
                ScopeEntry::Department(id) => all.department_ids.push(id),
                ScopeEntry::Group(id) => all.group_ids.push(id),
            }
        }
        Ok(all)
    }
}
