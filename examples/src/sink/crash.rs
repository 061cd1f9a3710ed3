//! Test-only crash points: a sink can abort the process at a chosen moment, so that tests
//! check that every output resumes cleanly from any crash.
//!
//! The `feishu-sync` binary reads the plan once at start from [`CRASH_ENV`]; nothing else
//! sets it, and without it the sinks never abort. Syntax:
//!
//! - `record:N`: abort right after the Nth record of the process is handed to the sink
//!   (JSON lines: it may still sit in a buffer; SQLite: inside the open transaction);
//! - `torn:N`: JSON lines write only the first half of the Nth record's line, straight to the
//!   file, then abort (a write cut short); SQLite treats it as `record:N`;
//! - `checkpoint:N:STEP`: abort inside the Nth checkpoint of the process, where STEP is
//!   `before-commit` (JSON lines: records synced, checkpoint file untouched; SQLite: records
//!   and state written in the open transaction), `temp-written` (JSON lines: the new
//!   checkpoint synced under its temporary name, not renamed; SQLite: as `before-commit`) or
//!   `after-commit` (JSON lines: checkpoint renamed, `state.json` not yet rewritten; SQLite:
//!   after `COMMIT`).

/// The environment variable the `feishu-sync` binary reads the crash plan from (tests only).
pub const CRASH_ENV: &str = "FEISHU_SYNC_TEST_CRASH";

/// Where inside a checkpoint a [`CrashPoint::Checkpoint`] aborts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointStep {
    /// The records are durable, the commit has not begun.
    BeforeCommit,
    /// The new checkpoint is written under its temporary name, not yet renamed.
    TempWritten,
    /// The commit is done; what follows it (the copy in `state.json`) is not.
    AfterCommit,
}

/// One moment to abort at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashPoint {
    /// After the Nth record (1-based) of this process.
    AfterRecord(u64),
    /// Half of the Nth record's line written, then abort.
    TornRecord(u64),
    /// Inside the Nth checkpoint (1-based) of this process.
    Checkpoint(u64, CheckpointStep),
}

/// When a sink aborts the process: never (the default), or at one [`CrashPoint`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CrashPlan(Option<CrashPoint>);

impl CrashPlan {
    /// Never abort.
    pub const NEVER: CrashPlan = CrashPlan(None);

    /// The plan in [`CRASH_ENV`] (never, when unset).
    pub fn from_env() -> Result<CrashPlan, String> {
        match std::env::var(CRASH_ENV) {
            Ok(text) => CrashPlan::parse(&text).map_err(|e| format!("{CRASH_ENV}: {e}")),
            Err(_) => Ok(CrashPlan::NEVER),
        }
    }

    /// Parses `record:N`, `torn:N` or `checkpoint:N:STEP` (see the module docs).
    pub fn parse(text: &str) -> Result<CrashPlan, String> {
        let parts: Vec<&str> = text.trim().split(':').collect();
        let nth = |s: &str| {
            s.parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{s:?} is not a positive count"))
        };
        let point = match parts.as_slice() {
            ["record", n] => CrashPoint::AfterRecord(nth(n)?),
            ["torn", n] => CrashPoint::TornRecord(nth(n)?),
            ["checkpoint", n, step] => CrashPoint::Checkpoint(
                nth(n)?,
                match *step {
                    "before-commit" => CheckpointStep::BeforeCommit,
                    "temp-written" => CheckpointStep::TempWritten,
                    "after-commit" => CheckpointStep::AfterCommit,
                    other => return Err(format!("unknown checkpoint step {other:?}")),
                },
            ),
            _ => {
                return Err(format!(
                    "{text:?}: expected record:N, torn:N or checkpoint:N:STEP"
                ));
            }
        };
        Ok(CrashPlan(Some(point)))
    }

    /// The planned point, if any.
    pub fn point(&self) -> Option<CrashPoint> {
        self.0
    }

    /// Aborts if the plan is to die after the `n`th record.
    pub(crate) fn after_record(&self, n: u64) {
        if self.0 == Some(CrashPoint::AfterRecord(n)) {
            std::process::abort();
        }
    }

    /// Whether the `n`th record is to be torn (the caller writes half of it, then
    /// calls [`CrashPlan::abort`]).
    pub(crate) fn tears(&self, n: u64) -> bool {
        self.0 == Some(CrashPoint::TornRecord(n))
    }

    /// Aborts if the plan is to die at `step` of the `n`th checkpoint.
    pub(crate) fn at_checkpoint(&self, n: u64, step: CheckpointStep) {
        if self.0 == Some(CrashPoint::Checkpoint(n, step)) {
            std::process::abort();
        }
    }

    /// Aborts now.
    pub(crate) fn abort(&self) -> ! {
        std::process::abort()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_point_and_refuses_the_rest() {
        assert_eq!(
            CrashPlan::parse("record:7").unwrap().point(),
            Some(CrashPoint::AfterRecord(7))
        );
        assert_eq!(
            CrashPlan::parse("torn:1").unwrap().point(),
            Some(CrashPoint::TornRecord(1))
        );
        assert_eq!(
            CrashPlan::parse("checkpoint:2:temp-written")
                .unwrap()
                .point(),
            Some(CrashPoint::Checkpoint(2, CheckpointStep::TempWritten))
        );
        for bad in [
            "",
            "record",
            "record:0",
            "record:x",
            "checkpoint:1",
            "checkpoint:1:late",
        ] {
            assert!(CrashPlan::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(CrashPlan::default().point(), None);
    }
}
