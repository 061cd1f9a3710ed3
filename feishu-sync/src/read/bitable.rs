//! `bitable_records`: a full refresh of the Base's tables, side by side, through search
//! records (the endpoint Feishu recommends; the historic list endpoint flattens text and
//! numbers to strings unless asked not to), each table resumable by page token on its own.
//!
//! The tables are the config's `table_ids` (or `table_id`), else every table of the Base,
//! listed at the start of each read. Records can be read again by id (batch get), and a
//! record that is gone becomes a tombstone. Each table's pages are sequential; the tables run side
//! by side, their calls paced by the client's budget of the Bitable family (20 a second), so
//! a many-table Base is read near that budget instead of at one table's page latency.

use feishu_bitable::{Bitable, ListRequest, MAX_BATCH_GET, Record, SearchRecords};
use feishu_core::Error;
use futures::{StreamExt, TryStreamExt, stream};

use super::reader::{Flow, Out, Reader, Reread, Stop, first_failure, now_ms};
use crate::catalog::BITABLE_RECORDS;
use crate::config::BitableConfig;
use crate::message::LogLevel;
use crate::module::Module;
use crate::records::BitableRecord;
use crate::state::{BitableState, SyncState, TableRun};
use crate::{Source, SourceConfig};

/// Codes Bitable may answer a page token it does not accept with: 1254002 "Fail" (search
/// records' error table names "an invalid page_token" among its causes) and 1254011 (HTTP 400,
/// its error for a bad page parameter); see the error table of
/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/search>.
/// Which one a foreign token gets is not documented, so both count. A state saved by a
/// version that read the historic list endpoint holds that endpoint's token, which search may
/// refuse.
const REFUSED_PAGE_TOKEN: [i64; 2] = [1254002, 1254011];

/// Tables read at once: enough to keep the Bitable budget (20 calls a second) busy at a page
/// latency of over a second; the budget, not this number, sets the pace.
const TABLES_IN_FLIGHT: usize = 32;

/// The Bitable module's reader.
pub(crate) struct BitableReader {
    api: Bitable,
    config: BitableConfig,
    section: BitableState,
}

/// A change of the Bitable section.
pub(crate) enum BitableUpdate {
    /// The whole section (at the start of a read).
    Section(BitableState),
    /// One table's progress.
    Table(String, TableRun),
}

impl BitableReader {
    /// The reader of `source`'s Base, from `state`; `None` without a `bitable` section.
    pub(crate) fn new(source: &Source, state: &SyncState) -> Option<Self> {
        let config: &SourceConfig = &source.config;
        let cfg = config.bitable.as_ref()?;
        let section = state
            .bitable
            .clone()
            .filter(|s| s.app_token == cfg.app_token)
            .unwrap_or_else(|| BitableState::new(cfg.app_token.clone()));
        Some(BitableReader {
            api: Bitable::new(source.client.clone()),
            config: cfg.clone(),
            section,
        })
    }

    /// The tables to read: the config's, else every table of the Base.
    async fn tables(&self) -> Flow<Vec<String>> {
        if let Some(ids) = self.config.tables() {
            return Ok(ids);
        }
        self.api
            .list_tables(self.config.app_token.as_str())
            .into_stream()
            .map_ok(|t| t.table_id.into_string())
            .try_collect()
            .await
            .map_err(|e| Stop::failed(BITABLE_RECORDS, &e))
    }
}

impl Reader for BitableReader {
    type Update = BitableUpdate;
    const MODULE: Module = Module::Bitable;

    fn apply(state: &mut SyncState, update: BitableUpdate) {
        match update {
            BitableUpdate::Section(section) => state.bitable = Some(section),
            BitableUpdate::Table(table, run) => {
                if let Some(section) = &mut state.bitable {
                    section.tables.insert(table, run);
                }
            }
        }
    }

    async fn read(&self, out: &mut Out<BitableUpdate>) -> Flow {
        let tables = self.tables().await?;
        // Progress of tables no longer read is dropped.
        let mut section = self.section.clone();
        section.tables.retain(|t, _| tables.contains(t));
        out.checkpoint(BitableUpdate::Section(section.clone()))
            .await?;
        let reads: Vec<_> = tables
            .into_iter()
            .map(|table| {
                let resume = section.tables.get(&table).cloned();
                let mut out = out.fork();
                async move { self.read_table(&table, resume, &mut out).await }
            })
            .collect();
        let outcomes: Vec<Flow> = stream::iter(reads)
            .buffer_unordered(TABLES_IN_FLIGHT)
            .collect()
            .await;
        first_failure(outcomes, out).await
    }
}

impl BitableReader {
    /// One table, from its stored page token (unless it is done in this run); a checkpoint
    /// after each page.
    async fn read_table(
        &self,
        table: &str,
        resume: Option<TableRun>,
        out: &mut Out<BitableUpdate>,
    ) -> Flow {
        let mut token = match resume {
            Some(TableRun::Done) => return Ok(()),
            Some(TableRun::Reading { page_token }) => Some(page_token),
            None => None,
        };
        let page_size = u32::try_from(out.settings().checkpoint_every)
            .unwrap_or(u32::MAX)
            .min(SearchRecords::MAX_PAGE_SIZE);
        let what = || format!("{BITABLE_RECORDS} (table {table})");
        let mut pages = self.search(table, page_size, token.clone()).by_page();
        let mut done = false;
        while let Some(page) = pages.next().await {
            let page = match page {
                Err(e) if token.is_some() && refuses_token(&e) => {
                    // Only the resumed first page can get here: `token` is cleared below.
                    tracing::warn!(error = %e, table, "bitable: the stored page token was refused; reading the table from its first page");
                    token = None;
                    pages = self.search(table, page_size, None).by_page();
                    continue;
                }
                page => page.map_err(|e| Stop::failed(what(), &e))?,
            };
            token = None;
            let next = page.next_token().map(str::to_string);
            for record in page.items {
                out.emit(self.record(table, record)).await?;
            }
            done = next.is_none();
            let run = match next {
                Some(page_token) => TableRun::Reading { page_token },
                None => TableRun::Done,
            };
            out.checkpoint(BitableUpdate::Table(table.to_string(), run))
                .await?;
        }
        if done {
            return Ok(());
        }
        // A listing that ends without a last page (no page at all) is done too.
        out.checkpoint(BitableUpdate::Table(table.to_string(), TableRun::Done))
            .await
    }

    /// The search of `table`, `automatic_fields` on, through the config's view (in the
    /// body), in pages no larger than a checkpoint, from `page_token`.
    fn search(&self, table: &str, page_size: u32, page_token: Option<String>) -> SearchRecords {
        let mut request = self
            .api
            .search_records(self.config.app_token.as_str(), table)
            .automatic_fields(true)
            .page_size(page_size);
        if let Some(view) = &self.config.view_id {
            request = request.view_id(view.as_str());
        }
        if let Some(token) = page_token {
            request = request.page_token(token);
        }
        request
    }

    /// A record of the stream, `fields` exactly as received.
    fn record(&self, table: &str, record: Record) -> BitableRecord {
        BitableRecord {
            app_token: self.config.app_token.clone(),
            table_id: table.to_string(),
            record_id: record.record_id.into_string(),
            fields: Some(record.fields),
            created_time: record.created_time,
            last_modified_time: record.last_modified_time,
            created_by: record.created_by,
            last_modified_by: record.last_modified_by,
            deleted: false,
            deleted_at: None,
        }
    }
}

fn refuses_token(e: &Error) -> bool {
    e.api_code()
        .is_some_and(|code| REFUSED_PAGE_TOKEN.contains(&code))
}

/// Records of one table to read again, or to record as deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RecordsTarget {
    /// The table.
    pub(crate) table: String,
    /// Records to read again (a tombstone for each one that is gone).
    pub(crate) read: Vec<String>,
    /// Records known to be deleted (a `record_deleted` action): tombstones, no call.
    pub(crate) deleted: Vec<String>,
}

impl Reread for BitableReader {
    type Target = RecordsTarget;

    /// Batch gets of at most 100 ids; the ids Bitable reports absent or forbidden (a full
    /// read would not list them either) become tombstones.
    async fn reread(&self, target: RecordsTarget, out: &mut Out<BitableUpdate>) -> Flow {
        let RecordsTarget {
            table,
            read,
            deleted,
        } = target;
        let what = || format!("{BITABLE_RECORDS} (table {table})");
        let mut gone = deleted;
        for chunk in read.chunks(MAX_BATCH_GET) {
            let found = self
                .api
                .batch_get_records(
                    self.config.app_token.as_str(),
                    table.as_str(),
                    chunk.iter().map(String::as_str),
                )
                .automatic_fields(true)
                .send()
                .await
                .map_err(|e| Stop::failed(what(), &e))?;
            for record in found.records {
                out.emit(self.record(&table, record)).await?;
            }
            out.flush().await?;
            gone.extend(found.absent.into_iter().map(|id| id.into_string()));
            if !found.forbidden.is_empty() {
                let message = format!(
                    "{}: {} record(s) the app may not read (advanced permissions) are recorded \
                     as deleted",
                    what(),
                    found.forbidden.len()
                );
                out.log(LogLevel::Warn, message).await?;
                gone.extend(found.forbidden.into_iter().map(|id| id.into_string()));
            }
        }
        let at = now_ms();
        for record_id in gone {
            let tombstone = BitableRecord::tombstone(
                self.config.app_token.clone(),
                table.clone(),
                record_id,
                at,
            );
            out.emit(tombstone).await?;
        }
        out.flush().await
    }
}
