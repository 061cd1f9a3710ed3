//! [`ClientToken`]: the idempotency key of Bitable's create calls.

use std::fmt;

use feishu_core::Error;

/// The `client_token` of a create call: a UUIDv4 naming one logical write, so that Feishu
/// applies it once however often it is sent (the record create pages,
/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/batch_create>).
///
/// Every create of this crate carries one: a fresh token per call, reused by the SDK on each
/// retry of that call. Give your own ([`CreateRecord::client_token`](crate::CreateRecord::client_token),
/// [`BatchCreateRecords::client_token`](crate::BatchCreateRecords::client_token)) when a
/// write must survive a restart of your process: store the token with the job, and send the
/// same one again.
///
/// # Example
/// ```
/// use feishu_bitable::ClientToken;
/// let token = ClientToken::new();
/// assert_eq!(token.as_str().len(), 36);
/// let parsed = ClientToken::parse(token.as_str())?;
/// assert_eq!(parsed, token);
/// assert!(ClientToken::parse("not-a-uuid").is_err());
/// # Ok::<(), feishu_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientToken(String);

impl ClientToken {
    /// A random UUIDv4 (122 random bits from `fastrand`: uniqueness, not secrecy, is what a
    /// token needs).
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let mut bytes = fastrand::u128(..).to_be_bytes();
        bytes[6] = (bytes[6] & 0x0F) | 0x40; // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80; // RFC 4122 variant
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        ClientToken(format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        ))
    }

    /// A token you kept, checked to be a UUIDv4 as Feishu requires (else Feishu would answer
    /// 1254037).
    pub fn parse(token: &str) -> Result<Self, Error> {
        let b = token.as_bytes();
        let shape = b.len() == 36
            && b.iter().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_hexdigit(),
            });
        if shape && b[14] == b'4' && matches!(b[19].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')
        {
            Ok(ClientToken(token.to_ascii_lowercase()))
        } else {
            Err(Error::invalid_argument(
                "client_token",
                format!("{token:?} is not a UUIDv4 (xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx)"),
            ))
        }
    }

    /// The token as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_v4_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let t = ClientToken::new();
            assert_eq!(ClientToken::parse(t.as_str()).ok().as_ref(), Some(&t));
            assert!(seen.insert(t));
        }
    }
}
