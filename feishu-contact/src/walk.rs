//! The directory walk: every user of a department tree, once.

use feishu_core::ListRequest;
use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use feishu_core::{DepartmentIdType, Error, Result, UserIdType};
use futures::future::ready;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt, stream};

use crate::Contact;
use crate::user::User;

/// The root department's id (for both department id types).
pub const ROOT_DEPARTMENT_ID: &str = "0";

/// Codes meaning "the root (or a department) is outside the app's contact range".
const RANGE_CODES: [i64; 5] = [40004, 40014, 41050, 40157, 40161];
/// Codes meaning "too many sub-departments to list recursively".
const TOO_LARGE_CODES: [i64; 2] = [40162, 43010];

/// Walks a department tree and yields every user in it exactly once; built by
/// [`Contact::walk`](crate::Contact::walk).
///
/// From the root `0` by default, or from [`from_departments`](Self::from_departments). For
/// each department the walk lists its descendants (`fetch_child=true`, falling back to one
/// level at a time when Feishu says the tree is too large) and the direct members of each
/// (`users/find_by_department`), fetching up to [`concurrency`](Self::concurrency)
/// departments' members at once under the client's rate limiter. A user in several
/// departments is yielded once: the walk keeps the ids it has seen (a `HashSet` of ids), and
/// streams users out without collecting them.
///
/// # When the root is not visible
/// Querying the root needs an "all members" contact range. When the default walk gets a
/// range error (40004, 40014, 41050, 40157, 40161) on the root, it asks `scopes` what the app
/// can see, walks those departments and fetches the individually granted users, logs a
/// warning, and records it in the [`WalkReport`] ([`WalkReport::fallback`],
/// [`WalkReport::message`]). If the range is empty too, the stream yields the root's error
/// with an explanation of what to grant. Resigned users are yielded like the others; filter
/// with [`User::is_active`] if needed.
#[derive(Debug, Clone)]
#[must_use = "a walk does nothing until streamed"]
pub struct DirectoryWalk {
    contact: Contact,
    start: Option<Vec<String>>,
    user_id_type: UserIdType,
    department_id_type: DepartmentIdType,
    concurrency: usize,
    page_size: u32,
}

/// What a walk did; read it with [`WalkStream::report`] during or after the walk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WalkReport {
    /// Departments whose members were listed (the root counts when walked).
    pub departments_walked: usize,
    /// Users yielded.
    pub users_yielded: usize,
    /// Users skipped because they were already yielded from another department.
    pub duplicates_skipped: usize,
    /// Set when the root was not visible and the walk used the app's contact range instead.
    pub fallback: Option<RangeFallback>,
}

impl WalkReport {
    /// A human-readable note when the walk did not cover what was asked for, e.g.
    /// "root not visible; walked the app's visible range: 1 departments, 2 users".
    pub fn message(&self) -> Option<String> {
        self.fallback.as_ref().map(ToString::to_string)
    }
}

/// The walk fell back to the app's contact range because the root was not visible.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RangeFallback {
    /// The Feishu code the root answered with (e.g. 40004).
    pub root_error_code: i64,
    /// Granted departments (ids of the walk's department id type), walked with their
    /// subtrees.
    pub department_ids: Vec<String>,
    /// Individually granted users (ids of the walk's user id type), fetched with
    /// `users/batch`.
    pub user_ids: Vec<String>,
}

impl fmt::Display for RangeFallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "root not visible (code {}); walked the app's visible range: {} departments, {} users",
            self.root_error_code,
            self.department_ids.len(),
            self.user_ids.len()
        )
    }
}

/// A shared view of a running walk's [`WalkReport`].
#[derive(Debug, Clone, Default)]
pub struct WalkReportHandle(Arc<Mutex<WalkReport>>);

impl WalkReportHandle {
    /// A snapshot of the report.
    pub fn get(&self) -> WalkReport {
        self.lock().clone()
    }

    fn lock(&self) -> MutexGuard<'_, WalkReport> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The users of a [`DirectoryWalk`], as a stream; ends after the first error.
pub struct WalkStream {
    inner: BoxStream<'static, Result<User>>,
    report: WalkReportHandle,
}

impl fmt::Debug for WalkStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WalkStream")
            .field("report", &self.report.get())
            .finish_non_exhaustive()
    }
}

impl WalkStream {
    /// A snapshot of what the walk has done so far.
    pub fn report(&self) -> WalkReport {
        self.report.get()
    }

    /// A handle that stays readable after the stream is moved or consumed.
    pub fn report_handle(&self) -> WalkReportHandle {
        self.report.clone()
    }
}

impl Stream for WalkStream {
    type Item = Result<User>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

/// Where the walk starts.
struct Plan {
    departments: Vec<String>,
    users: Vec<String>,
}

impl DirectoryWalk {
    pub(crate) fn new(contact: Contact) -> Self {
        DirectoryWalk {
            contact,
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
    pub fn from_departments<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
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
        let probe = self
            .contact
            .child_departments(ROOT_DEPARTMENT_ID)
            .user_id_type(self.user_id_type)
            .department_id_type(self.department_id_type)
            .page_size(1)
            .send()
            .await;
        let root_error = match probe {
            Ok(_) => {
                return Ok(Plan {
                    departments: vec![ROOT_DEPARTMENT_ID.to_string()],
                    users: Vec::new(),
                });
            }
            Err(e) if e.api_code().is_some_and(|c| RANGE_CODES.contains(&c)) => e,
            Err(e) => return Err(e),
        };
        let scopes = self
            .contact
            .scopes()
            .user_id_type(self.user_id_type)
            .department_id_type(self.department_id_type)
            .collect_all()
            .await?;
        if scopes.department_ids.is_empty() && scopes.user_ids.is_empty() {
            return Err(nothing_visible(root_error));
        }
        let fallback = RangeFallback {
            root_error_code: root_error.api_code().unwrap_or_default(),
            department_ids: scopes.department_ids.clone(),
            user_ids: scopes.user_ids.clone(),
        };
        tracing::warn!(root_error = %root_error, "{fallback}");
        report.lock().fallback = Some(fallback);
        Ok(Plan {
            departments: scopes.department_ids,
            users: scopes.user_ids,
        })
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
                    let id = r?;
                    let users: Vec<User> = walk
                        .contact
                        .users_by_department(id)
                        .user_id_type(walk.user_id_type)
                        .department_id_type(walk.department_id_type)
                        .page_size(walk.page_size)
                        .into_stream()
                        .try_collect()
                        .await?;
                    report.lock().departments_walked += 1;
                    Ok(users)
                }
            })
            .buffered(self.concurrency)
            .map_ok(|users| stream::iter(users.into_iter().map(Ok)))
            .try_flatten();
        let individual = self
            .contact
            .users_batch(plan.users)
            .user_id_type(self.user_id_type)
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
            let mut rep = report.lock();
            if keep {
                if r.is_ok() {
                    rep.users_yielded += 1;
                }
            } else {
                rep.duplicates_skipped += 1;
            }
            ready(keep)
        })
    }

    /// `department` itself, then its descendants.
    fn subtree(self, department: String) -> BoxStream<'static, Result<String>> {
        let first = stream::once(ready(Ok(department.clone())));
        let dt = self.department_id_type;
        let recursive = self
            .contact
            .child_departments(department.clone())
            .fetch_child(true)
            .user_id_type(self.user_id_type)
            .department_id_type(dt)
            .page_size(self.page_size)
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
    fn level_by_level(self, root: String) -> impl Stream<Item = Result<String>> + Send {
        let queue = VecDeque::from([root.clone()]);
        let listed = HashSet::from([root]);
        stream::unfold(Some((queue, listed)), move |state| {
            let walk = self.clone();
            async move {
                let (mut queue, mut seen) = state?;
                let d = queue.pop_front()?;
                let dt = walk.department_id_type;
                let listed: Result<Vec<String>> = walk
                    .contact
                    .child_departments(d)
                    .user_id_type(walk.user_id_type)
                    .department_id_type(dt)
                    .page_size(walk.page_size)
                    .into_stream()
                    .map(|r| r.and_then(|dep| department_key(&dep, dt)))
                    .try_collect()
                    .await;
                match listed {
                    Ok(ids) => {
                        let ids: Vec<String> = ids
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

fn department_key(d: &crate::Department, t: DepartmentIdType) -> Result<String> {
    d.id(t).map(str::to_string).ok_or_else(|| {
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

/// The root's range error, explained: nothing at all is visible.
fn nothing_visible(root_error: Error) -> Error {
    const EXPLAIN: &str = "the app's contact range is empty too (contact/v3/scopes lists no \
        departments and no users): add departments or users to the app's contact range in the \
        developer console (Permissions → contact range) and make sure the app holds \
        contact:contact.base:readonly, plus contact:user.employee_id:readonly so that \
        individually granted users are listed";
    feishu_core::internal::annotate(root_error, EXPLAIN)
}
