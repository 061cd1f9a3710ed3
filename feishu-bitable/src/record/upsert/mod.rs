//! Upserts: write rows into a table by a key field — update the record carrying the row's
//! key, create one where none does.

mod key;
mod matcher;
mod outcome;
mod writer;

use std::collections::HashMap;

use feishu_core::{Error, ListRequest, Result};
use futures::channel::mpsc;
use futures::stream::{self, BoxStream};
use futures::{SinkExt, StreamExt, TryStreamExt};

use self::key::{is_key_type, key_of, key_of_raw};
use self::matcher::{Decided, Matcher};
pub use self::outcome::{UpsertError, UpsertOutcome, UpsertSummary};
use self::writer::Writer;
use super::batch::{MAX_BATCH_WRITE, Target};
use super::fields::Fields;
use super::write::{WriteOptions, write_options};
use crate::field::{FieldType, ListFields};

/// How an upsert finds the records carrying its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum KeyMatch {
    /// Whichever takes fewer requests, decided from the table's record count (the first
    /// page of a key-column scan): a scan costs one search page per 500 records, a filtered
    /// search one request per 50 keys.
    #[default]
    Auto,
    /// Read the whole key column (pages of 500): best when the rows are many compared with
    /// the table.
    Scan,
    /// Search 50 keys at a time with an `or` of `is` conditions: best for a few rows into a
    /// big table. Rows are written as their searches complete.
    Search,
}

/// Writes rows into a table by a key field
/// ([`Bitable::upsert_records`](crate::Bitable::upsert_records)): the helper every project
/// writes by hand.
///
/// 1. Rows are checked: a row without a key value fails ([`UpsertError::MissingKey`]), and a
///    key appearing in several rows fails all of them ([`UpsertError::DuplicateKey`]: which
///    one should win is not knowable); values that cannot be written fail their row.
/// 2. Keys are matched to records, by a scan of the key column or by filtered searches
///    ([`KeyMatch`]). Keys compare exactly, as text (numbers as decimal strings).
/// 3. A row whose key one record carries updates that record (only the row's cells change);
///    a row whose key no record carries creates one; a key carried by several records fails
///    its row ([`UpsertError::AmbiguousKey`]) and touches nothing.
/// 4. Writes go in batches of up to 1,000 (updates first), one at a time through the table's
///    lane, each create batch with its own client_token so a retried batch never duplicates
///    rows. A batch Feishu refuses because of a row is split until the row is alone, so one
///    bad row fails only itself.
///
/// Every row gets exactly one [`UpsertOutcome`], streamed as batches complete
/// ([`into_stream`](Self::into_stream)) or collected ([`send`](Self::send)).
///
/// # The race it cannot close
///
/// Matching and writing are separate calls, and Feishu has no unique constraint: if two
/// writers upsert the same new key at the same time, both find no record and both create
/// one, and later upserts of that key fail with [`UpsertError::AmbiguousKey`]. The SDK's
/// one-writer lane serialises *writes*, not the read-then-write of an upsert, and does not
/// reach other processes. Avoid it by giving each key space one writer (one process, or one
/// job per table at a time), or by keeping the key → record id map in a store with a unique
/// index of your own and writing by record id.
///
/// # Example
/// ```no_run
/// use feishu_bitable::{Bitable, Fields, UpsertOutcome};
/// use futures::StreamExt;
/// # async fn sample(bitable: Bitable) {
/// let rows = vec![
///     Fields::new().set("Order", "SO-1001").set("Amount", 1280.5),
///     Fields::new().set("Order", "SO-1002").set("Amount", 99.0),
/// ];
/// let mut outcomes = bitable
///     .upsert_records("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456", "Order", rows)
///     .into_stream();
/// while let Some(outcome) = outcomes.next().await {
///     match outcome {
///         UpsertOutcome::Created { row, record_id } => println!("row {row}: new {record_id}"),
///         UpsertOutcome::Updated { row, record_id } => println!("row {row}: {record_id}"),
///         UpsertOutcome::Failed { row, reason } => eprintln!("row {row}: {reason}"),
///         _ => {}
///     }
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "an upsert does nothing until sent or streamed"]
pub struct UpsertRecords {
    target: Target,
    key_field: String,
    rows: Vec<Fields>,
    options: WriteOptions,
    batch_size: usize,
    strategy: KeyMatch,
    concurrency: usize,
}

impl UpsertRecords {
    pub(crate) fn new(target: Target, key_field: String, rows: Vec<Fields>) -> Self {
        UpsertRecords {
            target,
            key_field,
            rows,
            options: WriteOptions::default(),
            batch_size: MAX_BATCH_WRITE,
            strategy: KeyMatch::Auto,
            concurrency: 4,
        }
    }

    write_options!();

    /// Records per write call, `1..=1000` (default 1,000, the documented maximum).
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = n;
        self
    }

    /// How keys are matched (default [`KeyMatch::Auto`]).
    pub fn match_keys(mut self, strategy: KeyMatch) -> Self {
        self.strategy = strategy;
        self
    }

    /// Searches in flight with [`KeyMatch::Search`] (default 4, at least 1); the client's
    /// rate limiter still paces them.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    fn check(&self) -> Result<()> {
        if !(1..=MAX_BATCH_WRITE).contains(&self.batch_size) {
            return Err(Error::invalid_argument(
                "batch_size",
                format!("{} is out of range: 1..={MAX_BATCH_WRITE}", self.batch_size),
            ));
        }
        if self.key_field.is_empty() {
            return Err(Error::invalid_argument("key_field", "it is empty"));
        }
        Ok(())
    }

    /// Runs the upsert: one outcome per row, as they are decided. Bad arguments (a batch size
    /// out of range, an empty key field name) fail every row before any request.
    pub fn into_stream(self) -> BoxStream<'static, UpsertOutcome> {
        let (tx, rx) = mpsc::channel(64);
        let driver = stream::once(async move { self.drive(tx).await })
            .filter_map(|()| std::future::ready(None));
        Box::pin(stream::select(rx, driver))
    }

    /// Runs the upsert and collects the outcomes; an error only for bad arguments (before any
    /// request): a row that could not be written is an outcome.
    pub async fn send(&self) -> Result<UpsertSummary> {
        self.check()?;
        let (tx, mut rx) = mpsc::channel(64);
        let mut summary = UpsertSummary::default();
        let collect = async {
            while let Some(outcome) = rx.next().await {
                summary.push(outcome);
            }
        };
        futures::join!(self.drive(tx), collect);
        Ok(summary)
    }

    async fn drive(&self, out: mpsc::Sender<UpsertOutcome>) {
        if self.rows.is_empty() {
            return;
        }
        let writer = Writer {
            target: &self.target,
            options: &self.options,
            batch_size: self.batch_size,
            rows: &self.rows,
            out,
        };
        let (mut decisions, received) = mpsc::channel::<Decided>(4);
        let decide = async move {
            let key_type = match self.check() {
                Ok(()) => self.key_type().await,
                Err(e) => Err(UpsertError::Request(e)),
            };
            let key_type = match key_type {
                Ok(t) => t,
                Err(reason) => {
                    let failed = (0..self.rows.len()).map(|r| (r, reason.clone())).collect();
                    let _ = decisions.send(Decided::with_failed(failed)).await;
                    return;
                }
            };
            let (pending, failed) = prepare(&self.rows, &self.key_field);
            if !failed.is_empty() && decisions.send(Decided::with_failed(failed)).await.is_err() {
                return;
            }
            let matcher = Matcher {
                target: &self.target,
                key_field: &self.key_field,
                key_type,
                strategy: self.strategy,
                concurrency: self.concurrency,
            };
            matcher.run(pending, decisions).await;
        };
        futures::join!(decide, writer.run(received));
    }

    /// The key field's type, from the table's fields.
    async fn key_type(&self) -> Result<FieldType, UpsertError> {
        let t = &self.target;
        let fields: Vec<_> =
            ListFields::new(t.client.clone(), t.app_token.clone(), t.table_id.clone())
                .page_size(ListFields::MAX_PAGE_SIZE)
                .into_stream()
                .try_collect()
                .await
                .map_err(UpsertError::Request)?;
        let field = fields
            .iter()
            .find(|f| f.field_name == self.key_field)
            .ok_or_else(|| {
                UpsertError::UnmatchableKey(format!(
                    "the table has no field named {:?}",
                    self.key_field
                ))
            })?;
        if !is_key_type(field.field_type) {
            return Err(UpsertError::UnmatchableKey(format!(
                "{:?} is a {} field; keys must be text, number, single select, phone, URL or auto number",
                self.key_field, field.field_type
            )));
        }
        Ok(field.field_type)
    }
}

/// `(key, row)` of the rows to match, in input order.
type Pending = Vec<(String, usize)>;
/// Rows that fail, with why.
type Failures = Vec<(usize, UpsertError)>;

/// The rows' keys: the rows to match, and the rows that fail before any request.
fn prepare(rows: &[Fields], key_field: &str) -> (Pending, Failures) {
    let mut failed = Vec::new();
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::with_capacity(rows.len());
    for (row, fields) in rows.iter().enumerate() {
        if let Err(e) = fields.check() {
            failed.push((row, UpsertError::InvalidRow(e)));
            continue;
        }
        let key = match (fields.get(key_field), fields.get_raw(key_field)) {
            (Some(value), _) => key_of(value).ok_or_else(|| {
                UpsertError::UnmatchableKey(format!("{value:?} is not a key value"))
            }),
            (None, Some(raw)) => key_of_raw(raw)
                .ok_or_else(|| UpsertError::UnmatchableKey(format!("{raw} is not a key value"))),
            (None, None) => Err(UpsertError::MissingKey),
        };
        match key {
            Ok(key) => by_key.entry(key).or_default().push(row),
            Err(reason) => failed.push((row, reason)),
        }
    }
    let mut pending: Vec<(String, usize)> = Vec::with_capacity(by_key.len());
    // In input order (by each key's first row).
    let mut keyed: Vec<(String, Vec<usize>)> = by_key.into_iter().collect();
    keyed.sort_unstable_by_key(|(_, rows)| rows[0]);
    for (key, rows) in keyed {
        if rows.len() == 1 {
            pending.push((key, rows[0]));
        } else {
            for &row in &rows {
                failed.push((
                    row,
                    UpsertError::DuplicateKey {
                        key: key.clone(),
                        rows: rows.clone(),
                    },
                ));
            }
        }
    }
    (pending, failed)
}
