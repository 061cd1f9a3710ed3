//! What a directory walk did and what it could not see, readable while it runs.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use feishu_core::{DepartmentId, Error, Result};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};

use crate::id::GroupId;
use crate::user::model::User;

/// The field scope without which Feishu leaves `user_id` out of users and `user_ids` out of
/// `contact/v3/scopes` (<https://open.feishu.cn/document/server-docs/contact-v3/scope/list>).
pub(crate) const EMPLOYEE_ID_SCOPE: &str = "contact:user.employee_id:readonly";

/// The scope `group/:group_id/member/simplelist` needs
/// (<https://open.feishu.cn/document/server-docs/contact-v3/group-member/simplelist>).
pub(crate) const GROUP_SCOPE: &str = "contact:group:readonly";

/// What a walk did; read it with [`WalkStream::report`] during or after the walk.
///
/// A walk that could not see part of what the app was granted says so in
/// [`gaps`](Self::gaps), each with what to grant; [`message`](Self::message) puts it in words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WalkReport {
    /// Departments whose members were listed (the root counts when walked).
    pub departments_walked: usize,
    /// Users yielded.
    pub users_yielded: usize,
    /// Users skipped because they were already yielded from another department or group.
    pub duplicates_skipped: usize,
    /// Set when the root was not visible and the walk used the app's contact range instead.
    pub fallback: Option<RangeFallback>,
    /// What the walk could not see, each with what to grant. Final once the stream has ended.
    pub gaps: Vec<WalkGap>,
}

impl WalkReport {
    /// A human-readable note when the walk did not cover the whole directory: the range it
    /// fell back to and every gap, e.g. "root not visible (code 40004); walked the app's
    /// visible range: 1 departments, 2 users, 0 groups".
    pub fn message(&self) -> Option<String> {
        let mut parts: Vec<String> = self.fallback.iter().map(ToString::to_string).collect();
        parts.extend(self.gaps.iter().map(ToString::to_string));
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// Whether the walk saw everything the app was granted (no [`gaps`](Self::gaps)).
    pub fn is_complete(&self) -> bool {
        self.gaps.is_empty()
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
    pub department_ids: Vec<DepartmentId>,
    /// Individually granted users (ids of the walk's user id type), fetched with
    /// `users/batch`.
    pub user_ids: Vec<String>,
    /// Granted user groups, expanded into their user and department members.
    pub group_ids: Vec<GroupId>,
}

impl fmt::Display for RangeFallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "root not visible (code {}); walked the app's visible range: {} departments, {} \
             users, {} groups",
            self.root_error_code,
            self.department_ids.len(),
            self.user_ids.len(),
            self.group_ids.len()
        )
    }
}

/// Something the app was (or may have been) granted that the walk could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WalkGap {
    /// `contact/v3/scopes` left `user_ids` out, as Feishu does when the app lacks
    /// `contact:user.employee_id:readonly`: users granted one by one, outside any granted
    /// department or group, could not be listed and were not read.
    UserIdsWithheld,
    /// The members of a granted user group could not be listed.
    #[non_exhaustive]
    GroupNotExpanded {
        /// The group.
        group_id: GroupId,
        /// Feishu's code (42009: the group is outside the contact range; 99991672: a scope
        /// is missing).
        code: Option<i64>,
        /// The scopes Feishu named, when it named any.
        scopes: Vec<String>,
    },
}

impl WalkGap {
    /// What a tenant administrator grants to close the gap.
    pub fn what_to_grant(&self) -> String {
        match self {
            WalkGap::UserIdsWithheld => format!(
                "grant the app {EMPLOYEE_ID_SCOPE} so that individually granted users are listed"
            ),
            WalkGap::GroupNotExpanded { code, scopes, .. } => {
                if !scopes.is_empty() {
                    format!("grant the app {}", scopes.join(" or "))
                } else if *code == Some(42009) {
                    format!(
                        "add the group to the app's contact range, or set the range to all \
                         members (and grant {GROUP_SCOPE})"
                    )
                } else {
                    format!("grant the app {GROUP_SCOPE}")
                }
            }
        }
    }

    pub(crate) fn group(group_id: GroupId, error: &Error) -> WalkGap {
        WalkGap::GroupNotExpanded {
            group_id,
            code: error.api_code(),
            scopes: error
                .as_api()
                .map(feishu_core::ApiError::required_scopes)
                .unwrap_or_default(),
        }
    }
}

impl fmt::Display for WalkGap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WalkGap::UserIdsWithheld => write!(
                f,
                "individually granted users are not listed by contact/v3/scopes, so they were \
                 not read: {}",
                self.what_to_grant()
            ),
            WalkGap::GroupNotExpanded { group_id, code, .. } => {
                write!(
                    f,
                    "the members of user group {group_id} could not be listed"
                )?;
                if let Some(code) = code {
                    write!(f, " (code {code})")?;
                }
                write!(f, ": {}", self.what_to_grant())
            }
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) report: WalkReport,
}

/// A shared view of a running walk's [`WalkReport`].
#[derive(Debug, Clone, Default)]
pub struct WalkReportHandle(Arc<Mutex<State>>);

impl WalkReportHandle {
    /// A snapshot of the report.
    pub fn get(&self) -> WalkReport {
        self.lock().report.clone()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The users of a [`DirectoryWalk`](crate::DirectoryWalk), as a stream; ends after the first
/// error.
pub struct WalkStream {
    pub(crate) inner: BoxStream<'static, Result<User>>,
    pub(crate) report: WalkReportHandle,
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
