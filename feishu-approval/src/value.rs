//! Typed views of widget values in their documented shapes
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/approval-instance-form-control-parameters>).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::ids::InstanceCode;

use crate::widget::{Widget, WidgetType};

impl Widget {
    /// The value in its documented shape
    /// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/approval-instance-form-control-parameters>),
    /// or [`WidgetValue::Raw`] when the shape is undocumented or does not match.
    ///
    /// # Example
    /// ```
    /// use feishu_approval::{Form, WidgetValue};
    /// let form = Form::parse(r#"[
    ///   {"id":"w1","type":"amount","value":99.5,"currency":"CNY"},
    ///   {"id":"w2","type":"number","value":"not a number"}
    /// ]"#);
    /// assert_eq!(
    ///     form.widgets[0].typed_value(),
    ///     WidgetValue::Amount { value: 99.5, currency: Some("CNY".into()) }
    /// );
    /// assert_eq!(form.widgets[1].typed_value(), WidgetValue::Raw("not a number".into()));
    /// ```
    pub fn typed_value(&self) -> WidgetValue {
        WidgetValue::of(self)
    }
}

/// A widget value in its documented shape. Shapes the docs leave open (`serialNumber`,
/// `mutableGroup`, `account`, `location`, `outGroup`, Core HR groups) and values that do not
/// match their type's shape come back as [`WidgetValue::Raw`]; nothing is lost.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WidgetValue {
    /// No value (`null`, or a static `text` widget).
    Empty,
    /// `input`, `textarea`, `radio`/`radioV2` (option text or id), `address` (`/`-joined).
    Text(String),
    /// `date`: an RFC 3339 string as sent (read it with [`parse_rfc3339`]).
    Date(String),
    /// `number`, `formula`.
    Number(f64),
    /// `amount`, with `currency` when the widget carries one.
    Amount {
        /// The amount.
        value: f64,
        /// Currency code such as `CNY`.
        currency: Option<String>,
    },
    /// `checkbox`/`checkboxV2`: option texts or ids.
    Choices(Vec<String>),
    /// `contact`: user ids, and `open_ids` when present.
    Users {
        /// `value`: user ids.
        user_ids: Vec<String>,
        /// `open_ids`.
        open_ids: Vec<String>,
    },
    /// `department`: open department ids (`od-...`).
    Departments(Vec<String>),
    /// `attachment(V2)`, `image(V2)`: signed URLs (valid ~12 h) and file names from `ext`.
    Files {
        /// Download URLs.
        urls: Vec<String>,
        /// File names parsed from `ext` (may be fewer than URLs).
        names: Vec<String>,
    },
    /// `connect`: codes of linked instances.
    Instances(Vec<InstanceCode>),
    /// `dateInterval`.
    DateInterval(DateInterval),
    /// `fieldList`: rows of cell widgets.
    Table(Vec<Vec<Widget>>),
    /// `document`.
    Document(DocumentValue),
    /// `telephone`.
    Telephone(TelephoneValue),
    /// `leaveGroup`, `leaveGroupV2`, `workGroup`.
    Period(PeriodValue),
    /// `remedyGroup`, `remedyGroupV2`.
    Remedy(RemedyValue),
    /// `shiftGroup`, `shiftGroupV2`.
    Shift(ShiftValue),
    /// `tripGroup`.
    Trip(TripValue),
    /// Anything else, as sent.
    Raw(Value),
}

/// `dateInterval` value (times as RFC 3339 strings; see [`parse_rfc3339`]).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct DateInterval {
    /// Start, RFC 3339.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub start: String,
    /// End, RFC 3339.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub end: String,
    /// Length in days.
    #[serde(deserialize_with = "feishu_core::internal::de::opt_f64")]
    pub interval: Option<f64>,
}

/// `document` value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct DocumentValue {
    /// Document token.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub token: String,
    /// Document type (`docx`, ...).
    #[serde(
        rename = "type",
        deserialize_with = "feishu_core::internal::de::string_or_empty"
    )]
    pub doc_type: String,
    /// Title.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub title: String,
    /// Link.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub url: String,
}

/// `telephone` value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TelephoneValue {
    /// Country code such as `+86`.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub country_code: String,
    /// The national number.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub national_number: String,
}

/// Leave / overtime value (`leaveGroup`, `leaveGroupV2`, `workGroup`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PeriodValue {
    /// Leave or overtime type name.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub name: String,
    /// Start, RFC 3339.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub start: String,
    /// End, RFC 3339.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub end: String,
    /// Length (in `unit`, days by default).
    #[serde(deserialize_with = "feishu_core::internal::de::opt_f64")]
    pub interval: Option<f64>,
    /// `DAY` / `HOUR` (`leaveGroupV2`).
    #[serde(deserialize_with = "feishu_core::internal::de::opt_string")]
    pub unit: Option<String>,
    /// Reason.
    #[serde(deserialize_with = "feishu_core::internal::de::opt_string")]
    pub reason: Option<String>,
}

/// Punch-correction value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct RemedyValue {
    /// The corrected punch time, RFC 3339.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub time: String,
    /// Reason.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub reason: String,
}

/// Shift-swap value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ShiftValue {
    /// Swap time.
    #[serde(
        rename = "shiftTime",
        deserialize_with = "feishu_core::internal::de::string_or_empty"
    )]
    pub shift_time: String,
    /// Return time.
    #[serde(
        rename = "returnTime",
        deserialize_with = "feishu_core::internal::de::string_or_empty"
    )]
    pub return_time: String,
    /// Reason.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub reason: String,
}

/// Business-trip value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TripValue {
    /// The legs.
    #[serde(deserialize_with = "feishu_core::internal::de::vec_or_empty")]
    pub schedule: Vec<TripLeg>,
    /// Total days.
    #[serde(deserialize_with = "feishu_core::internal::de::opt_f64")]
    pub interval: Option<f64>,
    /// Reason.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub reason: String,
    /// Fellow travellers' user ids.
    #[serde(deserialize_with = "feishu_core::internal::de::vec_or_empty")]
    pub peer: Vec<String>,
}

/// One leg of a trip.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TripLeg {
    /// Start, RFC 3339.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub start: String,
    /// End, RFC 3339.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub end: String,
    /// Days.
    #[serde(deserialize_with = "feishu_core::internal::de::opt_f64")]
    pub interval: Option<f64>,
    /// From.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub departure: String,
    /// To.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub destination: String,
    /// Means of transport.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub transport: String,
    /// One way or round trip.
    #[serde(
        rename = "oneRound",
        deserialize_with = "feishu_core::internal::de::string_or_empty"
    )]
    pub one_round: String,
    /// Remark.
    #[serde(deserialize_with = "feishu_core::internal::de::string_or_empty")]
    pub remark: String,
}

/// Reads the RFC 3339 times widget values carry (`2025-01-02T09:00:00+08:00`), keeping their
/// offset; `None` when `s` is not one.
///
/// # Example
/// ```
/// use feishu_approval::parse_rfc3339;
/// let t = parse_rfc3339("2025-01-02T09:00:00+08:00").unwrap();
/// assert_eq!(t.unix_timestamp(), 1_735_779_600);
/// assert!(parse_rfc3339("tomorrow").is_none());
/// ```
pub fn parse_rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339).ok()
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|s| s.as_str().map(str::to_string))
        .collect()
}

fn object<T: DeserializeOwned>(v: &Value) -> Option<T> {
    if v.is_object() {
        serde_json::from_value(v.clone()).ok()
    } else {
        None
    }
}

/// File names from an `ext` like `'a.pdf','b.xlsx'`.
pub(crate) fn file_names(ext: Option<&Value>) -> Vec<String> {
    let Some(Value::String(ext)) = ext else {
        return Vec::new();
    };
    let ext = ext.trim();
    if ext.is_empty() {
        return Vec::new();
    }
    let quote = if ext.starts_with('"') { '"' } else { '\'' };
    let separator = format!("{quote},{quote}");
    let inner = ext
        .strip_prefix(quote)
        .and_then(|s| s.strip_suffix(quote))
        .unwrap_or(ext);
    inner
        .split(separator.as_str())
        .map(str::to_string)
        .collect()
}

impl WidgetValue {
    pub(crate) fn of(widget: &Widget) -> WidgetValue {
        let v = &widget.value;
        if v.is_null() && widget.widget_type != WidgetType::FieldList {
            return WidgetValue::Empty;
        }
        let typed = match &widget.widget_type {
            WidgetType::Input
            | WidgetType::Textarea
            | WidgetType::Radio
            | WidgetType::RadioV2
            | WidgetType::Address => v.as_str().map(|s| WidgetValue::Text(s.to_string())),
            WidgetType::Date => v.as_str().map(|s| WidgetValue::Date(s.to_string())),
            WidgetType::Text => Some(match v.as_str() {
                Some("") => WidgetValue::Empty,
                Some(s) => WidgetValue::Text(s.to_string()),
                None => WidgetValue::Raw(v.clone()),
            }),
            WidgetType::Number | WidgetType::Formula => number(v).map(WidgetValue::Number),
            WidgetType::Amount => number(v).map(|value| WidgetValue::Amount {
                value,
                currency: widget
                    .field("currency")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            }),
            WidgetType::Checkbox | WidgetType::CheckboxV2 => strings(v).map(WidgetValue::Choices),
            WidgetType::Contact => strings(v).map(|user_ids| WidgetValue::Users {
                user_ids,
                open_ids: widget
                    .field("open_ids")
                    .and_then(strings)
                    .unwrap_or_default(),
            }),
            WidgetType::Department => v.as_array().and_then(|items| {
                items
                    .iter()
                    .map(|d| d.get("open_id").and_then(Value::as_str).map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                    .map(WidgetValue::Departments)
            }),
            WidgetType::Attachment
            | WidgetType::AttachmentV2
            | WidgetType::Image
            | WidgetType::ImageV2 => {
                let urls = match v {
                    Value::String(s) => Some(vec![s.clone()]),
                    other => strings(other),
                };
                urls.map(|urls| WidgetValue::Files {
                    urls,
                    names: file_names(widget.ext.as_ref()),
                })
            }
            WidgetType::Connect => strings(v).map(|codes| {
                WidgetValue::Instances(codes.into_iter().map(InstanceCode::from).collect())
            }),
            WidgetType::DateInterval => object(v).map(WidgetValue::DateInterval),
            WidgetType::FieldList => Some(WidgetValue::Table(widget.rows.clone())),
            WidgetType::Document => object(v).map(WidgetValue::Document),
            WidgetType::Telephone => object(v).map(WidgetValue::Telephone),
            WidgetType::LeaveGroup | WidgetType::LeaveGroupV2 | WidgetType::WorkGroup => {
                object(v).map(WidgetValue::Period)
            }
            WidgetType::RemedyGroup | WidgetType::RemedyGroupV2 => {
                object(v).map(WidgetValue::Remedy)
            }
            WidgetType::ShiftGroup | WidgetType::ShiftGroupV2 => object(v).map(WidgetValue::Shift),
            WidgetType::TripGroup => object(v).map(WidgetValue::Trip),
            _ => None,
        };
        typed.unwrap_or_else(|| WidgetValue::Raw(v.clone()))
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn file_names_from_ext() {
        assert_eq!(
            file_names(Some(&json!("'a.pdf','b,c.xlsx'"))),
            vec!["a.pdf", "b,c.xlsx"]
        );
        assert_eq!(file_names(Some(&json!(""))), Vec::<String>::new());
        assert_eq!(file_names(Some(&json!("plain"))), vec!["plain"]);
        assert_eq!(file_names(Some(&json!("'"))), vec!["'"]);
    }
}
