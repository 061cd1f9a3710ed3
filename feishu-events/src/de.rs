//! Event times: numbers Feishu sends sometimes as JSON numbers and sometimes as strings, in
//! seconds, milliseconds or microseconds. (The other lenient field decoders are the core's.)

use serde::Deserialize;

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
