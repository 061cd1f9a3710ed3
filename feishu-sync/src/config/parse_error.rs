//! Config parse errors that name the field and the line, and never quote a value.
//!
//! The parsers' own messages are not usable as they are: `toml`'s quotes the offending
//! source line, and serde's "invalid type" messages quote the value (`integer
//! `918273645546``), so a malformed `app_secret` line would print the secret. Here the
//! message is rebuilt from the parser's location: the dotted path of the key at that place,
//! its line and column, and the parser's message with the value parts removed.

use crate::error::SyncError;

/// The syntax of a config text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Json,
    Toml,
}

/// The config error for a parser `message` at byte `offset` of `text`.
pub(super) fn describe(text: &str, format: Format, message: &str, offset: usize) -> SyncError {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let mut message = sanitize(message);
    let mut path = match format {
        Format::Json => json_path_at(text, offset),
        Format::Toml => toml_path_at(text, offset),
    };
    let mut at = offset;
    // serde reads the credentials (an internally tagged enum) whole before looking at
    // their types, so it reports a wrong type at the end or the head of the table, not at
    // the member: find the member.
    if path.first().is_some_and(|k| k == "credentials")
        && message.starts_with("invalid")
        && let Some((key, key_offset)) = non_string_credential(text, format, offset)
    {
        path = vec!["credentials".to_string(), key];
        at = key_offset;
    }
    if let Some(name) = backticked_after(&message, "missing field `") {
        path.push(name);
    }
    for place in [offset, at] {
        message = without_values_of(&message, line_at(text, place));
    }
    let (line, column) = line_and_column(text, at);
    let field = if path.is_empty() {
        "config".to_string()
    } else {
        path.join(".")
    };
    SyncError::config(
        field,
        format!("line {line}, column {column}: not a valid config: {message}"),
    )
}

/// The byte offset of 1-based `line` and `column` (serde_json's position).
pub(super) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The whole line around a byte offset.
fn line_at(text: &str, offset: usize) -> &str {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    &text[start..end]
}

/// serde's message with the quoted value left out: "invalid type: integer `5`, expected a
/// string" becomes "invalid type, expected a string"; an unknown variant is not repeated.
fn sanitize(message: &str) -> String {
    let message = message.trim();
    for kind in ["invalid type", "invalid value", "invalid length"] {
        if let Some(rest) = message.strip_prefix(kind) {
            return match rest.rfind(", expected ") {
                Some(i) => format!("{kind}, expected {}", &rest[i + ", expected ".len()..]),
                None => kind.to_string(),
            };
        }
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        return match rest.rfind("`, expected ") {
            Some(i) => format!(
                "unknown variant, expected {}",
                &rest[i + "`, expected ".len()..]
            ),
            None => "unknown variant".to_string(),
        };
    }
    message.to_string()
}

/// The name in "missing field `name`" and the like.
fn backticked_after(message: &str, prefix: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?;
    Some(rest[..rest.find('`')?].to_string())
}

/// `message` with every quoted part (in backticks or double quotes) that also appears in
/// the value side of `line` replaced by `…`: whatever a parser quotes from the input stays
/// out of the error.
fn without_values_of(message: &str, line: &str) -> String {
    let value_side = match line.find(['=', ':']) {
        Some(i) => &line[i + 1..],
        None => line,
    };
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = rest[open..].chars().next().expect("found above");
        let inner_start = open + quote.len_utf8();
        let Some(close) = rest[inner_start..].find(quote) else {
            break;
        };
        let inner = &rest[inner_start..inner_start + close];
        out.push_str(&rest[..inner_start]);
        if inner.chars().count() >= 3 && value_side.contains(inner) {
            out.push('…');
        } else {
            out.push_str(inner);
        }
        out.push(quote);
        rest = &rest[inner_start + close + quote.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// The keys leading to byte `offset` of a JSON text: every enclosing object's current key.
fn json_path_at(text: &str, offset: usize) -> Vec<String> {
    enum Frame {
        Object { key: Option<String>, in_value: bool },
        Array,
    }
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < offset {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                let mut escaped = false;
                while i < bytes.len() && (escaped || bytes[i] != b'"') {
                    escaped = !escaped && bytes[i] == b'\\';
                    i += 1;
                }
                if let Some(Frame::Object {
                    key,
                    in_value: false,
                }) = stack.last_mut()
                {
                    *key = Some(text[start..i.min(text.len())].to_string());
                }
            }
            b'{' => stack.push(Frame::Object {
                key: None,
                in_value: false,
            }),
            b'[' => stack.push(Frame::Array),
            b'}' | b']' => {
                stack.pop();
            }
            b':' => {
                if let Some(Frame::Object { in_value, .. }) = stack.last_mut() {
                    *in_value = true;
                }
            }
            b',' => {
                if let Some(Frame::Object { key, in_value }) = stack.last_mut() {
                    *key = None;
                    *in_value = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    stack
        .into_iter()
        .filter_map(|f| match f {
            Frame::Object { key, .. } => key,
            Frame::Array => None,
        })
        .collect()
}

/// The keys leading to byte `offset` of a TOML text: the table header in effect, then the
/// keys (of inline tables too) on the line up to `offset`.
fn toml_path_at(text: &str, offset: usize) -> Vec<String> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = line_at(text, offset);
    if line.trim_start().starts_with('[') {
        return header_keys(line);
    }
    let mut path = text[..line_start]
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('['))
        .map(header_keys)
        .unwrap_or_default();
    path.extend(line_keys(&text[line_start..offset]));
    path
}

/// `[a.b]` or `[[a.b]]` → `["a", "b"]`.
fn header_keys(line: &str) -> Vec<String> {
    let inner = line
        .trim()
        .trim_start_matches('[')
        .split(']')
        .next()
        .unwrap_or("");
    dotted(inner)
}

fn dotted(key: &str) -> Vec<String> {
    key.split('.')
        .map(|k| k.trim().trim_matches(['"', '\'']).to_string())
        .filter(|k| !k.is_empty())
        .collect()
}

/// The keys assigned on a (partial) TOML line, one per open inline table: `a = { b = "x",
/// c = 1` → `["a", "c"]`.
fn line_keys(prefix: &str) -> Vec<String> {
    let mut depths: Vec<Vec<String>> = vec![Vec::new()];
    let mut token = String::new();
    let mut chars = prefix.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                token.clear();
                let mut escaped = false;
                for s in chars.by_ref() {
                    if s == c && !escaped {
                        break;
                    }
                    escaped = c == '"' && !escaped && s == '\\';
                    token.push(s);
                }
            }
            '=' => {
                if let Some(keys) = depths.last_mut() {
                    *keys = dotted(&token);
                }
                token.clear();
            }
            '{' => {
                depths.push(Vec::new());
                token.clear();
            }
            '}' => {
                if depths.len() > 1 {
                    depths.pop();
                }
                token.clear();
            }
            ',' => {
                if let Some(keys) = depths.last_mut() {
                    keys.clear();
                }
                token.clear();
            }
            '#' => break,
            c if c.is_whitespace() => {
                if chars
                    .peek()
                    .is_some_and(|n| !n.is_whitespace() && *n != '=')
                {
                    token.clear();
                }
            }
            c => token.push(c),
        }
    }
    depths.into_iter().flatten().collect()
}

/// The first credentials member that is not a string, and the byte offset of its key.
fn non_string_credential(text: &str, format: Format, near: usize) -> Option<(String, usize)> {
    match format {
        Format::Json => {
            let value: serde_json::Value = serde_json::from_str(text).ok()?;
            let key = value
                .get("credentials")?
                .as_object()?
                .iter()
                .find(|(_, v)| !v.is_string())?
                .0
                .clone();
            // The key's line nearest the error (before it first).
            let needle = format!("\"{key}\"");
            let before = text[..near].rfind(&needle);
            let at = before.or_else(|| text[near..].find(&needle).map(|i| near + i))?;
            Some((key, at + 1))
        }
        Format::Toml => {
            use toml::de::{DeTable, DeValue};
            let table = DeTable::parse(text).ok()?;
            let credentials = table.get_ref().get("credentials")?;
            let DeValue::Table(members) = credentials.get_ref() else {
                return None;
            };
            let (key, _) = members
                .iter()
                .find(|(_, v)| !matches!(v.get_ref(), DeValue::String(_)))?;
            Some((key.get_ref().to_string(), key.span().start))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_tables_inline_tables_and_objects() {
        let toml = "a = 1\n[credentials]\napp_secret = \"x\" extra\n";
        let at = toml.find("extra").unwrap();
        assert_eq!(toml_path_at(toml, at), ["credentials", "app_secret"]);
        let inline = "credentials = { auth_type = \"s\", app_secret = \"x, y = 1\" extra }";
        let at = inline.find("extra").unwrap();
        assert_eq!(toml_path_at(inline, at), ["credentials", "app_secret"]);
        let json = r#"{"credentials": {"app_id": "a", "app_secret": "x\"y" x}, "b": 1}"#;
        let at = json.find(" x}").unwrap() + 1;
        assert_eq!(json_path_at(json, at), ["credentials", "app_secret"]);
        let at = json.find("\"b\"").unwrap();
        assert!(json_path_at(json, at).is_empty());
    }

    #[test]
    fn messages_lose_their_values() {
        assert_eq!(
            sanitize("invalid type: integer `123`, expected a string"),
            "invalid type, expected a string"
        );
        assert_eq!(
            sanitize("invalid value: string \"a, expected b\", expected u32"),
            "invalid value, expected u32"
        );
        assert_eq!(
            sanitize("unknown variant `s3cret`, expected one of `a`, `b`"),
            "unknown variant, expected one of `a`, `b`"
        );
        assert_eq!(
            without_values_of(
                "bad `secret-value` here, expected `=`",
                "k = secret-value x"
            ),
            "bad `…` here, expected `=`"
        );
    }
}
