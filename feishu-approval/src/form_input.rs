//! Values to create an instance with: one typed [`WidgetInput`] per widget id, checked against
//! the definition's form before anything is sent
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/approval-instance-form-control-parameters>).

use serde_json::Value;
use time::OffsetDateTime;

use feishu_core::{DepartmentId, OpenId, UserId};

use crate::ids::InstanceCode;

/// The value of one widget, in the shape its type takes on write.
///
/// Write shapes differ from what an instance GET shows: single and multiple choices are
/// written by option **id** (the `value` of the definition's `option` entries), not by text;
/// attachments and images by the file codes of the approval file upload, not by URL; a
/// telephone number in camelCase. [`FormInput::check`] matches each value against its widget's
/// type.
///
/// # Example
/// ```
/// use feishu_approval::WidgetInput;
/// use feishu_core::UserId;
/// let amount = WidgetInput::amount(99.5, "CNY");
/// let owner = WidgetInput::users([UserId::from("f7cb567e")]);
/// let colour = WidgetInput::choice("c2");
/// # let _ = (amount, owner, colour);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WidgetInput {
    /// `input`, `textarea`.
    Text(String),
    /// `number`; `formula` (which must equal the value the definition computes).
    Number(f64),
    /// `amount`, with its currency code (`CNY`, `USD`, ... as the definition allows).
    Amount {
        /// The amount.
        value: f64,
        /// The currency code.
        currency: String,
    },
    /// `date`, sent as RFC 3339 in the instant's offset.
    Date(OffsetDateTime),
    /// `dateInterval`.
    DateInterval {
        /// Start.
        start: OffsetDateTime,
        /// End (not before `start`).
        end: OffsetDateTime,
        /// Length in days, as the form shows it (Feishu does not derive it).
        interval_days: f64,
    },
    /// `radio`, `radioV2`: the option id (or an external option's id).
    Choice(String),
    /// `checkbox`, `checkboxV2`: option ids.
    Choices(Vec<String>),
    /// `contact`: users by `user_id` and/or `open_id` (Feishu takes the union).
    Users {
        /// Sent as `value`.
        user_ids: Vec<UserId>,
        /// Sent as `open_ids`.
        open_ids: Vec<OpenId>,
    },
    /// `department`: `open_department_id`s (`od-…`).
    Departments(Vec<DepartmentId>),
    /// `attachment`, `attachmentV2`, `image`, `imageV2`: file codes returned by the approval
    /// file upload (<https://open.feishu.cn/document/ukTMukTMukTM/uUDOyUjL1gjM14SN4ITN>).
    Files(Vec<String>),
    /// `connect`: codes of linked instances.
    Instances(Vec<InstanceCode>),
    /// `document`: a docx `document_id`.
    Document(String),
    /// `telephone`.
    Telephone {
        /// Country code such as `+86`.
        country_code: String,
        /// The national number.
        national_number: String,
    },
    /// `fieldList`: one [`FormInput`] per row, checked against the list's columns.
    Rows(Vec<FormInput>),
    /// A control group (`leaveGroupV2`, `workGroup`, ...): its member widgets, checked against
    /// the members the definition lists (when it lists them).
    Group(FormInput),
    /// Any widget's `value` exactly as given (an `address`, a legacy `shiftGroup`, a type this
    /// SDK does not know). Only the widget's existence is checked.
    Raw(Value),
}

impl WidgetInput {
    /// `input` / `textarea` text.
    pub fn text(text: impl Into<String>) -> Self {
        WidgetInput::Text(text.into())
    }

    /// A `number` (or `formula`).
    pub fn number(value: f64) -> Self {
        WidgetInput::Number(value)
    }

    /// An `amount` in `currency`.
    pub fn amount(value: f64, currency: impl Into<String>) -> Self {
        WidgetInput::Amount {
            value,
            currency: currency.into(),
        }
    }

    /// A `date`.
    pub fn date(at: OffsetDateTime) -> Self {
        WidgetInput::Date(at)
    }

    /// A `dateInterval` lasting `interval_days` days as the form shows it.
    pub fn date_interval(start: OffsetDateTime, end: OffsetDateTime, interval_days: f64) -> Self {
        WidgetInput::DateInterval {
            start,
            end,
            interval_days,
        }
    }

    /// A single choice, by option id.
    pub fn choice(option_id: impl Into<String>) -> Self {
        WidgetInput::Choice(option_id.into())
    }

    /// Multiple choices, by option id.
    pub fn choices<I, S>(option_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        WidgetInput::Choices(option_ids.into_iter().map(Into::into).collect())
    }

    /// `contact` users by `user_id`.
    pub fn users(user_ids: impl IntoIterator<Item = UserId>) -> Self {
        WidgetInput::Users {
            user_ids: user_ids.into_iter().collect(),
            open_ids: Vec::new(),
        }
    }

    /// `contact` users by `open_id`.
    pub fn open_ids(open_ids: impl IntoIterator<Item = OpenId>) -> Self {
        WidgetInput::Users {
            user_ids: Vec::new(),
            open_ids: open_ids.into_iter().collect(),
        }
    }

    /// `department`s by `open_department_id`.
    pub fn departments(ids: impl IntoIterator<Item = DepartmentId>) -> Self {
        WidgetInput::Departments(ids.into_iter().collect())
    }

    /// Attachment or image file codes.
    pub fn files<I, S>(codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        WidgetInput::Files(codes.into_iter().map(Into::into).collect())
    }

    /// Linked instances.
    pub fn instances(codes: impl IntoIterator<Item = InstanceCode>) -> Self {
        WidgetInput::Instances(codes.into_iter().collect())
    }

    /// A docx document.
    pub fn document(document_id: impl Into<String>) -> Self {
        WidgetInput::Document(document_id.into())
    }

    /// A telephone number.
    pub fn telephone(country_code: impl Into<String>, national_number: impl Into<String>) -> Self {
        WidgetInput::Telephone {
            country_code: country_code.into(),
            national_number: national_number.into(),
        }
    }

    /// `fieldList` rows.
    pub fn rows(rows: impl IntoIterator<Item = FormInput>) -> Self {
        WidgetInput::Rows(rows.into_iter().collect())
    }

    /// A control group's members.
    pub fn group(members: FormInput) -> Self {
        WidgetInput::Group(members)
    }

    /// A value sent exactly as given.
    pub fn raw(value: Value) -> Self {
        WidgetInput::Raw(value)
    }

    /// What kind of value this is, for error messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            WidgetInput::Text(_) => "text",
            WidgetInput::Number(_) => "a number",
            WidgetInput::Amount { .. } => "an amount",
            WidgetInput::Date(_) => "a date",
            WidgetInput::DateInterval { .. } => "a date interval",
            WidgetInput::Choice(_) => "a single choice",
            WidgetInput::Choices(_) => "multiple choices",
            WidgetInput::Users { .. } => "users",
            WidgetInput::Departments(_) => "departments",
            WidgetInput::Files(_) => "file codes",
            WidgetInput::Instances(_) => "instance codes",
            WidgetInput::Document(_) => "a document",
            WidgetInput::Telephone { .. } => "a telephone number",
            WidgetInput::Rows(_) => "table rows",
            WidgetInput::Group(_) => "control group members",
            WidgetInput::Raw(_) => "a raw value",
        }
    }
}

/// The values of a form (or of one `fieldList` row, or of a control group's members), by
/// widget id (a widget's `custom_id` works too). Setting a widget twice keeps the last value.
///
/// Nothing is checked until [`FormInput::check`] compares it with the definition's form
/// and renders a [`CheckedForm`](crate::CheckedForm).
///
/// # Example
/// ```
/// use feishu_approval::{DefinitionForm, FormInput, WidgetInput};
/// let definition = DefinitionForm::parse(r#"[
///   {"id":"item","type":"input","required":true},
///   {"id":"urgency","type":"radioV2","option":[{"value":"o1","text":"Low"},{"value":"o2","text":"High"}]}
/// ]"#);
/// let form = FormInput::new()
///     .set("item", WidgetInput::text("Laptop"))
///     .set("urgency", WidgetInput::choice("o2"))
///     .check(&definition)?;
/// assert!(form.as_json().contains(r#""value":"o2""#));
///
/// // A wrong widget id is refused before any request, naming the id.
/// let err = FormInput::new().set("itme", WidgetInput::text("x")).check(&definition).unwrap_err();
/// assert!(err.to_string().contains("`itme`"));
/// # Ok::<(), feishu_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormInput {
    values: Vec<(String, WidgetInput)>,
}

impl FormInput {
    /// An empty form.
    pub fn new() -> Self {
        FormInput::default()
    }

    /// Sets `widget_id` to `value` (replacing an earlier value of the same id).
    pub fn set(mut self, widget_id: impl Into<String>, value: WidgetInput) -> Self {
        self.insert(widget_id, value);
        self
    }

    /// Sets `widget_id` to `value` in place.
    pub fn insert(&mut self, widget_id: impl Into<String>, value: WidgetInput) {
        let widget_id = widget_id.into();
        match self.values.iter_mut().find(|(id, _)| *id == widget_id) {
            Some((_, slot)) => *slot = value,
            None => self.values.push((widget_id, value)),
        }
    }

    /// The values, in the order they were first set.
    pub fn values(&self) -> impl Iterator<Item = (&str, &WidgetInput)> {
        self.values.iter().map(|(id, v)| (id.as_str(), v))
    }

    /// Whether no widget is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}
