//! [`FormInput::check`]: each value against its widget's definition, rendered as a
//! [`CheckedForm`] in the write shapes of
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/approval-instance-form-control-parameters>.

use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use feishu_core::{Error, Result};

use crate::definition_form::{DefinitionForm, WidgetDefinition};
use crate::form_input::{FormInput, WidgetInput};
use crate::form_warning::FormWarning;
use crate::widget::WidgetType;

impl FormInput {
    /// Checks every value against `definition` (the form of
    /// [`ApprovalDefinition::form_widgets`](crate::ApprovalDefinition::form_widgets)) and
    /// renders the form string the create call sends.
    ///
    /// Fails with [`Error::InvalidArgument`](feishu_core::Error::InvalidArgument) naming the
    /// widget (`widget_lines[1].widget_li_qty` inside a table) when: no widget has the id;
    /// the value does not fit the widget's type; an option id is not one of the widget's
    /// options; a number is not finite; a date is outside years 0–9999; a required widget is
    /// missing or empty; the widget is of a type the create API does not accept (`text`,
    /// `mutableGroup`, `account`, `serialNumber`, `tripGroup`, `remedyGroupV2`, the Core HR
    /// groups). A definition form that could not be read fails as argument `form`.
    pub fn check(&self, definition: &DefinitionForm) -> Result<CheckedForm> {
        let items = check_form(self, definition)?;
        Ok(CheckedForm {
            json: Value::Array(items).to_string(),
        })
    }
}

/// A form checked against its definition, rendered as the JSON string the create call sends;
/// from [`FormInput::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedForm {
    json: String,
}

impl CheckedForm {
    /// The form string (a JSON array of `{id, type, value}`), as sent.
    pub fn as_json(&self) -> &str {
        &self.json
    }
}

/// The form items of `input`, in the definition's order.
fn check_form(input: &FormInput, definition: &DefinitionForm) -> Result<Vec<Value>> {
    if let Some(FormWarning::Malformed { error }) = definition
        .warnings
        .iter()
        .find(|w| matches!(w, FormWarning::Malformed { .. }))
    {
        return Err(Error::invalid_argument(
            "form",
            format!(
                "the definition's form could not be read ({error}), so nothing can be checked against it"
            ),
        ));
    }
    check_members(input, &definition.widgets, "")
}

/// The items of `input` against the sibling `widgets` (a form, a table row, a group).
fn check_members(
    input: &FormInput,
    widgets: &[WidgetDefinition],
    prefix: &str,
) -> Result<Vec<Value>> {
    let mut items: Vec<Option<Value>> = vec![None; widgets.len()];
    for (key, value) in input.values() {
        let path = join(prefix, key);
        let Some(index) = widgets
            .iter()
            .position(|w| w.id == key || w.custom_id.as_deref() == Some(key))
        else {
            return Err(unknown_widget(&path, widgets));
        };
        if items[index].is_some() {
            return Err(Error::invalid_argument(
                path,
                format!(
                    "widget {:?} is set twice (by its id and its custom id)",
                    widgets[index].id
                ),
            ));
        }
        items[index] = Some(render(&widgets[index], value, &path)?);
    }
    for (widget, item) in widgets.iter().zip(&items) {
        let missing = item.as_ref().is_none_or(|item| is_empty(&item["value"]));
        if widget.required && settable(&widget.widget_type) && missing {
            return Err(Error::invalid_argument(
                join(prefix, &widget.id),
                format!("the widget {:?} is required and has no value", widget.name),
            ));
        }
    }
    Ok(items.into_iter().flatten().collect())
}

fn join(prefix: &str, id: &str) -> String {
    if prefix.is_empty() {
        id.to_string()
    } else {
        format!("{prefix}.{id}")
    }
}

fn unknown_widget(path: &str, widgets: &[WidgetDefinition]) -> Error {
    let known: Vec<&str> = widgets.iter().take(12).map(|w| w.id.as_str()).collect();
    let more = if widgets.len() > known.len() {
        ", …"
    } else {
        ""
    };
    Error::invalid_argument(
        path.to_string(),
        format!(
            "no widget has this id in the definition's form (its widgets: {}{more})",
            known.join(", ")
        ),
    )
}

/// Whether the create API accepts a value for this type at all (its list of unsupported
/// widgets: `text`, `mutableGroup`, `account`, `serialNumber`, `tripGroup`, `remedyGroupV2`
/// and the Core HR groups).
fn settable(t: &WidgetType) -> bool {
    !matches!(
        t,
        WidgetType::Text
            | WidgetType::MutableGroup
            | WidgetType::Account
            | WidgetType::SerialNumber
            | WidgetType::TripGroup
            | WidgetType::RemedyGroupV2
            | WidgetType::ApaascorehrOnboardingGroup
            | WidgetType::ApaascorehrRegularateGroup
            | WidgetType::ApaascorehrJobAdjustGroup
            | WidgetType::ApaascorehrOffboardingGroup
    )
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// One `{id, type, value, ...}` item.
fn render(widget: &WidgetDefinition, input: &WidgetInput, path: &str) -> Result<Value> {
    let t = &widget.widget_type;
    if !settable(t) {
        return Err(Error::invalid_argument(
            path.to_string(),
            format!(
                "a `{t}` widget cannot be filled through the create API (fill it in the approval admin console)"
            ),
        ));
    }
    let mut item = Map::new();
    item.insert("id".into(), json!(widget.id));
    item.insert("type".into(), json!(t.as_str()));
    let (value, sibling) = render_value(widget, input, path)?;
    item.insert("value".into(), value);
    if let Some((key, v)) = sibling {
        item.insert(key.into(), v);
    }
    Ok(Value::Object(item))
}

/// A value and, for some types, a sibling key of the item (`currency`, `open_ids`).
type Rendered = (Value, Option<(&'static str, Value)>);

fn render_value(widget: &WidgetDefinition, input: &WidgetInput, path: &str) -> Result<Rendered> {
    use WidgetType as T;
    let plain = |v: Value| Ok((v, None));
    match (&widget.widget_type, input) {
        (_, WidgetInput::Raw(v)) => plain(v.clone()),
        (T::Input | T::Textarea, WidgetInput::Text(s)) => plain(json!(s)),
        (T::Number | T::Formula, WidgetInput::Number(n)) => plain(json!(finite(*n, path)?)),
        (T::Amount, WidgetInput::Amount { value, currency }) => {
            if currency.trim().is_empty() {
                return Err(bad(path, "the amount's currency is empty"));
            }
            Ok((
                json!(finite(*value, path)?),
                Some(("currency", json!(currency))),
            ))
        }
        (T::Date, WidgetInput::Date(t)) => plain(json!(rfc3339(*t, path)?)),
        (
            T::DateInterval,
            WidgetInput::DateInterval {
                start,
                end,
                interval_days,
            },
        ) => {
            if end < start {
                return Err(bad(path, "the interval ends before it starts"));
            }
            plain(json!({
                "start": rfc3339(*start, path)?,
                "end": rfc3339(*end, path)?,
                "interval": finite(*interval_days, path)?,
            }))
        }
        (T::Radio | T::RadioV2, WidgetInput::Choice(id)) => {
            check_option(widget, id, path)?;
            plain(json!(id))
        }
        (T::Checkbox | T::CheckboxV2, WidgetInput::Choices(ids)) => {
            for id in ids {
                check_option(widget, id, path)?;
            }
            plain(json!(ids))
        }
        (T::Contact, WidgetInput::Users { user_ids, open_ids }) => {
            let open = (!open_ids.is_empty()).then(|| ("open_ids", json!(open_ids)));
            Ok((json!(user_ids), open))
        }
        (T::Department, WidgetInput::Departments(ids)) => {
            plain(ids.iter().map(|id| json!({ "open_id": id })).collect())
        }
        (T::Attachment | T::AttachmentV2 | T::Image | T::ImageV2, WidgetInput::Files(codes)) => {
            plain(json!(codes))
        }
        (T::Connect, WidgetInput::Instances(codes)) => plain(json!(codes)),
        (T::Document, WidgetInput::Document(token)) => {
            plain(json!({ "token": token, "type": "docx" }))
        }
        (
            T::Telephone,
            WidgetInput::Telephone {
                country_code,
                national_number,
            },
        ) => plain(json!({
            "countryCode": country_code,
            "nationalNumber": national_number,
        })),
        (T::FieldList, WidgetInput::Rows(rows)) => {
            if widget.children.is_empty() {
                return Err(no_members(path, "columns"));
            }
            let rows = rows
                .iter()
                .enumerate()
                .map(|(i, row)| check_members(row, &widget.children, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>>>()?;
            plain(json!(rows))
        }
        (t, WidgetInput::Group(members)) if *t != T::FieldList => {
            if widget.children.is_empty() {
                return Err(no_members(path, "members"));
            }
            plain(json!(check_members(members, &widget.children, path)?))
        }
        (t, other) => Err(bad(
            path,
            &format!("a `{t}` widget takes {}, not {}", expected(t), other.kind()),
        )),
    }
}

fn bad(path: &str, message: &str) -> Error {
    Error::invalid_argument(path.to_string(), message.to_string())
}

fn no_members(path: &str, what: &str) -> Error {
    bad(
        path,
        &format!(
            "the definition lists no {what} of this widget, so they cannot be checked; send its value with WidgetInput::raw"
        ),
    )
}

fn finite(n: f64, path: &str) -> Result<f64> {
    if n.is_finite() {
        Ok(n)
    } else {
        Err(bad(path, &format!("{n} is not a finite number")))
    }
}

fn rfc3339(t: OffsetDateTime, path: &str) -> Result<String> {
    t.format(&Rfc3339)
        .map_err(|e| bad(path, &format!("{t} cannot be written as RFC 3339: {e}")))
}

/// What a type takes, for error messages.
fn expected(t: &WidgetType) -> &'static str {
    use WidgetType as T;
    match t {
        T::Input | T::Textarea => "text (WidgetInput::text)",
        T::Number | T::Formula => "a number (WidgetInput::number)",
        T::Amount => "an amount with its currency (WidgetInput::amount)",
        T::Date => "a date (WidgetInput::date)",
        T::DateInterval => "a date interval (WidgetInput::date_interval)",
        T::Radio | T::RadioV2 => "one option id (WidgetInput::choice)",
        T::Checkbox | T::CheckboxV2 => "option ids (WidgetInput::choices)",
        T::Contact => "users (WidgetInput::users / open_ids)",
        T::Department => "open department ids (WidgetInput::departments)",
        T::Attachment | T::AttachmentV2 | T::Image | T::ImageV2 => {
            "uploaded file codes (WidgetInput::files)"
        }
        T::Connect => "instance codes (WidgetInput::instances)",
        T::Document => "a docx document id (WidgetInput::document)",
        T::Telephone => "a telephone number (WidgetInput::telephone)",
        T::FieldList => "rows (WidgetInput::rows)",
        _ => "its members (WidgetInput::group) or a raw value (WidgetInput::raw)",
    }
}

/// Refuses an option id the widget's `option` list does not contain. A widget without a
/// readable list (external options) accepts any id.
fn check_option(widget: &WidgetDefinition, id: &str, path: &str) -> Result<()> {
    let Some(Value::Array(options)) = &widget.options else {
        return Ok(());
    };
    let field = |o: &Value, key: &str| o.get(key).and_then(Value::as_str).map(str::to_string);
    let ids: Vec<String> = options
        .iter()
        .filter_map(|o| field(o, "value").or_else(|| field(o, "id")))
        .collect();
    if ids.is_empty() || ids.iter().any(|known| known == id) {
        return Ok(());
    }
    let by_text = options
        .iter()
        .find(|o| field(o, "text").as_deref() == Some(id))
        .and_then(|o| field(o, "value").or_else(|| field(o, "id")));
    let hint = match by_text {
        Some(real) => {
            format!("; {id:?} is an option's text, its id is {real:?} (options are written by id)")
        }
        None => String::new(),
    };
    Err(bad(
        path,
        &format!(
            "{id:?} is not an option id of this widget (its options: {}){hint}",
            ids.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn definition() -> DefinitionForm {
        DefinitionForm::parse(
            r#"[
              {"id":"w_text","name":"Item","type":"input","required":true},
              {"id":"w_num","type":"number","custom_id":"qty"},
              {"id":"w_amount","type":"amount"},
              {"id":"w_radio","type":"radioV2","option":[{"value":"o1","text":"Low"},{"value":"o2","text":"High"}]},
              {"id":"w_check","type":"checkboxV2","option":[{"value":"c1","text":"Red"}]},
              {"id":"w_date","type":"date"},
              {"id":"w_note","type":"text","required":true},
              {"id":"w_lines","type":"fieldList","children":[
                 {"id":"w_li_item","type":"input","required":true},
                 {"id":"w_li_price","type":"amount"}]},
              {"id":"w_leave","type":"leaveGroupV2","value":[
                 {"id":"widgetLeaveGroupType","type":"radioV2"},
                 {"id":"widgetLeaveGroupStartTime","type":"date"}]},
              {"id":"w_serial","type":"serialNumber"}
            ]"#,
        )
    }

    fn argument(e: &Error) -> String {
        match e {
            Error::InvalidArgument(a) => a.argument().to_string(),
            other => panic!("not an argument error: {other:?}"),
        }
    }

    #[test]
    fn renders_write_shapes_in_definition_order() {
        let form = FormInput::new()
            .set("w_radio", WidgetInput::choice("o2"))
            .set("qty", WidgetInput::number(3.0))
            .set("w_text", WidgetInput::text("Laptop"))
            .set("w_amount", WidgetInput::amount(9.5, "CNY"))
            .set(
                "w_date",
                WidgetInput::date(datetime!(2025-01-02 09:00 +08:00)),
            )
            .set(
                "w_lines",
                WidgetInput::rows([FormInput::new()
                    .set("w_li_item", WidgetInput::text("cable"))
                    .set("w_li_price", WidgetInput::amount(2.0, "CNY"))]),
            )
            .set(
                "w_leave",
                WidgetInput::group(
                    FormInput::new().set("widgetLeaveGroupType", WidgetInput::choice("7488")),
                ),
            );
        let items = check_form(&form, &definition()).unwrap();
        let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            [
                "w_text", "w_num", "w_amount", "w_radio", "w_date", "w_lines", "w_leave"
            ]
        );
        assert_eq!(
            items[2],
            json!({"id":"w_amount","type":"amount","value":9.5,"currency":"CNY"})
        );
        assert_eq!(items[4]["value"], "2025-01-02T09:00:00+08:00");
        assert_eq!(items[5]["value"][0][1]["currency"], "CNY");
        assert_eq!(items[6]["value"][0]["type"], "radioV2");
    }

    #[test]
    fn refusals_name_the_widget() {
        let def = definition();
        let base = || FormInput::new().set("w_text", WidgetInput::text("x"));
        let cases = [
            (base().set("nope", WidgetInput::text("x")), "nope"),
            (base().set("w_num", WidgetInput::text("3")), "w_num"),
            (base().set("w_num", WidgetInput::number(f64::NAN)), "w_num"),
            (
                base().set("w_radio", WidgetInput::choice("High")),
                "w_radio",
            ),
            (
                base().set("w_check", WidgetInput::choices(["c9"])),
                "w_check",
            ),
            (
                base().set("w_serial", WidgetInput::raw(json!("SN1"))),
                "w_serial",
            ),
            (FormInput::new(), "w_text"),
            (base().set("w_text", WidgetInput::text("  ")), "w_text"),
            (
                base().set("w_lines", WidgetInput::rows([FormInput::new()])),
                "w_lines[0].w_li_item",
            ),
            (
                base()
                    .set("w_num", WidgetInput::number(1.0))
                    .set("qty", WidgetInput::number(2.0)),
                "qty",
            ),
        ];
        for (form, widget) in cases {
            let err = check_form(&form, &def).unwrap_err();
            assert_eq!(argument(&err), widget, "{err}");
        }
        let err =
            check_form(&base().set("w_radio", WidgetInput::choice("High")), &def).unwrap_err();
        assert!(err.to_string().contains("\"o2\""), "{err}");
    }

    #[test]
    fn an_unreadable_definition_is_refused() {
        let err = check_form(&FormInput::new(), &DefinitionForm::parse("{not json")).unwrap_err();
        assert_eq!(argument(&err), "form");
    }
}
