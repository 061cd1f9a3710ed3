//! How token replies carry `expire`, for testing clients against broken token replies.

use serde_json::{Value, json};

/// How the token endpoints write `expire` (the token's remaining lifetime in seconds).
///
/// Feishu documents `expire` as an integer of seconds
/// (<https://open.feishu.cn/document/ukTMukTMukTM/ukDNz4SO0MjL5QzM/auth-v3/auth/tenant_access_token_internal>);
/// the other variants make the reply broken in the two ways a client must survive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ExpireField {
    /// `"expire": 7200`, as documented.
    #[default]
    Seconds,
    /// No `expire` key at all.
    Omitted,
    /// `"expire": "soon"`: present, but no number.
    Unparsable,
}

impl ExpireField {
    /// Writes `expire` into a flat token reply as this variant says.
    pub(crate) fn write(self, reply: &mut Value, seconds: u64) {
        let Value::Object(fields) = reply else {
            return;
        };
        match self {
            ExpireField::Seconds => {
                fields.insert("expire".into(), json!(seconds));
            }
            ExpireField::Omitted => {}
            ExpireField::Unparsable => {
                fields.insert("expire".into(), json!("soon"));
            }
        }
    }
}
