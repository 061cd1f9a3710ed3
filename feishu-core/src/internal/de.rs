//! Lenient field decoders for Feishu's drifting wire types.
//!
//! Feishu encodes many numbers and timestamps as JSON strings, sometimes as numbers, and
//! sends `null` or `""` for "absent" (feishu-api.md conventions). These helpers accept every
//! such form, so a model never fails on a representation change, and never panic.
//!
//! # Example
//! ```
//! use serde::Deserialize;
//! #[derive(Deserialize)]
//! struct Instance {
//!     #[serde(default, deserialize_with = "feishu_core::internal::de::opt_i64")]
//!     start_time: Option<i64>,
//! }
//! let a: Instance = serde_json::from_str(r#"{"start_time":"1700000000000"}"#).unwrap();
//! let b: Instance = serde_json::from_str(r#"{"start_time":1700000000000}"#).unwrap();
//! let c: Instance = serde_json::from_str(r#"{"start_time":""}"#).unwrap();
//! assert_eq!(a.start_time, b.start_time);
//! assert_eq!(c.start_time, None);
//! ```

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// An integer from a number, a numeric string, or nothing (`null`, `""`, absent → `None`).
/// Fractional numbers are truncated; non-numeric strings give `None` rather than an error.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(value_to_i64(&Value::deserialize(d)?))
}

/// Like [`opt_i64`], with 0 for "absent".
pub fn i64_or_zero<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(value_to_i64(&Value::deserialize(d)?).unwrap_or(0))
}

/// A float from a number or a numeric string.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A string from a string, a number or a bool (`null` → `None`).
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(value_to_string(Value::deserialize(d)?))
}

/// Like [`opt_string`], with `""` for "absent".
pub fn string_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(value_to_string(Value::deserialize(d)?).unwrap_or_default())
}

/// An id newtype from a string, a number or a bool, with `""` for `null` or absent
/// ([`string_or_empty`]): a page never fails on an id's representation.
pub fn id_or_empty<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    string_or_empty(d).map(T::from)
}

/// Like [`id_or_empty`], with `None` for `null`, `""` or absent.
pub fn opt_id<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    Ok(opt_string(d)?.filter(|id| !id.is_empty()).map(T::from))
}

/// A list of id newtypes ([`string_vec`]: elements that are not strings or numbers are
/// skipped).
pub fn id_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    string_vec(d).map(|ids| ids.into_iter().map(T::from).collect())
}

/// A bool from a bool, `"true"`/`"false"`, or 0/1 (`null` → `false`).
pub fn bool_or_false<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => matches!(s.trim(), "true" | "True" | "1"),
        _ => false,
    })
}

/// A list that may arrive as `null`: `null` → empty.
pub fn vec_or_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A nested object, `None` when absent, `null` or not decodable: a field of the wrong shape
/// becomes "absent" instead of failing the whole page.
pub fn opt_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        v => T::deserialize(v).ok(),
    })
}

/// A list of nested objects; elements that do not decode are skipped with a warning (the
/// enclosing model's raw JSON, where it keeps one, still has them).
pub fn object_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
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
pub fn string_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
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

/// A list of integers (numbers or numeric strings); other elements are skipped.
pub fn i64_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items.iter().filter_map(value_to_i64).collect(),
        _ => Vec::new(),
    })
}

/// The integer in a JSON value, per [`opt_i64`]'s rules.
pub fn value_to_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.abs() < 9.2e18)
                .map(|f| f as i64)
        }),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>().ok().or_else(|| {
                s.parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite() && f.abs() < 9.2e18)
                    .map(|f| f as i64)
            })
        }
        _ => None,
    }
}

fn value_to_string(v: Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

/// Any JSON value as a string: a string as is, `null` as `""`, anything else as its JSON text.
/// Used by wire enums, which must never fail to decode.
pub fn any_to_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(value_to_string(Value::deserialize(d)?).unwrap_or_default())
}
