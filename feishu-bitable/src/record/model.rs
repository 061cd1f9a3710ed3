//! The [`Record`] model: one row, its cells kept as received.

use std::collections::{BTreeMap, HashMap};

use feishu_core::internal::de::{opt_i64, opt_string};
use feishu_core::internal::from_unix_ms;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::field::{Field, FieldType, TableSchema};
use crate::ids::{RecordId, id_or_empty};
use crate::value::{FieldValue, Person, opt_person};

/// One record (row) of a table, as [`Bitable::search_records`](crate::Bitable::search_records)
/// and [`Bitable::list_records`](crate::Bitable::list_records) return it.
///
/// `fields` is raw JSON keyed by field name, exactly as Feishu sent it (empty cells are
/// absent): type it with [`Record::typed_fields`] and a [`TableSchema`], or read single cells
/// with the lenient helpers ([`Record::text`], [`Record::number`], ...).
///
/// # Example
/// ```
/// use feishu_bitable::Record;
/// let record: Record = serde_json::from_value(serde_json::json!({
///     "record_id": "recA1",
///     "fields": {"Name": [{"type": "text", "text": "SO-1001"}], "Amount": 12.5},
///     "created_time": 1735689600000_i64
/// }))?;
/// assert_eq!(record.record_id, "recA1");
/// assert_eq!(record.text("Name").as_deref(), Some("SO-1001"));
/// assert_eq!(record.number("Amount"), Some(12.5));
/// assert_eq!(record.created_at().unwrap().unix_timestamp(), 1_735_689_600);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct Record {
    /// The record's id.
    #[serde(deserialize_with = "id_or_empty")]
    pub record_id: RecordId,
    /// Cell values by field name, raw (`null` on the wire gives an empty map).
    #[serde(deserialize_with = "map_or_empty")]
    pub fields: Map<String, Value>,
    /// Creator (with `automatic_fields`).
    #[serde(
        deserialize_with = "opt_person",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_by: Option<Person>,
    /// Creation time in Unix **milliseconds**, as on the wire (with `automatic_fields`);
    /// [`Record::created_at`] gives the instant.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub created_time: Option<i64>,
    /// Last editor (with `automatic_fields`).
    #[serde(
        deserialize_with = "opt_person",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_modified_by: Option<Person>,
    /// Last modification time in Unix **milliseconds**, as on the wire (with
    /// `automatic_fields`); [`Record::last_modified_at`] gives the instant.
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

impl Record {
    /// When the record was created (needs `automatic_fields`; `None` without it, or for a
    /// time out of range).
    pub fn created_at(&self) -> Option<OffsetDateTime> {
        from_unix_ms(self.created_time?).ok()
    }

    /// When the record was last modified (needs `automatic_fields`).
    pub fn last_modified_at(&self) -> Option<OffsetDateTime> {
        from_unix_ms(self.last_modified_time?).ok()
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
        let mut by_name: HashMap<&str, &Field> = HashMap::with_capacity(schema.fields.len());
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

    /// A date cell (created and modified time cells too), from Unix ms as a number or a string.
    pub fn datetime(&self, field_name: &str) -> Option<OffsetDateTime> {
        match self.value(field_name, FieldType::DateTime)? {
            FieldValue::DateTime(t) => Some(t),
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
    pub fn link_ids(&self, field_name: &str) -> Option<Vec<RecordId>> {
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
