//! The `form` string of an instance or a definition, parsed into widgets.
//!
//! Feishu sends forms as a JSON *string* holding an array of widget objects (feishu-api.md
//! §5.1, §5.4). Parsing never fails and never panics: what cannot be understood is reported
//! in [`Form::warnings`] and stays available as raw JSON ([`Widget::raw`], [`Form::raw`]).

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::enums::WidgetType;
use crate::value::WidgetValue;

/// `fieldList` tables nested deeper than this are not expanded (reported as a warning).
const MAX_DEPTH: usize = 16;

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

/// Something in a form the parser could not fully understand. The data is still kept: as
/// [`Form::raw`] or in the widget's [`Widget::raw`].
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
    /// The whole widget object as sent.
    pub raw: Value,
}

impl Widget {
    /// The value in its documented shape (feishu-api.md §5.4), or [`WidgetValue::Raw`] when
    /// the shape is undocumented or does not match.
    pub fn typed_value(&self) -> WidgetValue {
        WidgetValue::of(self)
    }

    /// The type as its wire string.
    pub fn type_str(&self) -> &str {
        self.widget_type.as_str()
    }

    /// Another key of the widget object (e.g. `open_ids` of a `contact` widget,
    /// `currency` of an `amount`).
    pub fn field(&self, key: &str) -> Option<&Value> {
        self.raw.get(key)
    }
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
            Ok(value) => {
                let mut form = Form::from_json(&value);
                form.raw = raw.to_string();
                form
            }
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
        let mut cx = Cx {
            warnings: Vec::new(),
            keys: Keys::new(),
        };
        let widgets = match value {
            Value::Array(items) => parse_list(items, "", &mut cx, 0),
            Value::Null => Vec::new(),
            other => {
                cx.warnings.push(FormWarning::Malformed {
                    error: format!("expected a JSON array, found {}", kind(other)),
                });
                Vec::new()
            }
        };
        Form {
            raw: value.to_string(),
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

/// A string-ish field: strings as they are, numbers and bools as text, else empty.
pub(crate) fn text(obj: &Map<String, Value>, key: &str) -> String {
    match obj.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// Unique widget paths over a whole form: `prefix.id` (or `prefix._<i>` without an id),
/// with `~n` appended when that path was already given out (repeated ids, or ids that
/// happen to look like another widget's path).
pub(crate) struct Keys {
    used: HashSet<String>,
    /// Last `~n` suffix handed out per base path, so many repeats of one id stay linear
    /// (every smaller suffix is already taken, and `used` only grows).
    suffix: HashMap<String, usize>,
}

impl Keys {
    pub(crate) fn new() -> Self {
        Keys {
            used: HashSet::new(),
            suffix: HashMap::new(),
        }
    }

    pub(crate) fn path(&mut self, prefix: &str, id: &str, position: usize) -> String {
        let base = if id.is_empty() {
            join(prefix, &format!("_{position}"))
        } else {
            join(prefix, id)
        };
        if self.used.insert(base.clone()) {
            return base;
        }
        let n = self.suffix.entry(base.clone()).or_insert(0);
        loop {
            *n += 1;
            let candidate = format!("{base}~{n}");
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn parse_list(items: &[Value], prefix: &str, cx: &mut Cx, depth: usize) -> Vec<Widget> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let id = item.as_object().map(|o| text(o, "id")).unwrap_or_default();
            let path = cx.keys.path(prefix, &id, i);
            parse_widget(item, path, cx, depth)
        })
        .collect()
}

/// Parsing context: warnings and the paths given out so far.
struct Cx {
    warnings: Vec<FormWarning>,
    keys: Keys,
}

fn parse_widget(item: &Value, path: String, cx: &mut Cx, depth: usize) -> Widget {
    let warnings = &mut cx.warnings;
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
            raw: item.clone(),
        };
    };
    let widget_type = WidgetType::from(text(obj, "type"));
    if let WidgetType::Unknown(t) = &widget_type {
        warnings.push(FormWarning::UnknownType {
            path: path.clone(),
            widget_type: t.clone(),
        });
    }
    let value = obj.get("value").cloned().unwrap_or(Value::Null);
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
        raw: item.clone(),
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

/// A parsed definition form (the widget *definitions* of `GET approvals/:code`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DefinitionForm {
    /// The form string exactly as Feishu sent it.
    pub raw: String,
    /// The widget definitions.
    pub widgets: Vec<WidgetDefinition>,
    /// What could not be understood.
    pub warnings: Vec<FormWarning>,
}

/// One widget of a definition form.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct WidgetDefinition {
    /// Widget id.
    pub id: String,
    /// Custom id, if any.
    pub custom_id: Option<String>,
    /// Localised label.
    pub name: String,
    /// The widget type.
    pub widget_type: WidgetType,
    /// Whether the field must be filled.
    pub required: bool,
    /// `option` / `options` (choices of radio/checkbox widgets), when present.
    pub options: Option<Value>,
    /// Sub-widgets: a `fieldList`'s columns (from `children`, or `value` as in creation
    /// docs) and a control group's members (from `value`).
    pub children: Vec<WidgetDefinition>,
    /// The whole widget object as sent.
    pub raw: Value,
}

impl DefinitionForm {
    /// Parses a definition form string. Never fails: see [`DefinitionForm::warnings`].
    pub fn parse(raw: &str) -> DefinitionForm {
        let trimmed = raw.trim();
        let mut warnings = Vec::new();
        let widgets = if trimmed.is_empty() || trimmed == "null" {
            Vec::new()
        } else {
            match serde_json::from_str::<Value>(trimmed) {
                Ok(Value::Array(items)) => {
                    parse_definitions(&items, "", &mut warnings, &mut Keys::new(), 0)
                }
                Ok(other) => {
                    warnings.push(FormWarning::Malformed {
                        error: format!("expected a JSON array, found {}", kind(&other)),
                    });
                    Vec::new()
                }
                Err(e) => {
                    warnings.push(FormWarning::Malformed {
                        error: e.to_string(),
                    });
                    Vec::new()
                }
            }
        };
        DefinitionForm {
            raw: raw.to_string(),
            widgets,
            warnings,
        }
    }
}

fn parse_definitions(
    items: &[Value],
    prefix: &str,
    warnings: &mut Vec<FormWarning>,
    keys: &mut Keys,
    depth: usize,
) -> Vec<WidgetDefinition> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let obj = item.as_object();
            let id = obj.map(|o| text(o, "id")).unwrap_or_default();
            let path = keys.path(prefix, &id, i);
            let Some(obj) = obj else {
                warnings.push(FormWarning::NotAnObject { path });
                return WidgetDefinition {
                    id,
                    custom_id: None,
                    name: String::new(),
                    widget_type: WidgetType::default(),
                    required: false,
                    options: None,
                    children: Vec::new(),
                    raw: item.clone(),
                };
            };
            let widget_type = WidgetType::from(text(obj, "type"));
            if let WidgetType::Unknown(t) = &widget_type {
                warnings.push(FormWarning::UnknownType {
                    path: path.clone(),
                    widget_type: t.clone(),
                });
            }
            let sub = [obj.get("children"), obj.get("value")]
                .into_iter()
                .flatten()
                .find_map(|v| v.as_array().filter(|a| a.iter().any(Value::is_object)));
            let children = match sub {
                Some(sub) if depth < MAX_DEPTH => {
                    parse_definitions(sub, &path, warnings, keys, depth + 1)
                }
                Some(_) => {
                    // Not expanded, but reported: the widget's `raw` still holds them.
                    warnings.push(FormWarning::BadTable {
                        path: path.clone(),
                        error: format!("sub-widgets nested deeper than {MAX_DEPTH} levels"),
                    });
                    Vec::new()
                }
                None => Vec::new(),
            };
            WidgetDefinition {
                id,
                custom_id: Some(text(obj, "custom_id")).filter(|s| !s.is_empty()),
                name: text(obj, "name"),
                widget_type,
                required: obj
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                options: obj
                    .get("option")
                    .or_else(|| obj.get("options"))
                    .filter(|v| !v.is_null())
                    .cloned(),
                children,
                raw: item.clone(),
            }
        })
        .collect()
}
