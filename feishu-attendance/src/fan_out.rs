//! The call plan of a query: chunks of at most 50 ids, times windows, with bounded
//! concurrency and answers in order.

use std::future::Future;
use std::sync::Arc;

use feishu_core::Result;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt, stream};

/// Most user ids one query call accepts (`user_ids` "no more than 50", both query pages:
/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/user_flow/query>).
pub const MAX_USER_IDS_PER_CALL: usize = 50;

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
