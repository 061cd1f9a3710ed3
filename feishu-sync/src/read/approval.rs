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

use super::reader::{Flow, Out, Reader, Reread, Stop, first_failure};
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

/// A change of one approval code's section.
pub(crate) enum CodeUpdate {
    /// The code's whole section (a run's progress).
    Section {
        /// The approval code.
        code: String,
        /// Its new section.
        state: ApprovalState,
    },
    /// One instance's place in the code's watch list, after a re-read: `Some(creation
    /// time)` watched, `None` not. A change of one entry, so that re-reads of several
    /// instances of a code, side by side, never undo each other.
    Watched {
        /// The approval code.
        code: String,
        /// The instance.
        instance: String,
        /// Its creation time when it stays (or becomes) watched.
        created: Option<i64>,
    },
}

impl CodeUpdate {
    fn apply_to(self, sections: &mut BTreeMap<String, ApprovalState>) {
        match self {
            CodeUpdate::Section { code, state } => {
                sections.insert(code, state);
            }
            CodeUpdate::Watched {
                code,
                instance,
                created,
            } => {
                let pending = &mut sections.entry(code).or_default().pending;
                match created {
                    Some(created) => pending.insert(instance, created),
                    None => pending.remove(&instance),
                };
            }
        }
    }
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

    fn remember(&self, update: CodeUpdate) {
        let mut sections = self.sections.lock().unwrap_or_else(PoisonError::into_inner);
        update.apply_to(&mut sections);
    }
}

impl Reader for ApprovalReader {
    type Update = CodeUpdate;
    const MODULE: Module = Module::Approval;

    fn apply(state: &mut SyncState, update: CodeUpdate) {
        update.apply_to(&mut state.approval);
    }

    async fn read(&self, out: &mut Out<CodeUpdate>) -> Flow {
        let runs = self.codes.iter().map(|code| {
            let mut out = out.fork();
            async move { run::read_code(self, code, &mut out).await }
        });
        let outcomes = futures::future::join_all(runs).await;
        // The module fails with its first failing code; the others are logged.
        first_failure(outcomes, out).await
    }
}

impl Reread for ApprovalReader {
    /// `(approval code, instance code)`.
    type Target = (String, String);

    async fn reread(&self, (code, instance): (String, String), out: &mut Out<CodeUpdate>) -> Flow {
        let fetched = self.api.get_instance(instance.as_str()).send().await;
        // The instance's entry alone: re-reads of other instances change theirs meanwhile.
        let mut entry: BTreeMap<String, i64> = self
            .section(&code)
            .pending
            .get(&instance)
            .map(|created| (instance.clone(), *created))
            .into_iter()
            .collect();
        let instance = match fetched {
            Ok(detail) => {
                let key = detail.code().to_string();
                instance::emit(out, &code, detail, &mut entry).await?;
                key
            }
            Err(error) if instance::is_its_own(&error) => {
                instance::unavailable(out, &code, &instance, &error, &mut entry).await?;
                instance
            }
            Err(error) => return Err(Stop::failed(&code, &error)),
        };
        let created = entry.get(&instance).copied();
        let update = |code: &str| CodeUpdate::Watched {
            code: code.to_string(),
            instance: instance.clone(),
            created,
        };
        self.remember(update(&code));
        out.checkpoint(update(&code)).await
    }
}
