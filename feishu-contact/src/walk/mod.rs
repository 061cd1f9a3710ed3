//! The directory walk: every user of a department tree, or of the app's whole contact range,
//! once.

mod plan;
mod report;

use std::collections::{HashSet, VecDeque};

use feishu_core::{Client, DepartmentId, DepartmentIdType, Error, ListRequest, Result, UserIdType};
use futures::future::ready;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt, stream};

pub use plan::ROOT_DEPARTMENT_ID;
pub use report::{RangeFallback, WalkGap, WalkReport, WalkReportHandle, WalkStream};

use crate::department::model::Department;
use crate::department::request::ListChildDepartments;
use crate::user::model::User;
use crate::user::request::{BatchGetUsers, ListDepartmentUsers};
use plan::{Plan, Planner};

/// Codes meaning "too many sub-departments to list recursively".
const TOO_LARGE_CODES: [i64; 2] = [40162, 43010];

/// Walks a department tree and yields every user in it exactly once; built by
/// [`Contact::walk_directory`](crate::Contact::walk_directory).
///
/// From the root `0` by default, or from [`from_departments`](Self::from_departments). For
/// each department the walk lists its descendants (`fetch_child=true`, falling back to one
/// level at a time when Feishu says the tree is too large) and the direct members of each
/// (`users/find_by_department`), fetching up to [`concurrency`](Self::concurrency)
/// departments' members at once under the client's rate limiter. A user in several
/// departments or groups is yielded once: the walk keeps the ids it has seen (a `HashSet` of
/// ids), and streams users out without collecting them.
///
/// # When the root is not visible
/// Querying the root needs an "all members" contact range. When the default walk gets a
/// range error (40004, 40014, 41050, 40157, 40161) on the root, it reads what the app can see
/// from `contact/v3/scopes` and walks all of it: the granted departments with their subtrees,
/// the individually granted users, and the members of the granted user groups (users, and
/// departments with their subtrees, from `group/:id/member/simplelist`). It logs a warning and
/// records the range in [`WalkReport::fallback`]. What it could not read is listed in
/// [`WalkReport::gaps`] with what to grant: a group whose members may not be listed (42009,
/// or `contact:group:readonly` missing), or individually granted users that `scopes` does
/// not list because the app lacks `contact:user.employee_id:readonly`. If the range is empty,
/// the stream yields the root's error with an explanation of what to grant.
///
/// Feishu's directory holds the current members: users who left are not listed (Attendance
/// reads their past punches by explicit id). Users Feishu still lists as resigned are
/// yielded like the others; filter with [`User::is_active`] if needed.
///
/// # Example
/// ```no_run
/// use feishu_contact::{Contact, UserIdType};
/// use futures::TryStreamExt;
/// # async fn sample(contact: Contact) -> feishu_core::Result<()> {
/// let mut users = contact
///     .walk_directory()
///     .user_id_type(UserIdType::UserId)
///     .into_stream();
/// while let Some(user) = users.try_next().await? {
///     println!("{} {}", user.user_id, user.name);
/// }
/// let report = users.report();
/// for gap in &report.gaps {
///     eprintln!("not read: {gap}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a walk does nothing until streamed"]
pub struct DirectoryWalk {
    client: Client,
    start: Option<Vec<DepartmentId>>,
    user_id_type: UserIdType,
    department_id_type: DepartmentIdType,
    concurrency: usize,
    page_size: u32,
}

impl DirectoryWalk {
    pub(crate) fn new(client: Client) -> Self {
        DirectoryWalk {
            client,
            start: None,
            user_id_type: UserIdType::default(),
            department_id_type: DepartmentIdType::default(),
            concurrency: 8,
            page_size: 50,
        }
    }

    /// Walks these departments and their subtrees instead of the root (ids of
    /// [`department_id_type`](Self::department_id_type)). No fallback applies; an empty list
    /// walks nothing (the stream ends at once, without a call).
    pub fn from_departments<I>(mut self, ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<DepartmentId>,
    {
        self.start = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// Id type of the users' ids (and of the dedup key). Default `open_id`; use
    /// [`UserIdType::UserId`] to get Attendance's `employee_id`.
    pub fn user_id_type(mut self, t: UserIdType) -> Self {
        self.user_id_type = t;
        self
    }

    /// Id type of the start departments and of the users' `department_ids`. Default
    /// `open_department_id`.
    pub fn department_id_type(mut self, t: DepartmentIdType) -> Self {
        self.department_id_type = t;
        self
    }

    /// Departments whose members are fetched at once (at least 1). Default 8.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Page size of the listings, 1–50. Default 50 (Feishu's maximum).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n;
        self
    }

    /// The id type the walk names users by.
    pub fn user_id_kind(&self) -> UserIdType {
        self.user_id_type
    }

    /// Starts the walk (lazily: nothing is sent before the first poll).
    pub fn into_stream(self) -> WalkStream {
        let report = WalkReportHandle::default();
        let planner = self.clone();
        let plan_report = report.clone();
        let run_report = report.clone();
        let inner = stream::once(async move { planner.plan(&plan_report).await })
            .map(move |plan| match plan {
                Ok(plan) => self.clone().run(plan, run_report.clone()).boxed(),
                Err(e) => stream::iter([Err(e)]).boxed(),
            })
            .flatten();
        WalkStream {
            inner: feishu_core::internal::stop_after_error(inner).boxed(),
            report,
        }
    }

    async fn plan(&self, report: &WalkReportHandle) -> Result<Plan> {
        if let Some(start) = &self.start {
            return Ok(Plan {
                departments: start.clone(),
                users: Vec::new(),
            });
        }
        let planner = Planner {
            client: &self.client,
            user_id_type: self.user_id_type,
            department_id_type: self.department_id_type,
        };
        planner.plan(report).await
    }

    fn run(self, plan: Plan, report: WalkReportHandle) -> impl Stream<Item = Result<User>> + Send {
        let walk = self.clone();
        let mut seen_departments = HashSet::new();
        let departments = stream::iter(plan.departments)
            .map(move |d| walk.clone().subtree(d))
            .flatten()
            .filter(move |r| {
                ready(match r {
                    Ok(id) => seen_departments.insert(id.clone()),
                    Err(_) => true,
                })
            });
        let walk = self.clone();
        let dept_report = report.clone();
        let members = departments
            .map(move |r| {
                let walk = walk.clone();
                let report = dept_report.clone();
                async move {
                    let users: Vec<User> = ListDepartmentUsers::new(walk.client.clone(), r?)
                        .user_id_type(walk.user_id_type)
                        .department_id_type(walk.department_id_type)
                        .page_size(walk.page_size)
                        .into_stream()
                        .try_collect()
                        .await?;
                    report.lock().report.departments_walked += 1;
                    Ok(users)
                }
            })
            .buffered(self.concurrency)
            .map_ok(|users| stream::iter(users.into_iter().map(Ok)))
            .try_flatten();
        let individual = BatchGetUsers::new(self.client.clone(), plan.users, self.user_id_type)
            .department_id_type(self.department_id_type)
            .into_stream();
        let key_type = self.user_id_type;
        let mut seen_users: HashSet<String> = HashSet::new();
        members.chain(individual).filter(move |r| {
            let keep = match r {
                Err(_) => true,
                Ok(user) => match dedup_key(user, key_type) {
                    Some(key) => seen_users.insert(key.to_string()),
                    None => true,
                },
            };
            let mut st = report.lock();
            if keep {
                if r.is_ok() {
                    st.report.users_yielded += 1;
                }
            } else {
                st.report.duplicates_skipped += 1;
            }
            ready(keep)
        })
    }

    fn children(&self, department: DepartmentId) -> ListChildDepartments {
        ListChildDepartments::new(self.client.clone(), department)
            .user_id_type(self.user_id_type)
            .department_id_type(self.department_id_type)
            .page_size(self.page_size)
    }

    /// `department` itself, then its descendants.
    fn subtree(self, department: DepartmentId) -> BoxStream<'static, Result<DepartmentId>> {
        let first = stream::once(ready(Ok(department.clone())));
        let dt = self.department_id_type;
        let recursive = self
            .children(department.clone())
            .fetch_child(true)
            .into_stream()
            .map(move |r| r.and_then(|d| department_key(&d, dt)));
        let rest = stream::once(async move {
            let mut recursive = recursive.boxed();
            match recursive.next().await {
                Some(Err(e)) if e.api_code().is_some_and(|c| TOO_LARGE_CODES.contains(&c)) => {
                    tracing::debug!(error = %e, "department too large to list recursively; going level by level");
                    self.level_by_level(department).boxed()
                }
                Some(first) => stream::once(ready(first)).chain(recursive).boxed(),
                None => stream::empty().boxed(),
            }
        })
        .flatten();
        first.chain(rest).boxed()
    }

    /// The descendants of `root`, one `fetch_child=false` listing per department. Each
    /// department is listed once, so a tree with a cycle (a corrupt answer) still ends.
    fn level_by_level(self, root: DepartmentId) -> impl Stream<Item = Result<DepartmentId>> + Send {
        let queue = VecDeque::from([root.clone()]);
        let listed = HashSet::from([root]);
        stream::unfold(Some((queue, listed)), move |state| {
            let walk = self.clone();
            async move {
                let (mut queue, mut seen) = state?;
                let d = queue.pop_front()?;
                let dt = walk.department_id_type;
                let listed: Result<Vec<DepartmentId>> = walk
                    .children(d)
                    .into_stream()
                    .map(|r| r.and_then(|dep| department_key(&dep, dt)))
                    .try_collect()
                    .await;
                match listed {
                    Ok(ids) => {
                        let ids: Vec<DepartmentId> = ids
                            .into_iter()
                            .filter(|id| seen.insert(id.clone()))
                            .collect();
                        queue.extend(ids.iter().cloned());
                        Some((Ok(ids), Some((queue, seen))))
                    }
                    Err(e) => Some((Err(e), None)),
                }
            }
        })
        .map_ok(|ids| stream::iter(ids.into_iter().map(Ok)))
        .try_flatten()
    }
}

fn department_key(d: &Department, t: DepartmentIdType) -> Result<DepartmentId> {
    d.id(t).cloned().ok_or_else(|| {
        Error::invalid_argument(
            "department_id_type",
            format!(
                "department {:?} ({}) came without a {}; grant contact:department.base:readonly \
                 or walk with another department id type",
                d.name, d.open_department_id, t
            ),
        )
    })
}

fn dedup_key(user: &User, t: UserIdType) -> Option<&str> {
    user.id(t)
        .or_else(|| user.id(UserIdType::OpenId))
        .or_else(|| user.id(UserIdType::UnionId))
}
