//! The key of a row: the text an `is` filter compares (the record filter guide,
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/record-filter-guide>:
//! text, numbers as decimal strings, an option's name, a phone number, a URL's text, an auto
//! number), taken alike from the value to write and from the cell read back, and compared
//! exactly.

use serde_json::Value;

use crate::field::FieldType;
use crate::value::FieldValue;

/// Whether a field of this type can be an upsert key.
pub(super) fn is_key_type(field_type: FieldType) -> bool {
    matches!(
        field_type,
        FieldType::Text
            | FieldType::Number
            | FieldType::SingleSelect
            | FieldType::Phone
            | FieldType::Url
            | FieldType::AutoNumber
    )
}

/// The key text of a typed value (`None` for an empty or unmatchable one).
pub(super) fn key_of(value: &FieldValue) -> Option<String> {
    let text = match value {
        FieldValue::Text(s)
        | FieldValue::SingleSelect(s)
        | FieldValue::Phone(s)
        | FieldValue::AutoNumber(s) => s.clone(),
        FieldValue::Number(n) if n.is_finite() => n.to_string(),
        FieldValue::Url(u) => u.text.clone().or_else(|| u.link.clone())?,
        FieldValue::Unknown(Value::String(s)) => s.clone(),
        FieldValue::Unknown(Value::Number(n)) => n.as_f64()?.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// The key text of a raw value given with [`Fields::set_raw`](crate::Fields::set_raw): a
/// string, a number, or a URL object's text.
pub(super) fn key_of_raw(raw: &Value) -> Option<String> {
    let text = match raw {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().filter(|f| f.is_finite())?.to_string(),
        Value::Object(o) => o
            .get("text")
            .or_else(|| o.get("link"))?
            .as_str()?
            .to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// The key text of a cell as a read returns it, for a key field of `field_type`.
pub(super) fn key_of_cell(field_type: FieldType, raw: &Value) -> Option<String> {
    key_of(&FieldValue::parse(field_type, raw))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::value::UrlValue;

    #[test]
    fn written_and_read_keys_compare_alike() {
        assert_eq!(key_of(&FieldValue::from("SO-1")).as_deref(), Some("SO-1"));
        assert_eq!(
            key_of_cell(FieldType::Text, &json!([{"type": "text", "text": "SO-1"}])).as_deref(),
            Some("SO-1")
        );
        assert_eq!(key_of(&FieldValue::from(12.0)).as_deref(), Some("12"));
        assert_eq!(
            key_of_cell(FieldType::Number, &json!(12)).as_deref(),
            Some("12")
        );
        assert_eq!(
            key_of_cell(FieldType::Number, &json!("12.50")).as_deref(),
            Some("12.5")
        );
        assert_eq!(
            key_of(&FieldValue::Url(UrlValue::new("home", "https://x"))).as_deref(),
            Some("home")
        );
        assert_eq!(key_of(&FieldValue::from("")), None);
        assert_eq!(key_of(&FieldValue::Checkbox(true)), None);
        assert_eq!(key_of_raw(&json!(7)).as_deref(), Some("7"));
    }
}
