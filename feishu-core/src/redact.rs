//! Secret-free excerpts of reply bodies for error messages.

/// Keys whose string values are never shown.
const SECRET_KEYS: [&str; 5] = ["token", "secret", "ticket", "password", "authorization"];

/// Longest excerpt quoted in an error.
pub(crate) const EXCERPT_LEN: usize = 160;

/// The first [`EXCERPT_LEN`] characters of `body`, with the values of secret-looking JSON
/// keys and anything shaped like an access token (`t-…`, `a-…`, `u-…`) masked.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let head = &body[..body.len().min(EXCERPT_LEN * 4)];
    let text = String::from_utf8_lossy(head);
    let masked = mask_secret_values(&mask_token_words(&text));
    let mut out: String = masked.chars().take(EXCERPT_LEN).collect();
    if masked.chars().count() > EXCERPT_LEN || body.len() > head.len() {
        out.push('…');
    }
    out
}

/// Masks words like `t-abc123...` (Feishu token prefixes followed by a long id).
fn mask_token_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let at_word_start = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if at_word_start
            && i + 1 < chars.len()
            && matches!(chars[i], 't' | 'a' | 'u')
            && chars[i + 1] == '-'
        {
            let mut j = i + 2;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            if j - (i + 2) >= 12 {
                out.push_str("[REDACTED]");
                i = j;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Masks `"…token…": "value"` style pairs.
fn mask_secret_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(q) = rest.find('"') {
        let (before, after) = rest.split_at(q);
        out.push_str(before);
        // after starts with the opening quote of a string
        let Some(end) = after[1..].find('"') else {
            out.push_str(after);
            return out;
        };
        let key = &after[1..1 + end];
        out.push_str(&after[..end + 2]);
        rest = &after[end + 2..];
        let lower = key.to_ascii_lowercase();
        if SECRET_KEYS.iter().any(|k| lower.contains(k)) {
            let trimmed = rest.trim_start();
            if let Some(colon_rest) = trimmed.strip_prefix(':') {
                let value = colon_rest.trim_start();
                if let Some(v) = value.strip_prefix('"') {
                    out.push_str(":\"[REDACTED]\"");
                    rest = match closing_quote(v) {
                        Some(close) => &v[close + 1..],
                        None => "",
                    };
                }
            }
        }
    }
    out.push_str(rest);
    out
}

/// The byte index of the first `"` in `s` that is not escaped by a backslash, so that a
/// secret containing `\"` is masked whole.
fn closing_quote(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, b) in s.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_token_values_and_words() {
        let body = br#"{"code":0,"tenant_access_token":"t-g1043abcdEXAMPLE","expire":7200}"#;
        let e = excerpt(body);
        assert!(!e.contains("g1043abcdEXAMPLE"), "{e}");
        assert!(e.contains("expire"));
        let e = excerpt(b"oops t-0123456789abcdef0123 end");
        assert!(!e.contains("0123456789abcdef"), "{e}");
        assert!(e.contains("oops"));
    }

    #[test]
    fn masks_secret_values_with_escaped_quotes_whole() {
        let body = br#"{"app_secret":"ab\"cd\\\"efgh-tail","code":1}"#;
        let e = excerpt(body);
        assert!(!e.contains("cd") && !e.contains("efgh-tail"), "{e}");
        assert!(e.contains(r#""code":1"#), "{e}");
    }

    #[test]
    fn truncates_long_bodies_on_char_boundaries() {
        let body = "é".repeat(1000);
        let e = excerpt(body.as_bytes());
        assert!(e.chars().count() <= EXCERPT_LEN + 1);
        assert!(e.ends_with('…'));
    }
}
