//! Writing records in batches: batch create (≤ 1,000), batch update (≤ 1,000), batch delete
//! (≤ 500). A batch is applied whole or not at all ("batch operations … all success or all
//! failure", Bitable overview:
//! <https://open.feishu.cn/document/ukTMukTMukTM/uUDN04SN0QjL1QDN/bitable-overview>).

use feishu_core::{Client, Endpoint, Error, Idempotency, Request, Result};
use serde::{Deserialize, Serialize};

use super::fields::{Fields, WireFields};
use super::model::Record;
use super::write::{DeletedRecord, WriteOptions, delete_one, write_options};
use crate::client_token::ClientToken;
use crate::codes::{BITABLE_CODES, RECORD_NOT_FOUND, RECORD_WRITE_LIMIT};
use crate::ids::{AppToken, RecordId, TableId};
use crate::lane;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/batch_create>
// node-sdk code-gen/projects/bitable.ts (appTableRecord.batchCreate): ≤ 1,000 records (the
// page's introduction; oapi-sdk-go's 2024 comments said 500). Carries a client_token.
pub(crate) const BATCH_CREATE_RECORDS: Endpoint = Endpoint::post(
    "bitable.records.batch_create",
    "bitable/v1/apps/{app_token}/tables/{table_id}/records/batch_create",
)
.idempotency(Idempotency::WithToken)
.limit(RECORD_WRITE_LIMIT)
.codes(BITABLE_CODES);

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/batch_update>
// node-sdk code-gen/projects/bitable.ts (appTableRecord.batchUpdate): ≤ 1,000 records. A POST,
// but it sets the given cells of the given records to the given values: repeating it leaves
// the same records, so it is retried like a PUT.
pub(crate) const BATCH_UPDATE_RECORDS: Endpoint = Endpoint::post(
    "bitable.records.batch_update",
    "bitable/v1/apps/{app_token}/tables/{table_id}/records/batch_update",
)
.idempotency(Idempotency::Idempotent)
.limit(RECORD_WRITE_LIMIT)
.codes(BITABLE_CODES);

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/batch_delete>
// node-sdk code-gen/projects/bitable.ts (appTableRecord.batchDelete): ≤ 500 record ids. A
// repeat deletes nothing more (it answers 1254043, handled below), so it is retried.
pub(crate) const BATCH_DELETE_RECORDS: Endpoint = Endpoint::post(
    "bitable.records.batch_delete",
    "bitable/v1/apps/{app_token}/tables/{table_id}/records/batch_delete",
)
.idempotency(Idempotency::Idempotent)
.limit(RECORD_WRITE_LIMIT)
.codes(BITABLE_CODES);

/// Most records of one batch create or update call (the pages' current figure).
pub const MAX_BATCH_WRITE: usize = 1000;
/// Most record ids of one batch delete call.
pub const MAX_BATCH_DELETE: usize = 500;

/// One record of a batch update: which record, and the cells to set.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RecordUpdate {
    /// The record to change.
    pub record_id: RecordId,
    /// The cells to set (others keep their values).
    pub fields: Fields,
}

impl RecordUpdate {
    /// `fields` for `record_id`.
    pub fn new(record_id: impl Into<RecordId>, fields: Fields) -> Self {
        RecordUpdate {
            record_id: record_id.into(),
            fields,
        }
    }
}

#[derive(Deserialize)]
struct RecordsData {
    #[serde(default)]
    records: Vec<Record>,
}

#[derive(Deserialize)]
struct DeletedData {
    #[serde(default)]
    records: Vec<DeletedRecord>,
}

#[derive(Serialize)]
struct NewRow<'a> {
    fields: WireFields<'a>,
}

#[derive(Serialize)]
struct ChangedRow<'a> {
    record_id: &'a RecordId,
    fields: WireFields<'a>,
}

#[derive(Serialize)]
struct Rows<T> {
    records: T,
}

fn check_count(n: usize, max: usize, what: &'static str) -> Result<()> {
    if n > max {
        return Err(Error::invalid_argument(
            what,
            format!("{n} records in one call: at most {max}"),
        ));
    }
    Ok(())
}

/// Where a batch goes.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) client: Client,
    pub(crate) app_token: AppToken,
    pub(crate) table_id: TableId,
}

impl Target {
    fn request(&self, endpoint: Endpoint) -> Result<Request> {
        Request::new(endpoint, &[self.app_token.as_str(), self.table_id.as_str()])
    }

    /// One batch create under the table's lane (rows checked by the caller).
    pub(crate) async fn create(
        &self,
        rows: &[&Fields],
        options: &WriteOptions,
        token: &ClientToken,
    ) -> Result<Vec<Record>> {
        let body = Rows {
            records: rows
                .iter()
                .map(|f| NewRow { fields: f.wire() })
                .collect::<Vec<_>>(),
        };
        let req = self
            .request(BATCH_CREATE_RECORDS)?
            .query("client_token", token.as_str());
        let req = options.apply(req).json(&body)?;
        let _lane = lane::acquire(&self.client, &self.app_token, &self.table_id).await;
        let data: RecordsData = self.client.send(req).await?;
        Ok(data.records)
    }

    /// One batch update under the table's lane (rows checked by the caller).
    pub(crate) async fn update(
        &self,
        rows: &[(&RecordId, &Fields)],
        options: &WriteOptions,
    ) -> Result<Vec<Record>> {
        let body = Rows {
            records: rows
                .iter()
                .map(|(id, f)| ChangedRow {
                    record_id: id,
                    fields: f.wire(),
                })
                .collect::<Vec<_>>(),
        };
        let req = options
            .apply(self.request(BATCH_UPDATE_RECORDS)?)
            .json(&body)?;
        let _lane = lane::acquire(&self.client, &self.app_token, &self.table_id).await;
        let data: RecordsData = self.client.send(req).await?;
        Ok(data.records)
    }

    /// One batch delete under the table's lane. Feishu refuses a whole batch naming a record
    /// that does not exist (1254043), which is also what a repeat of an applied batch gets:
    /// the ids are then deleted one by one, a missing one reported `deleted: false`.
    pub(crate) async fn delete(
        &self,
        ids: &[RecordId],
        options: &WriteOptions,
    ) -> Result<Vec<DeletedRecord>> {
        let req = options
            .apply(self.request(BATCH_DELETE_RECORDS)?)
            .json(&Rows { records: ids })?;
        let _lane = lane::acquire(&self.client, &self.app_token, &self.table_id).await;
        match self.client.send::<DeletedData>(req).await {
            Ok(data) => Ok(data.records),
            Err(e) if e.api_code() == Some(RECORD_NOT_FOUND) => {
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    out.push(
                        delete_one(&self.client, &self.app_token, &self.table_id, id, options)
                            .await?,
                    );
                }
                Ok(out)
            }
            Err(e) => Err(e),
        }
    }
}

/// Creates up to [`MAX_BATCH_WRITE`] records in one call (`POST …/records/batch_create`,
/// [batch create](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/batch_create)).
/// Built by [`Bitable::batch_create_records`](crate::Bitable::batch_create_records).
///
/// The batch is applied whole or not at all. Each [`send`](Self::send) carries a fresh
/// [`ClientToken`] (or the one given), reused on every retry of that send, so a retried batch
/// never duplicates rows. Records come back in request order (as Feishu's examples show; the
/// pages do not promise it). An empty batch sends nothing; more than [`MAX_BATCH_WRITE`] rows
/// fail with [`Error::InvalidArgument`] before any request (use
/// [`Bitable::upsert_records`](crate::Bitable::upsert_records) for any number).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct BatchCreateRecords {
    target: Target,
    rows: Vec<Fields>,
    options: WriteOptions,
    client_token: Option<ClientToken>,
}

impl BatchCreateRecords {
    pub(crate) fn new(target: Target, rows: Vec<Fields>) -> Self {
        BatchCreateRecords {
            target,
            rows,
            options: WriteOptions::default(),
            client_token: None,
        }
    }

    write_options!();

    /// The idempotency key to send (default: a new one per [`send`](Self::send)).
    pub fn client_token(mut self, token: ClientToken) -> Self {
        self.client_token = Some(token);
        self
    }

    /// Sends the call; the new records in request order.
    pub async fn send(&self) -> Result<Vec<Record>> {
        check_count(self.rows.len(), MAX_BATCH_WRITE, "records")?;
        if self.rows.is_empty() {
            return Ok(Vec::new());
        }
        for row in &self.rows {
            row.check()?;
        }
        let token = self.client_token.clone().unwrap_or_else(ClientToken::new);
        let rows: Vec<&Fields> = self.rows.iter().collect();
        self.target.create(&rows, &self.options, &token).await
    }
}

/// Updates up to [`MAX_BATCH_WRITE`] records in one call (`POST …/records/batch_update`,
/// [batch update](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/batch_update)):
/// only the given cells of each record change. Built by
/// [`Bitable::batch_update_records`](crate::Bitable::batch_update_records). Applied whole or not
/// at all, and retried after a timeout (setting values twice changes nothing more).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct BatchUpdateRecords {
    target: Target,
    rows: Vec<RecordUpdate>,
    options: WriteOptions,
}

impl BatchUpdateRecords {
    pub(crate) fn new(target: Target, rows: Vec<RecordUpdate>) -> Self {
        BatchUpdateRecords {
            target,
            rows,
            options: WriteOptions::default(),
        }
    }

    write_options!();

    /// Sends the call; the updated records in request order.
    pub async fn send(&self) -> Result<Vec<Record>> {
        check_count(self.rows.len(), MAX_BATCH_WRITE, "records")?;
        if self.rows.is_empty() {
            return Ok(Vec::new());
        }
        for row in &self.rows {
            row.fields.check()?;
        }
        let rows: Vec<(&RecordId, &Fields)> = self
            .rows
            .iter()
            .map(|r| (&r.record_id, &r.fields))
            .collect();
        self.target.update(&rows, &self.options).await
    }
}

/// Deletes up to [`MAX_BATCH_DELETE`] records in one call (`POST …/records/batch_delete`,
/// [batch delete](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/batch_delete)).
/// Built by [`Bitable::batch_delete_records`](crate::Bitable::batch_delete_records).
///
/// Idempotent like [`DeleteRecord`](crate::DeleteRecord): Feishu refuses a batch naming a
/// record that does not exist (1254043), so the SDK then deletes the ids one by one and
/// reports the missing ones with [`DeletedRecord::deleted`] `false`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct BatchDeleteRecords {
    target: Target,
    ids: Vec<RecordId>,
    options: WriteOptions,
}

impl BatchDeleteRecords {
    pub(crate) fn new(target: Target, ids: Vec<RecordId>) -> Self {
        BatchDeleteRecords {
            target,
            ids,
            options: WriteOptions::default(),
        }
    }

    /// `ignore_consistency_check` (see
    /// [`CreateRecord::ignore_consistency_check`](crate::CreateRecord::ignore_consistency_check)).
    pub fn ignore_consistency_check(mut self, yes: bool) -> Self {
        self.options.ignore_consistency_check = Some(yes);
        self
    }

    /// Sends the call.
    pub async fn send(&self) -> Result<Vec<DeletedRecord>> {
        check_count(self.ids.len(), MAX_BATCH_DELETE, "record_ids")?;
        if self.ids.is_empty() {
            return Ok(Vec::new());
        }
        self.target.delete(&self.ids, &self.options).await
    }
}

#[cfg(test)]
mod tests {
    use feishu_core::{Idempotency, RateLimit};

    use super::*;
    use crate::record::write::{CREATE_RECORD, DELETE_RECORD, UPDATE_RECORD};

    #[test]
    fn record_writes_declare_their_documented_limit_and_idempotency() {
        for (endpoint, idempotency) in [
            (CREATE_RECORD, Idempotency::WithToken),
            (BATCH_CREATE_RECORDS, Idempotency::WithToken),
            (UPDATE_RECORD, Idempotency::Idempotent),
            (BATCH_UPDATE_RECORDS, Idempotency::Idempotent),
            (DELETE_RECORD, Idempotency::Idempotent),
            (BATCH_DELETE_RECORDS, Idempotency::Idempotent),
        ] {
            assert_eq!(
                endpoint.rate_limit(),
                RateLimit::per_second(50),
                "{}",
                endpoint.name()
            );
            assert_eq!(
                endpoint.idempotency_kind(),
                idempotency,
                "{}",
                endpoint.name()
            );
            // A write conflict was not applied: safe to repeat for any of them.
            assert!(endpoint.code_table().is_not_applied(1254291));
        }
    }
}
