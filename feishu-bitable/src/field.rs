//! Fields (columns) of a table: `GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields`
//! (feishu-api.md §6.5), their type numbers, and [`TableSchema`], the lookup that
//! [`Record::typed_fields`](crate::Record::typed_fields) keys values by.

use std::fmt;

use feishu_core::internal::PageRequest;
use feishu_core::internal::de::{bool_or_false, string_or_empty};
use feishu_core::{Client, Endpoint, Request, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::codes::{BITABLE_CODES, BITABLE_LIMIT};
use crate::paging::MAX_META_PAGE_SIZE;
use feishu_core::internal::check_page_size;
use feishu_core::internal::wire_enum;

/// <https://open.feishu.cn/document/server-docs/docs/bitable-v1/app-table-field/list>
pub(crate) const LIST_FIELDS: Endpoint = Endpoint::get(
    "bitable.fields.list",
    "bitable/v1/apps/{app_token}/tables/{table_id}/fields",
)
.limit(BITABLE_LIMIT)
.codes(BITABLE_CODES);

/// A field's `type` number. New types appear over time: an unknown number is kept in
/// [`FieldType::Unknown`] and its values stay raw JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "i64", into = "i64")]
#[non_exhaustive]
pub enum FieldType {
    /// 1: text, email or barcode (see [`UiType`]).
    Text,
    /// 2: number, progress, currency or rating.
    Number,
    /// 3: single select.
    SingleSelect,
    /// 4: multi select.
    MultiSelect,
    /// 5: date (Unix ms).
    DateTime,
    /// 7: checkbox.
    Checkbox,
    /// 11: person.
    User,
    /// 13: phone number.
    Phone,
    /// 15: hyperlink.
    Url,
    /// 17: attachment.
    Attachment,
    /// 18: one-way link to another table.
    SingleLink,
    /// 19: lookup.
    Lookup,
    /// 20: formula.
    Formula,
    /// 21: two-way link.
    DuplexLink,
    /// 22: location.
    Location,
    /// 23: group chat.
    GroupChat,
    /// 24: flow / workflow (read-only; value shape undocumented, kept raw).
    Flow,
    /// 1001: created time.
    CreatedTime,
    /// 1002: last modified time.
    ModifiedTime,
    /// 1003: created by.
    CreatedUser,
    /// 1004: last modified by.
    ModifiedUser,
    /// 1005: auto number.
    AutoNumber,
    /// 3001: button (read-only).
    Button,
    /// A type number this SDK version does not know.
    Unknown(i64),
}

impl FieldType {
    /// The type for a wire number.
    pub fn from_code(code: i64) -> FieldType {
        match code {
            1 => FieldType::Text,
            2 => FieldType::Number,
            3 => FieldType::SingleSelect,
            4 => FieldType::MultiSelect,
            5 => FieldType::DateTime,
            7 => FieldType::Checkbox,
            11 => FieldType::User,
            13 => FieldType::Phone,
            15 => FieldType::Url,
            17 => FieldType::Attachment,
            18 => FieldType::SingleLink,
            19 => FieldType::Lookup,
            20 => FieldType::Formula,
            21 => FieldType::DuplexLink,
            22 => FieldType::Location,
            23 => FieldType::GroupChat,
            24 => FieldType::Flow,
            1001 => FieldType::CreatedTime,
            1002 => FieldType::ModifiedTime,
            1003 => FieldType::CreatedUser,
            1004 => FieldType::ModifiedUser,
            1005 => FieldType::AutoNumber,
            3001 => FieldType::Button,
            other => FieldType::Unknown(other),
        }
    }

    /// The wire number.
    pub fn code(self) -> i64 {
        match self {
            FieldType::Text => 1,
            FieldType::Number => 2,
            FieldType::SingleSelect => 3,
            FieldType::MultiSelect => 4,
            FieldType::DateTime => 5,
            FieldType::Checkbox => 7,
            FieldType::User => 11,
            FieldType::Phone => 13,
            FieldType::Url => 15,
            FieldType::Attachment => 17,
            FieldType::SingleLink => 18,
            FieldType::Lookup => 19,
            FieldType::Formula => 20,
            FieldType::DuplexLink => 21,
            FieldType::Location => 22,
            FieldType::GroupChat => 23,
            FieldType::Flow => 24,
            FieldType::CreatedTime => 1001,
            FieldType::ModifiedTime => 1002,
            FieldType::CreatedUser => 1003,
            FieldType::ModifiedUser => 1004,
            FieldType::AutoNumber => 1005,
            FieldType::Button => 3001,
            FieldType::Unknown(code) => code,
        }
    }

    /// Every documented type, in wire-number order (useful for exhaustive tests).
    pub const ALL: [FieldType; 23] = [
        FieldType::Text,
        FieldType::Number,
        FieldType::SingleSelect,
        FieldType::MultiSelect,
        FieldType::DateTime,
        FieldType::Checkbox,
        FieldType::User,
        FieldType::Phone,
        FieldType::Url,
        FieldType::Attachment,
        FieldType::SingleLink,
        FieldType::Lookup,
        FieldType::Formula,
        FieldType::DuplexLink,
        FieldType::Location,
        FieldType::GroupChat,
        FieldType::Flow,
        FieldType::CreatedTime,
        FieldType::ModifiedTime,
        FieldType::CreatedUser,
        FieldType::ModifiedUser,
        FieldType::AutoNumber,
        FieldType::Button,
    ];
}

impl From<i64> for FieldType {
    fn from(code: i64) -> Self {
        FieldType::from_code(code)
    }
}

impl From<FieldType> for i64 {
    fn from(t: FieldType) -> i64 {
        t.code()
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldType::Unknown(code) => write!(f, "unknown field type {code}"),
            known => write!(f, "{known:?} ({})", known.code()),
        }
    }
}

wire_enum! {
    /// A field's `ui_type`: the sub-kind shown in the UI (e.g. [`FieldType::Text`] is `Text`,
    /// `Email` or `Barcode`).
    pub enum UiType {
        /// Plain text.
        Text => "Text",
        /// Email address (a text field).
        Email => "Email",
        /// Barcode (a text field).
        Barcode => "Barcode",
        /// Number.
        Number => "Number",
        /// Progress (a number field, 0..=1).
        Progress => "Progress",
        /// Currency (a number field).
        Currency => "Currency",
        /// Rating (a number field).
        Rating => "Rating",
        /// Single select.
        SingleSelect => "SingleSelect",
        /// Multi select.
        MultiSelect => "MultiSelect",
        /// Date.
        DateTime => "DateTime",
        /// Checkbox.
        Checkbox => "Checkbox",
        /// Person.
        User => "User",
        /// Phone.
        Phone => "Phone",
        /// Hyperlink.
        Url => "Url",
        /// Attachment.
        Attachment => "Attachment",
        /// One-way link.
        SingleLink => "SingleLink",
        /// Lookup.
        Lookup => "Lookup",
        /// Formula.
        Formula => "Formula",
        /// Two-way link.
        DuplexLink => "DuplexLink",
        /// Location.
        Location => "Location",
        /// Group chat.
        GroupChat => "GroupChat",
        /// Created time.
        CreatedTime => "CreatedTime",
        /// Modified time.
        ModifiedTime => "ModifiedTime",
        /// Created by.
        CreatedUser => "CreatedUser",
        /// Modified by.
        ModifiedUser => "ModifiedUser",
        /// Auto number.
        AutoNumber => "AutoNumber",
        /// Button.
        Button => "Button",
    }
}

/// One option of a select field.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct SelectOption {
    /// Option id.
    #[serde(deserialize_with = "feishu_core::internal::de::opt_string")]
    pub id: Option<String>,
    /// Option name (what record values carry).
    #[serde(deserialize_with = "string_or_empty")]
    pub name: String,
    /// Colour index.
    #[serde(deserialize_with = "feishu_core::internal::de::opt_i64")]
    pub color: Option<i64>,
    /// Fields this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The result type of a formula field (`property.type`).
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
    /// Fields this SDK version does not model, kept as sent.
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
    pub table_id: Option<String>,
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
    /// The result type of a formula (`type`).
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

/// One field (column) of a table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct Field {
    /// Field id (`fld…`).
    #[serde(deserialize_with = "string_or_empty")]
    pub field_id: String,
    /// Field name: record `fields` maps are keyed by it.
    #[serde(deserialize_with = "string_or_empty")]
    pub field_name: String,
    /// The type number.
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
    /// Fields this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for Field {
    fn default() -> Self {
        Field {
            field_id: String::new(),
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
    Ok(FieldType::from_code(
        feishu_core::internal::de::value_to_i64(&v).unwrap_or(0),
    ))
}

/// The fields of one table, by name: what [`Record::typed_fields`](crate::Record::typed_fields)
/// uses to type each value. Build it with [`Bitable::schema`](crate::Bitable::schema) or from
/// fields you already listed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TableSchema {
    /// The fields, in the order Feishu listed them.
    pub fields: Vec<Field>,
}

impl TableSchema {
    /// A schema over these fields.
    pub fn new(fields: Vec<Field>) -> Self {
        TableSchema { fields }
    }

    /// The field with this name.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.field_name == name)
    }

    /// The type of the field with this name.
    pub fn field_type(&self, name: &str) -> Option<FieldType> {
        self.field(name).map(|f| f.field_type)
    }

    /// The primary (index) field.
    pub fn primary(&self) -> Option<&Field> {
        self.fields.iter().find(|f| f.is_primary)
    }
}

impl FromIterator<Field> for TableSchema {
    fn from_iter<I: IntoIterator<Item = Field>>(iter: I) -> Self {
        TableSchema::new(iter.into_iter().collect())
    }
}

/// Lists the fields of a table. Built by [`Bitable::fields`](crate::Bitable::fields).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListFields {
    client: Client,
    app_token: String,
    table_id: String,
    view_id: Option<String>,
    text_field_as_array: Option<bool>,
    page_size: Option<u32>,
    page_token: Option<String>,
}

impl ListFields {
    pub(crate) fn new(client: Client, app_token: &str, table_id: &str) -> Self {
        ListFields {
            client,
            app_token: app_token.to_string(),
            table_id: table_id.to_string(),
            view_id: None,
            text_field_as_array: None,
            page_size: None,
            page_token: None,
        }
    }

    /// Only the fields shown in this view.
    pub fn view_id(mut self, view_id: impl Into<String>) -> Self {
        self.view_id = Some(view_id.into());
        self
    }

    /// Ask for [`Field::description`] as a segment array instead of a string.
    pub fn text_field_as_array(mut self, yes: bool) -> Self {
        self.text_field_as_array = Some(yes);
        self
    }

    /// Items per page, 1..=100 (Feishu's default is 20), checked client-side.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    /// Starts at this page token (to resume a listing).
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }
}

impl PageRequest for ListFields {
    type Item = Field;

    fn client(&self) -> &Client {
        &self.client
    }

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn page_request(&self, token: Option<String>) -> Result<Request> {
        check_page_size(self.page_size, MAX_META_PAGE_SIZE)?;
        let req = Request::new(LIST_FIELDS, &[&self.app_token, &self.table_id])?
            .query_opt("view_id", self.view_id.as_deref())
            .query_opt("text_field_as_array", self.text_field_as_array)
            .query_opt("page_size", self.page_size)
            .query_opt("page_token", token);
        Ok(req)
    }
}
