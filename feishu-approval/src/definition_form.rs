//! The `form` string of an approval definition, parsed into widget definitions
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/approval-definition-form-control-parameters>).

use serde::Serialize;
use serde_json::Value;

use crate::form_warning::{FormWarning, kind};
use crate::widget::{MAX_DEPTH, WidgetType, text};
use crate::widget_path::Keys;

/// A parsed definition form (the widget *definitions* of `GET approvals/:code`).
///
/// # Example
/// ```
/// use feishu_approval::{DefinitionForm, WidgetType};
/// let form = DefinitionForm::parse(r#"[
///   {"id":"w1","name":"Item","type":"input","required":true},
///   {"id":"w2","name":"Lines","type":"fieldList","children":[{"id":"w3","name":"Price","type":"amount"}]}
/// ]"#);
/// assert!(form.warnings.is_empty());
/// assert!(form.widgets[0].required);
/// assert_eq!(form.widgets[1].children[0].widget_type, WidgetType::Amount);
/// ```
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
