//! What a form parser could not understand.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

/// Something in a form the parser could not fully understand. The data is still kept: as
/// [`Form::raw`](crate::Form::raw) or in the widget's [`Widget::raw`](crate::Widget::raw).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum FormWarning {
    /// The form string is not JSON, or not a JSON array. No widgets were produced.
    Malformed {
        /// Why (serde's message, or the JSON kind found).
        error: String,
    },
    /// An array element is not a JSON object; it is kept as a widget with an empty id.
    NotAnObject {
        /// The widget path it got.
        path: String,
    },
    /// A widget type this SDK does not know; its value is kept as raw JSON.
    UnknownType {
        /// The widget path.
        path: String,
        /// The type string as sent.
        widget_type: String,
    },
    /// A `fieldList` whose value is not an array of rows of widget objects, or sub-widgets
    /// (table rows, a definition's columns or group members) nested too deep to expand; the
    /// widget's `raw` still holds them.
    BadTable {
        /// The widget path.
        path: String,
        /// What was wrong.
        error: String,
    },
}

impl fmt::Display for FormWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormWarning::Malformed { error } => {
                write!(f, "form is not a JSON widget array: {error}")
            }
            FormWarning::NotAnObject { path } => write!(f, "widget {path} is not a JSON object"),
            FormWarning::UnknownType { path, widget_type } => {
                write!(f, "widget {path} has unknown type {widget_type:?}")
            }
            FormWarning::BadTable { path, error } => write!(f, "fieldList {path}: {error}"),
        }
    }
}

/// How a JSON value is described in a warning.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
