//! The one page-token implementation of the fake tenant, and the `page_size` / `page_token`
//! query parameters every listing reads.
//!
//! A token is the standard base64 of a marker, the fingerprint of the query it belongs to and
//! the offset of the next item. The marker makes every token contain `+` and `/` (and the
//! length makes it end in `=`), so a client that forgets to URL-encode page tokens breaks
//! here as it would against Feishu. Services that bind tokens to their query (Approval) pass a
//! [`fingerprint`] of it; the others pass 0. Each service maps a refused size or token to its
//! own documented error code.

use std::ops::RangeInclusive;

use crate::request::RequestView;

/// Marker bytes that make the base64 text start with `+/+/`.
const MARKER: [u8; 3] = [0xfb, 0xff, 0xbf];

/// Where a page token points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageToken {
    /// Fingerprint of the query the token was issued for (0 when the service binds none).
    pub(crate) query: u64,
    /// Offset of the first item of the page it asks for.
    pub(crate) offset: u64,
}

impl PageToken {
    /// The opaque text of the token.
    pub(crate) fn encode(self) -> String {
        let mut bytes = MARKER.to_vec();
        bytes.extend_from_slice(&self.query.to_be_bytes());
        bytes.extend_from_slice(&self.offset.to_be_bytes());
        base64_encode(&bytes)
    }

    /// Reads a token made by [`encode`](Self::encode); `None` for anything else.
    pub(crate) fn decode(text: &str) -> Option<PageToken> {
        let bytes = base64_decode(text)?;
        let rest = bytes.strip_prefix(&MARKER)?;
        let (query, offset) = rest.split_at_checked(8)?;
        Some(PageToken {
            query: u64::from_be_bytes(query.try_into().ok()?),
            offset: u64::from_be_bytes(offset.try_into().ok()?),
        })
    }
}

/// The token of the page after `end`, when `end` is not the end of `len` items.
pub(crate) fn next_token(query: u64, end: u64, len: u64) -> Option<String> {
    (end < len).then(|| PageToken { query, offset: end }.encode())
}

/// FNV-1a over the parts, so a token only works for the query it came from.
pub(crate) fn fingerprint(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The `page_size` query parameter: `default` when absent or empty, `Err(raw)` when it is not
/// an integer in `range`.
pub(crate) fn page_size(
    req: &RequestView,
    default: u64,
    range: RangeInclusive<u64>,
) -> Result<u64, &str> {
    match req.query_first("page_size").filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(raw) => raw
            .parse::<u64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or(raw),
    }
}

/// The offset the `page_token` query parameter points at: 0 when absent or empty, `Err(raw)`
/// when it is not a token of this `query` or points past `len` items.
pub(crate) fn offset(req: &RequestView, query: u64, len: u64) -> Result<u64, &str> {
    match req.query_first("page_token").filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(raw) => PageToken::decode(raw)
            .filter(|token| token.query == query && token.offset <= len)
            .map(|token| token.offset)
            .ok_or(raw),
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for chunk in text.chunks(4) {
        let mut n = 0u32;
        let mut pads = 0;
        for (i, &c) in chunk.iter().enumerate() {
            let value = if c == b'=' {
                if i < 2 {
                    return None;
                }
                pads += 1;
                0
            } else {
                if pads > 0 {
                    return None;
                }
                u32::try_from(ALPHABET.iter().position(|&a| a == c)?).ok()?
            };
            n = (n << 6) | value;
        }
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..3 - pads]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_need_encoding() {
        for offset in [0, 1, 10, 25, 999, u64::MAX] {
            for query in [0, 7, u64::MAX] {
                let token = PageToken { query, offset };
                let text = token.encode();
                assert!(text.contains('+') && text.contains('/') && text.ends_with('='));
                assert_eq!(PageToken::decode(&text), Some(token));
            }
        }
        assert_eq!(PageToken::decode("not a token"), None);
        assert_eq!(PageToken::decode("AAAA"), None);
        assert_eq!(next_token(0, 10, 10), None);
        assert!(next_token(0, 9, 10).is_some());
    }

    #[test]
    fn base64_matches_known_vectors() {
        assert_eq!(base64_encode(b"f"), "Zg==");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_encode(b"foo"), "Zm9v");
        assert_eq!(base64_decode("Zm8="), Some(b"fo".to_vec()));
        assert_eq!(base64_decode("Zg=="), Some(b"f".to_vec()));
    }

    #[test]
    fn fingerprints_separate_parts() {
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        assert_eq!(fingerprint(&["x"]), fingerprint(&["x"]));
    }
}
