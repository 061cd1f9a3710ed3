//! Secret-free excerpts of reply bodies for error messages.
//!
//! A JSON body is parsed and every value under a secret-looking key is replaced, at any
//! depth, inside arrays too, whatever its type. Only a body that is not JSON (an HTML
//! gateway page, a cut-off reply) goes through a text scan, which reads string literals
//! whole (escapes honoured) so that an escaped quote cannot put it out of step.

use serde_json::Value;

/// Parts of JSON keys (compared in ASCII lowercase) whose values are never shown: e.g.
/// `tenant_access_token`, `app_access_token`, `refresh_token`, `app_secret`, `app_ticket`,
/// `encrypt_key`, `Authorization`.
const SECRET_KEY_PARTS: [&str; 10] = [
    "token",
    "secret",
    "ticket",
    "password",
    "passwd",
    "authorization",
    "encrypt_key",
    "private_key",
    "cookie",
    "credential",
];

/// What a masked value is replaced by.
const MASK: &str = "[REDACTED]";

/// Longest excerpt quoted in an error.
pub(crate) const EXCERPT_LEN: usize = 160;

/// Largest body parsed as JSON for an excerpt; a longer one is scanned as text (its head).
const MAX_PARSED_BODY: usize = 1 << 20;

/// serde's message about a reply that did not fit, without the values it quotes
/// (`invalid type: integer `918273645546`, expected a string` quotes what the server sent,
/// which may be a token under an unexpected type): quoted values before the `expected` part
/// are replaced by `…`; what was expected and the position are kept.
pub(crate) fn decode_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let (head, tail) = match text.find(", expected") {
        Some(i) => text.split_at(i),
        None => (text.as_str(), ""),
    };
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    for c in head.chars() {
        match quote {
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                quote = None;
            }
            Some(_) => {}
            None => {
                out.push(c);
                if c == '`' || c == '"' {
                    quote = Some(c);
                }
            }
        }
    }
    if quote.is_some() {
        out.push('…');
    }
    out.push_str(tail);
    out
}

/// The first [`EXCERPT_LEN`] characters of `body`, with the values of secret-looking JSON
/// keys and anything shaped like an access token (`t-…`, `a-…`, `u-…`) masked.
pub(crate) fn excerpt(body: &[u8]) -> String {
    if let Some(mut value) = parse_json(body) {
        mask_value(&mut value);
        return cut(&value.to_string(), false);
    }
    let head = &body[..body.len().min(EXCERPT_LEN * 4)];
    let text = String::from_utf8_lossy(head);
    cut(
        &mask_secret_values(&mask_token_words(&text)),
        body.len() > head.len(),
    )
}

/// The first [`EXCERPT_LEN`] characters, with `…` when something was left out.
fn cut(text: &str, more: bool) -> String {
    let mut out: String = text.chars().take(EXCERPT_LEN).collect();
    if more || text.chars().nth(EXCERPT_LEN).is_some() {
        out.push('…');
    }
    out
}

fn parse_json(body: &[u8]) -> Option<Value> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
    if !matches!(first, b'{' | b'[') || body.len() > MAX_PARSED_BODY {
        return None;
    }
    serde_json::from_slice(body).ok()
}

fn is_secret_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    SECRET_KEY_PARTS.iter().any(|part| lower.contains(part))
}

/// Masks, at any depth, the values of secret keys and token-shaped words in strings.
fn mask_value(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if is_secret_key(key) {
                    *v = Value::String(MASK.to_string());
                } else {
                    mask_value(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_value),
        Value::String(s) => {
            let masked = mask_token_words(s);
            if masked != *s {
                *s = masked;
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
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
                out.push_str(MASK);
                i = j;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The text scan for bodies that are not JSON: masks the value after every `"key":` whose
/// key looks secret, whatever the value (a string, a number, an object or array up to its
/// matching bracket), up to the end of the text when it is cut off.
fn mask_secret_values(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    // The contents of the last string literal, while only whitespace followed it.
    let mut last_string: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let end = string_end(b, i);
                let content_end = if end > i + 1 && b[end - 1] == b'"' {
                    end - 1
                } else {
                    end
                };
                last_string = Some((i + 1, content_end));
                i = end;
            }
            b':' => {
                i += 1;
                if let Some((start, end)) = last_string.take()
                    && is_secret_key(&text[start..end])
                {
                    let value = skip_whitespace(b, i);
                    out.push_str(&text[copied..value]);
                    out.push('"');
                    out.push_str(MASK);
                    out.push('"');
                    i = value_end(b, value);
                    copied = i;
                }
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                last_string = None;
                i += 1;
            }
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The index after the string literal opening at `start` (its closing quote not escaped by
/// a backslash), or the end of the text.
fn string_end(b: &[u8], start: usize) -> usize {
    let mut escaped = false;
    for (j, c) in b.iter().enumerate().skip(start + 1) {
        match c {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return j + 1,
            _ => {}
        }
    }
    b.len()
}

fn skip_whitespace(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The index after the JSON value starting at `start` (or the end of the text).
fn value_end(b: &[u8], start: usize) -> usize {
    match b.get(start) {
        None => b.len(),
        Some(b'"') => string_end(b, start),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = start;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            b.len()
        }
        Some(_) => b[start..]
            .iter()
            .position(|c| matches!(c, b',' | b'}' | b']') || c.is_ascii_whitespace())
            .map_or(b.len(), |n| start + n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_reasons_keep_what_was_expected_not_what_was_sent() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Reply {
            token: String,
        }
        let e = serde_json::from_str::<Reply>(r#"{"token":918273645546}"#).unwrap_err();
        let reason = decode_reason(&e);
        assert!(!reason.contains("918273645546"), "{reason}");
        assert!(reason.contains("expected a string"), "{reason}");
        let e = serde_json::from_str::<u8>(r#""t-secret-value""#).unwrap_err();
        assert!(
            !decode_reason(&e).contains("secret"),
            "{}",
            decode_reason(&e)
        );
    }
    use proptest::prelude::*;

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
    fn an_escaped_quote_earlier_does_not_unmask_a_token() {
        for body in [
            &br#"{"msg":"say \"hi","tenant_access_token":"SECRETVALUE"}"#[..],
            // Cut off, so not JSON: the text scan.
            br#"{"msg":"say \"hi","tenant_access_token":"SECRETVALUE"#,
            br#"<html>"quoted": {"token" : ["SECRETVALUE"]}"#,
        ] {
            let e = excerpt(body);
            assert!(!e.contains("SECRETVALUE"), "{e}");
            assert!(e.contains("say") || e.contains("html"), "{e}");
        }
    }

    #[test]
    fn masks_arrays_numbers_and_objects_at_any_depth() {
        let body = br#"{"data":{"items":[{"refresh_token":"SECRETVALUE","id":7}],"tokens":["SECRETVALUE"],"app_secret":918273,"encrypt_key":{"k":"SECRETVALUE"}}}"#;
        let e = excerpt(body);
        assert!(!e.contains("SECRETVALUE") && !e.contains("918273"), "{e}");
        assert!(e.contains(r#""id":7"#), "{e}");
    }

    #[test]
    fn truncates_long_bodies_on_char_boundaries() {
        let body = "é".repeat(1000);
        let e = excerpt(body.as_bytes());
        assert!(e.chars().count() <= EXCERPT_LEN + 1);
        assert!(e.ends_with('…'));
    }

    /// Benign JSON: lowercase text with the characters that trip text scans.
    fn benign() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(Value::from),
            "[a-z \"\\\\:,{}\\[\\]]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{1,8}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// A secret value: a string with quotes and backslashes, a number, or nested.
    fn secret_value() -> impl Strategy<Value = Value> {
        let text = "S3cr[A-Za-z0-9\"\\\\ ]{4,16}";
        prop_oneof![
            text.prop_map(Value::String),
            Just(Value::from(918_273_645_546_u64)),
            prop::collection::vec(text, 1..3).prop_map(Value::from),
            text.prop_map(|s| serde_json::json!({"v": s})),
        ]
    }

    /// Puts `key: secret` into an object reached by following `choices` down `value`.
    fn insert_secret(value: &mut Value, choices: &[usize], key: &str, secret: Value) {
        let (choice, rest) = choices.split_first().unwrap_or((&0, &[]));
        match value {
            Value::Object(map) => {
                let containers: Vec<String> = map
                    .iter()
                    .filter(|(_, v)| v.is_object() || v.is_array())
                    .map(|(k, _)| k.clone())
                    .collect();
                if rest.is_empty() || containers.is_empty() || choice % 3 == 0 {
                    map.insert(key.to_string(), secret);
                } else {
                    let k = &containers[choice % containers.len()];
                    insert_secret(map.get_mut(k).expect("listed"), rest, key, secret);
                }
            }
            Value::Array(items) => {
                let i = choice % (items.len() + 1);
                if i == items.len() {
                    items.push(serde_json::json!({ key: secret }));
                } else {
                    insert_secret(&mut items[i], rest, key, secret);
                }
            }
            other => *other = serde_json::json!({ "wrapped": other.clone(), key: secret }),
        }
    }

    proptest! {
        #[test]
        fn a_secret_anywhere_in_json_never_survives(
            mut body in benign(),
            choices in prop::collection::vec(any::<usize>(), 0..5),
            key in prop_oneof![
                Just("tenant_access_token"), Just("app_access_token"), Just("app_secret"),
                Just("app_ticket"), Just("access_token"), Just("refresh_token"),
                Just("encrypt_key"), Just("token"), Just("Authorization"), Just("X-Secret-Key"),
            ],
            secret in secret_value(),
            pretty in any::<bool>(),
            cut_at in any::<prop::sample::Index>(),
        ) {
            insert_secret(&mut body, &choices, key, secret);
            let text = if pretty {
                serde_json::to_string_pretty(&body).unwrap()
            } else {
                body.to_string()
            };
            let e = excerpt(text.as_bytes());
            prop_assert!(!e.contains("S3") && !e.contains("918273645546"), "{} -> {}", text, e);
            // Cut off anywhere: not JSON any more, the text scan must hold too.
            let mut at = cut_at.index(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let e = excerpt(&text.as_bytes()[..at]);
            prop_assert!(!e.contains("S3") && !e.contains("918273645546"), "{} -> {}", &text[..at], e);
        }
    }
}
