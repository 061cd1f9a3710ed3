//! Records: the model and the legacy list endpoint
//! `GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records` (feishu-api.md §6.6,
//! §6.8). Search lives in [`crate::search`].

use std::collections::BTreeMap;

use feishu_core::internal::PageRequest;
use feishu_core::internal::de::{opt_i64, opt_string, string_or_empty};
use feishu_core::{Client, Endpoint, Request, Result, UserIdType};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::codes::{BITABLE_CODES, BITABLE_LIMIT};
use crate::field::{FieldType, TableSchema};
use crate::paging::MAX_RECORD_PAGE_SIZE;
use crate::value::{FieldValue, Person, opt_person};
use feishu_core::internal::check_page_size;

/// <https://open.feishu.cn/document/server-docs/docs/bitable-v1/app-table-record/list>
pub(crate) const LIST_RECORDS: Endpoint = Endpoint::get(
    "bitable.records.list",
    "bitable/v1/apps/{app_token}/tables/{table_id}/records",
)
.limit(BITABLE_LIMIT)
.codes(BITABLE_CODES);

/// One record (row).
///
/// `fields` stays raw JSON keyed by field name, exactly as Feishu sent it (empty cells are
/// absent). Type it with [`Record::typed_fields`] and a [`TableSchema`], or read single cells
/// with the lenient helpers ([`Record::text`], [`Record::number`], ...).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct Record {
    /// Record id (`rec…`).
    #[serde(deserialize_with = "string_or_empty")]
    pub record_id: String,
    /// Cell values by field name, raw (`null` on the wire gives an empty map).
    #[serde(deserialize_with = "map_or_empty")]
    pub fields: Map<String, Value>,
    /// Creator (with `automatic_fields`).
    #[serde(
        deserialize_with = "opt_person",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_by: Option<Person>,
    /// Creation time, Unix ms (with `automatic_fields`).
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub created_time: Option<i64>,
    /// Last editor (with `automatic_fields`).
    #[serde(
        deserialize_with = "opt_person",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_modified_by: Option<Person>,
    /// Last modification time, Unix ms (with `automatic_fields`).
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub last_modified_time: Option<i64>,
    /// Link to the record (search replies).
    #[serde(
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub record_url: Option<String>,
    /// Shared link to the record (some replies).
    #[serde(
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub shared_url: Option<String>,
    /// Keys this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `fields` as an object, `null` as empty; anything else is a decode error (never dropped).
fn map_or_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    match Value::deserialize(d)? {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        other => Err(serde::de::Error::custom(format!(
            "record fields must be an object, got {other}"
        ))),
    }
}

fn ms_to_datetime(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

impl Record {
    /// [`Record::created_time`] as a date-time (UTC).
    pub fn created_at(&self) -> Option<OffsetDateTime> {
        self.created_time.and_then(ms_to_datetime)
    }

    /// [`Record::last_modified_time`] as a date-time (UTC).
    pub fn last_modified_at(&self) -> Option<OffsetDateTime> {
        self.last_modified_time.and_then(ms_to_datetime)
    }

    /// The raw value of one cell.
    pub fn raw(&self, field_name: &str) -> Option<&Value> {
        self.fields.get(field_name)
    }

    /// One cell typed as `field_type` (`None` when the cell is empty/absent).
    pub fn value(&self, field_name: &str, field_type: FieldType) -> Option<FieldValue> {
        self.raw(field_name)
            .map(|raw| FieldValue::parse(field_type, raw))
    }

    /// Every present cell typed by the schema. Cells of fields the schema does not know are
    /// [`FieldValue::Unknown`] with the raw JSON; nothing is left out.
    pub fn typed_fields(&self, schema: &TableSchema) -> BTreeMap<String, FieldValue> {
        // One lookup table per record instead of a scan of the schema per cell.
        // The first field of a name wins, as with `TableSchema::field`.
        let mut by_name: std::collections::HashMap<&str, &crate::field::Field> =
            std::collections::HashMap::with_capacity(schema.fields.len());
        for f in &schema.fields {
            by_name.entry(f.field_name.as_str()).or_insert(f);
        }
        self.fields
            .iter()
            .map(|(name, raw)| {
                let value = match by_name.get(name.as_str()) {
                    Some(field) => FieldValue::parse_field(field, raw),
                    None => FieldValue::Unknown(raw.clone()),
                };
                (name.clone(), value)
            })
            .collect()
    }

    /// A text cell's plain text, from a string or a segment array.
    pub fn text(&self, field_name: &str) -> Option<String> {
        match self.value(field_name, FieldType::Text)? {
            FieldValue::Text(s) => Some(s),
            _ => None,
        }
    }

    /// A number cell, from a JSON number or a numeric string.
    pub fn number(&self, field_name: &str) -> Option<f64> {
        match self.value(field_name, FieldType::Number)? {
            FieldValue::Number(n) => Some(n),
            _ => None,
        }
    }

    /// A person cell (person, created by, modified by), from an object or an array.
    pub fn persons(&self, field_name: &str) -> Option<Vec<Person>> {
        match self.value(field_name, FieldType::User)? {
            FieldValue::Users(p) => Some(p),
            _ => None,
        }
    }

    /// A link cell's record ids, from `{link_record_ids}` or `[{record_ids}]`.
    pub fn link_ids(&self, field_name: &str) -> Option<Vec<String>> {
        match self.value(field_name, FieldType::SingleLink)? {
            FieldValue::Link(ids) => Some(ids),
            _ => None,
        }
    }

    /// A checkbox cell; an absent cell is an unchecked box.
    pub fn checked(&self, field_name: &str) -> bool {
        matches!(
            self.value(field_name, FieldType::Checkbox),
            Some(FieldValue::Checkbox(true))
        )
    }
}

/// Options shared by list and search.
#[derive(Debug, Clone, Default)]
pub(crate) struct Common {
    pub(crate) view_id: Option<String>,
    pub(crate) field_names: Option<Vec<String>>,
    pub(crate) automatic_fields: Option<bool>,
    pub(crate) user_id_type: Option<UserIdType>,
    pub(crate) page_size: Option<u32>,
    pub(crate) page_token: Option<String>,
}

/// Lists records with the legacy endpoint (`GET .../records`). Built by
/// [`Bitable::records`](crate::Bitable::records).
///
/// Feishu marks it historic ("use search instead") but it is documented and still served; its
/// value shapes differ from search (see [`FieldValue`]). `filter` is a formula string and
/// `sort` a list of `"Field DESC"` items; both make Feishu ignore `view_id`.
///
/// `page_size` (1..=500) is checked client-side: a bad value fails with
/// [`Error::InvalidArgument`](feishu_core::Error::InvalidArgument) before anything is sent.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListRecords {
    client: Client,
    app_token: String,
    table_id: String,
    common: Common,
    filter: Option<String>,
    sort: Vec<String>,
    text_field_as_array: Option<bool>,
    display_formula_ref: Option<bool>,
}

impl ListRecords {
    pub(crate) fn new(client: Client, app_token: &str, table_id: &str) -> Self {
        ListRecords {
            client,
            app_token: app_token.to_string(),
            table_id: table_id.to_string(),
            common: Common::default(),
            filter: None,
            sort: Vec::new(),
            text_field_as_array: None,
            display_formula_ref: None,
        }
    }

    /// Only records of this view, in its order (ignored by Feishu with a filter or sort).
    pub fn view_id(mut self, view_id: impl Into<String>) -> Self {
        self.common.view_id = Some(view_id.into());
        self
    }

    /// Only these fields in `fields` (names must match exactly).
    pub fn field_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.common.field_names = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// A filter formula, e.g. `AND(CurrentValue.[Amount]>100, CurrentValue.[Status]="Open")`
    /// (≤ 2000 characters; the server checks it and answers `1254018` when invalid).
    pub fn filter(mut self, formula: impl Into<String>) -> Self {
        self.filter = Some(formula.into());
        self
    }

    /// Adds a sort key (earlier keys win). Feishu answers `1254016` for an invalid sort.
    pub fn sort(mut self, field_name: impl AsRef<str>, desc: bool) -> Self {
        let dir = if desc { "DESC" } else { "ASC" };
        self.sort.push(format!("{} {dir}", field_name.as_ref()));
        self
    }

    /// Include `created_by`, `created_time`, `last_modified_by`, `last_modified_time`.
    pub fn automatic_fields(mut self, yes: bool) -> Self {
        self.common.automatic_fields = Some(yes);
        self
    }

    /// Text cells as segment arrays instead of plain strings.
    pub fn text_field_as_array(mut self, yes: bool) -> Self {
        self.text_field_as_array = Some(yes);
        self
    }

    /// Formula and lookup values rendered in the referenced field's format.
    pub fn display_formula_ref(mut self, yes: bool) -> Self {
        self.display_formula_ref = Some(yes);
        self
    }

    /// Id type of person values (`open_id` by default; `user_id` needs
    /// `contact:user.employee_id:readonly`).
    pub fn user_id_type(mut self, id_type: UserIdType) -> Self {
        self.common.user_id_type = Some(id_type);
        self
    }

    /// Records per page, 1..=500 (Feishu's default is 20), checked client-side.
    pub fn page_size(mut self, n: u32) -> Self {
        self.common.page_size = Some(n);
        self
    }

    /// Starts at this page token: resume a listing from a checkpoint taken from
    /// [`Page::page_token`](feishu_core::Page::page_token) of [`by_page`](feishu_core::ListRequest::by_page).
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.common.page_token = Some(token.into());
        self
    }
}

impl PageRequest for ListRecords {
    type Item = Record;

    fn client(&self) -> &Client {
        &self.client
    }

    fn start_token(&self) -> Option<String> {
        self.common.page_token.clone()
    }

    fn page_request(&self, token: Option<String>) -> Result<Request> {
        let c = &self.common;
        check_page_size(c.page_size, MAX_RECORD_PAGE_SIZE)?;
        let field_names = match &c.field_names {
            Some(names) => Some(json_string(names)?),
            None => None,
        };
        let sort = if self.sort.is_empty() {
            None
        } else {
            Some(json_string(&self.sort)?)
        };
        let req = Request::new(LIST_RECORDS, &[&self.app_token, &self.table_id])?
            .query_opt("view_id", c.view_id.as_deref())
            .query_opt("filter", self.filter.as_deref())
            .query_opt("sort", sort)
            .query_opt("field_names", field_names)
            .query_opt("text_field_as_array", self.text_field_as_array)
            .query_opt("display_formula_ref", self.display_formula_ref)
            .query_opt("automatic_fields", c.automatic_fields)
            .query_opt("user_id_type", c.user_id_type.map(UserIdType::as_str))
            .query_opt("page_size", c.page_size)
            .query_opt("page_token", token);
        Ok(req)
    }
}

fn json_string(items: &[String]) -> Result<String> {
    serde_json::to_string(items).map_err(|e| {
        feishu_core::Error::invalid_argument("field_names", format!("cannot encode the list: {e}"))
    })
}
