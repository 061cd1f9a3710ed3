//! One approval code's run: the watch list, then the window slice by slice.

use std::collections::BTreeSet;
use std::sync::Arc;

use feishu_approval::{InstanceOutcome, ListRequest, MAX_SLICE};
use feishu_core::TimeRange;
use futures::future::ready;
use futures::{StreamExt, TryStreamExt, stream};

use super::{ApprovalReader, CodeUpdate, instance};
use crate::message::LogLevel;
use crate::read::reader::{Flow, Out, Stop};
use crate::state::{ApprovalRun, ApprovalState};

/// Instance codes a warning names before "...".
const CODES_IN_WARNINGS: usize = 5;

/// The run of one code: its section, advanced as instances are emitted.
struct CodeRun<'a> {
    reader: &'a ApprovalReader,
    code: &'a str,
    state: ApprovalState,
    now: i64,
    concurrency: usize,
}

/// Reads one approval code (unless its run completed earlier in this read).
pub(super) async fn read_code(
    reader: &ApprovalReader,
    code: &str,
    out: &mut Out<CodeUpdate>,
) -> Flow {
    let state = reader.section(code);
    let now = match &state.run {
        Some(ApprovalRun::Done) => return Ok(()),
        Some(ApprovalRun::Watching { now_ms }) | Some(ApprovalRun::Listing { now_ms, .. }) => {
            *now_ms
        }
        None => out.settings().now_ms,
    };
    // The cursor moves only when the run completes: `from` is the same on every resumption.
    let from = match state.cursor_ms {
        Some(cursor) => cursor.saturating_sub(reader.lookback_ms),
        None => reader
            .start_ms
            .unwrap_or_else(|| now.saturating_sub(reader.lookback_ms)),
    };
    let concurrency = out.settings().concurrency;
    let mut run = CodeRun {
        reader,
        code,
        state,
        now,
        concurrency,
    };
    let (slice_start, emitted) = match run.state.run.take() {
        Some(ApprovalRun::Listing {
            slice_start_ms,
            emitted,
            ..
        }) => (slice_start_ms.max(from), emitted),
        _ => {
            run.state.run = Some(ApprovalRun::Watching { now_ms: now });
            run.watch(from, out).await?;
            (from, BTreeSet::new())
        }
    };
    run.listing(slice_start, emitted.clone());
    run.save(out).await?;
    if slice_start < now {
        let window =
            TimeRange::from_unix_ms(slice_start, now).map_err(|e| Stop::failed(code, &e))?;
        let mut emitted = Some(emitted);
        for slice in window.split(MAX_SLICE) {
            run.read_slice(slice, emitted.take().unwrap_or_default(), out)
                .await?;
        }
    }
    let cursor = run.state.cursor_ms.unwrap_or(i64::MIN).max(now);
    run.state.cursor_ms = Some(cursor);
    run.state.run = Some(ApprovalRun::Done);
    run.save(out).await
}

impl CodeRun<'_> {
    fn listing(&mut self, slice_start_ms: i64, emitted: BTreeSet<String>) {
        self.state.run = Some(ApprovalRun::Listing {
            now_ms: self.now,
            slice_start_ms,
            emitted,
        });
    }

    async fn save(&mut self, out: &mut Out<CodeUpdate>) -> Flow {
        let update = || CodeUpdate::Section {
            code: self.code.to_string(),
            state: self.state.clone(),
        };
        self.reader.remember(update());
        out.checkpoint(update()).await
    }

    /// Drops the watch list's entries older than its age bound, then re-fetches the pending
    /// instances created before `from` (the window lists the others).
    async fn watch(&mut self, from: i64, out: &mut Out<CodeUpdate>) -> Flow {
        self.drop_aged(out).await?;
        let watched: Vec<String> = self
            .state
            .pending
            .iter()
            .filter(|(_, created)| **created < from)
            .map(|(c, _)| c.clone())
            .collect();
        if watched.is_empty() {
            return Ok(());
        }
        let api = &self.reader.api;
        let codes = stream::iter(watched.into_iter().map(Ok));
        let mut outcomes = api
            .batch_get_instances(codes)
            .concurrency(self.concurrency)
            .into_stream();
        while let Some(outcome) = outcomes.next().await {
            let outcome = outcome.map_err(|e| Stop::failed(self.code, &e))?;
            self.handle(outcome, None, out).await?;
            if out.checkpoint_due() {
                self.save(out).await?;
            }
        }
        Ok(())
    }

    /// The watch list's age bound: pending instances created more than
    /// `pending_max_age_days` before the run's "now" leave it, named in a warning.
    async fn drop_aged(&mut self, out: &mut Out<CodeUpdate>) -> Flow {
        let oldest = self.now.saturating_sub(self.reader.max_pending_age_ms);
        let aged: Vec<String> = self
            .state
            .pending
            .iter()
            .filter(|(_, created)| **created < oldest)
            .map(|(c, _)| c.clone())
            .collect();
        if aged.is_empty() {
            return Ok(());
        }
        for code in &aged {
            self.state.pending.remove(code);
        }
        let days = self.reader.max_pending_age_ms / super::DAY_MS;
        let first: Vec<&str> = aged
            .iter()
            .take(CODES_IN_WARNINGS)
            .map(String::as_str)
            .collect();
        let message = format!(
            "approval {}: {} pending instance(s) created more than {days} days ago left the \
             watch list and are no longer re-fetched (pending_max_age_days): {}{}",
            self.code,
            aged.len(),
            first.join(", "),
            if aged.len() > first.len() {
                ", ..."
            } else {
                ""
            }
        );
        out.log(LogLevel::Warn, message).await
    }

    /// Emits a fetched instance (one created at or after `before`, when given, belongs to a
    /// later slice and is skipped here), or reports one that could not be fetched.
    async fn handle(
        &mut self,
        outcome: InstanceOutcome,
        before: Option<i64>,
        out: &mut Out<CodeUpdate>,
    ) -> Flow {
        let pending = &mut self.state.pending;
        match outcome {
            InstanceOutcome::Fetched(detail) => {
                let created = detail.instance().start_time.map(instance::ms);
                if created.zip(before).is_some_and(|(c, end)| c >= end) {
                    return Ok(());
                }
                instance::emit(out, self.code, *detail, pending).await
            }
            InstanceOutcome::Unavailable { code, error } => {
                instance::unavailable(out, self.code, code.as_str(), &error, pending).await
            }
            other => {
                let message = format!(
                    "approval instance {} ({}) skipped: unknown outcome",
                    other.code(),
                    self.code
                );
                out.log(LogLevel::Warn, message).await
            }
        }
    }

    /// The instances of one slice, except those already `emitted` (by the run before a cut);
    /// checkpoints carry the slice's start and what it emitted so far.
    async fn read_slice(
        &mut self,
        slice: TimeRange,
        emitted: BTreeSet<String>,
        out: &mut Out<CodeUpdate>,
    ) -> Flow {
        let (start, end) = (slice.start_ms(), slice.end_ms());
        let skip = Arc::new(emitted.clone());
        let mut emitted = emitted;
        let api = &self.reader.api;
        let codes = api
            .list_instance_codes(self.code, slice)
            .into_stream()
            .try_filter(move |c| ready(!skip.contains(c.as_str())));
        let mut outcomes = api
            .batch_get_instances(codes)
            .concurrency(self.concurrency)
            .into_stream();
        while let Some(outcome) = outcomes.next().await {
            let outcome = outcome.map_err(|e| Stop::failed(self.code, &e))?;
            let code = outcome.code().to_string();
            // An instance created at the slice's end (listed where the server reads the end
            // as inclusive) is the next slice's: it is listed there again.
            self.handle(outcome, Some(end), out).await?;
            emitted.insert(code);
            if out.checkpoint_due() {
                self.listing(start, emitted.clone());
                self.save(out).await?;
            }
        }
        self.listing(end, BTreeSet::new());
        if out.unsaved() {
            self.save(out).await?;
        }
        Ok(())
    }
}
