//! Writing one record: create, update, delete, and what every record write shares (the
//! options, the replies, the one-writer lane).

use feishu_core::{Client, Endpoint, Idempotency, Request, Result, UserIdType};
use serde::{Deserialize, Serialize};

use super::fields::{Fields, WireFields};
use super::model::Record;
use crate::client_token::ClientToken;
use crate::codes::{BITABLE_CODES, RECORD_NOT_FOUND, RECORD_WRITE_LIMIT};
use crate::ids::{AppToken, RecordId, TableId, id_or_empty};
use crate::lane;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/create>
// node-sdk code-gen/projects/bitable.ts (appTableRecord.create). `client_token` (query, UUIDv4)
// makes a repeat harmless: retried after a timeout or reset with the same token.
pub(crate) const CREATE_RECORD: Endpoint = Endpoint::post(
    "bitable.records.create",
    "bitable/v1/apps/{app_token}/tables/{table_id}/records",
)
.idempotency(Idempotency::WithToken)
.limit(RECORD_WRITE_LIMIT)
.codes(BITABLE_CODES);

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/update>
// node-sdk code-gen/projects/bitable.ts (appTableRecord.update). PUT by id setting the given
// cells to the given values: repeating it leaves the same record.
pub(crate) const UPDATE_RECORD: Endpoint = Endpoint::put(
    "bitable.records.update",
    "bitable/v1/apps/{app_token}/tables/{table_id}/records/{record_id}",
)
.limit(RECORD_WRITE_LIMIT)
.codes(BITABLE_CODES);

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/delete>
// node-sdk code-gen/projects/bitable.ts (appTableRecord.delete). DELETE by id: a repeat
// deletes nothing more (it answers 1254043, read as "already gone").
pub(crate) const DELETE_RECORD: Endpoint = Endpoint::delete(
    "bitable.records.delete",
    "bitable/v1/apps/{app_token}/tables/{table_id}/records/{record_id}",
)
.limit(RECORD_WRITE_LIMIT)
.codes(BITABLE_CODES);

/// Query options every record write takes.
#[derive(Debug, Clone, Default)]
pub(crate) struct WriteOptions {
    pub(crate) user_id_type: Option<UserIdType>,
    pub(crate) ignore_consistency_check: Option<bool>,
}

impl WriteOptions {
    pub(crate) fn apply(&self, req: Request) -> Request {
        req.query_opt("user_id_type", self.user_id_type.map(UserIdType::as_str))
            .query_opt("ignore_consistency_check", self.ignore_consistency_check)
    }
}

/// The builder methods of [`WriteOptions`], shared by every record write builder.
macro_rules! write_options {
    () => {
        /// Id type of the person ids in the written values and the reply (`open_id` by
        /// default; `user_id` needs `contact:user.employee_id:readonly`).
        pub fn user_id_type(mut self, id_type: feishu_core::UserIdType) -> Self {
            self.options.user_id_type = Some(id_type);
            self
        }

        /// `ignore_consistency_check`: skip Feishu's read/write consistency check for speed
        /// (the write pages suggest it when 1254291 write conflicts persist; nodes may be
        /// briefly inconsistent).
        pub fn ignore_consistency_check(mut self, yes: bool) -> Self {
            self.options.ignore_consistency_check = Some(yes);
            self
        }
    };
}
pub(crate) use write_options;

/// `{record}` of the create and update replies.
#[derive(Deserialize)]
struct RecordData {
    record: Record,
}

/// The reply of a record delete: which record, and whether this call deleted it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct DeletedRecord {
    /// The record.
    #[serde(deserialize_with = "id_or_empty")]
    pub record_id: RecordId,
    /// `false` when the record was not there (any more): deleting is idempotent, so the SDK
    /// reports an unknown id this way instead of failing, and a delete whose first reply was
    /// lost and was sent again reports `false` too.
    pub deleted: bool,
}

#[derive(Serialize)]
struct FieldsBody<'a> {
    fields: WireFields<'a>,
}

/// Creates one record (`POST …/records`,
/// [create record](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/create)).
/// Built by [`Bitable::create_record`](crate::Bitable::create_record).
///
/// Each [`send`](Self::send) carries a fresh [`ClientToken`] (or the one given), reused on
/// every retry of that send: a call that timed out after Feishu applied it is sent again and
/// does not create a second record.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct CreateRecord {
    client: Client,
    app_token: AppToken,
    table_id: TableId,
    fields: Fields,
    options: WriteOptions,
    client_token: Option<ClientToken>,
}

impl CreateRecord {
    pub(crate) fn new(
        client: Client,
        app_token: AppToken,
        table_id: TableId,
        fields: Fields,
    ) -> Self {
        CreateRecord {
            client,
            app_token,
            table_id,
            fields,
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

    /// Sends the call; the reply's record carries the new `record_id` and the fields as
    /// written.
    pub async fn send(&self) -> Result<Record> {
        self.fields.check()?;
        let token = self.client_token.clone().unwrap_or_else(ClientToken::new);
        let req = Request::new(
            CREATE_RECORD,
            &[self.app_token.as_str(), self.table_id.as_str()],
        )?
        .query("client_token", token.as_str());
        let req = self.options.apply(req).json(&FieldsBody {
            fields: self.fields.wire(),
        })?;
        let _lane = lane::acquire(&self.client, &self.app_token, &self.table_id).await;
        let data: RecordData = self.client.send(req).await?;
        Ok(data.record)
    }
}

/// Updates one record (`PUT …/records/:record_id`,
/// [update record](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/update)):
/// only the given cells change; a cleared cell ([`Fields::clear`]) is emptied. Built by
/// [`Bitable::update_record`](crate::Bitable::update_record). Idempotent, so it is retried
/// after a timeout.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct UpdateRecord {
    client: Client,
    app_token: AppToken,
    table_id: TableId,
    record_id: RecordId,
    fields: Fields,
    options: WriteOptions,
}

impl UpdateRecord {
    pub(crate) fn new(
        client: Client,
        app_token: AppToken,
        table_id: TableId,
        record_id: RecordId,
        fields: Fields,
    ) -> Self {
        UpdateRecord {
            client,
            app_token,
            table_id,
            record_id,
            fields,
            options: WriteOptions::default(),
        }
    }

    write_options!();

    /// Sends the call; the reply's record carries the fields as written.
    pub async fn send(&self) -> Result<Record> {
        self.fields.check()?;
        let req = Request::new(
            UPDATE_RECORD,
            &[
                self.app_token.as_str(),
                self.table_id.as_str(),
                self.record_id.as_str(),
            ],
        )?;
        let req = self.options.apply(req).json(&FieldsBody {
            fields: self.fields.wire(),
        })?;
        let _lane = lane::acquire(&self.client, &self.app_token, &self.table_id).await;
        let data: RecordData = self.client.send(req).await?;
        Ok(data.record)
    }
}

/// Deletes one record (`DELETE …/records/:record_id`,
/// [delete record](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/delete)).
/// Built by [`Bitable::delete_record`](crate::Bitable::delete_record). Idempotent: an unknown
/// (or already deleted) record gives [`DeletedRecord::deleted`] `false`, not an error.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct DeleteRecord {
    client: Client,
    app_token: AppToken,
    table_id: TableId,
    record_id: RecordId,
    options: WriteOptions,
}

impl DeleteRecord {
    pub(crate) fn new(
        client: Client,
        app_token: AppToken,
        table_id: TableId,
        record_id: RecordId,
    ) -> Self {
        DeleteRecord {
            client,
            app_token,
            table_id,
            record_id,
            options: WriteOptions::default(),
        }
    }

    /// `ignore_consistency_check` (see [`CreateRecord::ignore_consistency_check`]).
    pub fn ignore_consistency_check(mut self, yes: bool) -> Self {
        self.options.ignore_consistency_check = Some(yes);
        self
    }

    /// Sends the call.
    pub async fn send(&self) -> Result<DeletedRecord> {
        let _lane = lane::acquire(&self.client, &self.app_token, &self.table_id).await;
        delete_one(
            &self.client,
            &self.app_token,
            &self.table_id,
            &self.record_id,
            &self.options,
        )
        .await
    }
}

/// One delete, the table's lane already held: 1254043 (no such record) is `deleted: false`.
pub(crate) async fn delete_one(
    client: &Client,
    app_token: &AppToken,
    table_id: &TableId,
    record_id: &RecordId,
    options: &WriteOptions,
) -> Result<DeletedRecord> {
    let req = Request::new(
        DELETE_RECORD,
        &[app_token.as_str(), table_id.as_str(), record_id.as_str()],
    )?;
    let req = options.apply(req);
    match client.send::<DeletedRecord>(req).await {
        Ok(done) => Ok(done),
        Err(e) if e.api_code() == Some(RECORD_NOT_FOUND) => Ok(DeletedRecord {
            record_id: record_id.clone(),
            deleted: false,
        }),
        Err(e) => Err(e),
    }
}
