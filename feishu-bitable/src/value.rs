//! A typed view of record field values, keyed by the field's type (feishu-api.md §6.8).
//!
//! Feishu returns the same cell in different shapes depending on the endpoint: the legacy
//! list endpoint sends text as a plain string and numbers as decimal strings, links as
//! `[{record_ids, ...}]` and created/modified-by as a single person; search sends segment
//! arrays, JSON numbers, `{link_record_ids}` and person arrays. [`FieldValue::parse`] accepts
//! all of them and gives one typed value. A shape it does not recognise is kept as
//! [`FieldValue::Unknown`] holding the raw JSON unchanged: nothing is dropped, nothing panics.
//!
//! # Example
//! ```
//! use feishu_bitable::{FieldType, FieldValue};
//! use serde_json::json;
//! let from_list = FieldValue::parse(FieldType::Text, &json!("SO-1001"));
//! let from_search = FieldValue::parse(FieldType::Text, &json!([{"type": "text", "text": "SO-1001"}]));
//! assert_eq!(from_list, from_search);
//! assert_eq!(FieldValue::parse(FieldType::Number, &json!("12.5")), FieldValue::Number(12.5));
//! // An unexpected shape stays raw:
//! assert_eq!(FieldValue::parse(FieldType::Checkbox, &json!({"x": 1})), FieldValue::Unknown(json!({"x": 1})));
//! ```

use feishu_core::internal::de::{opt_i64, opt_string, string_or_empty, value_to_i64};
use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::field::{Field, FieldType};

/// One cell's value, typed by its field's type.
///
/// Several field types share a variant: [`FieldType::DateTime`], `CreatedTime` and
/// `ModifiedTime` give [`FieldValue::DateTime`]; `User`, `CreatedUser` and `ModifiedUser`
/// give [`FieldValue::Users`]; `SingleLink` and `DuplexLink` give [`FieldValue::Link`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldValue {
    /// Text, email or barcode: the plain text (segment texts concatenated). The segments
    /// themselves (mentions, links) are available through [`text_segments`].
    Text(String),
    /// Number, progress, currency or rating.
    Number(f64),
    /// The chosen option's name.
    SingleSelect(String),
    /// The chosen options' names.
    MultiSelect(Vec<String>),
    /// Unix milliseconds (date, created time, modified time).
    DateTime(i64),
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
    Link(Vec<String>),
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
    /// A value whose type or shape this SDK does not recognise, exactly as sent.
    Unknown(Value),
}

/// The value of a lookup or formula: the underlying type and its values.
///
/// Search sends `{type, value: [...]}`; the legacy list endpoint sends the rendered text as a
/// segment array, which gives `value_type` [`FieldType::Text`] unless the field's schema says
/// what the formula evaluates to (see [`FieldValue::parse_field`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Computed {
    /// The type of the underlying values.
    pub value_type: FieldType,
    /// The values, each typed by `value_type` (or [`FieldValue::Unknown`]).
    pub values: Vec<FieldValue>,
}

/// A person (cell value or automatic `created_by` / `last_modified_by`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct Person {
    /// User id of the requested `user_id_type` (`open_id` by default).
    #[serde(deserialize_with = "string_or_empty")]
    pub id: String,
    /// Name.
    #[serde(deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// English name.
    #[serde(deserialize_with = "opt_string")]
    pub en_name: Option<String>,
    /// Email (needs a contact scope to be filled).
    #[serde(deserialize_with = "opt_string")]
    pub email: Option<String>,
    /// Avatar URL (needs `contact:user.base:readonly`).
    #[serde(deserialize_with = "opt_string")]
    pub avatar_url: Option<String>,
    /// Fields this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A hyperlink cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct UrlValue {
    /// Shown text.
    #[serde(deserialize_with = "opt_string")]
    pub text: Option<String>,
    /// Target.
    #[serde(deserialize_with = "opt_string")]
    pub link: Option<String>,
    /// Fields this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One attachment. `url` / `tmp_url` point at the Drive media API and need a Bearer token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct Attachment {
    /// Drive file token.
    #[serde(deserialize_with = "string_or_empty")]
    pub file_token: String,
    /// File name.
    #[serde(deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// MIME type (`type` on the wire).
    #[serde(rename = "type", deserialize_with = "opt_string")]
    pub mime_type: Option<String>,
    /// Size in bytes.
    #[serde(deserialize_with = "opt_i64")]
    pub size: Option<i64>,
    /// Download URL.
    #[serde(deserialize_with = "opt_string")]
    pub url: Option<String>,
    /// URL that yields a temporary download URL.
    #[serde(deserialize_with = "opt_string")]
    pub tmp_url: Option<String>,
    /// Fields this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A location cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct Location {
    /// `"lng,lat"`.
    #[serde(deserialize_with = "opt_string")]
    pub location: Option<String>,
    /// Province.
    #[serde(deserialize_with = "opt_string")]
    pub pname: Option<String>,
    /// City.
    #[serde(deserialize_with = "opt_string")]
    pub cityname: Option<String>,
    /// District.
    #[serde(deserialize_with = "opt_string")]
    pub adname: Option<String>,
    /// Street address.
    #[serde(deserialize_with = "opt_string")]
    pub address: Option<String>,
    /// Place name.
    #[serde(deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// Full address.
    #[serde(deserialize_with = "opt_string")]
    pub full_address: Option<String>,
    /// Fields this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Location {
    /// Longitude and latitude parsed from [`Location::location`].
    pub fn coordinates(&self) -> Option<(f64, f64)> {
        let (lng, lat) = self.location.as_deref()?.split_once(',')?;
        Some((lng.trim().parse().ok()?, lat.trim().parse().ok()?))
    }
}

/// A group chat cell entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct GroupChat {
    /// Chat id (`oc_…`).
    #[serde(deserialize_with = "string_or_empty")]
    pub id: String,
    /// Chat name.
    #[serde(deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// Avatar URL.
    #[serde(deserialize_with = "opt_string")]
    pub avatar_url: Option<String>,
    /// Fields this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One segment of a rich text value: `text`, `mention` (+ `token`, `mentionType`, `name`) or
/// `url` (+ `link`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct TextSegment {
    /// Segment kind (`text`, `mention`, `url`).
    #[serde(rename = "type", deserialize_with = "opt_string")]
    pub kind: Option<String>,
    /// The segment's text.
    #[serde(deserialize_with = "string_or_empty")]
    pub text: String,
    /// Link target of a `url` segment.
    #[serde(deserialize_with = "opt_string")]
    pub link: Option<String>,
    /// Mentioned object's token of a `mention` segment.
    #[serde(deserialize_with = "opt_string")]
    pub token: Option<String>,
    /// Kind of mention (`User`, `Docx`, `Sheet`, `Bitable`).
    #[serde(rename = "mentionType", deserialize_with = "opt_string")]
    pub mention_type: Option<String>,
    /// Fields this SDK version does not model (`name`, `mentionNotify`, ...), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The segments of a text value: a segment array as sent, a single segment object, or a plain
/// string as one `text` segment. `None` when `raw` is none of these.
pub fn text_segments(raw: &Value) -> Option<Vec<TextSegment>> {
    match raw {
        Value::String(s) => Some(vec![TextSegment {
            kind: Some("text".into()),
            text: s.clone(),
            ..TextSegment::default()
        }]),
        Value::Array(items) => items.iter().map(segment).collect(),
        Value::Object(_) => segment(raw).map(|s| vec![s]),
        _ => None,
    }
}

fn segment(v: &Value) -> Option<TextSegment> {
    v.as_object()?.get("text")?.as_str()?;
    from_value(v)
}

fn from_value<T: DeserializeOwned>(v: &Value) -> Option<T> {
    T::deserialize(v).ok()
}

/// Text of a string, a segment array or a single segment.
fn text_of(raw: &Value) -> Option<String> {
    match raw {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_object()?.get("text")?.as_str())
            .collect::<Option<Vec<&str>>>()
            .map(|parts| parts.concat()),
        Value::Object(o) => o.get("text")?.as_str().map(str::to_string),
        _ => None,
    }
}

fn number_of(raw: &Value) -> Option<f64> {
    match raw {
        Value::Number(n) => n.as_f64().filter(|f| f.is_finite()),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

fn strings_of(raw: &Value) -> Option<Vec<String>> {
    raw.as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn person_of(raw: &Value) -> Option<Person> {
    raw.as_object()?.get("id")?.as_str()?;
    from_value(raw)
}

/// Persons from an object or an array of objects (each with a string `id`).
fn persons_of(raw: &Value) -> Option<Vec<Person>> {
    match raw {
        Value::Object(_) => person_of(raw).map(|p| vec![p]),
        Value::Array(items) => items.iter().map(person_of).collect(),
        _ => None,
    }
}

fn url_of(raw: &Value) -> Option<UrlValue> {
    match raw {
        Value::Object(o) => {
            let text_ok = o.get("text").is_none_or(Value::is_string);
            let link_ok = o.get("link").is_none_or(Value::is_string);
            let any = o.contains_key("text") || o.contains_key("link");
            (text_ok && link_ok && any).then(|| from_value(raw))?
        }
        Value::Array(items) if items.len() == 1 => url_of(&items[0]),
        _ => None,
    }
}

fn attachments_of(raw: &Value) -> Option<Vec<Attachment>> {
    raw.as_array()?
        .iter()
        .map(|v| {
            v.as_object()?.get("file_token")?.as_str()?;
            from_value(v)
        })
        .collect()
}

/// Linked record ids from `{link_record_ids}` (search), `[{record_ids, ...}]` (legacy list) or
/// a plain id array.
fn link_ids_of(raw: &Value) -> Option<Vec<String>> {
    match raw {
        Value::Object(o) => strings_of(o.get("link_record_ids")?),
        Value::Array(items) => {
            if let Some(ids) = strings_of(raw) {
                return Some(ids);
            }
            let mut ids = Vec::new();
            for item in items {
                ids.extend(strings_of(item.as_object()?.get("record_ids")?)?);
            }
            Some(ids)
        }
        _ => None,
    }
}

fn location_of(raw: &Value) -> Option<Location> {
    let o = raw.as_object()?;
    let known = [
        "location",
        "pname",
        "cityname",
        "adname",
        "address",
        "name",
        "full_address",
    ];
    let any_string = known
        .iter()
        .any(|k| o.get(*k).is_some_and(Value::is_string));
    let all_fit = known
        .iter()
        .all(|k| o.get(*k).is_none_or(|v| v.is_string() || v.is_null()));
    (any_string && all_fit).then(|| from_value(raw))?
}

fn chats_of(raw: &Value) -> Option<Vec<GroupChat>> {
    raw.as_array()?
        .iter()
        .map(|v| {
            v.as_object()?.get("id")?.as_str()?;
            from_value(v)
        })
        .collect()
}

/// Whether the value is a segment array (or empty array), the list shape of formulas.
fn is_segment_array(raw: &Value) -> bool {
    raw.as_array().is_some_and(|items| {
        items.iter().all(|i| {
            i.as_object()
                .and_then(|o| o.get("text"))
                .is_some_and(Value::is_string)
        })
    })
}

fn computed_of(raw: &Value) -> Option<Computed> {
    match raw {
        Value::Object(o) if o.contains_key("value") => {
            let code = match o.get("type") {
                Some(Value::Number(n)) => n.as_i64()?,
                _ => return None,
            };
            let value_type = FieldType::from_code(code);
            let value = &o["value"];
            let values = match (value_type, value) {
                (FieldType::Text, v) if text_of(v).is_some() => {
                    vec![FieldValue::Text(text_of(v).unwrap_or_default())]
                }
                (_, Value::Array(items)) => items
                    .iter()
                    .map(|item| FieldValue::parse_element(value_type, item))
                    .collect(),
                (_, other) => vec![FieldValue::parse_element(value_type, other)],
            };
            Some(Computed { value_type, values })
        }
        Value::String(s) => Some(Computed {
            value_type: FieldType::Text,
            values: vec![FieldValue::Text(s.clone())],
        }),
        v if is_segment_array(v) => Some(Computed {
            value_type: FieldType::Text,
            values: vec![FieldValue::Text(text_of(v)?)],
        }),
        Value::Number(_) => Some(Computed {
            value_type: FieldType::Number,
            values: vec![FieldValue::Number(number_of(raw)?)],
        }),
        _ => None,
    }
}

impl FieldValue {
    /// Types `raw` as a value of a field of type `field_type`. Never fails and never panics: a
    /// shape that does not fit the type gives [`FieldValue::Unknown`] with `raw` unchanged.
    pub fn parse(field_type: FieldType, raw: &Value) -> FieldValue {
        Self::try_parse(field_type, raw).unwrap_or_else(|| FieldValue::Unknown(raw.clone()))
    }

    /// Like [`FieldValue::parse`], using the field's settings too: a formula that the legacy
    /// list endpoint rendered as text is typed by its declared result type
    /// (`property.type.data_type`), so list and search give the same value.
    pub fn parse_field(field: &Field, raw: &Value) -> FieldValue {
        let value = Self::parse(field.field_type, raw);
        match (value, field.formula_result_type()) {
            (FieldValue::Formula(c), Some(declared)) => FieldValue::Formula(retype(c, declared)),
            (FieldValue::Lookup(c), Some(declared)) => FieldValue::Lookup(retype(c, declared)),
            (value, _) => value,
        }
    }

    fn try_parse(field_type: FieldType, raw: &Value) -> Option<FieldValue> {
        use FieldType as T;
        Some(match field_type {
            T::Text => FieldValue::Text(text_of(raw)?),
            T::Number => FieldValue::Number(number_of(raw)?),
            T::SingleSelect => FieldValue::SingleSelect(raw.as_str()?.to_string()),
            T::MultiSelect => FieldValue::MultiSelect(strings_of(raw)?),
            T::DateTime | T::CreatedTime | T::ModifiedTime => match raw {
                Value::Number(_) | Value::String(_) => FieldValue::DateTime(value_to_i64(raw)?),
                _ => return None,
            },
            T::Checkbox => match raw {
                Value::Bool(b) => FieldValue::Checkbox(*b),
                Value::String(s) if s == "true" => FieldValue::Checkbox(true),
                Value::String(s) if s == "false" => FieldValue::Checkbox(false),
                _ => return None,
            },
            T::User | T::CreatedUser | T::ModifiedUser => FieldValue::Users(persons_of(raw)?),
            T::Phone => match raw {
                Value::String(s) => FieldValue::Phone(s.clone()),
                Value::Number(n) => FieldValue::Phone(n.to_string()),
                _ => return None,
            },
            T::Url => FieldValue::Url(url_of(raw)?),
            T::Attachment => FieldValue::Attachments(attachments_of(raw)?),
            T::SingleLink | T::DuplexLink => FieldValue::Link(link_ids_of(raw)?),
            T::Lookup => FieldValue::Lookup(computed_of(raw)?),
            T::Formula => FieldValue::Formula(computed_of(raw)?),
            T::Location => FieldValue::Location(location_of(raw)?),
            T::GroupChat => FieldValue::GroupChats(chats_of(raw)?),
            T::AutoNumber => match raw {
                Value::String(s) => FieldValue::AutoNumber(s.clone()),
                Value::Number(n) => FieldValue::AutoNumber(n.to_string()),
                _ => return None,
            },
            T::Flow | T::Button | T::Unknown(_) => return None,
        })
    }

    /// One element of a lookup/formula `value` list: a multi-select list holds option names, a
    /// person list holds single persons.
    fn parse_element(value_type: FieldType, raw: &Value) -> FieldValue {
        match value_type {
            FieldType::MultiSelect if raw.is_string() => Self::parse(FieldType::SingleSelect, raw),
            other => Self::parse(other, raw),
        }
    }

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
}

/// Retypes text rendered by the legacy list endpoint into the declared result type, when the
/// text parses as it (numbers only; other texts are left as they are).
fn retype(c: Computed, declared: FieldType) -> Computed {
    if c.value_type != FieldType::Text || declared != FieldType::Number {
        return c;
    }
    let numbers: Option<Vec<FieldValue>> = c
        .values
        .iter()
        .map(|v| match v {
            FieldValue::Text(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
            _ => None,
        })
        .map(|n| n.map(FieldValue::Number))
        .collect();
    match numbers {
        Some(values) => Computed {
            value_type: FieldType::Number,
            values,
        },
        None => c,
    }
}

/// Decodes the automatic `created_by` / `last_modified_by`: a person object, or (tolerated) an
/// array whose first element is one; anything else (scalars, `null`, an empty array, an array
/// whose first element is not an object) is `None`.
///
/// One pass over the input, no intermediate [`Value`] tree: this runs twice per record of every
/// scan with `automatic_fields`. The fields are decoded as leniently as [`Person`]'s own
/// `Deserialize` (a repeated key keeps the last value, as a JSON object would).
pub(crate) fn opt_person<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Person>, D::Error> {
    d.deserialize_any(OptPerson)
}

/// The visitor of [`opt_person`]; as a seed it decodes one array element the same way except
/// that a nested array is not looked into.
#[derive(Clone, Copy)]
struct OptPerson;

/// An array element: a person object, or `None` for anything else (skipped).
#[derive(Clone, Copy)]
struct ElementPerson;

impl<'de> DeserializeSeed<'de> for ElementPerson {
    type Value = Option<Person>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

macro_rules! none_for_scalars {
    () => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i128<E: de::Error>(self, _: i128) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u128<E: de::Error>(self, _: u128) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            person_from_map(map).map(Some)
        }
    };
}

impl<'de> Visitor<'de> for OptPerson {
    type Value = Option<Person>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a person object or an array of person objects")
    }

    none_for_scalars!();

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let first = seq.next_element_seed(ElementPerson)?.flatten();
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(first)
    }
}

impl<'de> Visitor<'de> for ElementPerson {
    type Value = Option<Person>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a person object")
    }

    none_for_scalars!();

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// A key of a person object; known keys are matched without allocating.
enum PersonKey {
    Id,
    Name,
    EnName,
    Email,
    AvatarUrl,
    Other(String),
}

impl<'de> Deserialize<'de> for PersonKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = PersonKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<PersonKey, E> {
                Ok(match key {
                    "id" => PersonKey::Id,
                    "name" => PersonKey::Name,
                    "en_name" => PersonKey::EnName,
                    "email" => PersonKey::Email,
                    "avatar_url" => PersonKey::AvatarUrl,
                    other => PersonKey::Other(other.to_string()),
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// A person from an object, with [`Person`]'s lenient field rules (`opt_string` /
/// `string_or_empty`; unknown keys into `extra`).
fn person_from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Person, A::Error> {
    fn lenient<E: de::Error>(v: Value) -> Result<Option<String>, E> {
        opt_string(v).map_err(E::custom)
    }
    let mut person = Person::default();
    while let Some(key) = map.next_key::<PersonKey>()? {
        match key {
            PersonKey::Id => {
                person.id = lenient(map.next_value()?)?.unwrap_or_default();
            }
            PersonKey::Name => person.name = lenient(map.next_value()?)?,
            PersonKey::EnName => person.en_name = lenient(map.next_value()?)?,
            PersonKey::Email => person.email = lenient(map.next_value()?)?,
            PersonKey::AvatarUrl => person.avatar_url = lenient(map.next_value()?)?,
            PersonKey::Other(key) => {
                person.extra.insert(key, map.next_value()?);
            }
        }
    }
    Ok(person)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize)]
    struct Holder {
        #[serde(default, deserialize_with = "opt_person")]
        p: Option<Person>,
    }

    /// Through the streaming parser and through a `Value`, with the old two-pass decode as
    /// the reference.
    fn both(p: &str) -> Option<Person> {
        let text = format!(r#"{{"p":{p}}}"#);
        let streamed = serde_json::from_str::<Holder>(&text).unwrap().p;
        let v: Value = serde_json::from_str(&text).unwrap();
        let from_value = serde_json::from_value::<Holder>(v.clone()).unwrap().p;
        assert_eq!(streamed, from_value, "{p}");
        let reference = match &v["p"] {
            Value::Array(items) => items.first().and_then(from_value_ref),
            o @ Value::Object(_) => from_value_ref(o),
            _ => None,
        };
        assert_eq!(streamed, reference, "{p}");
        streamed
    }

    fn from_value_ref(v: &Value) -> Option<Person> {
        Person::deserialize(v).ok()
    }

    #[test]
    fn opt_person_accepts_an_object_or_an_array_and_nothing_else() {
        let full =
            r#"{"id":"ou_1","name":"Li","en_name":"Lei","email":"a@b","avatar_url":"u","x":[1]}"#;
        let p = both(full).unwrap();
        assert_eq!(p.id, "ou_1");
        assert_eq!(p.name.as_deref(), Some("Li"));
        assert_eq!(p.en_name.as_deref(), Some("Lei"));
        assert_eq!(p.email.as_deref(), Some("a@b"));
        assert_eq!(p.avatar_url.as_deref(), Some("u"));
        assert_eq!(p.extra["x"], json!([1]));
        assert_eq!(
            both(&format!("[{full}, 7, {{\"id\":\"ou_2\"}}]"))
                .unwrap()
                .id,
            "ou_1"
        );
        // Lenient field types, as `Person`'s derive: numbers become text, null is absent.
        let p = both(r#"{"id":12,"name":null,"email":true,"en_name":1.5,"avatar_url":{"a":[1]}}"#)
            .unwrap();
        assert_eq!(
            (p.id.as_str(), p.name, p.email.as_deref()),
            ("12", None, Some("true"))
        );
        assert_eq!(p.en_name.as_deref(), Some("1.5"));
        assert_eq!(p.avatar_url.as_deref(), Some(r#"{"a":[1]}"#));
        for id in [
            "-7",
            "18446744073709551615",
            "1e3",
            "-0.0",
            "[1,\"x\"]",
            "\"\\u00e9\"",
        ] {
            both(&format!(r#"{{"id":{id}}}"#)).unwrap();
        }
        assert_eq!(both("{}"), Some(Person::default()));
        for other in [
            "null",
            "true",
            "3",
            "-1.5",
            r#""ou_1""#,
            "[]",
            "[null]",
            r#"["ou_1"]"#,
            "[[{\"id\":\"a\"}]]",
            r#"[7, {"id":"ou_2"}]"#,
        ] {
            assert_eq!(both(other), None, "{other}");
        }
        // A missing key is `None` too.
        let h: Holder = serde_json::from_str("{}").unwrap();
        assert!(h.p.is_none());
    }

    #[test]
    fn opt_person_repeated_keys_keep_the_last_value() {
        let h: Holder = serde_json::from_str(r#"{"p":{"id":"a","id":"b","k":1,"k":2}}"#).unwrap();
        let p = h.p.unwrap();
        assert_eq!(p.id, "b");
        assert_eq!(p.extra["k"], json!(2));
    }

    #[test]
    fn opt_person_rejects_only_broken_json() {
        assert!(serde_json::from_str::<Holder>(r#"{"p":{"id":"a",}}"#).is_err());
        assert!(serde_json::from_str::<Holder>(r#"{"p":[{"id":"a"}"#).is_err());
    }
}
