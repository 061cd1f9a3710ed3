//! Where a query's users come from: ids the caller names, or the people of the Contact
//! directory, named the way Attendance wants them.

use std::collections::HashSet;
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use feishu_contact::{DirectoryWalk, OpenId, User, UserIdType, WalkReport, WalkReportHandle};
use feishu_core::{Error, Result};
use futures::future::ready;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt, stream};

use crate::employee::EmployeeType;

/// The users a query reads: explicit ids, or every user of a Contact directory walk.
///
/// The directory holds the tenant's current members: users who have left are not in it, so
/// their past punches are read only by naming their ids ([`UserSource::ids`], with
/// `include_terminated_user` when a new hire reuses a departed user's id).
///
/// # Example
/// ```no_run
/// use feishu_attendance::{Attendance, EmployeeType};
/// use futures::TryStreamExt;
/// # async fn sample(attendance: Attendance) -> feishu_core::Result<()> {
/// let mut ids = attendance.directory_users().into_stream(EmployeeType::EmployeeNo);
/// let mut all = Vec::new();
/// while let Some(id) = ids.try_next().await? {
///     all.push(id);
/// }
/// let report = ids.report();
/// println!("{} ids; {} users without an employee_no", all.len(), report.without_employee_no.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct UserSource {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Ids(Vec<String>),
    Directory(Box<DirectoryWalk>),
}

impl UserSource {
    /// These ids (of the query's [`EmployeeType`]), duplicates dropped, order kept.
    pub fn ids<I>(ids: I) -> UserSource
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let mut seen = HashSet::new();
        let ids = ids
            .into_iter()
            .map(Into::into)
            .filter(|id: &String| seen.insert(id.clone()))
            .collect();
        UserSource {
            kind: Kind::Ids(ids),
        }
    }

    /// Every user of this Contact walk (the whole directory, or some subtrees); the walk is
    /// asked for `user_id`s, Attendance's `employee_id`.
    pub fn directory(walk: DirectoryWalk) -> UserSource {
        UserSource {
            kind: Kind::Directory(Box::new(walk.user_id_type(UserIdType::UserId))),
        }
    }

    /// The ids, lazily, named by `employee_type`, with a report of what the directory could
    /// not provide.
    ///
    /// From the directory: by `employee_id`, every user must come with a `user_id`; one that
    /// does not means the app lacks `contact:user.employee_id:readonly`, and the stream fails
    /// with that scope named. By `employee_no`, a user without an employee number cannot be
    /// asked about: it is skipped and listed in
    /// [`UserSourceReport::without_employee_no`].
    pub fn into_stream(self, employee_type: EmployeeType) -> EmployeeIdStream {
        let report = UserSourceHandle::default();
        let inner = match self.kind {
            Kind::Ids(ids) => stream::iter(ids.into_iter().map(Ok)).boxed(),
            Kind::Directory(walk) => {
                let users = walk.into_stream();
                report.lock().walk = Some(users.report_handle());
                let handle = report.clone();
                users
                    .filter_map(move |r| ready(employee_id(r, employee_type, &handle)))
                    .boxed()
            }
        };
        EmployeeIdStream {
            inner: feishu_core::internal::stop_after_error(inner).boxed(),
            report,
        }
    }
}

/// A directory user's id of `employee_type`, `None` when the user is skipped.
fn employee_id(
    user: Result<User>,
    employee_type: EmployeeType,
    report: &UserSourceHandle,
) -> Option<Result<String>> {
    let user = match user {
        Ok(user) => user,
        Err(e) => return Some(Err(e)),
    };
    match employee_type {
        EmployeeType::EmployeeNo if user.employee_no.is_empty() => {
            report.lock().without_employee_no.push(user.open_id);
            None
        }
        EmployeeType::EmployeeNo => Some(Ok(user.employee_no)),
        _ if user.user_id.as_str().is_empty() => Some(Err(Error::Config(format!(
            "Contact returned user {} ({}) without a user_id, which Attendance needs as \
             employee_id: grant the app contact:user.employee_id:readonly",
            user.open_id, user.name
        )))),
        _ => Some(Ok(user.user_id.into_string())),
    }
}

/// What a [`UserSource`] could not provide; read it from [`EmployeeIdStream::report`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserSourceReport {
    /// The directory walk's report (what the contact range did not let it see), when the
    /// users came from the directory.
    pub walk: Option<WalkReport>,
    /// Directory users without an employee number (`employee_no` queries only), by `open_id`:
    /// they cannot be asked about. Grant `contact:user.employee_number:read` if every user is
    /// here.
    pub without_employee_no: Vec<OpenId>,
}

impl UserSourceReport {
    /// Human-readable warnings about users the source could not provide: the walk's gaps, and
    /// the users without an employee number (count and the first `max_ids`).
    pub fn warnings(&self, max_ids: usize) -> Vec<String> {
        let mut out: Vec<String> = self.walk.iter().filter_map(WalkReport::message).collect();
        if !self.without_employee_no.is_empty() {
            let first: Vec<&str> = self
                .without_employee_no
                .iter()
                .take(max_ids)
                .map(OpenId::as_str)
                .collect();
            out.push(format!(
                "{} directory user(s) have no employee_no and cannot be asked about (first {}: \
                 {}); if no user has one, grant the app contact:user.employee_number:read",
                self.without_employee_no.len(),
                first.len(),
                first.join(", ")
            ));
        }
        out
    }
}

#[derive(Debug, Default)]
struct SourceState {
    walk: Option<WalkReportHandle>,
    without_employee_no: Vec<OpenId>,
}

/// A shared view of what a running [`EmployeeIdStream`] could not provide.
#[derive(Debug, Clone, Default)]
pub struct UserSourceHandle(Arc<Mutex<SourceState>>);

impl UserSourceHandle {
    /// A snapshot of the report.
    pub fn get(&self) -> UserSourceReport {
        let st = self.lock();
        UserSourceReport {
            walk: st.walk.as_ref().map(WalkReportHandle::get),
            without_employee_no: st.without_employee_no.clone(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SourceState> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The ids of a [`UserSource`], as a stream; ends after the first error.
pub struct EmployeeIdStream {
    inner: BoxStream<'static, Result<String>>,
    report: UserSourceHandle,
}

impl EmployeeIdStream {
    /// A snapshot of what the source could not provide so far.
    pub fn report(&self) -> UserSourceReport {
        self.report.get()
    }

    /// A handle that stays readable after the stream is moved or consumed.
    pub fn report_handle(&self) -> UserSourceHandle {
        self.report.clone()
    }
}

impl fmt::Debug for EmployeeIdStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmployeeIdStream")
            .field("report", &self.report.get())
            .finish_non_exhaustive()
    }
}

impl Stream for EmployeeIdStream {
    type Item = Result<String>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}
