//! The `form` string of an instance, parsed into widgets.
//!
//! Feishu sends a form as a JSON *string* holding an array of widget objects
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/approval-instance-form-control-parameters>).
//! Parsing never fails and never panics: what cannot be understood is reported in
//! [`Form::warnings`] and stays available as raw JSON ([`Widget::raw`], [`Form::raw`]).

use serde::Serialize;
use serde_json::Value;

use crate::form_warning::{FormWarning, kind};
use crate::widget::{MAX_DEPTH, Widget, WidgetType, text};
use crate::widget_path::Keys;

/// A parsed instance form.
///
/// # Example
/// ```
/// use feishu_approval::Form;
/// let form = Form::parse(r#"[{"id":"w1","name":"Item","type":"input","value":"Laptop"}]"#);
/// assert!(form.warnings.is_empty());
/// assert_eq!(form.widgets[0].value, "Laptop");
///
/// let broken = Form::parse("[{not json");
/// assert!(broken.is_malformed());
/// assert_eq!(broken.raw, "[{not json");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Form {
    /// The form string exactly as Feishu sent it.
    pub raw: String,
    /// The top-level widgets, in form order.
    pub widgets: Vec<Widget>,
    /// What could not be understood. Empty for a clean form.
    pub warnings: Vec<FormWarning>,
}

impl Form {
    /// Parses a form string. Never fails: see [`Form::warnings`]. An empty string or `null`
    /// is an empty form without warnings.
    pub fn parse(raw: &str) -> Form {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed == "null" {
            return Form {
                raw: raw.to_string(),
                widgets: Vec::new(),
                warnings: Vec::new(),
            };
        }
        match serde_json::from_str::<Value>(trimmed) {
            // The decoded widgets move into the form: no copy of the tree, and the raw text
            // is the one Feishu sent, not a re-serialisation.
            Ok(value) => Form::from_owned(value, raw.to_string()),
            Err(e) => Form {
                raw: raw.to_string(),
                widgets: Vec::new(),
                warnings: vec![FormWarning::Malformed {
                    error: e.to_string(),
                }],
            },
        }
    }

    /// Parses an already decoded form (a JSON array of widgets).
    pub fn from_json(value: &Value) -> Form {
        Form::from_owned(value.clone(), value.to_string())
    }

    fn from_owned(value: Value, raw: String) -> Form {
        let mut cx = Cx {
            warnings: Vec::new(),
            keys: Keys::new(),
        };
        let widgets = match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    let id = item.as_object().map(|o| text(o, "id")).unwrap_or_default();
                    let path = cx.keys.path("", &id, i);
                    parse_widget(item, path, &mut cx, 0)
                })
                .collect(),
            Value::Null => Vec::new(),
            other => {
                cx.warnings.push(FormWarning::Malformed {
                    error: format!("expected a JSON array, found {}", kind(&other)),
                });
                Vec::new()
            }
        };
        Form {
            raw,
            widgets,
            warnings: cx.warnings,
        }
    }

    /// Whether the whole form could not be read (only [`Form::raw`] is available).
    pub fn is_malformed(&self) -> bool {
        self.warnings
            .iter()
            .any(|w| matches!(w, FormWarning::Malformed { .. }))
    }

    /// The top-level widget with this id.
    pub fn widget(&self, id: &str) -> Option<&Widget> {
        self.widgets.iter().find(|w| w.id == id)
    }
}

fn parse_list(items: &[Value], prefix: &str, cx: &mut Cx, depth: usize) -> Vec<Widget> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let id = item.as_object().map(|o| text(o, "id")).unwrap_or_default();
            let path = cx.keys.path(prefix, &id, i);
            parse_widget(item.clone(), path, cx, depth)
        })
        .collect()
}

/// Parsing context: warnings and the paths given out so far.
struct Cx {
    warnings: Vec<FormWarning>,
    keys: Keys,
}

/// One widget; `item` (the widget's JSON) is kept in [`Widget::raw`], its `value` moved
/// into [`Widget::value`].
fn parse_widget(mut item: Value, path: String, cx: &mut Cx, depth: usize) -> Widget {
    let warnings = &mut cx.warnings;
    let value = match item.as_object_mut() {
        Some(obj) => obj.remove("value").unwrap_or(Value::Null),
        None => Value::Null,
    };
    let Some(obj) = item.as_object() else {
        warnings.push(FormWarning::NotAnObject { path: path.clone() });
        return Widget {
            path,
            id: String::new(),
            custom_id: None,
            name: String::new(),
            widget_type: WidgetType::default(),
            value: Value::Null,
            ext: None,
            options: None,
            rows: Vec::new(),
            raw: item,
        };
    };
    let widget_type = WidgetType::from(text(obj, "type"));
    if let WidgetType::Unknown(t) = &widget_type {
        warnings.push(FormWarning::UnknownType {
            path: path.clone(),
            widget_type: t.clone(),
        });
    }
    let mut rows = Vec::new();
    if widget_type == WidgetType::FieldList {
        rows = parse_rows(&value, &path, cx, depth);
    }
    let custom_id = Some(text(obj, "custom_id")).filter(|s| !s.is_empty());
    Widget {
        id: text(obj, "id"),
        custom_id,
        name: text(obj, "name"),
        widget_type,
        value,
        ext: obj.get("ext").filter(|v| !v.is_null()).cloned(),
        options: obj
            .get("option")
            .or_else(|| obj.get("options"))
            .filter(|v| !v.is_null())
            .cloned(),
        rows,
        raw: item,
        path,
    }
}

fn parse_rows(value: &Value, path: &str, cx: &mut Cx, depth: usize) -> Vec<Vec<Widget>> {
    let warnings = &mut cx.warnings;
    let bad = |warnings: &mut Vec<FormWarning>, error: String| {
        warnings.push(FormWarning::BadTable {
            path: path.to_string(),
            error,
        });
        Vec::new()
    };
    if depth >= MAX_DEPTH {
        return bad(warnings, format!("nested deeper than {MAX_DEPTH} tables"));
    }
    let rows = match value {
        Value::Null => return Vec::new(),
        Value::Array(rows) => rows,
        other => {
            return bad(
                warnings,
                format!("expected an array of rows, found {}", kind(other)),
            );
        }
    };
    if let Some(row) = rows.iter().find(|r| !r.is_array()) {
        return bad(
            warnings,
            format!("expected every row to be an array, found {}", kind(row)),
        );
    }
    rows.iter()
        .enumerate()
        .map(|(r, row)| {
            let cells = row.as_array().map(Vec::as_slice).unwrap_or_default();
            parse_list(cells, &format!("{path}[{r}]"), cx, depth + 1)
        })
        .collect()
}
