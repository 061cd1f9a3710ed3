//! Narrowing a refused chunk down to the users it cannot read.
//!
//! `user_flows/query` has no "ignore invalid users" switch: a chunk of up to 50 ids that names
//! one unknown or unpermitted user fails whole, with 1220004 or 1220005 (error table of
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/user_flow/query>).
//! Such a chunk is halved, and each half asked again, until every refused id stands alone:
//! k bad ids among n cost about `2·k·log2(n/k)` extra calls, not one call per id. Any other
//! error (a missing API scope, 99991672, concerns every user) ends the query at once.

use std::future::Future;

use feishu_core::{Error, Result};

use crate::codes::PER_USER_CODES;
use crate::report::QueryReportHandle;
use crate::skipped::{SkipReason, SkippedUser};

/// The answers of one chunk: one per call that succeeded, halves in id order, and the users
/// skipped, sorted by id.
#[derive(Debug)]
pub(crate) struct Resolved<T> {
    pub(crate) answers: Vec<T>,
    pub(crate) skipped: Vec<SkippedUser>,
}

/// Asks `call` about `ids`, leaving out the ids this query already knows it cannot read.
/// With `narrow`, a per-user refusal is narrowed down by halving; without it, it is an error.
pub(crate) async fn resolve<T, F, Fut>(
    ids: Vec<String>,
    narrow: bool,
    report: &QueryReportHandle,
    call: F,
) -> Result<Resolved<T>>
where
    F: Fn(Vec<String>) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut skipped = Vec::new();
    let mut ask = Vec::with_capacity(ids.len());
    for id in ids {
        match report.known_skip(&id) {
            Some(known) => skipped.push(known),
            None => ask.push(id),
        }
    }
    let mut answers = Vec::new();
    // A stack whose top is the leftmost chunk still to ask: answers come in id order.
    let mut todo = vec![ask];
    while let Some(mut chunk) = todo.pop() {
        if chunk.is_empty() {
            continue;
        }
        report.count_call();
        let error = match call(chunk.clone()).await {
            Ok(answer) => {
                answers.push(answer);
                continue;
            }
            Err(e) => e,
        };
        match per_user_code(&error).filter(|_| narrow) {
            Some(code) if chunk.len() == 1 => {
                let user = SkippedUser::new(chunk.remove(0), SkipReason::Refused(code));
                tracing::warn!(user = %user.user_id, code, "attendance refused a user; skipped");
                skipped.push(user);
            }
            Some(code) => {
                tracing::debug!(
                    ids = chunk.len(),
                    code,
                    "a chunk names a refused user; halving it"
                );
                let right = chunk.split_off(chunk.len() / 2);
                todo.push(right);
                todo.push(chunk);
            }
            None => return Err(error),
        }
    }
    skipped.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    report.skip(skipped.iter().cloned());
    Ok(Resolved { answers, skipped })
}

/// The code of a refusal that concerns single users of the request.
fn per_user_code(error: &Error) -> Option<i64> {
    error.api_code().filter(|c| PER_USER_CODES.contains(c))
}
