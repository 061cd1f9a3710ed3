//! Typed values on the way in: each [`FieldValue`] as the record write endpoints take it (the
//! create-record page's value list,
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/create>,
//! and the record data structure page,
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/bitable-record-data-structure-overview>).
//! The shapes differ from what reads return: text is a plain string (not segments), persons,
//! attachments and chats are `{"id"}` / `{"file_token"}` objects only, links are a plain id
//! array, a location is `"lng,lat"`.

use feishu_core::Error;
use feishu_core::internal::unix_ms;
use serde::Serialize;
use serde::ser::{Error as _, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;
use time::OffsetDateTime;

use super::attachment::Attachment;
use super::field_value::FieldValue;
use super::group_chat::GroupChat;
use super::location::Location;
use super::person::Person;
use super::url::UrlValue;

impl FieldValue {
    /// The value as the record write endpoints take it: text, phone and option names as
    /// strings, numbers, dates as Unix ms, checkboxes as booleans, persons as `[{"id"}]`
    /// (ids of the write's `user_id_type`), URLs as `{"text", "link"}`, attachments as
    /// `[{"file_token"}]`, links as record id arrays, a location as `"lng,lat"`, group chats
    /// as `[{"id"}]`; [`FieldValue::Unknown`] is sent as it is.
    ///
    /// Lookups, formulas and auto numbers are computed by Feishu and cannot be written: they,
    /// a non-finite number, a URL without a link and a location without coordinates give
    /// [`Error::InvalidArgument`].
    ///
    /// # Example
    /// ```
    /// use feishu_bitable::{FieldValue, Person, UrlValue};
    /// use serde_json::json;
    /// assert_eq!(FieldValue::from("SO-1001").to_write_value()?, json!("SO-1001"));
    /// assert_eq!(FieldValue::from(12.5).to_write_value()?, json!(12.5));
    /// assert_eq!(
    ///     FieldValue::Users(vec![Person::new("ou_3f2e")]).to_write_value()?,
    ///     json!([{"id": "ou_3f2e"}])
    /// );
    /// assert_eq!(
    ///     FieldValue::Url(UrlValue::new("docs", "https://example.com")).to_write_value()?,
    ///     json!({"text": "docs", "link": "https://example.com"})
    /// );
    /// # Ok::<(), feishu_core::Error>(())
    /// ```
    pub fn to_write_value(&self) -> Result<Value, Error> {
        self.check_writable()
            .map_err(|why| Error::invalid_argument("fields", why))?;
        serde_json::to_value(WriteValue(self))
            .map_err(|e| Error::invalid_argument("fields", e.to_string()))
    }

    /// Why this value cannot be written, if it cannot.
    pub(crate) fn check_writable(&self) -> Result<(), String> {
        match self {
            FieldValue::Lookup(_) | FieldValue::Formula(_) => {
                Err("lookup and formula values are computed by Feishu and cannot be written".into())
            }
            FieldValue::AutoNumber(_) => {
                Err("auto numbers are assigned by Feishu and cannot be written".into())
            }
            FieldValue::Number(n) if !n.is_finite() => Err(format!("{n} is not a finite number")),
            FieldValue::Url(u) if u.link.is_none() => Err("a URL value needs its link".into()),
            FieldValue::Location(l) if l.coordinates().is_none() => {
                Err("a location value needs its \"lng,lat\" coordinates".into())
            }
            _ => Ok(()),
        }
    }
}

/// Serialises a [`FieldValue`] in its write shape, without an intermediate JSON tree.
pub(crate) struct WriteValue<'a>(pub(crate) &'a FieldValue);

impl Serialize for WriteValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            FieldValue::Text(v) | FieldValue::SingleSelect(v) | FieldValue::Phone(v) => {
                s.serialize_str(v)
            }
            FieldValue::Number(n) => s.serialize_f64(*n),
            FieldValue::MultiSelect(names) => s.collect_seq(names),
            FieldValue::DateTime(t) => s.serialize_i64(unix_ms(*t)),
            FieldValue::Checkbox(b) => s.serialize_bool(*b),
            FieldValue::Users(people) => ids(s, people.iter().map(|p| p.id.as_str()), "id"),
            FieldValue::Url(u) => {
                let link = u.link.as_deref().unwrap_or_default();
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("text", u.text.as_deref().unwrap_or(link))?;
                m.serialize_entry("link", link)?;
                m.end()
            }
            FieldValue::Attachments(files) => {
                ids(s, files.iter().map(|f| f.file_token.as_str()), "file_token")
            }
            FieldValue::Link(records) => s.collect_seq(records.iter().map(|r| r.as_str())),
            FieldValue::Location(l) => s.serialize_str(l.location.as_deref().unwrap_or_default()),
            FieldValue::GroupChats(chats) => ids(s, chats.iter().map(|c| c.id.as_str()), "id"),
            FieldValue::Unknown(raw) => raw.serialize(s),
            FieldValue::Lookup(_) | FieldValue::Formula(_) | FieldValue::AutoNumber(_) => {
                Err(S::Error::custom("computed values cannot be written"))
            }
        }
    }
}

/// `[{key: id}, ...]`.
fn ids<'a, S: Serializer>(
    s: S,
    ids: impl ExactSizeIterator<Item = &'a str>,
    key: &'static str,
) -> Result<S::Ok, S::Error> {
    struct One<'a>(&'static str, &'a str);
    impl Serialize for One<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(1))?;
            m.serialize_entry(self.0, self.1)?;
            m.end()
        }
    }
    let mut seq = s.serialize_seq(Some(ids.len()))?;
    for id in ids {
        seq.serialize_element(&One(key, id))?;
    }
    seq.end()
}

impl From<&str> for FieldValue {
    /// Text (for a select field, [`FieldValue::SingleSelect`] writes the same string).
    fn from(text: &str) -> Self {
        FieldValue::Text(text.to_string())
    }
}

impl From<String> for FieldValue {
    /// Text.
    fn from(text: String) -> Self {
        FieldValue::Text(text)
    }
}

impl From<f64> for FieldValue {
    /// A number (number, progress, currency, rating fields).
    fn from(n: f64) -> Self {
        FieldValue::Number(n)
    }
}

impl From<i64> for FieldValue {
    /// A number (exact up to 2^53).
    fn from(n: i64) -> Self {
        FieldValue::Number(n as f64)
    }
}

impl From<i32> for FieldValue {
    /// A number.
    fn from(n: i32) -> Self {
        FieldValue::Number(f64::from(n))
    }
}

impl From<u32> for FieldValue {
    /// A number.
    fn from(n: u32) -> Self {
        FieldValue::Number(f64::from(n))
    }
}

impl From<bool> for FieldValue {
    /// A checkbox.
    fn from(checked: bool) -> Self {
        FieldValue::Checkbox(checked)
    }
}

impl From<OffsetDateTime> for FieldValue {
    /// A date (written as Unix ms).
    fn from(t: OffsetDateTime) -> Self {
        FieldValue::DateTime(t)
    }
}

impl From<UrlValue> for FieldValue {
    /// A hyperlink.
    fn from(url: UrlValue) -> Self {
        FieldValue::Url(url)
    }
}

impl From<Location> for FieldValue {
    /// A location.
    fn from(place: Location) -> Self {
        FieldValue::Location(place)
    }
}

impl Person {
    /// A person to write into a person cell: only the id counts, of the write's
    /// `user_id_type` (`open_id` by default).
    pub fn new(id: impl Into<String>) -> Self {
        Person {
            id: id.into(),
            ..Person::default()
        }
    }
}

impl Attachment {
    /// A file to write into an attachment cell: the token Drive's media upload returned for
    /// a file uploaded to this Base.
    pub fn new(file_token: impl Into<String>) -> Self {
        Attachment {
            file_token: file_token.into(),
            ..Attachment::default()
        }
    }
}

impl GroupChat {
    /// A chat to write into a group chat cell (`oc_…`).
    pub fn new(id: impl Into<String>) -> Self {
        GroupChat {
            id: id.into(),
            ..GroupChat::default()
        }
    }
}

impl UrlValue {
    /// A hyperlink showing `text`.
    pub fn new(text: impl Into<String>, link: impl Into<String>) -> Self {
        UrlValue {
            text: Some(text.into()),
            link: Some(link.into()),
            ..UrlValue::default()
        }
    }
}

impl Location {
    /// A location at longitude `lng`, latitude `lat` (written as `"lng,lat"`; Feishu fills in
    /// the address).
    pub fn at(lng: f64, lat: f64) -> Self {
        Location {
            location: Some(format!("{lng},{lat}")),
            ..Location::default()
        }
    }
}
