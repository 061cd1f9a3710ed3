//! The [`Field`] model (one column of a table) and its per-type settings.

use feishu_core::internal::de::{
    bool_or_false, opt_i64, opt_string, string_or_empty, value_to_i64,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::field_type::{FieldType, UiType};
use crate::ids::{FieldId, TableId, id_or_empty};

/// One option of a select field.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct SelectOption {
    /// Option id.
    #[serde(deserialize_with = "opt_string")]
    pub id: Option<String>,
    /// Option name: what record values carry.
    #[serde(deserialize_with = "string_or_empty")]
    pub name: String,
    /// Colour index (0..=54).
    #[serde(deserialize_with = "opt_i64")]
    pub color: Option<i64>,
    /// Keys this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What a formula evaluates to (`property.type`): how its values are typed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct FormulaResultType {
    /// The field type the formula evaluates to.
    #[serde(deserialize_with = "lenient")]
    pub data_type: Option<FieldType>,
    /// The UI sub-kind of the result.
    #[serde(deserialize_with = "lenient")]
    pub ui_type: Option<UiType>,
    /// Display settings of the result, as sent.
    pub ui_property: Option<Value>,
    /// Keys this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Per-type settings of a field (`property`). Only the commonly needed keys are typed; the
/// rest stay in [`FieldProperty::extra`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct FieldProperty {
    /// Options of a select field.
    #[serde(
        deserialize_with = "lenient_vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub options: Vec<SelectOption>,
    /// Whether a person / link cell may hold several values.
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub multiple: Option<bool>,
    /// Target table of a link field.
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub table_id: Option<TableId>,
    /// Target table name of a link field.
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub table_name: Option<String>,
    /// Name of the back-link field of a two-way link.
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub back_field_name: Option<String>,
    /// Number format (e.g. `0.00`).
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub formatter: Option<String>,
    /// Date format (e.g. `yyyy/MM/dd`).
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub date_formatter: Option<String>,
    /// The expression of a formula field.
    #[serde(deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub formula_expression: Option<String>,
    /// What a formula evaluates to (`type` on the wire).
    #[serde(
        rename = "type",
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub result_type: Option<FormulaResultType>,
    /// Keys this SDK version does not model (`auto_serial`, `location`, `rating`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One field (column) of a table
/// ([field guide](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-field/guide)).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct Field {
    /// The field's id.
    #[serde(deserialize_with = "id_or_empty")]
    pub field_id: FieldId,
    /// The field's name: record `fields` maps are keyed by it.
    #[serde(deserialize_with = "string_or_empty")]
    pub field_name: String,
    /// The type number (an absent or unreadable one is [`FieldType::Unknown`]`(0)`).
    #[serde(rename = "type", deserialize_with = "field_type_or_unknown")]
    pub field_type: FieldType,
    /// The UI sub-kind.
    #[serde(deserialize_with = "lenient")]
    pub ui_type: Option<UiType>,
    /// Whether this is the index (first) column.
    #[serde(deserialize_with = "bool_or_false")]
    pub is_primary: bool,
    /// Whether the field is hidden.
    #[serde(deserialize_with = "bool_or_false")]
    pub is_hidden: bool,
    /// Description: a string, or a segment array with `text_field_as_array`; as sent.
    pub description: Option<Value>,
    /// Per-type settings (`null` for types without any).
    #[serde(deserialize_with = "lenient")]
    pub property: Option<FieldProperty>,
    /// Keys this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for Field {
    fn default() -> Self {
        Field {
            field_id: FieldId::default(),
            field_name: String::new(),
            field_type: FieldType::Unknown(0),
            ui_type: None,
            is_primary: false,
            is_hidden: false,
            description: None,
            property: None,
            extra: Map::new(),
        }
    }
}

impl Field {
    /// The type a formula evaluates to (from `property.type.data_type`), when stated.
    pub fn formula_result_type(&self) -> Option<FieldType> {
        self.property.as_ref()?.result_type.as_ref()?.data_type
    }
}

/// Decodes `T` when the value fits, `None` otherwise: per-type settings must never fail a page.
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

fn lenient_vec<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(lenient::<D, Vec<T>>(d)?.unwrap_or_default())
}

fn field_type_or_unknown<'de, D: Deserializer<'de>>(d: D) -> Result<FieldType, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(FieldType::from_code(value_to_i64(&v).unwrap_or(0)))
}
