//! The approval streams: incremental over instance creation time, per approval code, the
//! codes side by side.
//!
//! Each run of a code reads the instances created in `[cursor - lookback_days, now)` (first
//! run: from `start_date`, else now - `lookback_days`), in slices of at most 10 hours, after
//! re-fetching its watch list: the instances last seen `PENDING` that were created before
//! that window, so a late approval is never missed. Progress is kept at slice boundaries,
//! with the set of instances of the current slice already emitted, so a resumed run lists
//! the slice again and skips them, whatever order Feishu lists a slice in (the list page
//! documents creation order only "by default").
//!
//! The codes run side by side: each code's listing is sequential, and the calls of all codes
//! are paced by the client's window budget of their endpoint family (100 list calls a
//! minute, 50 instance fetches a second), not by a fixed number of codes in flight.

mod instance;
mod run;

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use feishu_approval::Approval;

use super::reader::{Flow, Out, Reader, Reread, Stop};
use crate::message::LogLevel;
use crate::module::Module;
use crate::state::{ApprovalState, SyncState};
use crate::{Source, SourceConfig};

const DAY_MS: i64 = 86_400_000;

/// The approval module's reader.
pub(crate) struct ApprovalReader {
    api: Approval,
    codes: Vec<String>,
    lookback_ms: i64,
    start_ms: Option<i64>,
    max_pending_age_ms: i64,
    /// The sections of the codes as the read started (re-reads keep them current).
    sections: Mutex<BTreeMap<String, ApprovalState>>,
}

/// A new section of one approval code.
pub(crate) struct CodeUpdate {
    code: String,
    state: ApprovalState,
}

impl ApprovalReader {
    /// The reader of `source`'s approval codes, from `state`; `None` without an `approval`
    /// section.
    pub(crate) fn new(source: &Source, state: &SyncState) -> Option<Self> {
        let config: &SourceConfig = &source.config;
        let cfg = config.approval.as_ref()?;
        Some(ApprovalReader {
            api: Approval::new(source.client.clone()),
            codes: cfg.approval_codes.clone(),
            lookback_ms: i64::from(cfg.lookback_days) * DAY_MS,
            start_ms: config.approval_start_ms(),
            max_pending_age_ms: i64::from(cfg.pending_max_age_days) * DAY_MS,
            sections: Mutex::new(state.approval.clone()),
        })
    }

    fn section(&self, code: &str) -> ApprovalState {
        let sections = self.sections.lock().unwrap_or_else(PoisonError::into_inner);
        sections.get(code).cloned().unwrap_or_default()
    }

    fn remember(&self, code: &str, state: &ApprovalState) {
        let mut sections = self.sections.lock().unwrap_or_else(PoisonError::into_inner);
        sections.insert(code.to_string(), state.clone());
    }
}

impl Reader for ApprovalReader {
    type Update = CodeUpdate;
    const MODULE: Module = Module::Approval;

    fn apply(state: &mut SyncState, update: CodeUpdate) {
        state.approval.insert(update.code, update.state);
    }

    async fn read(&self, out: &mut Out<CodeUpdate>) -> Flow {
        let runs = self.codes.iter().map(|code| {
            let mut out = out.fork();
            async move { run::read_code(self, code, &mut out).await }
        });
        let outcomes = futures::future::join_all(runs).await;
        let mut failures = Vec::new();
        for outcome in outcomes {
            match outcome {
                Ok(()) => {}
                Err(Stop::Closed) => return Err(Stop::Closed),
                Err(Stop::Failed(failure)) => failures.push(failure),
            }
        }
        // The module fails with its first failing code; the others are logged.
        let mut failures = failures.into_iter();
        let Some(first) = failures.next() else {
            return Ok(());
        };
        for other in failures {
            out.log(LogLevel::Error, other.message).await?;
        }
        Err(Stop::Failed(first))
    }
}

impl Reread for ApprovalReader {
    /// `(approval code, instance code)`.
    type Target = (String, String);

    async fn reread(&self, (code, instance): (String, String), out: &mut Out<CodeUpdate>) -> Flow {
        let mut state = self.section(&code);
        match self.api.get_instance(instance.as_str()).send().await {
            Ok(detail) => instance::emit(out, &code, detail, &mut state.pending).await?,
            Err(error) if instance::is_its_own(&error) => {
                instance::unavailable(out, &code, &instance, &error, &mut state.pending).await?;
            }
            Err(error) => return Err(Stop::failed(&code, &error)),
        }
        self.remember(&code, &state);
        out.checkpoint(CodeUpdate { code, state }).await
    }
}
