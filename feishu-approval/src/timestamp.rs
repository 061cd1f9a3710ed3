//! Feishu's instants: Unix milliseconds, sent as a decimal string or a number, `"0"` for
//! "not yet" (an open instance's `end_time`), read as [`OffsetDateTime`].
//!
//! Models serialise them back as Unix-millisecond numbers, so a model written as JSON keeps
//! Feishu's unit.

use serde::{Deserializer, Serializer};
use time::OffsetDateTime;

use feishu_core::internal::de::opt_i64;
use feishu_core::internal::{from_unix_ms, unix_ms};

/// `Some` for a positive Unix-ms value; `"0"`, `""`, `null`, unparsable or unrepresentable
/// values are "not set".
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<OffsetDateTime>, D::Error> {
    Ok(opt_i64(d)?
        .filter(|ms| *ms > 0)
        .and_then(|ms| from_unix_ms(ms).ok()))
}

/// Unix milliseconds as a number, `null` when not set.
pub(crate) fn serialize<S: Serializer>(
    t: &Option<OffsetDateTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_i64(unix_ms(*t)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use time::macros::datetime;

    use super::*;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct At {
        #[serde(default, with = "crate::timestamp")]
        at: Option<OffsetDateTime>,
    }

    #[test]
    fn strings_numbers_and_zero() {
        let a: At = serde_json::from_str(r#"{"at":"1735689600000"}"#).unwrap();
        assert_eq!(a.at, Some(datetime!(2025-01-01 0:00 UTC)));
        let b: At = serde_json::from_str(r#"{"at":1735689600000}"#).unwrap();
        assert_eq!(a, b);
        for unset in [
            r#"{"at":"0"}"#,
            r#"{"at":""}"#,
            r#"{"at":null}"#,
            r#"{}"#,
            r#"{"at":"x"}"#,
        ] {
            assert_eq!(
                serde_json::from_str::<At>(unset).unwrap().at,
                None,
                "{unset}"
            );
        }
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"at":1735689600000}"#
        );
        assert_eq!(
            serde_json::to_string(&At { at: None }).unwrap(),
            r#"{"at":null}"#
        );
    }
}
