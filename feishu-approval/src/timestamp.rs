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

/// Unix milliseconds of `t`, rounded up: the end of a half-open range in Feishu's unit, so
/// that no whole millisecond before `t` is left out.
pub(crate) fn ceil_ms(t: OffsetDateTime) -> i64 {
    let ms = unix_ms(t);
    if t.nanosecond().is_multiple_of(1_000_000) {
        ms
    } else {
        ms.saturating_add(1)
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

    #[test]
    fn ends_round_up_to_whole_milliseconds() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_500_000_001).unwrap();
        assert_eq!(ceil_ms(t), 1_501);
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_500_000_000).unwrap();
        assert_eq!(ceil_ms(t), 1_500);
    }
}
