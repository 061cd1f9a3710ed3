//! `POST /open-apis/attendance/v1/user_tasks/query`, for any number of users over any range
//! of work days.

use std::ops::RangeInclusive;
use std::time::Duration;

use feishu_core::{Client, Endpoint, Error, Request, Result, TimeRange};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use time::Date;

use super::model::UserTask;
use crate::bisect::resolve;
use crate::codes::attendance;
use crate::employee::EmployeeType;
use crate::fan_out::fan_out;
use crate::report::{QueryReportHandle, QueryStream};
use crate::skipped::{SkipReason, SkippedUser};
use crate::user_source::UserSource;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/user_task/query>
/// (50/s, custom apps, scope `attendance:task:readonly`).
pub(crate) const QUERY_USER_TASKS: Endpoint = attendance(Endpoint::post_read(
    "attendance.user_tasks.query",
    "attendance/v1/user_tasks/query",
));

/// Default number of days of one tasks call: 30. Feishu documents no maximum span
/// (UNCONFIRMED); change it with [`ListUserTasks::window_days`].
pub const DEFAULT_TASK_WINDOW_DAYS: u32 = 30;

/// The results of one chunk of users over one run of work days.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TaskBatch {
    /// The users asked about (the chunk, skipped users included).
    pub user_ids: Vec<String>,
    /// The work days asked about, both ends included (as `check_date_from` /
    /// `check_date_to` were sent).
    pub days: RangeInclusive<Date>,
    /// The results.
    pub results: Vec<UserTask>,
    /// Users of the chunk whose results could not be read, sorted by id: the ids Feishu
    /// listed as `invalid_user_ids` / `unauthorized_user_ids`, and any it refused.
    pub skipped: Vec<SkippedUser>,
}

/// The body of `user_tasks/query`: dates as `yyyyMMdd` numbers (query user_task, request
/// body; whether `check_date_to` is included is not stated, the SDK treats it as included).
#[derive(Serialize)]
struct TaskQueryBody<'a> {
    user_ids: &'a [String],
    check_date_from: i64,
    check_date_to: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    need_overtime_result: Option<bool>,
}

/// `data` of `user_tasks/query`; the two id lists are filled with `ignore_invalid_users`
/// (query user_task, response body; oapi-sdk-go `QueryUserTaskRespData`).
#[derive(Deserialize)]
struct TaskQueryData {
    #[serde(default, deserialize_with = "feishu_core::internal::de::vec_or_empty")]
    user_task_results: Vec<UserTask>,
    #[serde(default, deserialize_with = "feishu_core::internal::de::string_vec")]
    invalid_user_ids: Vec<String>,
    #[serde(default, deserialize_with = "feishu_core::internal::de::string_vec")]
    unauthorized_user_ids: Vec<String>,
}

impl TaskQueryData {
    /// The users Feishu says it skipped.
    fn skipped(&self) -> impl Iterator<Item = SkippedUser> + '_ {
        let invalid = self
            .invalid_user_ids
            .iter()
            .map(|id| SkippedUser::new(id.clone(), SkipReason::InvalidId));
        let unauthorized = self
            .unauthorized_user_ids
            .iter()
            .map(|id| SkippedUser::new(id.clone(), SkipReason::Unauthorized));
        invalid.chain(unauthorized)
    }
}

/// Queries punch results (one per user, work day and shift segment) for many users over any
/// range; built by [`Attendance::list_user_tasks`](crate::Attendance::list_user_tasks).
///
/// The work days are the calendar dates the range touches, in the offset of its start: a
/// range from Monday 00:00 to Saturday 00:00 (+08:00) asks for Monday to Friday. They are
/// split into runs of [`window_days`](Self::window_days) days (default
/// [`DEFAULT_TASK_WINDOW_DAYS`]) and sent as `yyyyMMdd` numbers, first and last day included;
/// users are split into chunks of ≤ 50 ids; calls run [`concurrency`](Self::concurrency) at a
/// time, in order.
///
/// `ignore_invalid_users` is sent as `true` by default: Feishu then skips users it does not
/// know or may not show and lists them, and they come out in [`TaskBatch::skipped`] and the
/// stream's [`QueryReport`](crate::QueryReport). A chunk refused anyway (1220004, 1220005)
/// is narrowed down as [`ListUserFlows`](crate::ListUserFlows) does. Users default to the
/// current members of the Contact directory, as for flows.
///
/// An empty range makes no call; a range outside the years 1000–9999 (which `yyyyMMdd` cannot
/// express) is an [`Error::InvalidArgument`] (the stream's only item).
///
/// # Example
/// ```no_run
/// use feishu_attendance::{Attendance, EmployeeType};
/// use feishu_core::TimeRange;
/// use futures::TryStreamExt;
/// use time::macros::datetime;
/// # async fn sample(attendance: Attendance) -> feishu_core::Result<()> {
/// // Monday 6 to Friday 10 January 2025, China time.
/// let week = TimeRange::new(
///     datetime!(2025-01-06 00:00 +08:00),
///     datetime!(2025-01-11 00:00 +08:00),
/// )?;
/// let mut results = attendance
///     .list_user_tasks(EmployeeType::EmployeeNo, week)
///     .into_stream();
/// while let Some(task) = results.try_next().await? {
///     println!("{} {:?}: {:?}", task.user_id, task.date(), task.records.first());
/// }
/// if let Some(warning) = results.report().skipped.summary(5) {
///     eprintln!("{warning}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a query does nothing until streamed"]
pub struct ListUserTasks {
    client: Client,
    employee_type: EmployeeType,
    range: TimeRange,
    users: UserSource,
    include_terminated_user: Option<bool>,
    ignore_invalid_users: bool,
    need_overtime_result: Option<bool>,
    window_days: u32,
    concurrency: usize,
}

impl ListUserTasks {
    pub(crate) fn new(
        client: Client,
        users: UserSource,
        employee_type: EmployeeType,
        range: TimeRange,
    ) -> Self {
        ListUserTasks {
            client,
            employee_type,
            range,
            users,
            include_terminated_user: None,
            ignore_invalid_users: true,
            need_overtime_result: None,
            window_days: DEFAULT_TASK_WINDOW_DAYS,
            concurrency: 4,
        }
    }

    /// The users to query (ids of the query's [`EmployeeType`]); duplicates are asked for once.
    /// An empty list queries nothing: the stream ends at once, without a call.
    pub fn user_ids<I>(self, ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.users(UserSource::ids(ids))
    }

    /// Takes the users from `source`.
    pub fn users(mut self, source: UserSource) -> Self {
        self.users = source;
        self
    }

    /// See [`ListUserFlows::include_terminated_user`](crate::ListUserFlows::include_terminated_user).
    pub fn include_terminated_user(mut self, include: bool) -> Self {
        self.include_terminated_user = Some(include);
        self
    }

    /// `true` (default): unknown and unauthorised users are skipped and listed; `false`: they
    /// fail the call (1220004 / 1220005) and so the stream.
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

    /// The runs of work days the range is split into, both ends included (none for an empty
    /// range).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a day falls outside the years 1000–9999.
    pub fn windows(&self) -> Result<Vec<RangeInclusive<Date>>> {
        if self.range.is_empty() {
            return Ok(Vec::new());
        }
        let offset = self.range.start().offset();
        let first = self.range.start().date();
        let last = (self.range.end().to_offset(offset) - time::Duration::NANOSECOND).date();
        for (name, day) in [("start", first), ("end", last)] {
            if !(1000..=9999).contains(&day.year()) {
                return Err(Error::invalid_argument(
                    "time range",
                    format!("its {name} falls on {day}, which yyyyMMdd cannot express"),
                ));
            }
        }
        let midnight = |d: Date| d.midnight().assume_offset(offset);
        let Some(after_last) = last.next_day() else {
            return Err(Error::invalid_argument(
                "time range",
                format!("it reaches {last}, the last day this SDK can represent"),
            ));
        };
        let days = TimeRange::new(midnight(first), midnight(after_last))?;
        let step = Duration::from_secs(86_400 * u64::from(self.window_days));
        Ok(days
            .split(step)
            .map(|w| w.start().date()..=(w.end() - time::Duration::DAY).date())
            .collect())
    }

    /// One batch per (≤ 50 users, run of days), in order, each with the users it skipped;
    /// ends after the first error.
    pub fn by_batch(self) -> QueryStream<TaskBatch> {
        let windows = self.windows();
        let users = self.users.into_stream(self.employee_type);
        let report = QueryReportHandle::new(users.report_handle());
        let windows = match windows {
            Ok(windows) => windows,
            Err(e) => {
                return QueryStream {
                    inner: futures::stream::iter([Err(e)]).boxed(),
                    report,
                };
            }
        };
        let query = TaskQuery {
            client: self.client,
            employee_type: self.employee_type,
            include_terminated_user: self.include_terminated_user,
            ignore_invalid_users: self.ignore_invalid_users,
            need_overtime_result: self.need_overtime_result,
        };
        let batch_report = report.clone();
        let call = move |ids: Vec<String>, days: RangeInclusive<Date>| {
            let query = query.clone();
            let report = batch_report.clone();
            async move { query.batch(ids, days, &report).await }
        };
        QueryStream {
            inner: fan_out(users.boxed(), windows, self.concurrency, call).boxed(),
            report,
        }
    }

    /// Every result, in call order, with the query's report; ends after the first error.
    pub fn into_stream(self) -> QueryStream<UserTask> {
        let batches = self.by_batch();
        QueryStream {
            report: batches.report.clone(),
            inner: crate::report::flatten(batches, |b: TaskBatch| b.results),
        }
    }
}

/// What every call of one query shares.
#[derive(Debug, Clone)]
struct TaskQuery {
    client: Client,
    employee_type: EmployeeType,
    include_terminated_user: Option<bool>,
    ignore_invalid_users: bool,
    need_overtime_result: Option<bool>,
}

impl TaskQuery {
    /// The results of one chunk over one run of days, with every user Feishu skipped.
    async fn batch(
        &self,
        user_ids: Vec<String>,
        days: RangeInclusive<Date>,
        report: &QueryReportHandle,
    ) -> Result<TaskBatch> {
        let narrow = self.ignore_invalid_users;
        let resolved = resolve(user_ids.clone(), narrow, report, |ids| {
            self.call(ids, days.clone())
        })
        .await?;
        let listed: Vec<SkippedUser> = resolved
            .answers
            .iter()
            .flat_map(TaskQueryData::skipped)
            .collect();
        if !listed.is_empty() {
            tracing::warn!(
                users = listed.len(),
                "attendance skipped users: unknown ids, or outside the app's attendance data scope"
            );
            report.skip(listed.iter().cloned());
        }
        let mut skipped = resolved.skipped;
        skipped.extend(listed);
        skipped.sort_by(|a, b| a.user_id.cmp(&b.user_id));
        skipped.dedup_by(|a, b| a.user_id == b.user_id);
        Ok(TaskBatch {
            user_ids,
            days,
            results: resolved
                .answers
                .into_iter()
                .flat_map(|d| d.user_task_results)
                .collect(),
            skipped,
        })
    }

    /// One `user_tasks/query` call.
    async fn call(
        &self,
        user_ids: Vec<String>,
        days: RangeInclusive<Date>,
    ) -> Result<TaskQueryData> {
        let body = TaskQueryBody {
            user_ids: &user_ids,
            check_date_from: yyyymmdd(*days.start()),
            check_date_to: yyyymmdd(*days.end()),
            need_overtime_result: self.need_overtime_result,
        };
        let req = Request::new(QUERY_USER_TASKS, &[])?
            .query("employee_type", self.employee_type)
            .query("ignore_invalid_users", self.ignore_invalid_users)
            .query_opt("include_terminated_user", self.include_terminated_user)
            .json(&body)?;
        self.client.send(req).await
    }
}

/// `yyyyMMdd` as a number, the encoding of `check_date_from` / `check_date_to` (years
/// 1000–9999 only: [`ListUserTasks::windows`] refuses others).
fn yyyymmdd(date: Date) -> i64 {
    i64::from(date.year()) * 10_000
        + i64::from(u8::from(date.month())) * 100
        + i64::from(date.day())
}
