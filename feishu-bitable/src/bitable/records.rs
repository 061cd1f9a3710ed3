//! The record writes of [`Bitable`]: one record, batches, upserts.

use crate::bitable::Bitable;
use crate::ids::{AppToken, RecordId, TableId};
use crate::record::{
    BatchCreateRecords, BatchDeleteRecords, BatchUpdateRecords, CreateRecord, DeleteRecord, Fields,
    RecordUpdate, Target, UpdateRecord, UpsertRecords,
};

impl Bitable {
    fn target(&self, app_token: impl Into<AppToken>, table_id: impl Into<TableId>) -> Target {
        Target {
            client: self.client.clone(),
            app_token: app_token.into(),
            table_id: table_id.into(),
        }
    }

    /// Creates a record
    /// ([create record](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/create)),
    /// with a `client_token` so a retried call never creates two.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_bitable::Fields;
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let record = bitable
    ///     .create_record(
    ///         "bascnAbCdEfGhIjKlMnOpQrStU",
    ///         "tblAbCdEfGh123456",
    ///         Fields::new().set("Order", "SO-1001").set("Amount", 1280.5),
    ///     )
    ///     .send()
    ///     .await?;
    /// println!("created {}", record.record_id);
    /// # Ok(()) }
    /// ```
    pub fn create_record(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
        fields: Fields,
    ) -> CreateRecord {
        CreateRecord::new(
            self.client.clone(),
            app_token.into(),
            table_id.into(),
            fields,
        )
    }

    /// Updates the given cells of a record
    /// ([update record](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/update)).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_bitable::{FieldValue, Fields};
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// bitable
    ///     .update_record(
    ///         "bascnAbCdEfGhIjKlMnOpQrStU",
    ///         "tblAbCdEfGh123456",
    ///         "recAbC123",
    ///         Fields::new()
    ///             .set("Status", FieldValue::SingleSelect("Paid".into()))
    ///             .clear("Note"),
    ///     )
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update_record(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
        record_id: impl Into<RecordId>,
        fields: Fields,
    ) -> UpdateRecord {
        UpdateRecord::new(
            self.client.clone(),
            app_token.into(),
            table_id.into(),
            record_id.into(),
            fields,
        )
    }

    /// Deletes a record
    /// ([delete record](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/delete));
    /// an unknown record is `deleted: false`, not an error.
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let done = bitable
    ///     .delete_record("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456", "recAbC123")
    ///     .send()
    ///     .await?;
    /// println!("deleted: {}", done.deleted);
    /// # Ok(()) }
    /// ```
    pub fn delete_record(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
        record_id: impl Into<RecordId>,
    ) -> DeleteRecord {
        DeleteRecord::new(
            self.client.clone(),
            app_token.into(),
            table_id.into(),
            record_id.into(),
        )
    }

    /// Creates up to 1,000 records in one call
    /// ([batch create](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/batch_create)).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_bitable::Fields;
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let rows = (1..=3).map(|i| Fields::new().set("Order", format!("SO-{i}")));
    /// let records = bitable
    ///     .batch_create_records("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456", rows)
    ///     .send()
    ///     .await?;
    /// assert_eq!(records.len(), 3);
    /// # Ok(()) }
    /// ```
    pub fn batch_create_records(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
        rows: impl IntoIterator<Item = Fields>,
    ) -> BatchCreateRecords {
        BatchCreateRecords::new(self.target(app_token, table_id), rows.into_iter().collect())
    }

    /// Updates up to 1,000 records in one call
    /// ([batch update](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/batch_update)).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_bitable::{Fields, RecordUpdate};
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let changes = vec![
    ///     RecordUpdate::new("recAbC123", Fields::new().set("Amount", 10)),
    ///     RecordUpdate::new("recDeF456", Fields::new().set("Amount", 20)),
    /// ];
    /// bitable
    ///     .batch_update_records("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456", changes)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn batch_update_records(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
        rows: impl IntoIterator<Item = RecordUpdate>,
    ) -> BatchUpdateRecords {
        BatchUpdateRecords::new(self.target(app_token, table_id), rows.into_iter().collect())
    }

    /// Deletes up to 500 records in one call
    /// ([batch delete](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/batch_delete)).
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let deleted = bitable
    ///     .batch_delete_records(
    ///         "bascnAbCdEfGhIjKlMnOpQrStU",
    ///         "tblAbCdEfGh123456",
    ///         ["recAbC123", "recDeF456"],
    ///     )
    ///     .send()
    ///     .await?;
    /// println!("{} deleted", deleted.iter().filter(|d| d.deleted).count());
    /// # Ok(()) }
    /// ```
    pub fn batch_delete_records<I, R>(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
        record_ids: I,
    ) -> BatchDeleteRecords
    where
        I: IntoIterator<Item = R>,
        R: Into<RecordId>,
    {
        BatchDeleteRecords::new(
            self.target(app_token, table_id),
            record_ids.into_iter().map(Into::into).collect(),
        )
    }

    /// Writes `rows` into a table by `key_field`: updates the record carrying a row's key,
    /// creates one where none does (see [`UpsertRecords`] for the rules and the race it
    /// cannot close).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_bitable::Fields;
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let rows = vec![Fields::new().set("Order", "SO-1001").set("Amount", 1280.5)];
    /// let summary = bitable
    ///     .upsert_records("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456", "Order", rows)
    ///     .send()
    ///     .await?;
    /// println!("{} created, {} updated, {} failed", summary.created, summary.updated, summary.failed);
    /// # Ok(()) }
    /// ```
    pub fn upsert_records(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
        key_field: impl Into<String>,
        rows: impl IntoIterator<Item = Fields>,
    ) -> UpsertRecords {
        UpsertRecords::new(
            self.target(app_token, table_id),
            key_field.into(),
            rows.into_iter().collect(),
        )
    }
}
