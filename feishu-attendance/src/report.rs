//! What a query did and what it could not read, readable while it runs.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use feishu_core::Result;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt, stream};

use crate::skipped::{SkippedUser, SkippedUsers};
use crate::user_source::{UserSourceHandle, UserSourceReport};

/// What a query did; read it with [`QueryStream::report`] during or after the stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryReport {
    /// The users whose records were not read, with why (the same ids the batches list).
    pub skipped: SkippedUsers,
    /// Query calls sent, the calls that narrowed down a refused chunk included.
    pub calls: usize,
    /// What the user source could not provide (the directory walk's gaps, users without an
    /// employee number).
    pub users: UserSourceReport,
}

impl QueryReport {
    /// Every warning of the query: the users skipped (count, the first `max_ids` ids, what to
    /// do), then the user source's warnings. Empty when everything was read.
    pub fn warnings(&self, max_ids: usize) -> Vec<String> {
        let mut out: Vec<String> = self.skipped.summary(max_ids).into_iter().collect();
        out.extend(self.users.warnings(max_ids));
        out
    }
}

#[derive(Debug, Default)]
struct State {
    skipped: SkippedUsers,
    calls: usize,
    source: UserSourceHandle,
}

/// A shared view of a running query's [`QueryReport`].
#[derive(Debug, Clone, Default)]
pub struct QueryReportHandle(Arc<Mutex<State>>);

impl QueryReportHandle {
    pub(crate) fn new(source: UserSourceHandle) -> Self {
        QueryReportHandle(Arc::new(Mutex::new(State {
            source,
            ..State::default()
        })))
    }

    /// A snapshot of the report.
    pub fn get(&self) -> QueryReport {
        let st = self.lock();
        QueryReport {
            skipped: st.skipped.clone(),
            calls: st.calls,
            users: st.source.get(),
        }
    }

    pub(crate) fn count_call(&self) {
        self.lock().calls += 1;
    }

    pub(crate) fn skip(&self, users: impl IntoIterator<Item = SkippedUser>) {
        self.lock().skipped.extend(users);
    }

    /// Whether `user_id` is known to be unreadable (from an earlier call of this query).
    pub(crate) fn known_skip(&self, user_id: &str) -> Option<SkippedUser> {
        let reason = self.lock().skipped.reason(user_id)?;
        Some(SkippedUser::new(user_id, reason))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The batches or records of a query, as a stream with its [`QueryReport`]; ends after the
/// first error.
pub struct QueryStream<T> {
    pub(crate) inner: BoxStream<'static, Result<T>>,
    pub(crate) report: QueryReportHandle,
}

impl<T> QueryStream<T> {
    /// A snapshot of what the query has done so far.
    pub fn report(&self) -> QueryReport {
        self.report.get()
    }

    /// A handle that stays readable after the stream is moved or consumed.
    pub fn report_handle(&self) -> QueryReportHandle {
        self.report.clone()
    }
}

impl<T> fmt::Debug for QueryStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueryStream")
            .field("report", &self.report.get())
            .finish_non_exhaustive()
    }
}

impl<T> Stream for QueryStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

/// The items of a stream of batches, in order.
pub(crate) fn flatten<B, T>(
    batches: QueryStream<B>,
    items: fn(B) -> Vec<T>,
) -> BoxStream<'static, Result<T>>
where
    B: Send + 'static,
    T: Send + 'static,
{
    batches
        .map_ok(move |b| stream::iter(items(b).into_iter().map(Ok)))
        .try_flatten()
        .boxed()
}
