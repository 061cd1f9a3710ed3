//! One widget of a form, and the type vocabulary of form widgets
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/approval-instance-form-control-parameters>).

use serde::Serialize;
use serde_json::{Map, Value};

use feishu_core::internal::wire_enum;

/// Sub-widgets (`fieldList` rows, a definition's columns and group members) nested deeper than
/// this are not expanded; the parsers report them as a warning.
pub(crate) const MAX_DEPTH: usize = 16;

wire_enum! {
    /// A form widget's `type`, as listed by
    /// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/approval-definition-form-control-parameters>
    /// and
    /// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/approval-instance-form-control-parameters>.
    pub enum WidgetType {
        /// Single-line text.
        Input => "input",
        /// Multi-line text.
        Textarea => "textarea",
        /// Static description (no value).
        Text => "text",
        /// Number.
        Number => "number",
        /// Amount (with currency).
        Amount => "amount",
        /// Computed number.
        Formula => "formula",
        /// Single choice (legacy).
        Radio => "radio",
        /// Single choice.
        RadioV2 => "radioV2",
        /// Multiple choice (legacy).
        Checkbox => "checkbox",
        /// Multiple choice.
        CheckboxV2 => "checkboxV2",
        /// Date (RFC 3339).
        Date => "date",
        /// Date range.
        DateInterval => "dateInterval",
        /// Table ("details"): rows of sub-widgets.
        FieldList => "fieldList",
        /// Reference to a Bitable.
        MutableGroup => "mutableGroup",
        /// Images (legacy).
        Image => "image",
        /// Images.
        ImageV2 => "imageV2",
        /// Attachments (legacy).
        Attachment => "attachment",
        /// Attachments.
        AttachmentV2 => "attachmentV2",
        /// Departments.
        Department => "department",
        /// Users.
        Contact => "contact",
        /// Linked approval instances.
        Connect => "connect",
        /// Address.
        Address => "address",
        /// Location.
        Location => "location",
        /// Account.
        Account => "account",
        /// Telephone number.
        Telephone => "telephone",
        /// Serial number.
        SerialNumber => "serialNumber",
        /// Cloud document.
        Document => "document",
        /// Leave control group (legacy).
        LeaveGroup => "leaveGroup",
        /// Leave control group.
        LeaveGroupV2 => "leaveGroupV2",
        /// Overtime control group.
        WorkGroup => "workGroup",
        /// Business-trip control group.
        TripGroup => "tripGroup",
        /// Going-out control group.
        OutGroup => "outGroup",
        /// Shift-swap control group (legacy).
        ShiftGroup => "shiftGroup",
        /// Shift-swap control group.
        ShiftGroupV2 => "shiftGroupV2",
        /// Punch-correction control group (legacy).
        RemedyGroup => "remedyGroup",
        /// Punch-correction control group.
        RemedyGroupV2 => "remedyGroupV2",
        /// Core HR onboarding group.
        ApaascorehrOnboardingGroup => "apaascorehrOnboardingGroup",
        /// Core HR regularisation group.
        ApaascorehrRegularateGroup => "apaascorehrRegularateGroup",
        /// Core HR job adjustment group.
        ApaascorehrJobAdjustGroup => "apaascorehrJobAdjustGroup",
        /// Core HR offboarding group.
        ApaascorehrOffboardingGroup => "apaascorehrOffboardingGroup",
    }
}

/// One filled widget of an instance form.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Widget {
    /// Stable key of the widget inside the form: its id at the top level
    /// (`widget1`), `parent[row].child` inside a `fieldList` (`widget2[0].widget3`).
    /// A widget without an id is keyed `_<position>`; a repeated id among siblings gets
    /// `~<n>` appended (`widget1~1`) so keys stay unique.
    pub path: String,
    /// Widget id (`""` when absent).
    pub id: String,
    /// Custom id set by the definition's author, if any.
    pub custom_id: Option<String>,
    /// Label (may be absent for `fieldList` cells).
    pub name: String,
    /// The widget type.
    pub widget_type: WidgetType,
    /// The value exactly as sent (`null` when absent). See [`Widget::typed_value`].
    pub value: Value,
    /// `ext` (file names of attachments, ...) as sent, when present and not null.
    pub ext: Option<Value>,
    /// `option` / `options`, when present.
    pub options: Option<Value>,
    /// For `fieldList`: the rows, each a list of cell widgets. Empty otherwise.
    pub rows: Vec<Vec<Widget>>,
    /// The widget object as sent, less its `value` (which is in [`Widget::value`]: the two
    /// would otherwise hold the same tree twice); [`Widget::to_json`] puts them together.
    pub raw: Value,
}

impl Widget {
    /// The type as its wire string.
    pub fn type_str(&self) -> &str {
        self.widget_type.as_str()
    }

    /// Another key of the widget object (e.g. `open_ids` of a `contact` widget,
    /// `currency` of an `amount`).
    pub fn field(&self, key: &str) -> Option<&Value> {
        match key {
            "value" => Some(&self.value),
            _ => self.raw.get(key),
        }
    }

    /// The whole widget object as sent (`raw` with its `value` back in place).
    pub fn to_json(&self) -> Value {
        let mut whole = self.raw.clone();
        if let Value::Object(obj) = &mut whole {
            obj.insert("value".to_string(), self.value.clone());
        }
        whole
    }
}

/// A string-ish field: strings as they are, numbers and bools as text, else empty.
pub(crate) fn text(obj: &Map<String, Value>, key: &str) -> String {
    match obj.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widget_types_match_exactly_and_null_is_unknown() {
        let w: WidgetType = serde_json::from_str("\"radioV2\"").unwrap();
        assert_eq!(w, WidgetType::RadioV2);
        let n: WidgetType = serde_json::from_str("null").unwrap();
        assert_eq!(n, WidgetType::Unknown(String::new()));
    }
}
