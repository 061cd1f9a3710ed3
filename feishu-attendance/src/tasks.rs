//! `POST /open-apis/attendance/v1/user_tasks/query` (§7.2), windowed and batched.

use feishu_contact::DirectoryWalk;
use feishu_core::{Client, Error, Request, Result};
use futures::Stream;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::common::{EmployeeType, QUERY_USER_TASKS, UserSource, fan_out, flatten_batches};
use crate::task::UserTask;

/// Default number of days of one tasks call: 30. Feishu documents no maximum span
/// (UNCONFIRMED); change it with [`QueryUserTasks::window_days`].
pub const DEFAULT_TASK_WINDOW_DAYS: u32 = 30;

/// An inclusive range of work days, as `user_tasks/query` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DateWindow {
    /// First day.
    pub from: Date,
    /// Last day (inclusive).
    pub to: Date,
}

/// `yyyyMMdd` as a number, the encoding `check_date_from` / `check_date_to` use. Meaningful
/// for years 1000–9999 only (queries refuse other years).
pub fn yyyymmdd(date: Date) -> i64 {
    i64::from(date.year()) * 10_000
        + i64::from(u8::from(date.month())) * 100
        + i64::from(date.day())
}

/// Splits the inclusive range `from..=to` into consecutive windows of at most `days` days.
pub fn split_date_range(from: Date, to: Date, days: u32) -> Vec<DateWindow> {
    let step = time::Duration::days(i64::from(days.max(1)) - 1);
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let end = start.checked_add(step).map_or(to, |e| e.min(to));
        out.push(DateWindow {
            from: start,
            to: end,
        });
        match end.next_day() {
            Some(next) => start = next,
            None => break,
        }
    }
    out
}

/// The results of one call: ≤ 50 users over one date window.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TaskBatch {
    /// The users asked for.
    pub user_ids: Vec<String>,
    /// The days asked for.
    pub window: DateWindow,
    /// The results.
    pub results: Vec<UserTask>,
    /// Ids Feishu did not find (with `ignore_invalid_users`).
    pub invalid_user_ids: Vec<String>,
    /// Ids outside the app's attendance data scope.
    pub unauthorized_user_ids: Vec<String>,
}

#[derive(Serialize)]
struct TaskQueryBody<'a> {
    user_ids: &'a [String],
    check_date_from: i64,
    check_date_to: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    need_overtime_result: Option<bool>,
}

#[derive(Deserialize)]
struct TaskQueryData {
    #[serde(default, deserialize_with = "feishu_core::internal::de::vec_or_empty")]
    user_task_results: Vec<UserTask>,
    #[serde(default, deserialize_with = "feishu_core::internal::de::string_vec")]
    invalid_user_ids: Vec<String>,
    #[serde(default, deserialize_with = "feishu_core::internal::de::string_vec")]
    unauthorized_user_ids: Vec<String>,
}

/// Queries punch results (one per user, day and shift segment) for many users over any date
/// range; built by [`Attendance::user_tasks`](crate::Attendance::user_tasks).
///
/// Users are split into calls of ≤ 50 ids, the inclusive day range into windows of
/// [`window_days`](Self::window_days) days (default [`DEFAULT_TASK_WINDOW_DAYS`]), dates sent
/// as `yyyyMMdd` numbers; calls run [`concurrency`](Self::concurrency) at a time, in order.
/// `ignore_invalid_users` is sent as `true` by default so that one unknown id does not fail a
/// whole call; the ids Feishu skipped are in each [`TaskBatch`] and logged as a warning.
///
/// `from == to` is one day; `to < from`, or a year before 1000, is an
/// [`Error::InvalidArgument`] (the stream's only item).
#[derive(Debug, Clone)]
#[must_use = "a query does nothing until streamed"]
pub struct QueryUserTasks {
    client: Client,
    employee_type: EmployeeType,
    from: Date,
    to: Date,
    users: UserSource,
    include_terminated_user: Option<bool>,
    ignore_invalid_users: bool,
    need_overtime_result: Option<bool>,
    window_days: u32,
    concurrency: usize,
}

impl QueryUserTasks {
    pub(crate) fn new(
        client: Client,
        walk: DirectoryWalk,
        employee_type: EmployeeType,
        from: Date,
        to: Date,
    ) -> Self {
        QueryUserTasks {
            client,
            employee_type,
            from,
            to,
            users: UserSource::Walk(walk),
            include_terminated_user: None,
            ignore_invalid_users: true,
            need_overtime_result: None,
            window_days: DEFAULT_TASK_WINDOW_DAYS,
            concurrency: 4,
        }
    }

    /// The users to query (ids of the query's [`EmployeeType`]); duplicates are asked for once.
    /// An empty list queries nothing: the stream ends at once, without a call. Default: every
    /// user of the directory (as [`QueryUserFlows::user_ids`](crate::QueryUserFlows::user_ids)).
    pub fn user_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.users = UserSource::ids(ids);
        self
    }

    /// Takes the users from this Contact walk instead of the whole directory.
    pub fn users_from_walk(mut self, walk: DirectoryWalk) -> Self {
        self.users = UserSource::Walk(walk);
        self
    }

    /// See [`QueryUserFlows::include_terminated_user`](crate::QueryUserFlows::include_terminated_user).
    pub fn include_terminated_user(mut self, include: bool) -> Self {
        self.include_terminated_user = Some(include);
        self
    }

    /// `true` (default): unknown / unauthorized users are skipped and listed; `false`: they
    /// fail the call (1220004).
    pub fn ignore_invalid_users(mut self, ignore: bool) -> Self {
        self.ignore_invalid_users = ignore;
        self
    }

    /// Include overtime segments (`task_shift_type` 1).
    pub fn need_overtime_result(mut self, need: bool) -> Self {
        self.need_overtime_result = Some(need);
        self
    }

    /// Days per call (at least 1). Default [`DEFAULT_TASK_WINDOW_DAYS`].
    pub fn window_days(mut self, days: u32) -> Self {
        self.window_days = days.max(1);
        self
    }

    /// Calls in flight at once (at least 1). Default 4.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The date windows the range is split into.
    pub fn windows(&self) -> Vec<DateWindow> {
        split_date_range(self.from, self.to, self.window_days)
    }

    /// One call per (≤ 50 users, date window), in order; ends after the first error.
    pub fn into_batch_stream(self) -> impl Stream<Item = Result<TaskBatch>> + Send + 'static {
        use futures::StreamExt;
        if self.to < self.from {
            let e = Error::invalid_argument(
                "time range",
                format!("ends ({}) before it starts ({})", self.to, self.from),
            );
            return futures::stream::iter([Err(e)]).boxed();
        }
        if self.from.year() < 1000 {
            let e = Error::invalid_argument(
                "time range",
                format!(
                    "it starts in year {}, which yyyyMMdd cannot express",
                    self.from.year()
                ),
            );
            return futures::stream::iter([Err(e)]).boxed();
        }
        let windows = self.windows();
        let QueryUserTasks {
            client,
            employee_type,
            users,
            include_terminated_user,
            ignore_invalid_users,
            need_overtime_result,
            concurrency,
            ..
        } = self;
        let call = move |ids: Vec<String>, window: DateWindow| {
            let client = client.clone();
            async move {
                let body = TaskQueryBody {
                    user_ids: &ids,
                    check_date_from: yyyymmdd(window.from),
                    check_date_to: yyyymmdd(window.to),
                    need_overtime_result,
                };
                let req = Request::new(QUERY_USER_TASKS, &[])?
                    .query("employee_type", employee_type)
                    .query("ignore_invalid_users", ignore_invalid_users)
                    .query_opt("include_terminated_user", include_terminated_user)
                    .json(&body)?;
                let data: TaskQueryData = client.send(req).await?;
                if !data.invalid_user_ids.is_empty() || !data.unauthorized_user_ids.is_empty() {
                    tracing::warn!(
                        invalid = ?data.invalid_user_ids,
                        unauthorized = ?data.unauthorized_user_ids,
                        "attendance skipped users: unknown ids, or outside the app's attendance data scope"
                    );
                }
                Ok(TaskBatch {
                    user_ids: ids,
                    window,
                    results: data.user_task_results,
                    invalid_user_ids: data.invalid_user_ids,
                    unauthorized_user_ids: data.unauthorized_user_ids,
                })
            }
        };
        fan_out(users.into_stream(employee_type), windows, concurrency, call).boxed()
    }

    /// Every result, in call order; ends after the first error.
    pub fn into_stream(self) -> impl Stream<Item = Result<UserTask>> + Send + 'static {
        flatten_batches(self.into_batch_stream(), |b: TaskBatch| b.results)
    }
}
