//! Lenient decoders for enum values and the string form of times (the shared ones live in
//! `feishu_core::de`).

use serde::{Deserializer, Serializer};

/// A string-valued enum (`T: From<String>`), `None` when absent, `null` or `""`.
pub(crate) fn opt_from_string<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    Ok(feishu_core::internal::de::opt_string(d)?
        .filter(|s| !s.is_empty())
        .map(T::from))
}

/// An int-valued enum (`T: From<i64>`), `None` when absent or not a number.
pub(crate) fn opt_from_i64<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<i64>,
{
    Ok(feishu_core::internal::de::opt_i64(d)?.map(T::from))
}

/// Unix seconds written back the way Feishu sends them: as a decimal string.
pub(crate) fn opt_i64_as_string<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(n) => s.serialize_str(&n.to_string()),
        None => s.serialize_none(),
    }
}
