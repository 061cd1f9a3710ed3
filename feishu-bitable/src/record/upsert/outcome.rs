//! What an upsert reports per row: [`UpsertOutcome`], [`UpsertError`], [`UpsertSummary`].

use std::fmt;

use feishu_core::Error;

use crate::ids::RecordId;

/// What became of one input row. Every row gets exactly one outcome; `row` is its index in
/// the input.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum UpsertOutcome {
    /// No record carried the row's key: a record was created.
    Created {
        /// Index of the row in the input.
        row: usize,
        /// The new record.
        record_id: RecordId,
    },
    /// One record carried the row's key: it was updated with the row's cells.
    Updated {
        /// Index of the row in the input.
        row: usize,
        /// The updated record.
        record_id: RecordId,
    },
    /// The row was not written.
    Failed {
        /// Index of the row in the input.
        row: usize,
        /// Why.
        reason: UpsertError,
    },
}

impl UpsertOutcome {
    /// Index of the row in the input.
    pub fn row(&self) -> usize {
        match self {
            UpsertOutcome::Created { row, .. }
            | UpsertOutcome::Updated { row, .. }
            | UpsertOutcome::Failed { row, .. } => *row,
        }
    }

    /// The record written, unless the row failed.
    pub fn record_id(&self) -> Option<&RecordId> {
        match self {
            UpsertOutcome::Created { record_id, .. } | UpsertOutcome::Updated { record_id, .. } => {
                Some(record_id)
            }
            UpsertOutcome::Failed { .. } => None,
        }
    }
}

/// Why a row was not written.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum UpsertError {
    /// The row has no value for the key field.
    MissingKey,
    /// The key field, or the row's key value, cannot be matched with an `is` filter (the key
    /// must be text, a number, a single select, a phone number, a URL or an auto number).
    UnmatchableKey(String),
    /// The key appears in several input rows: which should win is unknown, so none of them
    /// is written.
    DuplicateKey {
        /// The key.
        key: String,
        /// Indexes of every input row carrying it.
        rows: Vec<usize>,
    },
    /// Several records of the table carry the key (a table can hold duplicates; an earlier
    /// race between two writers leaves them): none is touched.
    AmbiguousKey {
        /// The key.
        key: String,
        /// The records carrying it.
        record_ids: Vec<RecordId>,
    },
    /// A value of the row cannot be written (found before any request).
    InvalidRow(Error),
    /// Matching or writing failed: Feishu refused the row's batch (with a row-specific code,
    /// the batch was split until the row was alone) or the call failed.
    Request(Error),
    /// Feishu answered a batch without confirming this row (fewer records than sent); it
    /// may have been written.
    Unconfirmed,
}

impl fmt::Display for UpsertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UpsertError::MissingKey => f.write_str("the row has no value for the key field"),
            UpsertError::UnmatchableKey(why) => write!(f, "the key cannot be matched: {why}"),
            UpsertError::DuplicateKey { key, rows } => write!(
                f,
                "key {key:?} appears in {} input rows ({rows:?}); none of them was written",
                rows.len()
            ),
            UpsertError::AmbiguousKey { key, record_ids } => write!(
                f,
                "key {key:?} is carried by {} records of the table; none was touched",
                record_ids.len()
            ),
            UpsertError::InvalidRow(e) => write!(f, "the row cannot be written: {e}"),
            UpsertError::Request(e) => write!(f, "{e}"),
            UpsertError::Unconfirmed => {
                f.write_str("Feishu's reply did not confirm this row; it may have been written")
            }
        }
    }
}

impl std::error::Error for UpsertError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            UpsertError::InvalidRow(e) | UpsertError::Request(e) => Some(e),
            _ => None,
        }
    }
}

/// Counts and outcomes of a whole upsert ([`UpsertRecords::send`](crate::UpsertRecords::send)).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct UpsertSummary {
    /// Rows that created a record.
    pub created: usize,
    /// Rows that updated a record.
    pub updated: usize,
    /// Rows not written.
    pub failed: usize,
    /// Every row's outcome, in the order they were decided.
    pub outcomes: Vec<UpsertOutcome>,
}

impl UpsertSummary {
    pub(super) fn push(&mut self, outcome: UpsertOutcome) {
        match outcome {
            UpsertOutcome::Created { .. } => self.created += 1,
            UpsertOutcome::Updated { .. } => self.updated += 1,
            UpsertOutcome::Failed { .. } => self.failed += 1,
        }
        self.outcomes.push(outcome);
    }
}
