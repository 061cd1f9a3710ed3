//! `POST /open-apis/attendance/v1/user_flows/query` (§7.1), windowed and batched.

use std::time::Duration;

use feishu_contact::DirectoryWalk;
use feishu_core::{Client, Error, Request, Result};
use futures::Stream;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::common::{EmployeeType, QUERY_USER_FLOWS, UserSource, fan_out, flatten_batches};
use crate::flow::UserFlow;

/// Default window of one flows call: 30 days. Feishu documents no maximum span
/// (UNCONFIRMED); 30 days is a cautious choice. Change it with
/// [`QueryUserFlows::window`].
pub const DEFAULT_FLOW_WINDOW: Duration = Duration::from_secs(30 * 24 * 3600);

/// A half-open time range `[from, to)` in Unix seconds, as `user_flows/query` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TimeWindow {
    /// Start, inclusive.
    pub from: i64,
    /// End, exclusive.
    pub to: i64,
}

impl TimeWindow {
    /// Whether `t` (Unix seconds) is inside.
    pub fn contains(&self, t: i64) -> bool {
        (self.from..self.to).contains(&t)
    }
}

/// Most windows one flows query is split into: a guard against a tiny window over a huge
/// range (which would otherwise allocate and call without end).
const MAX_FLOW_WINDOWS: i128 = 1_000_000;

/// Splits `[from, to)` into consecutive half-open windows of at most `window` seconds (a
/// `window` below 1 counts as 1). The windows touch without overlapping, so no punch falls
/// into two of them. An empty range (`to <= from`) gives no window.
///
/// # Errors
/// [`Error::InvalidArgument`] when the split would give more than 1,000,000 windows.
pub fn split_time_range(from: i64, to: i64, window: i64) -> Result<Vec<TimeWindow>> {
    let window = window.max(1);
    let span = i128::from(to) - i128::from(from);
    let count = (span.max(0) + i128::from(window) - 1) / i128::from(window);
    if count > MAX_FLOW_WINDOWS {
        return Err(Error::invalid_argument(
            "window",
            format!(
                "[{from}, {to}) in windows of {window} s makes {count} calls per user chunk \
                 (at most {MAX_FLOW_WINDOWS}): use a longer window or a shorter range"
            ),
        ));
    }
    let mut out = Vec::new();
    let mut start = from;
    while start < to {
        let end = start.saturating_add(window).min(to);
        out.push(TimeWindow {
            from: start,
            to: end,
        });
        start = end;
    }
    Ok(out)
}

/// The flows of one call: ≤ 50 users over one window.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FlowBatch {
    /// The users asked for.
    pub user_ids: Vec<String>,
    /// The window asked for.
    pub window: TimeWindow,
    /// The valid punches Feishu returned, all inside `window`.
    pub flows: Vec<UserFlow>,
}

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
/// [`Attendance::user_flows`](crate::Attendance::user_flows).
///
/// The users are split into calls of at most 50 ids and the range `[from, to)` into
/// [`window`](Self::window)-long half-open windows (default [`DEFAULT_FLOW_WINDOW`]); the
/// calls (chunks outer, windows inner) run [`concurrency`](Self::concurrency) at a time under
/// the client's rate limiter (50/s), answers kept in order. Times go out as Unix-second
/// strings. A punch the server returns outside its window (e.g. exactly at `to`) is dropped
/// there: the next window, which starts at that second, returns it, so no flow is yielded
/// twice. Without [`user_ids`](Self::user_ids), the users come from a Contact directory walk.
///
/// An empty range (`from == to`) makes no call and yields nothing; `to < from`, a window
/// under one second, or more than 1,000,000 windows are an [`Error::InvalidArgument`] (the
/// stream's only item).
#[derive(Debug, Clone)]
#[must_use = "a query does nothing until streamed"]
pub struct QueryUserFlows {
    client: Client,
    employee_type: EmployeeType,
    from: OffsetDateTime,
    to: OffsetDateTime,
    users: UserSource,
    include_terminated_user: Option<bool>,
    window: Duration,
    concurrency: usize,
}

impl QueryUserFlows {
    pub(crate) fn new(
        client: Client,
        walk: DirectoryWalk,
        employee_type: EmployeeType,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Self {
        QueryUserFlows {
            client,
            employee_type,
            from,
            to,
            users: UserSource::Walk(walk),
            include_terminated_user: None,
            window: DEFAULT_FLOW_WINDOW,
            concurrency: 4,
        }
    }

    /// The users to query (ids of the query's [`EmployeeType`]); duplicates are asked for once.
    /// An empty list queries nothing: the stream ends at once, without a call. Default: every
    /// user of the directory (with [`EmployeeType::EmployeeNo`], users without an
    /// `employee_no` cannot be queried and are skipped with a warning).
    pub fn user_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.users = UserSource::ids(ids);
        self
    }

    /// Takes the users from this Contact walk (e.g. a subtree) instead of the whole
    /// directory; its user id type is set to `user_id`.
    pub fn users_from_walk(mut self, walk: DirectoryWalk) -> Self {
        self.users = UserSource::Walk(walk);
        self
    }

    /// `true`: data of all holders of a reused id, current and former; `false`: the active
    /// (or most recently departed) holder only. Not sent unless set.
    pub fn include_terminated_user(mut self, include: bool) -> Self {
        self.include_terminated_user = Some(include);
        self
    }

    /// Length of one call's time window (at least 1 s). Default [`DEFAULT_FLOW_WINDOW`].
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Calls in flight at once (at least 1). Default 4.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The windows the range is split into (none for an empty range).
    ///
    /// # Errors
    /// As [`split_time_range`]: more than 1,000,000 windows.
    pub fn windows(&self) -> Result<Vec<TimeWindow>> {
        let window = i64::try_from(self.window.as_secs()).unwrap_or(i64::MAX);
        split_time_range(self.from.unix_timestamp(), self.to.unix_timestamp(), window)
    }

    fn check(&self) -> Result<Vec<TimeWindow>> {
        if self.to < self.from {
            return Err(Error::invalid_argument(
                "time range",
                format!("ends ({}) before it starts ({})", self.to, self.from),
            ));
        }
        if self.window.as_secs() == 0 {
            return Err(Error::invalid_argument(
                "window",
                "it must be at least one second",
            ));
        }
        self.windows()
    }

    /// One call per (≤ 50 users, window), in order; ends after the first error.
    pub fn into_batch_stream(self) -> impl Stream<Item = Result<FlowBatch>> + Send + 'static {
        use futures::StreamExt;
        let windows = match self.check() {
            Ok(windows) => windows,
            Err(e) => return futures::stream::iter([Err(e)]).boxed(),
        };
        let QueryUserFlows {
            client,
            employee_type,
            users,
            include_terminated_user,
            concurrency,
            ..
        } = self;
        let call = move |ids: Vec<String>, window: TimeWindow| {
            let client = client.clone();
            async move { query(&client, employee_type, include_terminated_user, ids, window).await }
        };
        fan_out(users.into_stream(employee_type), windows, concurrency, call).boxed()
    }

    /// Every flow, in call order; ends after the first error.
    pub fn into_stream(self) -> impl Stream<Item = Result<UserFlow>> + Send + 'static {
        flatten_batches(self.into_batch_stream(), |b: FlowBatch| b.flows)
    }
}

/// One `user_flows/query` call.
async fn query(
    client: &Client,
    employee_type: EmployeeType,
    include_terminated_user: Option<bool>,
    user_ids: Vec<String>,
    window: TimeWindow,
) -> Result<FlowBatch> {
    let body = FlowQueryBody {
        user_ids: &user_ids,
        check_time_from: window.from.to_string(),
        check_time_to: window.to.to_string(),
    };
    let req = Request::new(QUERY_USER_FLOWS, &[])?
        .query("employee_type", employee_type)
        .query_opt("include_terminated_user", include_terminated_user)
        .json(&body)?;
    let data: FlowQueryData = client.send(req).await?;
    let total = data.user_flow_results.len();
    let flows: Vec<UserFlow> = data
        .user_flow_results
        .into_iter()
        .filter(|f| f.check_time.is_none_or(|t| window.contains(t)))
        .collect();
    if flows.len() != total {
        tracing::debug!(
            dropped = total - flows.len(),
            from = window.from,
            to = window.to,
            "flows outside their window dropped (a neighbouring window returns them)"
        );
    }
    Ok(FlowBatch {
        user_ids,
        window,
        flows,
    })
}
