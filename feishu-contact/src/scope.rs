//! `GET /open-apis/contact/v3/scopes`: the app's contact range, the departments, users and
//! user groups it may read.

use std::future::Future;

use feishu_core::internal::PageFetch;
use feishu_core::internal::de::{bool_or_false, opt_string};
use feishu_core::{
    Client, DepartmentId, DepartmentIdType, Endpoint, Page, Request, Result, UserIdType,
};
use serde::{Deserialize, Serialize};

use crate::codes::contact;
use crate::id::GroupId;

/// <https://open.feishu.cn/document/server-docs/contact-v3/scope/list>
pub(crate) const SCOPES: Endpoint = contact(Endpoint::get("contact.scopes", "contact/v3/scopes"));

/// Most entries (users, departments and groups together) one page of `scopes` holds; Feishu's
/// default is 50 (<https://open.feishu.cn/document/server-docs/contact-v3/scope/list>).
pub const MAX_SCOPE_PAGE_SIZE: u32 = 100;

/// The app's contact range, every page merged: collect a [`ListScopes`] stream into it.
///
/// With an "all members" range Feishu lists the root's first-level departments, its direct
/// users and every user group; otherwise exactly the granted departments (not their
/// children), the individually granted users and the granted groups
/// (<https://open.feishu.cn/document/server-docs/contact-v3/scope/list>). `user_ids` is
/// only filled when the app holds `contact:user.employee_id:readonly`: without it,
/// individually granted users are invisible here.
///
/// # Example
/// ```no_run
/// use feishu_contact::{Contact, ListRequest, Scopes};
/// use futures::TryStreamExt;
/// # async fn sample(contact: Contact) -> feishu_core::Result<()> {
/// let range: Scopes = contact.list_scopes().into_stream().try_collect().await?;
/// println!(
///     "{} departments, {} users, {} groups",
///     range.department_ids.len(),
///     range.user_ids.len(),
///     range.group_ids.len()
/// );
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct Scopes {
    /// Granted departments (of the listing's `department_id_type`).
    pub department_ids: Vec<DepartmentId>,
    /// Individually granted users (of the listing's `user_id_type`).
    pub user_ids: Vec<String>,
    /// Granted user groups.
    pub group_ids: Vec<GroupId>,
}

impl Scopes {
    /// Whether nothing is visible.
    pub fn is_empty(&self) -> bool {
        self.department_ids.is_empty() && self.user_ids.is_empty() && self.group_ids.is_empty()
    }
}

impl Extend<ScopeEntry> for Scopes {
    fn extend<I: IntoIterator<Item = ScopeEntry>>(&mut self, entries: I) {
        for entry in entries {
            match entry {
                ScopeEntry::User(id) => self.user_ids.push(id),
                ScopeEntry::Department(id) => self.department_ids.push(id),
                ScopeEntry::Group(id) => self.group_ids.push(id),
            }
        }
    }
}

impl FromIterator<ScopeEntry> for Scopes {
    fn from_iter<I: IntoIterator<Item = ScopeEntry>>(entries: I) -> Self {
        let mut scopes = Scopes::default();
        scopes.extend(entries);
        scopes
    }
}

/// One entry of the contact range, as [`ListScopes`] yields it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScopeEntry {
    /// An individually granted user (an id of the listing's `user_id_type`).
    User(String),
    /// A granted department (walk it for its sub-departments and members).
    Department(DepartmentId),
    /// A granted user group (list its members with
    /// [`Contact::list_group_members`](crate::Contact::list_group_members)).
    Group(GroupId),
}

/// `data` of one `scopes` page. `user_ids` is `None` when the key is missing: Feishu leaves it
/// out unless the app holds `contact:user.employee_id:readonly` (scope/list, `user_ids`).
#[derive(Deserialize)]
pub(crate) struct ScopesPage {
    #[serde(default, deserialize_with = "crate::id::lenient_ids")]
    department_ids: Vec<DepartmentId>,
    #[serde(default, deserialize_with = "opt_ids")]
    pub(crate) user_ids: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::id::lenient_ids")]
    group_ids: Vec<GroupId>,
    #[serde(default, deserialize_with = "bool_or_false")]
    has_more: bool,
    #[serde(default, deserialize_with = "opt_string")]
    page_token: Option<String>,
}

/// `user_ids`: `None` when `null` (like a missing key), else the ids (see [`ScopesPage`]).
fn opt_ids<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    if value.is_null() {
        return Ok(None);
    }
    feishu_core::internal::de::string_vec(value)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

impl ScopesPage {
    /// The entries in Feishu's order (users, then departments, then groups), as a page.
    pub(crate) fn into_page(self) -> Page<ScopeEntry> {
        let users = self.user_ids.into_iter().flatten().map(ScopeEntry::User);
        let departments = self.department_ids.into_iter().map(ScopeEntry::Department);
        let groups = self.group_ids.into_iter().map(ScopeEntry::Group);
        let entries = users.chain(departments).chain(groups).collect();
        Page::new(entries, self.has_more, self.page_token)
    }
}

/// Lists the app's contact range, entry by entry; built by
/// [`Contact::list_scopes`](crate::Contact::list_scopes). Tenant tokens only.
///
/// # Example
/// ```no_run
/// use feishu_contact::{Contact, ListRequest, ScopeEntry, UserIdType};
/// use futures::TryStreamExt;
/// # async fn sample(contact: Contact) -> feishu_core::Result<()> {
/// let mut range = contact.list_scopes().user_id_type(UserIdType::UserId).into_stream();
/// while let Some(entry) = range.try_next().await? {
///     match entry {
///         ScopeEntry::Department(d) => println!("department {d} and its subtree"),
///         ScopeEntry::User(u) => println!("user {u}"),
///         ScopeEntry::Group(g) => println!("the members of group {g}"),
///         _ => {}
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListScopes {
    client: Client,
    user_id_type: UserIdType,
    department_id_type: DepartmentIdType,
    page_size: Option<u32>,
    page_token: Option<String>,
}

impl ListScopes {
    pub(crate) fn new(client: Client) -> Self {
        ListScopes {
            client,
            user_id_type: UserIdType::default(),
            department_id_type: DepartmentIdType::default(),
            page_size: None,
            page_token: None,
        }
    }

    /// Id type of the granted users. Default `open_id`.
    pub fn user_id_type(mut self, t: UserIdType) -> Self {
        self.user_id_type = t;
        self
    }

    /// Id type of the granted departments. Default `open_department_id`.
    pub fn department_id_type(mut self, t: DepartmentIdType) -> Self {
        self.department_id_type = t;
        self
    }

    /// Entries per page (users, departments and groups together), 1..=[`MAX_SCOPE_PAGE_SIZE`];
    /// Feishu's default is 50. Checked before any request.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Starts at this page token.
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }

    /// One page as Feishu sends it (the walk needs to see whether `user_ids` was left out).
    pub(crate) fn fetch_wire_page(
        &self,
        page_token: Option<String>,
    ) -> impl Future<Output = Result<ScopesPage>> + Send + use<> {
        let client = self.client.clone();
        let request = feishu_core::internal::check_page_size(self.page_size, MAX_SCOPE_PAGE_SIZE)
            .and_then(|()| Request::new(SCOPES, &[]))
            .map(|req| {
                req.query("user_id_type", self.user_id_type)
                    .query("department_id_type", self.department_id_type)
                    .query_opt("page_size", self.page_size)
                    .query_opt("page_token", page_token)
            });
        async move { client.send(request?).await }
    }
}

impl PageFetch for ListScopes {
    type Item = ScopeEntry;

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn fetch_page(
        &self,
        page_token: Option<String>,
    ) -> impl Future<Output = Result<Page<ScopeEntry>>> + Send + use<> {
        let page = self.fetch_wire_page(page_token);
        async move { Ok(page.await?.into_page()) }
    }
}
