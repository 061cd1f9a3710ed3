//! Rich text: [`TextSegment`] and [`text_segments`], the parts of a text cell that its plain
//! text loses (mentions, links).

use feishu_core::internal::de::{opt_string, string_or_empty};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One segment of a rich text value: `text`, `mention` (+ `token`, `mentionType`, `name`) or
/// `url` (+ `link`), as the record data structure documents it
/// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/bitable-record-data-structure-overview>).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct TextSegment {
    /// Segment kind (`text`, `mention`, `url`).
    #[serde(rename = "type", deserialize_with = "opt_string")]
    pub kind: Option<String>,
    /// The segment's text.
    #[serde(deserialize_with = "string_or_empty")]
    pub text: String,
    /// Link target of a `url` segment.
    #[serde(deserialize_with = "opt_string")]
    pub link: Option<String>,
    /// Mentioned object's token of a `mention` segment.
    #[serde(deserialize_with = "opt_string")]
    pub token: Option<String>,
    /// Kind of mention (`User`, `Docx`, `Sheet`, `Bitable`).
    #[serde(rename = "mentionType", deserialize_with = "opt_string")]
    pub mention_type: Option<String>,
    /// Keys this SDK version does not model (`name`, `mentionNotify`, ...), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The segments of a text value: a segment array as sent, a single segment object, or a plain
/// string (the historic list shape, which has lost any mention or link) as one `text`
/// segment. `None` when `raw` is none of these.
///
/// # Example
/// ```
/// use serde_json::json;
/// let raw = json!([
///     {"type": "text", "text": "Ask "},
///     {"type": "mention", "mentionType": "User", "token": "ou_1", "text": "@Li"}
/// ]);
/// let segments = feishu_bitable::text_segments(&raw).unwrap();
/// assert_eq!(segments[1].mention_type.as_deref(), Some("User"));
/// assert_eq!(feishu_bitable::text_segments(&json!("plain")).unwrap()[0].text, "plain");
/// ```
pub fn text_segments(raw: &Value) -> Option<Vec<TextSegment>> {
    match raw {
        Value::String(s) => Some(vec![TextSegment {
            kind: Some("text".into()),
            text: s.clone(),
            ..TextSegment::default()
        }]),
        Value::Array(items) => items.iter().map(segment).collect(),
        Value::Object(_) => segment(raw).map(|s| vec![s]),
        _ => None,
    }
}

fn segment(v: &Value) -> Option<TextSegment> {
    v.as_object()?.get("text")?.as_str()?;
    TextSegment::deserialize(v).ok()
}

/// Plain text of a string, a segment array (texts concatenated) or a single segment.
pub(super) fn text_of(raw: &Value) -> Option<String> {
    match raw {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_object()?.get("text")?.as_str())
            .collect::<Option<Vec<&str>>>()
            .map(|parts| parts.concat()),
        Value::Object(o) => o.get("text")?.as_str().map(str::to_string),
        _ => None,
    }
}

/// Whether the value is a segment array (or an empty array): the historic list shape of
/// formulas and lookups.
pub(super) fn is_segment_array(raw: &Value) -> bool {
    raw.as_array().is_some_and(|items| {
        items.iter().all(|i| {
            i.as_object()
                .and_then(|o| o.get("text"))
                .is_some_and(Value::is_string)
        })
    })
}
