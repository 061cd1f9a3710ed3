//! Adding, changing and deleting a field
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-field/create>,
//! `…/update`, `…/delete`; settings per type in the field guide,
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-field/guide>).

use feishu_core::{Endpoint, Idempotency};
use serde::{Deserialize, Serialize};

use super::field_type::{FieldType, UiType};
use super::model::{Field, FieldProperty, SelectOption};
use crate::codes::{BITABLE_CODES, SCHEMA_WRITE_LIMIT};
use crate::ids::{FieldId, TableId, id_or_empty};

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-field/create>
// node-sdk code-gen/projects/bitable.ts (appTableField.create): 10/s, `client_token` (query,
// UUIDv4) reused on retries.
pub(crate) const CREATE_FIELD: Endpoint = Endpoint::post(
    "bitable.fields.create",
    "bitable/v1/apps/{app_token}/tables/{table_id}/fields",
)
.idempotency(Idempotency::WithToken)
.limit(SCHEMA_WRITE_LIMIT)
.codes(BITABLE_CODES);

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-field/update>
// node-sdk code-gen/projects/bitable.ts (appTableField.update): 10/s; PUT replacing the whole
// field with what is sent, so a repeat changes nothing more.
pub(crate) const UPDATE_FIELD: Endpoint = Endpoint::put(
    "bitable.fields.update",
    "bitable/v1/apps/{app_token}/tables/{table_id}/fields/{field_id}",
)
.limit(SCHEMA_WRITE_LIMIT)
.codes(BITABLE_CODES);

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-field/delete>
// node-sdk code-gen/projects/bitable.ts (appTableField.delete): 10/s; a repeat finds no field
// (1254044), read as "already gone".
pub(crate) const DELETE_FIELD: Endpoint = Endpoint::delete(
    "bitable.fields.delete",
    "bitable/v1/apps/{app_token}/tables/{table_id}/fields/{field_id}",
)
.limit(SCHEMA_WRITE_LIMIT)
.codes(BITABLE_CODES);

/// 1254044 FieldIdNotFound.
pub(crate) const FIELD_NOT_FOUND: i64 = 1254044;

#[derive(Debug, Clone, PartialEq, Serialize)]
struct Description {
    text: String,
}

/// A field to create (or, with [`Bitable::update_field`](crate::Bitable::update_field), the
/// whole new definition of one: Feishu replaces its settings with what is sent).
///
/// Types that can be created: every [`FieldType`] but lookup, flow and button (create-field
/// page). Settings go in [`property`](Self::property) as the field guide describes them; the
/// common ones have helpers.
///
/// # Example
/// ```
/// use feishu_bitable::{FieldProperty, FieldType, NewField, UiType};
/// let amount = NewField::new("Amount", FieldType::Number)
///     .ui_type(UiType::Currency)
///     .property({
///         let mut p = FieldProperty::default();
///         p.formatter = Some("0.00".into());
///         p.extra.insert("currency_code".into(), "CNY".into());
///         p
///     })
///     .description("Order total, tax included");
/// let status = NewField::new("Status", FieldType::SingleSelect).options(["Open", "Paid"]);
/// let customer = NewField::new("Customer", FieldType::SingleLink).link_to("tblCustomers123");
/// assert_eq!(serde_json::to_value(&status)?["property"]["options"][1]["name"], "Paid");
/// assert_eq!(serde_json::to_value(&customer)?["type"], 18);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[must_use]
pub struct NewField {
    field_name: String,
    #[serde(rename = "type")]
    field_type: FieldType,
    #[serde(skip_serializing_if = "Option::is_none")]
    ui_type: Option<UiType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    property: Option<FieldProperty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Description>,
}

impl NewField {
    /// A field named `name` of type `field_type`.
    pub fn new(name: impl Into<String>, field_type: FieldType) -> Self {
        NewField {
            field_name: name.into(),
            field_type,
            ui_type: None,
            property: None,
            description: None,
        }
    }

    /// The UI sub-kind (e.g. [`UiType::Currency`] for a number, [`UiType::Email`] for text).
    pub fn ui_type(mut self, ui_type: UiType) -> Self {
        self.ui_type = Some(ui_type);
        self
    }

    /// The type's settings, as the field guide describes them.
    pub fn property(mut self, property: FieldProperty) -> Self {
        self.property = Some(property);
        self
    }

    /// The options of a single or multi select (colours chosen by Feishu).
    pub fn options<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let property = self.property.get_or_insert_with(FieldProperty::default);
        property.options = names
            .into_iter()
            .map(|name| SelectOption {
                name: name.into(),
                ..SelectOption::default()
            })
            .collect();
        self
    }

    /// The target table of a one- or two-way link field.
    pub fn link_to(mut self, table_id: impl Into<TableId>) -> Self {
        self.property
            .get_or_insert_with(FieldProperty::default)
            .table_id = Some(table_id.into());
        self
    }

    /// The field's description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(Description { text: text.into() });
        self
    }

    /// The field's name.
    pub fn name(&self) -> &str {
        &self.field_name
    }

    /// The field's type.
    pub fn field_type(&self) -> FieldType {
        self.field_type
    }
}

/// `{field}` of the create and update replies.
#[derive(Deserialize)]
pub(crate) struct FieldData {
    pub(crate) field: Field,
}

/// The reply of a field delete.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct DeletedField {
    /// The field.
    #[serde(deserialize_with = "id_or_empty")]
    pub field_id: FieldId,
    /// `false` when the field was not there (any more): deleting is idempotent.
    pub deleted: bool,
}
