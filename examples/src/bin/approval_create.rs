//! Starts an approval instance from a TOML file: the definition's form is fetched, every
//! value is converted to the type its widget takes and checked before anything is sent, and
//! the creation carries a `uuid` so that running the same file twice creates one instance.
//!
//! ```toml
//! approval_code = "9A1E5C02-7B44-4D1F-8E3A-2C6F0B9D4E71"
//! initiator_open_id = "ou_806a18fb5bdf525e38ba219733bdbd73"   # or initiator_user_id
//! uuid = "leave-2025-0042"                                      # optional
//!
//! [form]
//! widget_reason = "family matters"                  # input / textarea: text
//! widget_kind = "k2"                                # radio: the option id
//! widget_back = "2025-01-10T09:00:00+08:00"         # date: RFC 3339
//! widget_amount = { value = 99.5, currency = "CNY" }
//! widget_leave = { widgetLeaveGroupType = "7488925543484620819" }   # a control group's members
//! widget_lines = [ { item = "cable", qty = 2 } ]    # fieldList rows
//! ```
//!
//! With `FEISHU_APP_ID` and `FEISHU_APP_SECRET` set it talks to Feishu (`FEISHU_BASE_URL`
//! overrides the host); without them it starts the in-process fake tenant and, when no file
//! is given, creates a sample leave request there.
//!
//! ```text
//! cargo run -p feishu-examples --bin approval_create -- leave.toml
//! ```

use feishu_approval::{
    Approval, ApprovalUser, FormInput, WidgetDefinition, WidgetInput, WidgetType, parse_rfc3339,
};
use feishu_core::{DepartmentId, OpenId, UserId};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, tenant) = feishu_examples::demo::client_from_env().await?;
    let text = match std::env::args().nth(1) {
        Some(path) if path != "-" => {
            std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?
        }
        Some(_) => std::io::read_to_string(std::io::stdin())?,
        None => match &tenant {
            Some(tenant) => sample(&tenant.approval().user_ids("open_id")[0]),
            None => return Err("usage: approval_create <form.toml | ->".into()),
        },
    };
    let request: Value = serde_json::to_value(toml::from_str::<toml::Table>(&text)?)?;
    let field = |k: &str| request.get(k).and_then(Value::as_str);
    let code = field("approval_code").ok_or("approval_code is missing")?;
    let initiator: ApprovalUser = match (field("initiator_user_id"), field("initiator_open_id")) {
        (Some(id), _) => UserId::from(id).into(),
        (None, Some(id)) => OpenId::from(id).into(),
        _ => return Err("initiator_user_id or initiator_open_id is missing".into()),
    };
    let approval = Approval::new(client);
    let definition = approval.get_definition(code).send().await?;
    let widgets = definition.form_widgets();
    let values = request.get("form").cloned().unwrap_or(Value::Null);
    let form = to_form(&values, &widgets.widgets)?.check(&widgets)?;
    let mut create = approval.create_instance(code, initiator, form);
    if let Some(uuid) = field("uuid") {
        create = create.uuid(uuid);
    }
    let created = create.send().await?;
    let note = if created.recovered {
        " (already created by an earlier run)"
    } else {
        ""
    };
    println!("{}\tuuid {}{note}", created.instance_code, created.uuid);
    Ok(())
}

/// A leave request for the fake tenant's leave definition.
fn sample(initiator_open_id: &str) -> String {
    format!(
        r#"approval_code = "{code}"
initiator_open_id = "{initiator_open_id}"

[form]
widget_l_reason = "family matters"
widget_l_kind = "k1"
widget_l_back = "2025-01-10T09:00:00+08:00"
widget_l_leave = {{ widget_l_leave_type = "7488925543484620819", widget_l_leave_start = "2025-01-06T09:00:00+08:00" }}
widget_l_handover = [ {{ widget_l_task = "hand over the release" }} ]
"#,
        code = feishu_testkit::approval::APPROVAL_CODE_LEAVE
    )
}

/// The `[form]` table as typed inputs, each by the type of its widget.
fn to_form(values: &Value, widgets: &[WidgetDefinition]) -> Result<FormInput, String> {
    let Some(table) = values.as_object() else {
        return Err("[form] must be a table of widget id = value".into());
    };
    let mut form = FormInput::new();
    for (id, value) in table {
        // An id the definition lacks is left for FormInput::check to name.
        let input = match widgets
            .iter()
            .find(|w| w.id == *id || w.custom_id.as_deref() == Some(id))
        {
            Some(widget) => to_input(widget, value).map_err(|e| format!("{id}: {e}"))?,
            None => WidgetInput::raw(value.clone()),
        };
        form.insert(id.as_str(), input);
    }
    Ok(form)
}

fn to_input(widget: &WidgetDefinition, v: &Value) -> Result<WidgetInput, String> {
    use WidgetType as T;
    let text = |v: &Value| v.as_str().map(str::to_string).ok_or("expected a string");
    let texts = |v: &Value| -> Result<Vec<String>, &str> {
        v.as_array()
            .ok_or("expected a list")?
            .iter()
            .map(&text)
            .collect()
    };
    let number = |v: &Value| v.as_f64().ok_or("expected a number");
    let date =
        |v: &Value| text(v).and_then(|s| parse_rfc3339(&s).ok_or("expected an RFC 3339 time"));
    Ok(match &widget.widget_type {
        T::Input | T::Textarea => WidgetInput::text(text(v)?),
        T::Number | T::Formula => WidgetInput::number(number(v)?),
        T::Amount => WidgetInput::amount(number(&v["value"])?, text(&v["currency"])?),
        T::Date => WidgetInput::date(date(v)?),
        T::DateInterval => WidgetInput::date_interval(
            date(&v["start"])?,
            date(&v["end"])?,
            number(&v["interval"])?,
        ),
        T::Radio | T::RadioV2 => WidgetInput::choice(text(v)?),
        T::Checkbox | T::CheckboxV2 => WidgetInput::choices(texts(v)?),
        T::Contact => WidgetInput::users(texts(v)?.into_iter().map(UserId::from)),
        T::Department => WidgetInput::departments(texts(v)?.into_iter().map(DepartmentId::from)),
        T::Attachment | T::AttachmentV2 | T::Image | T::ImageV2 => WidgetInput::files(texts(v)?),
        T::Connect => WidgetInput::instances(texts(v)?.into_iter().map(Into::into)),
        T::Document => WidgetInput::document(text(v)?),
        T::Telephone => {
            WidgetInput::telephone(text(&v["country_code"])?, text(&v["national_number"])?)
        }
        T::FieldList => {
            let rows = v.as_array().ok_or("expected a list of rows")?;
            WidgetInput::rows(
                rows.iter()
                    .map(|r| to_form(r, &widget.children))
                    .collect::<Result<Vec<_>, _>>()?,
            )
        }
        _ if !widget.children.is_empty() && v.is_object() => {
            WidgetInput::group(to_form(v, &widget.children)?)
        }
        _ => WidgetInput::raw(v.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use feishu_approval::DefinitionForm;

    #[test]
    fn the_sample_converts_and_checks_against_the_leave_form() {
        let definition = DefinitionForm::parse(
            r#"[{"id":"widget_l_reason","type":"textarea","required":true},
                {"id":"widget_l_kind","type":"radioV2","option":[{"value":"k1","text":"Annual"}]},
                {"id":"widget_l_back","type":"date"},
                {"id":"widget_l_leave","type":"leaveGroupV2","required":true,"value":[
                   {"id":"widget_l_leave_type","type":"radioV2"},{"id":"widget_l_leave_start","type":"date"}]},
                {"id":"widget_l_handover","type":"fieldList","value":[{"id":"widget_l_task","type":"input"}]}]"#,
        );
        let request: Value =
            serde_json::to_value(toml::from_str::<toml::Table>(&sample("ou_1")).unwrap()).unwrap();
        let form = to_form(&request["form"], &definition.widgets)
            .unwrap()
            .check(&definition)
            .unwrap();
        let items: Value = serde_json::from_str(form.as_json()).unwrap();
        assert_eq!(items.as_array().unwrap().len(), 5);
        let bad = serde_json::json!({ "widget_l_back": "next friday" });
        assert!(
            to_form(&bad, &definition.widgets)
                .unwrap_err()
                .starts_with("widget_l_back")
        );
    }
}
