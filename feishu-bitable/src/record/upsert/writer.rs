//! Writing the decided rows: updates and creates in batches of the documented maximum, one
//! batch at a time (the table's lane keeps other writers out), splitting a batch Feishu
//! refuses because of one row until the row is alone.

use feishu_core::Error;
use futures::channel::mpsc::{Receiver, Sender};
use futures::{SinkExt, StreamExt};

use super::matcher::Decided;
use super::outcome::{UpsertError, UpsertOutcome};
use crate::client_token::ClientToken;
use crate::codes::TOO_MANY_RECORDS;
use crate::ids::RecordId;
use crate::record::batch::Target;
use crate::record::fields::Fields;
use crate::record::model::Record;
use crate::record::write::WriteOptions;

/// How many times one batch may be split to isolate rows Feishu refuses (a single bad row in
/// 1,000 takes 10 splits).
const MAX_SPLITS: u32 = 64;

/// Codes with which Feishu refuses a batch because of some of its rows (a value of the wrong
/// shape, an unknown field name, a record deleted meanwhile, a cell too large, an attachment
/// not uploaded): splitting the batch isolates them (error tables of the record write pages).
fn is_row_specific(code: i64) -> bool {
    matches!(
        code,
        1254015 | 1254043 | 1254045 | 1254060..=1254074 | 1254106 | 1254130 | 1254303
    )
}

/// One row to write.
#[derive(Debug, Clone)]
enum Item {
    Create(usize),
    Update(usize, RecordId),
}

impl Item {
    fn row(&self) -> usize {
        match self {
            Item::Create(row) | Item::Update(row, _) => *row,
        }
    }
}

pub(super) struct Writer<'a> {
    pub(super) target: &'a Target,
    pub(super) options: &'a WriteOptions,
    pub(super) batch_size: usize,
    pub(super) rows: &'a [Fields],
    pub(super) out: Sender<UpsertOutcome>,
}

impl Writer<'_> {
    /// Writes every decision of `decisions`: full batches as soon as there are enough rows,
    /// the rest at the end (updates first).
    pub(super) async fn run(mut self, mut decisions: Receiver<Decided>) {
        let mut updates: Vec<Item> = Vec::new();
        let mut creates: Vec<Item> = Vec::new();
        while let Some(decided) = decisions.next().await {
            for (row, reason) in decided.failed {
                if !self.emit(UpsertOutcome::Failed { row, reason }).await {
                    return;
                }
            }
            updates.extend(
                decided
                    .updates
                    .into_iter()
                    .map(|(r, id)| Item::Update(r, id)),
            );
            creates.extend(decided.creates.into_iter().map(Item::Create));
            for pending in [&mut updates, &mut creates] {
                while pending.len() >= self.batch_size {
                    let batch: Vec<Item> = pending.drain(..self.batch_size).collect();
                    if !self.write(batch).await {
                        return;
                    }
                }
            }
        }
        for batch in [updates, creates] {
            if !batch.is_empty() && !self.write(batch).await {
                return;
            }
        }
    }

    async fn emit(&mut self, outcome: UpsertOutcome) -> bool {
        self.out.send(outcome).await.is_ok()
    }

    /// Writes one batch (all creates or all updates), splitting it as needed. False when
    /// nobody listens any more.
    async fn write(&mut self, batch: Vec<Item>) -> bool {
        let mut work = vec![batch];
        let mut splits = MAX_SPLITS;
        while let Some(mut batch) = work.pop() {
            let error = match self.send(&batch).await {
                Ok(records) => {
                    if !self.confirm(&batch, records).await {
                        return false;
                    }
                    continue;
                }
                Err(e) => e,
            };
            let code = error.api_code().unwrap_or_default();
            // An older deployment's smaller maximum, or a row Feishu refuses: halve.
            let split = batch.len() > 1
                && (code == TOO_MANY_RECORDS || (is_row_specific(code) && splits > 0));
            if split {
                if code != TOO_MANY_RECORDS {
                    splits -= 1;
                }
                let right = batch.split_off(batch.len() / 2);
                work.push(right);
                work.push(batch);
                continue;
            }
            for item in batch {
                let failed = UpsertOutcome::Failed {
                    row: item.row(),
                    reason: UpsertError::Request(error.clone()),
                };
                if !self.emit(failed).await {
                    return false;
                }
            }
        }
        true
    }

    /// One call: a batch create with a fresh client_token (reused by the SDK on its
    /// retries), or a batch update.
    async fn send(&self, batch: &[Item]) -> Result<Vec<Record>, Error> {
        match batch.first() {
            Some(Item::Create(_)) => {
                let rows: Vec<&Fields> = batch.iter().map(|i| &self.rows[i.row()]).collect();
                self.target
                    .create(&rows, self.options, &ClientToken::new())
                    .await
            }
            Some(Item::Update(..)) => {
                let rows: Vec<(&RecordId, &Fields)> = batch
                    .iter()
                    .filter_map(|i| match i {
                        Item::Update(row, id) => Some((id, &self.rows[*row])),
                        Item::Create(_) => None,
                    })
                    .collect();
                self.target.update(&rows, self.options).await
            }
            None => Ok(Vec::new()),
        }
    }

    /// The outcomes of a batch Feishu accepted: its records come back in request order.
    async fn confirm(&mut self, batch: &[Item], records: Vec<Record>) -> bool {
        let mut records = records.into_iter();
        for item in batch {
            let outcome = match (item, records.next()) {
                (Item::Create(row), Some(r)) => UpsertOutcome::Created {
                    row: *row,
                    record_id: r.record_id,
                },
                (Item::Update(row, id), _) => UpsertOutcome::Updated {
                    row: *row,
                    record_id: id.clone(),
                },
                (Item::Create(row), None) => UpsertOutcome::Failed {
                    row: *row,
                    reason: UpsertError::Unconfirmed,
                },
            };
            if !self.emit(outcome).await {
                return false;
            }
        }
        true
    }
}
