//! `POST /open-apis/attendance/v1/user_flows/query`, for any number of users over any time
//! range.

use std::time::Duration;

use feishu_core::{Client, Endpoint, Error, Request, Result, TimeRange};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::model::UserFlow;
use crate::bisect::resolve;
use crate::codes::attendance;
use crate::employee::EmployeeType;
use crate::fan_out::fan_out;
use crate::report::{QueryReportHandle, QueryStream};
use crate::skipped::SkippedUser;
use crate::user_source::UserSource;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/user_flow/query>
/// (50/s, custom apps, scope `attendance:task:readonly`).
pub(crate) const QUERY_USER_FLOWS: Endpoint = attendance(Endpoint::post_read(
    "attendance.user_flows.query",
    "attendance/v1/user_flows/query",
));

/// Default window of one flows call: 30 days. Feishu documents no maximum span
/// (UNCONFIRMED); 30 days is a cautious choice. Change it with [`ListUserFlows::window`].
pub const DEFAULT_FLOW_WINDOW: Duration = Duration::from_secs(30 * 24 * 3600);

/// Most windows one flows query is split into: a guard against a tiny window over a huge
/// range (which would otherwise call without end).
const MAX_FLOW_WINDOWS: u128 = 1_000_000;

/// The flows of one chunk of users over one window.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FlowBatch {
    /// The users asked about (the chunk, skipped users included).
    pub user_ids: Vec<String>,
    /// The window asked about, `[start, end)`.
    pub window: TimeRange,
    /// The valid punches Feishu returned, all inside `window`.
    pub flows: Vec<UserFlow>,
    /// Users of the chunk whose punches could not be read, sorted by id.
    pub skipped: Vec<SkippedUser>,
}

/// The body of `user_flows/query`: `check_time_from` (included) and `check_time_to`
/// (excluded) are Unix seconds as strings (query user_flow, request body).
#[derive(Serialize)]
struct FlowQueryBody<'a> {
    user_ids: &'a [String],
    check_time_from: String,
    check_time_to: String,
}

#[derive(Deserialize)]
struct FlowQueryData {
    #[serde(default, deserialize_with = "feishu_core::internal::de::vec_or_empty")]
    user_flow_results: Vec<UserFlow>,
}

/// Queries punch flows for many users over any time range; built by
/// [`Attendance::list_user_flows`](crate::Attendance::list_user_flows).
///
/// The users are split into chunks of at most 50 ids and the range into
/// [`window`](Self::window)-long half-open pieces (default [`DEFAULT_FLOW_WINDOW`]); the calls
/// (chunks outer, windows inner) run [`concurrency`](Self::concurrency) at a time under the
/// client's rate limiter (50/s), answers kept in order. Each piece is sent as the whole
/// seconds that cover it, and only the punches inside the piece are kept, so a range of any
/// length works (a sub-second one included) and no punch is yielded twice.
///
/// # Users Feishu refuses
/// A chunk naming a user that does not exist or is outside the app's attendance data scope
/// fails whole (1220004, 1220005). Such a chunk is halved until the refused ids stand alone;
/// everyone else's punches are read, and the refused users are listed in
/// [`FlowBatch::skipped`] and the stream's [`QueryReport`](crate::QueryReport). An error
/// that concerns every user (the app lacks `attendance:task:readonly`: 99991672) ends the
/// stream at once, with the scope named.
///
/// # Users
/// By default the users are the current members of the Contact directory
/// ([`Attendance::directory_users`](crate::Attendance::directory_users)): people who have
/// left are not in it. Name them with [`user_ids`](Self::user_ids) to read their past
/// punches; when a new hire reuses a departed user's id, add
/// [`include_terminated_user`](Self::include_terminated_user) to read every holder's.
///
/// An empty range makes no call and yields nothing; a window under one second, or more
/// than 1,000,000 windows, is an [`Error::InvalidArgument`] (the stream's only item).
///
/// # Example
/// ```no_run
/// use feishu_attendance::{Attendance, EmployeeType};
/// use feishu_core::TimeRange;
/// use futures::TryStreamExt;
/// use time::macros::datetime;
/// # async fn sample(attendance: Attendance) -> feishu_core::Result<()> {
/// let january = TimeRange::new(
///     datetime!(2025-01-01 00:00 +08:00),
///     datetime!(2025-02-01 00:00 +08:00),
/// )?;
/// let mut batches = attendance
///     .list_user_flows(EmployeeType::EmployeeId, january)
///     .user_ids(["a1b2c3d4", "e5f6a7b8"])
///     .by_batch();
/// while let Some(batch) = batches.try_next().await? {
///     println!("{} punches in {:?}", batch.flows.len(), batch.window);
/// }
/// for user in batches.report().skipped.iter() {
///     eprintln!("not read: {} ({})", user.user_id, user.reason);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a query does nothing until streamed"]
pub struct ListUserFlows {
    client: Client,
    employee_type: EmployeeType,
    range: TimeRange,
    users: UserSource,
    include_terminated_user: Option<bool>,
    window: Duration,
    concurrency: usize,
}

impl ListUserFlows {
    pub(crate) fn new(
        client: Client,
        users: UserSource,
        employee_type: EmployeeType,
        range: TimeRange,
    ) -> Self {
        ListUserFlows {
            client,
            employee_type,
            range,
            users,
            include_terminated_user: None,
            window: DEFAULT_FLOW_WINDOW,
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

    /// Takes the users from `source` (e.g. a walk of some Contact subtrees).
    pub fn users(mut self, source: UserSource) -> Self {
        self.users = source;
        self
    }

    /// `true`: the data of every holder of a reused id, current and departed; `false`: the
    /// current holder, or the most recently departed one. Not sent unless set.
    pub fn include_terminated_user(mut self, include: bool) -> Self {
        self.include_terminated_user = Some(include);
        self
    }

    /// Length of one call's time window (at least one second). Default
    /// [`DEFAULT_FLOW_WINDOW`].
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Calls in flight at once (at least 1). Default 4.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The windows the range is split into, `[start, end)` each (none for an empty range).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a window under one second, or more than 1,000,000
    /// windows.
    pub fn windows(&self) -> Result<Vec<TimeRange>> {
        if self.window < Duration::from_secs(1) {
            return Err(Error::invalid_argument(
                "window",
                format!("{:?} is too short: at least one second", self.window),
            ));
        }
        let count = self
            .range
            .duration()
            .as_nanos()
            .div_ceil(self.window.as_nanos());
        if count > MAX_FLOW_WINDOWS {
            return Err(Error::invalid_argument(
                "window",
                format!(
                    "{:?} in windows of {:?} makes {count} calls per user chunk (at most \
                     {MAX_FLOW_WINDOWS}): use a longer window or a shorter range",
                    self.range, self.window
                ),
            ));
        }
        Ok(self.range.split(self.window).collect())
    }

    /// One batch per (≤ 50 users, window), in order, each with the users it skipped; ends
    /// after the first error.
    pub fn by_batch(self) -> QueryStream<FlowBatch> {
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
        let query = FlowQuery {
            client: self.client,
            employee_type: self.employee_type,
            include_terminated_user: self.include_terminated_user,
        };
        let batch_report = report.clone();
        let call = move |ids: Vec<String>, window: TimeRange| {
            let query = query.clone();
            let report = batch_report.clone();
            async move { query.batch(ids, window, &report).await }
        };
        QueryStream {
            inner: fan_out(users.boxed(), windows, self.concurrency, call).boxed(),
            report,
        }
    }

    /// Every flow, in call order, with the query's report; ends after the first error.
    pub fn into_stream(self) -> QueryStream<UserFlow> {
        let batches = self.by_batch();
        QueryStream {
            report: batches.report.clone(),
            inner: crate::report::flatten(batches, |b: FlowBatch| b.flows),
        }
    }
}

/// What every call of one query shares.
#[derive(Debug, Clone)]
struct FlowQuery {
    client: Client,
    employee_type: EmployeeType,
    include_terminated_user: Option<bool>,
}

impl FlowQuery {
    /// The flows of one chunk over one window, refused users narrowed down and skipped.
    async fn batch(
        &self,
        user_ids: Vec<String>,
        window: TimeRange,
        report: &QueryReportHandle,
    ) -> Result<FlowBatch> {
        let resolved =
            resolve(user_ids.clone(), true, report, |ids| self.call(ids, window)).await?;
        Ok(FlowBatch {
            user_ids,
            window,
            flows: resolved.answers.into_iter().flatten().collect(),
            skipped: resolved.skipped,
        })
    }

    /// One `user_flows/query` call; punches outside `window` are dropped (a neighbouring
    /// window returns them).
    async fn call(&self, user_ids: Vec<String>, window: TimeRange) -> Result<Vec<UserFlow>> {
        let body = FlowQueryBody {
            user_ids: &user_ids,
            check_time_from: window.start_secs().to_string(),
            check_time_to: window.end_secs_ceil().to_string(),
        };
        let req = Request::new(QUERY_USER_FLOWS, &[])?
            .query("employee_type", self.employee_type)
            .query_opt("include_terminated_user", self.include_terminated_user)
            .json(&body)?;
        let data: FlowQueryData = self.client.send(req).await?;
        let total = data.user_flow_results.len();
        let flows: Vec<UserFlow> = data
            .user_flow_results
            .into_iter()
            .filter(|f| f.check_time.is_none_or(|t| in_window(t, &window)))
            .collect();
        if flows.len() != total {
            tracing::debug!(
                dropped = total - flows.len(),
                ?window,
                "flows outside their window dropped (a neighbouring window returns them)"
            );
        }
        Ok(flows)
    }
}

/// Whether the punch at Unix second `t` lies in `window`.
fn in_window(t: i64, window: &TimeRange) -> bool {
    OffsetDateTime::from_unix_timestamp(t).is_ok_and(|at| window.contains(at))
}
