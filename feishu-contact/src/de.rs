//! Lenient decoders for nested values: a field of the wrong shape becomes "absent" instead of
//! failing the whole page (the scalar ones live in `feishu_core::de`).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
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

/// A list of strings; numbers and bools are turned into strings, other elements skipped.
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

/// A list of integers (numbers or numeric strings); other elements skipped.
pub(crate) fn i64_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .iter()
            .filter_map(feishu_core::de::value_to_i64)
            .collect(),
        _ => Vec::new(),
    })
}
