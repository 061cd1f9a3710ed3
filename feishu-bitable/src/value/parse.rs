//! Typing raw cells: [`FieldValue::parse`] and [`FieldValue::parse_field`], which read every
//! documented shape of a cell (search's and list records' with `text_field_as_array=true`,
//! and the historic list shape without it) and keep anything else raw.

use feishu_core::internal::de::value_to_i64;
use feishu_core::internal::from_unix_ms;
use serde::Deserialize;
use serde_json::Value;

use super::attachment::Attachment;
use super::field_value::{Computed, FieldValue};
use super::group_chat::GroupChat;
use super::location::Location;
use super::person::persons_of;
use super::text::{is_segment_array, text_of};
use super::url::UrlValue;
use crate::field::{Field, FieldType};
use crate::ids::RecordId;

impl FieldValue {
    /// Types `raw` as a value of a field of type `field_type`. Never fails and never panics: a
    /// shape that does not fit the type gives [`FieldValue::Unknown`] with `raw` unchanged.
    ///
    /// # Example
    /// ```
    /// use feishu_bitable::{FieldType, FieldValue};
    /// use serde_json::json;
    /// // The historic list shape and the search shape give the same value ...
    /// let historic = FieldValue::parse(FieldType::Text, &json!("SO-1001"));
    /// let searched = FieldValue::parse(FieldType::Text, &json!([{"type": "text", "text": "SO-1001"}]));
    /// assert_eq!(historic, searched);
    /// assert_eq!(FieldValue::parse(FieldType::Number, &json!("12.5")), FieldValue::Number(12.5));
    /// // ... and an unexpected shape stays raw.
    /// let odd = json!({"x": 1});
    /// assert_eq!(FieldValue::parse(FieldType::Checkbox, &odd), FieldValue::Unknown(odd.clone()));
    /// ```
    pub fn parse(field_type: FieldType, raw: &Value) -> FieldValue {
        try_parse(field_type, raw).unwrap_or_else(|| FieldValue::Unknown(raw.clone()))
    }

    /// Like [`FieldValue::parse`], using the field's settings too: a numeric formula or lookup
    /// that the historic list shape rendered as text is typed by its declared result type
    /// (`property.type.data_type`), so every shape gives the same value.
    pub fn parse_field(field: &Field, raw: &Value) -> FieldValue {
        let value = Self::parse(field.field_type, raw);
        match (value, field.formula_result_type()) {
            (FieldValue::Formula(c), Some(declared)) => FieldValue::Formula(retype(c, declared)),
            (FieldValue::Lookup(c), Some(declared)) => FieldValue::Lookup(retype(c, declared)),
            (value, _) => value,
        }
    }
}

fn try_parse(field_type: FieldType, raw: &Value) -> Option<FieldValue> {
    use FieldType as T;
    Some(match field_type {
        T::Text => FieldValue::Text(text_of(raw)?),
        // Numbers arrive as JSON numbers, or (historic list shape) as decimal strings.
        T::Number => FieldValue::Number(number_of(raw)?),
        T::SingleSelect => FieldValue::SingleSelect(raw.as_str()?.to_string()),
        T::MultiSelect => FieldValue::MultiSelect(strings_of(raw)?),
        T::DateTime | T::CreatedTime | T::ModifiedTime => match raw {
            Value::Number(_) | Value::String(_) => {
                FieldValue::DateTime(from_unix_ms(value_to_i64(raw)?).ok()?)
            }
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
        // Flow (type 24, `Stage`): the cell shape is undocumented (field guide
        // https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-field/guide
        // lists the type, no page shows its value), so it stays raw.
        T::Flow | T::Button | T::Unknown(_) => return None,
    })
}

/// One element of a lookup/formula `value` list: a multi-select list holds option names, a
/// person list holds single persons.
fn parse_element(value_type: FieldType, raw: &Value) -> FieldValue {
    match value_type {
        FieldType::MultiSelect if raw.is_string() => {
            FieldValue::parse(FieldType::SingleSelect, raw)
        }
        other => FieldValue::parse(other, raw),
    }
}

fn from_value<'a, T: Deserialize<'a>>(v: &'a Value) -> Option<T> {
    T::deserialize(v).ok()
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

/// Linked record ids from `{link_record_ids}` (search), `[{record_ids, ...}]` (historic list
/// shape) or a plain id array.
fn link_ids_of(raw: &Value) -> Option<Vec<RecordId>> {
    let ids = match raw {
        Value::Object(o) => strings_of(o.get("link_record_ids")?)?,
        Value::Array(items) => match strings_of(raw) {
            Some(ids) => ids,
            None => {
                let mut ids = Vec::new();
                for item in items {
                    ids.extend(strings_of(item.as_object()?.get("record_ids")?)?);
                }
                ids
            }
        },
        _ => return None,
    };
    Some(ids.into_iter().map(RecordId::from).collect())
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
                    .map(|item| parse_element(value_type, item))
                    .collect(),
                (_, other) => vec![parse_element(value_type, other)],
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

/// Retypes text rendered in the historic list shape into the declared result type, when the
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
