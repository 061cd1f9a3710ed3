//! The table and field writes of [`Bitable`] (enough for a service to provision its own
//! table), and the Drive subscription that makes a Base's events arrive.

use feishu_core::{Request, Result};
use serde::de::IgnoredAny;

use crate::bitable::Bitable;
use crate::client_token::ClientToken;
use crate::field::{
    CREATE_FIELD, DELETE_FIELD, DeletedField, FIELD_NOT_FOUND, Field, FieldData, NewField,
    UPDATE_FIELD,
};
use crate::ids::{AppToken, FieldId, TableId};
use crate::lane;
use crate::subscription::SUBSCRIBE_FILE;
use crate::table::{CREATE_TABLE, CreatedTable, CreatedTableData, DELETE_TABLE, NewTable};

/// 1254041 TableIdNotFound.
const TABLE_NOT_FOUND: i64 = 1254041;

#[derive(serde::Serialize)]
struct TableBody<'a> {
    table: &'a NewTable,
}

impl Bitable {
    /// Creates a table with its fields
    /// ([create table](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table/create)).
    /// Not retried after a timeout (Feishu has no idempotency key for it): on
    /// [`write_may_have_applied`](feishu_core::Error::write_may_have_applied), list the tables
    /// before creating it again.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_bitable::{FieldType, NewField, NewTable};
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let table = NewTable::new("Orders")
    ///     .field(NewField::new("Order", FieldType::Text))
    ///     .field(NewField::new("Amount", FieldType::Number));
    /// let created = bitable.create_table("bascnAbCdEfGhIjKlMnOpQrStU", &table).await?;
    /// println!("new table {}", created.table_id);
    /// # Ok(()) }
    /// ```
    pub async fn create_table(
        &self,
        app_token: impl Into<AppToken>,
        table: &NewTable,
    ) -> Result<CreatedTable> {
        let app_token = app_token.into();
        let req = Request::new(CREATE_TABLE, &[app_token.as_str()])?.json(&TableBody { table })?;
        let data: CreatedTableData = self.client.send(req).await?;
        Ok(data.table)
    }

    /// Deletes a table
    /// ([delete table](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table/delete));
    /// `false` when it was not there (any more). The last table of a Base cannot be deleted
    /// (1254034).
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// bitable.delete_table("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_table(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
    ) -> Result<bool> {
        let (app_token, table_id) = (app_token.into(), table_id.into());
        let req = Request::new(DELETE_TABLE, &[app_token.as_str(), table_id.as_str()])?;
        let _lane = lane::acquire(&self.client, &app_token, &table_id).await;
        match self.client.send::<IgnoredAny>(req).await {
            Ok(_) => Ok(true),
            Err(e) if e.api_code() == Some(TABLE_NOT_FOUND) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Adds a field to a table
    /// ([create field](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-field/create)),
    /// with a `client_token` so a retried call never adds two.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_bitable::{FieldType, NewField};
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// let field = bitable
    ///     .create_field(
    ///         "bascnAbCdEfGhIjKlMnOpQrStU",
    ///         "tblAbCdEfGh123456",
    ///         &NewField::new("Status", FieldType::SingleSelect).options(["Open", "Paid"]),
    ///     )
    ///     .await?;
    /// println!("{} is {}", field.field_name, field.field_id);
    /// # Ok(()) }
    /// ```
    pub async fn create_field(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
        field: &NewField,
    ) -> Result<Field> {
        let (app_token, table_id) = (app_token.into(), table_id.into());
        let req = Request::new(CREATE_FIELD, &[app_token.as_str(), table_id.as_str()])?
            .query("client_token", ClientToken::new().as_str())
            .json(field)?;
        let _lane = lane::acquire(&self.client, &app_token, &table_id).await;
        let data: FieldData = self.client.send(req).await?;
        Ok(data.field)
    }

    /// Replaces a field's definition
    /// ([update field](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-field/update)):
    /// name, type and settings are all set from `field` (settings not given are reset).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_bitable::{FieldType, NewField};
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// bitable
    ///     .update_field(
    ///         "bascnAbCdEfGhIjKlMnOpQrStU",
    ///         "tblAbCdEfGh123456",
    ///         "fldAbC123",
    ///         &NewField::new("Remark", FieldType::Text),
    ///     )
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_field(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
        field_id: impl Into<FieldId>,
        field: &NewField,
    ) -> Result<Field> {
        let (app_token, table_id, field_id) = (app_token.into(), table_id.into(), field_id.into());
        let req = Request::new(
            UPDATE_FIELD,
            &[app_token.as_str(), table_id.as_str(), field_id.as_str()],
        )?
        .json(field)?;
        let _lane = lane::acquire(&self.client, &app_token, &table_id).await;
        let data: FieldData = self.client.send(req).await?;
        Ok(data.field)
    }

    /// Deletes a field
    /// ([delete field](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-field/delete));
    /// `deleted: false` when it was not there (any more). The primary field cannot be deleted
    /// (1254046).
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// bitable
    ///     .delete_field("bascnAbCdEfGhIjKlMnOpQrStU", "tblAbCdEfGh123456", "fldAbC123")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_field(
        &self,
        app_token: impl Into<AppToken>,
        table_id: impl Into<TableId>,
        field_id: impl Into<FieldId>,
    ) -> Result<DeletedField> {
        let (app_token, table_id, field_id) = (app_token.into(), table_id.into(), field_id.into());
        let req = Request::new(
            DELETE_FIELD,
            &[app_token.as_str(), table_id.as_str(), field_id.as_str()],
        )?;
        let _lane = lane::acquire(&self.client, &app_token, &table_id).await;
        match self.client.send::<DeletedField>(req).await {
            Ok(done) => Ok(done),
            Err(e) if e.api_code() == Some(FIELD_NOT_FOUND) => Ok(DeletedField {
                field_id,
                deleted: false,
            }),
            Err(e) => Err(e),
        }
    }

    /// Subscribes the app to a Base's events through Drive
    /// ([subscribe](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/drive-v1/file/subscribe),
    /// `POST /open-apis/drive/v1/files/:app_token/subscribe?file_type=bitable`), so that
    /// `drive.file.bitable_record_changed_v1` events arrive (add the event in the developer
    /// console too). The app must own or manage the Base (else 1069603); subscribing again
    /// is harmless. Scopes: `docs:doc`, `docs:event:subscribe`, `drive:drive` or
    /// `sheets:spreadsheet`; receiving the event with a tenant token also needs `bitable:app`
    /// or `drive:drive` for both the app and user identities.
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(bitable: feishu_bitable::Bitable) -> feishu_core::Result<()> {
    /// bitable.subscribe_record_events("bascnAbCdEfGhIjKlMnOpQrStU").await?;
    /// # Ok(()) }
    /// ```
    pub async fn subscribe_record_events(&self, app_token: impl Into<AppToken>) -> Result<()> {
        let app_token = app_token.into();
        let req =
            Request::new(SUBSCRIBE_FILE, &[app_token.as_str()])?.query("file_type", "bitable");
        self.client.send::<IgnoredAny>(req).await?;
        Ok(())
    }
}
