//! Lenient decoders for nested and enum values (the scalar ones live in `feishu_core::de`).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::Value;

/// A nested object, `None` when absent, `null` or not decodable.
pub(crate) fn opt_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        v => T::deserialize(v).ok(),
    })
}

/// A list of nested objects; elements that do not decode are skipped with a warning.
pub(crate) fn object_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| match T::deserialize(v) {
                Ok(t) => Some(t),
                Err(e) => {
                    tracing::warn!(error = %e, "skipping an undecodable list element");
                    None
                }
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// A list of strings; numbers and bools become strings, other elements are skipped.
pub(crate) fn string_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// A string-valued enum (`T: From<String>`), `None` when absent, `null` or `""`.
pub(crate) fn opt_from_string<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    Ok(feishu_core::de::opt_string(d)?
        .filter(|s| !s.is_empty())
        .map(T::from))
}

/// An int-valued enum (`T: From<i64>`), `None` when absent or not a number.
pub(crate) fn opt_from_i64<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<i64>,
{
    Ok(feishu_core::de::opt_i64(d)?.map(T::from))
}

/// Unix seconds written back the way Feishu sends them: as a decimal string.
pub(crate) fn opt_i64_as_string<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(n) => s.serialize_str(&n.to_string()),
        None => s.serialize_none(),
    }
}
