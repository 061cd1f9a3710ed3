//! Records by id: `POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_get`.

use feishu_core::internal::de::vec_or_empty;
use feishu_core::{Client, Endpoint, Error, Request, Result, UserIdType};
use serde::{Deserialize, Serialize};

use super::model::Record;
use crate::codes::{BITABLE_CODES, BITABLE_LIMIT};
use crate::ids::{AppToken, RecordId, TableId};

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/batch_get>
// node-sdk code-gen/projects/bitable.ts (appTableRecord.batchGet): body `record_ids` (at most
// 100, "该接口最多支持查询 100 条记录"), `user_id_type`, `with_shared_url`, `automatic_fields`;
// data `records`, `forbidden_record_ids`, `absent_record_ids`. The page names no limit of its
// own: Bitable's reads are 20 per second. A read: retried like one.
pub(crate) const BATCH_GET_RECORDS: Endpoint = Endpoint::post_read(
    "bitable.records.batch_get",
    "bitable/v1/apps/{app_token}/tables/{table_id}/records/batch_get",
)
.limit(BITABLE_LIMIT)
.codes(BITABLE_CODES);

/// The most record ids one call takes (the batch get page).
pub const MAX_BATCH_GET: usize = 100;

/// The request body; absent options are left out.
#[derive(Serialize)]
struct BatchGetBody<'a> {
    record_ids: &'a [RecordId],
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    with_shared_url: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    automatic_fields: Option<bool>,
}

/// What a batch get found: the records that exist and can be read, and the ids that do not
/// (deleted, or never existed) or that the app may not read.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct RecordsById {
    /// The records found, cells structured as search records sends them.
    #[serde(deserialize_with = "vec_or_empty")]
    pub records: Vec<Record>,
    /// Ids the app may not read (advanced permissions).
    #[serde(rename = "forbidden_record_ids", deserialize_with = "vec_or_empty")]
    pub forbidden: Vec<RecordId>,
    /// Ids of records that do not exist (any more).
    #[serde(rename = "absent_record_ids", deserialize_with = "vec_or_empty")]
    pub absent: Vec<RecordId>,
}

/// Reads up to [`MAX_BATCH_GET`] records by id in one call (`POST .../records/batch_get`,
/// [batch get records](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/batch_get)),
/// e.g. the records a `drive.file.bitable_record_changed_v1` event names. Built by
/// [`Bitable::batch_get_records`](crate::Bitable::batch_get_records).
///
/// The ids are checked before anything is sent: at least one, at most [`MAX_BATCH_GET`],
/// none empty. An id that names no record is not an error: it comes back in
/// [`RecordsById::absent`].
///
/// # Example
/// ```no_run
/// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
/// let found = bitable
///     .batch_get_records("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456", ["recA1", "recB2"])
///     .automatic_fields(true)
///     .send()
///     .await?;
/// for record in &found.records {
///     println!("{} {:?}", record.record_id, record.fields);
/// }
/// println!("deleted: {:?}", found.absent);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct BatchGetRecords {
    client: Client,
    app_token: AppToken,
    table_id: TableId,
    record_ids: Vec<RecordId>,
    user_id_type: Option<UserIdType>,
    with_shared_url: Option<bool>,
    automatic_fields: Option<bool>,
}

impl BatchGetRecords {
    pub(crate) fn new(
        client: Client,
        app_token: AppToken,
        table_id: TableId,
        record_ids: Vec<RecordId>,
    ) -> Self {
        BatchGetRecords {
            client,
            app_token,
            table_id,
            record_ids,
            user_id_type: None,
            with_shared_url: None,
            automatic_fields: None,
        }
    }

    /// Include `created_by`, `created_time`, `last_modified_by`, `last_modified_time`.
    pub fn automatic_fields(mut self, yes: bool) -> Self {
        self.automatic_fields = Some(yes);
        self
    }

    /// Include each record's `shared_url`.
    pub fn with_shared_url(mut self, yes: bool) -> Self {
        self.with_shared_url = Some(yes);
        self
    }

    /// Id type of person values (`open_id` by default; `user_id` needs
    /// `contact:user.employee_id:readonly`).
    pub fn user_id_type(mut self, id_type: UserIdType) -> Self {
        self.user_id_type = Some(id_type);
        self
    }

    fn request(&self) -> Result<Request> {
        if self.record_ids.is_empty() {
            return Err(Error::invalid_argument(
                "record_ids",
                "name at least one record",
            ));
        }
        if self.record_ids.len() > MAX_BATCH_GET {
            return Err(Error::invalid_argument(
                "record_ids",
                format!(
                    "{} ids: at most {MAX_BATCH_GET} per call",
                    self.record_ids.len()
                ),
            ));
        }
        if let Some(i) = self.record_ids.iter().position(|id| id.as_str().is_empty()) {
            return Err(Error::invalid_argument(
                "record_ids",
                format!("id {i} is empty"),
            ));
        }
        let body = BatchGetBody {
            record_ids: &self.record_ids,
            user_id_type: self.user_id_type.map(UserIdType::as_str),
            with_shared_url: self.with_shared_url,
            automatic_fields: self.automatic_fields,
        };
        Request::new(
            BATCH_GET_RECORDS,
            &[self.app_token.as_str(), self.table_id.as_str()],
        )?
        .json(&body)
    }

    /// Sends the call.
    pub async fn send(&self) -> Result<RecordsById> {
        let request = self.request()?;
        self.client.send(request).await
    }
}
