//! [`FieldValue`]: one cell typed by its field's type, and [`Computed`], the values of a
//! lookup or formula.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::attachment::Attachment;
use super::group_chat::GroupChat;
use super::location::Location;
use super::person::Person;
use super::url::UrlValue;
use crate::field::FieldType;
use crate::ids::RecordId;

/// One cell's value, typed by its field's type. Build it with
/// [`FieldValue::parse`] / [`FieldValue::parse_field`], or for a whole record with
/// [`Record::typed_fields`](crate::Record::typed_fields).
///
/// Several field types share a variant: [`FieldType::DateTime`], `CreatedTime` and
/// `ModifiedTime` give [`FieldValue::DateTime`]; `User`, `CreatedUser` and `ModifiedUser`
/// give [`FieldValue::Users`]; `SingleLink` and `DuplexLink` give [`FieldValue::Link`].
///
/// Serialised (for export) as `{"kind": "<variant>", "value": ...}`, a date-time as its Unix
/// milliseconds, as on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldValue {
    /// Text, email or barcode: the plain text (segment texts concatenated). The segments
    /// themselves (mentions, links) are available through
    /// [`text_segments`](crate::text_segments).
    Text(String),
    /// Number, progress, currency or rating.
    Number(f64),
    /// The chosen option's name.
    SingleSelect(String),
    /// The chosen options' names.
    MultiSelect(Vec<String>),
    /// A date, created time or modified time (Unix ms on the wire).
    #[serde(with = "unix_ms")]
    DateTime(OffsetDateTime),
    /// Checkbox state. An unchecked box is usually absent from `fields` altogether.
    Checkbox(bool),
    /// Persons (person, created by, modified by).
    Users(Vec<Person>),
    /// Phone number.
    Phone(String),
    /// Hyperlink.
    Url(UrlValue),
    /// Attachments.
    Attachments(Vec<Attachment>),
    /// Ids of the linked records (one- and two-way links).
    Link(Vec<RecordId>),
    /// A lookup's values.
    Lookup(Computed),
    /// A formula's values.
    Formula(Computed),
    /// A location.
    Location(Location),
    /// Group chats.
    GroupChats(Vec<GroupChat>),
    /// Auto number, as text (it may carry a prefix: `INV2025-0017`).
    AutoNumber(String),
    /// A value whose type or shape this SDK does not recognise (a flow cell, whose shape is
    /// undocumented, among them), exactly as sent.
    Unknown(Value),
}

/// The value of a lookup or formula: the underlying type and its values.
///
/// Search (and list records with `text_field_as_array=true`) sends `{type, value: [...]}`;
/// the historic list shape is the rendered text as a segment array, which gives `value_type`
/// [`FieldType::Text`] unless the field's schema says what the formula evaluates to (see
/// [`FieldValue::parse_field`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Computed {
    /// The type of the underlying values.
    pub value_type: FieldType,
    /// The values, each typed by `value_type` (or [`FieldValue::Unknown`]).
    pub values: Vec<FieldValue>,
}

impl FieldValue {
    /// Whether the value was not recognised (and is kept raw).
    pub fn is_unknown(&self) -> bool {
        matches!(self, FieldValue::Unknown(_))
    }

    /// The text of a [`FieldValue::Text`], single select, phone or auto number.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            FieldValue::Text(s)
            | FieldValue::SingleSelect(s)
            | FieldValue::Phone(s)
            | FieldValue::AutoNumber(s) => Some(s),
            _ => None,
        }
    }

    /// The number of a [`FieldValue::Number`], or of a one-value numeric formula / lookup.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            FieldValue::Number(n) => Some(*n),
            FieldValue::Formula(c) | FieldValue::Lookup(c) if c.values.len() == 1 => {
                c.values[0].as_f64()
            }
            _ => None,
        }
    }

    /// The instant of a [`FieldValue::DateTime`], or of a one-value date formula / lookup.
    pub fn as_datetime(&self) -> Option<OffsetDateTime> {
        match self {
            FieldValue::DateTime(t) => Some(*t),
            FieldValue::Formula(c) | FieldValue::Lookup(c) if c.values.len() == 1 => {
                c.values[0].as_datetime()
            }
            _ => None,
        }
    }
}

/// A date-time as Unix milliseconds, the unit Bitable's date cells use on the wire.
mod unix_ms {
    use feishu_core::internal::{from_unix_ms, unix_ms};
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub(super) fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(unix_ms(*t))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        from_unix_ms(i64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}
