//! Tolerant decoding of the numbers Feishu sends sometimes as JSON numbers and sometimes as
//! strings (e.g. `operate_time` of `approval_instance` is a string, except for `REVERTED`
//! where it is an int64, as the event's documentation warns).

use serde::{Deserialize, Deserializer};

/// A number or a numeric string, as received.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum Loose {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Loose {
    /// The value as a float, if it is a number or a numeric string.
    fn as_f64(&self) -> Option<f64> {
        match self {
            Loose::Int(i) => Some(*i as f64),
            Loose::Float(f) if f.is_finite() => Some(*f),
            Loose::Float(_) => None,
            Loose::Text(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        }
    }

    /// The value as an integer, if it is an integer or an integer string.
    fn as_i64(&self) -> Option<i64> {
        match self {
            Loose::Int(i) => Some(*i),
            Loose::Float(_) => None,
            Loose::Text(s) => s.trim().parse::<i64>().ok(),
        }
    }

    /// A Unix time in seconds, milliseconds or microseconds (decided by magnitude), in
    /// milliseconds. v1 `ts` is seconds with a fraction; v2 `create_time` is documented as
    /// milliseconds, though one documentation sample shows microseconds.
    pub(crate) fn unix_ms(&self) -> Option<i64> {
        let v = self.as_f64()?;
        if v < 0.0 {
            return None;
        }
        let ms = if v < 1e11 {
            v * 1e3
        } else if v < 1e14 {
            v
        } else if v < 1e17 {
            v / 1e3
        } else {
            v / 1e6
        };
        // The range check above bounds `ms` well inside i64.
        Some(ms as i64)
    }
}

/// Deserializes an optional integer sent as a number, a numeric string, `""` or `null`.
/// A non-numeric string is an error (the field exists but means something else).
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<Loose>::deserialize(d)? {
        None => Ok(None),
        Some(Loose::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("expected an integer, got {v:?}"))),
    }
}

/// Deserializes a string that may be `null` into an empty string.
pub(crate) fn null_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// Deserializes a list that may be `null` into an empty list.
pub(crate) fn null_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}
