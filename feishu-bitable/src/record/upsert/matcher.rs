//! Matching rows to records by key: a scan of the key column or filtered searches, whichever
//! needs fewer requests, with decisions handed to the writer as they are made.

use std::collections::HashMap;

use feishu_core::{Error, ListRequest, Page};
use futures::channel::mpsc::Sender;
use futures::stream::FuturesOrdered;
use futures::{SinkExt, StreamExt, TryStreamExt};

use super::KeyMatch;
use super::key::key_of_cell;
use super::outcome::UpsertError;
use crate::field::FieldType;
use crate::ids::RecordId;
use crate::record::batch::Target;
use crate::record::filter::{Condition, Filter};
use crate::record::model::Record;
use crate::record::search::SearchRecords;

/// Conditions per search filter (search page, `filter.conditions`: at most 50; each `is`
/// takes one value).
pub(super) const KEYS_PER_SEARCH: usize = 50;
/// Records per search page (search page: `page_size` at most 500).
const PAGE: u32 = SearchRecords::MAX_PAGE_SIZE;

/// What matching decided for some rows.
#[derive(Debug, Default)]
pub(super) struct Decided {
    pub(super) updates: Vec<(usize, RecordId)>,
    pub(super) creates: Vec<usize>,
    pub(super) failed: Vec<(usize, UpsertError)>,
}

impl Decided {
    /// Only failures.
    pub(super) fn with_failed(failed: Vec<(usize, UpsertError)>) -> Decided {
        Decided {
            failed,
            ..Decided::default()
        }
    }

    /// Every row of `pending` failed with `error`.
    fn failed(pending: &[(String, usize)], error: &Error) -> Decided {
        Decided {
            failed: pending
                .iter()
                .map(|(_, row)| (*row, UpsertError::Request(error.clone())))
                .collect(),
            ..Decided::default()
        }
    }
}

pub(super) struct Matcher<'a> {
    pub(super) target: &'a Target,
    pub(super) key_field: &'a str,
    pub(super) key_type: FieldType,
    pub(super) strategy: KeyMatch,
    pub(super) concurrency: usize,
}

impl Matcher<'_> {
    fn search(&self) -> SearchRecords {
        let t = self.target;
        SearchRecords::new(t.client.clone(), t.app_token.clone(), t.table_id.clone())
            .field_names([self.key_field])
            .page_size(PAGE)
    }

    /// Matches `pending` (key, row), sending decisions to `tx`; returns when all are sent.
    pub(super) async fn run(&self, pending: Vec<(String, usize)>, mut tx: Sender<Decided>) {
        if pending.is_empty() {
            return;
        }
        let searches = pending.len().div_ceil(KEYS_PER_SEARCH);
        let decided = match self.strategy {
            KeyMatch::Search => return self.by_search(pending, tx).await,
            KeyMatch::Scan => self.by_scan(None, &pending).await,
            KeyMatch::Auto => match self.search().send().await {
                Err(e) => Err(e),
                Ok(first) => {
                    // A scan costs one request per 500 records, a search one per 50 keys.
                    let scan_pages = first.total.map(|t| t.div_ceil(u64::from(PAGE)));
                    let scan = !first.has_more || scan_pages.is_some_and(|p| p <= searches as u64);
                    if !scan {
                        return self.by_search(pending, tx).await;
                    }
                    self.by_scan(Some(first), &pending).await
                }
            },
        };
        let decided = decided.unwrap_or_else(|e| Decided::failed(&pending, &e));
        let _ = tx.send(decided).await;
    }

    /// Reads the whole key column (continuing after `first`), then decides every row.
    async fn by_scan(
        &self,
        first: Option<Page<Record>>,
        pending: &[(String, usize)],
    ) -> Result<Decided, Error> {
        let wanted: HashMap<&str, usize> = pending.iter().map(|(k, r)| (k.as_str(), *r)).collect();
        let mut found: HashMap<usize, Vec<RecordId>> = HashMap::new();
        let mut note = |record: Record| {
            let key = record
                .fields
                .get(self.key_field)
                .and_then(|raw| key_of_cell(self.key_type, raw));
            if let Some(row) = key.and_then(|k| wanted.get(k.as_str()).copied()) {
                found.entry(row).or_default().push(record.record_id);
            }
        };
        let rest = match first {
            Some(page) => {
                let token = page.next_token().map(str::to_string);
                page.items.into_iter().for_each(&mut note);
                token.map(|t| self.search().page_token(t))
            }
            None => Some(self.search()),
        };
        if let Some(search) = rest {
            let mut records = search.into_stream();
            while let Some(record) = records.try_next().await? {
                note(record);
            }
        }
        Ok(decide(pending, &mut found))
    }

    /// Searches the keys 50 at a time (a few searches in flight), deciding each group as its
    /// search completes. After a failed search the remaining rows fail with its error.
    async fn by_search(&self, pending: Vec<(String, usize)>, mut tx: Sender<Decided>) {
        let chunks: Vec<&[(String, usize)]> = pending.chunks(KEYS_PER_SEARCH).collect();
        let mut in_flight = FuturesOrdered::new();
        let mut next = 0;
        loop {
            while in_flight.len() < self.concurrency.max(1) && next < chunks.len() {
                let chunk = chunks[next];
                in_flight.push_back(async move { (chunk, self.search_keys(chunk).await) });
                next += 1;
            }
            let Some((chunk, result)) = in_flight.next().await else {
                return;
            };
            let decided = match result {
                Ok(mut found) => decide(chunk, &mut found),
                Err(e) => {
                    // This chunk, the ones still in flight and the ones not started.
                    let done = next - in_flight.len() - 1;
                    let rest: Vec<(String, usize)> = chunks[done..].concat();
                    let _ = tx.send(Decided::failed(&rest, &e)).await;
                    return;
                }
            };
            if tx.send(decided).await.is_err() {
                return;
            }
        }
    }

    /// The records carrying each key of `chunk`, by row.
    async fn search_keys(
        &self,
        chunk: &[(String, usize)],
    ) -> Result<HashMap<usize, Vec<RecordId>>, Error> {
        let conditions = chunk
            .iter()
            .map(|(key, _)| Condition::is(self.key_field, key.as_str()))
            .collect();
        let wanted: HashMap<&str, usize> = chunk.iter().map(|(k, r)| (k.as_str(), *r)).collect();
        let mut found: HashMap<usize, Vec<RecordId>> = HashMap::new();
        let mut records = self.search().filter(Filter::or(conditions)).into_stream();
        while let Some(record) = records.try_next().await? {
            // Keys compare exactly: a record the server matched otherwise is not this key's.
            let key = record
                .fields
                .get(self.key_field)
                .and_then(|raw| key_of_cell(self.key_type, raw));
            if let Some(row) = key.and_then(|k| wanted.get(k.as_str()).copied()) {
                found.entry(row).or_default().push(record.record_id);
            }
        }
        Ok(found)
    }
}

/// Update (one match), create (none) or refuse (several) each row of `pending`.
fn decide(pending: &[(String, usize)], found: &mut HashMap<usize, Vec<RecordId>>) -> Decided {
    let mut d = Decided::default();
    for (key, row) in pending {
        match found.remove(row) {
            None => d.creates.push(*row),
            Some(mut ids) if ids.len() == 1 => d.updates.push((*row, ids.remove(0))),
            Some(ids) => d.failed.push((
                *row,
                UpsertError::AmbiguousKey {
                    key: key.clone(),
                    record_ids: ids,
                },
            )),
        }
    }
    d
}
