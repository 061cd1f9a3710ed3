//! What the two queries share: the employee id type, where user ids come from, and the fan-out
//! of (≤ 50 ids) × (window) calls with bounded concurrency.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use feishu_contact::DirectoryWalk;
use feishu_core::{CodeTable, Endpoint, Error, RateLimit, Result, UserIdType};
use futures::future::ready;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt, stream};

/// Attendance's documented limit for both query endpoints: 50 per second.
pub(crate) const ATTENDANCE_LIMIT: RateLimit = RateLimit::per_second(50);

/// Codes the transport acts on for Attendance v1 endpoints (the error tables of
/// <https://open.feishu.cn/document/server-docs/attendance-v1/user_task/query>).
pub(crate) const ATTENDANCE_CODES: CodeTable = CodeTable::new()
    // Internal service errors.
    .transient(&[1225000, 1226500, 1227500])
    .permission(&[
        (
            1220004,
            "the users are outside the app's attendance data scope",
        ),
        (
            1220005,
            "the users are outside the app's attendance data scope",
        ),
    ]);

/// <https://open.feishu.cn/document/server-docs/attendance-v1/user_task/query-2>
pub(crate) const QUERY_USER_FLOWS: Endpoint = Endpoint::post_read(
    "attendance.user_flows.query",
    "attendance/v1/user_flows/query",
)
.limit(ATTENDANCE_LIMIT)
.codes(ATTENDANCE_CODES);

/// <https://open.feishu.cn/document/server-docs/attendance-v1/user_task/query>
pub(crate) const QUERY_USER_TASKS: Endpoint = Endpoint::post_read(
    "attendance.user_tasks.query",
    "attendance/v1/user_tasks/query",
)
.limit(ATTENDANCE_LIMIT)
.codes(ATTENDANCE_CODES);

/// Most user ids one query call accepts.
pub const MAX_USER_IDS_PER_CALL: usize = 50;

/// How users are named in requests and answers (`employee_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum EmployeeType {
    /// `employee_id`: the tenant-level id, the same as Contact's `user_id`
    /// (`UserIdType::UserId`), not an open_id.
    #[default]
    EmployeeId,
    /// `employee_no`: the HR employee number (Contact's `employee_no`).
    EmployeeNo,
}

impl EmployeeType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            EmployeeType::EmployeeId => "employee_id",
            EmployeeType::EmployeeNo => "employee_no",
        }
    }
}

impl fmt::Display for EmployeeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the queried user ids come from.
#[derive(Debug, Clone)]
pub(crate) enum UserSource {
    /// Given by the caller (deduplicated, order kept).
    Ids(Vec<String>),
    /// Every user of a Contact walk (asked for with `user_id_type=user_id`).
    Walk(DirectoryWalk),
}

impl UserSource {
    pub(crate) fn ids<I, S>(ids: I) -> UserSource
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut seen = HashSet::new();
        UserSource::Ids(
            ids.into_iter()
                .map(Into::into)
                .filter(|id: &String| seen.insert(id.clone()))
                .collect(),
        )
    }

    /// The ids, lazily.
    pub(crate) fn into_stream(self, kind: EmployeeType) -> BoxStream<'static, Result<String>> {
        match self {
            UserSource::Ids(ids) => stream::iter(ids.into_iter().map(Ok)).boxed(),
            UserSource::Walk(walk) => walk
                .user_id_type(UserIdType::UserId)
                .into_stream()
                .filter_map(move |r| {
                    ready(match r {
                        Err(e) => Some(Err(e)),
                        Ok(user) => match kind {
                            EmployeeType::EmployeeId if user.user_id.as_str().is_empty() => {
                                Some(Err(Error::Config(format!(
                                    "Contact returned user {} ({}) without a user_id, which \
                                     Attendance needs as employee_id: grant the app \
                                     contact:user.employee_id:readonly",
                                    user.open_id, user.name
                                ))))
                            }
                            EmployeeType::EmployeeId => Some(Ok(user.user_id.into_string())),
                            EmployeeType::EmployeeNo if user.employee_no.is_empty() => {
                                tracing::warn!(
                                    user = %user.user_id,
                                    "user has no employee_no, so Attendance cannot be asked \
                                     about them by employee_no; skipped (grant \
                                     contact:user.employee_number:read if every user is skipped)"
                                );
                                None
                            }
                            EmployeeType::EmployeeNo => Some(Ok(user.employee_no)),
                        },
                    })
                })
                .boxed(),
        }
    }
}

/// One call per (chunk of ≤ 50 ids, window): chunks outer, windows inner, `concurrency`
/// calls in flight, answers in order; ends after the first error.
pub(crate) fn fan_out<W, T, F, Fut>(
    ids: BoxStream<'static, Result<String>>,
    windows: Vec<W>,
    concurrency: usize,
    call: F,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    W: Clone + Send + Sync + 'static,
    T: Send + 'static,
    F: Fn(Vec<String>, W) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<T>> + Send + 'static,
{
    let windows = Arc::new(windows);
    let specs = ids
        .chunks(MAX_USER_IDS_PER_CALL)
        .map(|chunk| chunk.into_iter().collect::<Result<Vec<String>>>())
        .flat_map(move |chunk| match chunk {
            // Lazily: one (ids, window) pair at a time, not a copy of the ids per window.
            Ok(ids) => {
                let windows = Arc::clone(&windows);
                stream::iter(
                    (0..windows.len())
                        .filter_map(move |i| windows.get(i).map(|w| Ok((ids.clone(), w.clone())))),
                )
                .boxed()
            }
            Err(e) => stream::iter([Err(e)]).boxed(),
        });
    let calls = specs
        .map(move |spec| {
            let call = call.clone();
            async move {
                let (ids, window) = spec?;
                call(ids, window).await
            }
        })
        .buffered(concurrency.max(1));
    feishu_core::internal::stop_after_error(calls)
}

/// Flattens batches into items.
pub(crate) fn flatten_batches<B, T>(
    batches: impl Stream<Item = Result<B>> + Send + 'static,
    items: fn(B) -> Vec<T>,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    B: Send + 'static,
    T: Send + 'static,
{
    batches
        .map_ok(move |b| stream::iter(items(b).into_iter().map(Ok)))
        .try_flatten()
}
