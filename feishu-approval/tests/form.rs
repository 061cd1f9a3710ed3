//! Form parsing, typed widget values, flattening, and robustness against arbitrary input.

mod common;

use common::setup;
use feishu_approval::{
    Form, FormWarning, InstanceCode, WidgetType, WidgetValue, form_rows, parse_rfc3339,
};
use feishu_testkit::approval::{
    APPROVAL_CODE_PURCHASE, PURCHASE_FIELD_LIST_ID, PURCHASE_WIDGET_TYPES,
};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Widget types whose value shape the docs leave open: they stay raw.
const RAW_TYPES: &[&str] = &[
    "mutableGroup",
    "location",
    "account",
    "serialNumber",
    "outGroup",
    "apaascorehrOnboardingGroup",
    "apaascorehrRegularateGroup",
    "apaascorehrJobAdjustGroup",
    "apaascorehrOffboardingGroup",
];

#[tokio::test]
async fn every_widget_type_parses_to_its_documented_shape() {
    let (tenant, approval) = setup().await;
    let code = &tenant.approval().all_instance_codes(APPROVAL_CODE_PURCHASE)[3];
    let detail = approval.get_instance(code).send().await.unwrap();
    let form = detail.form();
    assert!(form.warnings.is_empty(), "{:?}", form.warnings);
    assert_eq!(form.raw, detail.instance().form);
    let types: Vec<&str> = form.widgets.iter().map(|w| w.type_str()).collect();
    assert_eq!(types, PURCHASE_WIDGET_TYPES);
    for w in &form.widgets {
        let typed = w.typed_value();
        let t = w.type_str();
        let ok = match (&w.widget_type, &typed) {
            (_, WidgetValue::Raw(v)) => RAW_TYPES.contains(&t) && v == &w.value,
            (WidgetType::Text, WidgetValue::Empty) => true,
            (
                WidgetType::Input
                | WidgetType::Textarea
                | WidgetType::Radio
                | WidgetType::RadioV2
                | WidgetType::Address,
                WidgetValue::Text(_),
            ) => true,
            (WidgetType::Date, WidgetValue::Date(d)) => parse_rfc3339(d).is_some(),
            (WidgetType::Number | WidgetType::Formula, WidgetValue::Number(_)) => true,
            (WidgetType::Amount, WidgetValue::Amount { currency, .. }) => {
                currency.as_deref() == Some("CNY")
            }
            (WidgetType::Checkbox | WidgetType::CheckboxV2, WidgetValue::Choices(c)) => {
                c == &["Red", "Blue"]
            }
            (WidgetType::Contact, WidgetValue::Users { user_ids, open_ids }) => {
                user_ids.len() == 1 && open_ids.len() == 1
            }
            (WidgetType::Department, WidgetValue::Departments(d)) => d[0].starts_with("od-"),
            (
                WidgetType::Attachment | WidgetType::AttachmentV2,
                WidgetValue::Files { urls, names },
            ) => urls.len() == 2 && names == &["a.pdf", "b.xlsx"],
            (WidgetType::Image | WidgetType::ImageV2, WidgetValue::Files { names, .. }) => {
                names == &["1.png"]
            }
            (WidgetType::Connect, WidgetValue::Instances(c)) => c.len() == 1,
            (WidgetType::DateInterval, WidgetValue::DateInterval(d)) => {
                d.interval == Some(2.0) && parse_rfc3339(&d.end).is_some()
            }
            (WidgetType::FieldList, WidgetValue::Table(rows)) => {
                rows.len() == 3 && rows.iter().all(|r| r.len() == 4)
            }
            (WidgetType::Document, WidgetValue::Document(d)) => d.doc_type == "docx",
            (WidgetType::Telephone, WidgetValue::Telephone(p)) => p.country_code == "+86",
            (
                WidgetType::LeaveGroup | WidgetType::LeaveGroupV2 | WidgetType::WorkGroup,
                WidgetValue::Period(p),
            ) => !p.start.is_empty(),
            (WidgetType::LeaveGroupV2, _) => false,
            (WidgetType::RemedyGroup | WidgetType::RemedyGroupV2, WidgetValue::Remedy(r)) => {
                r.reason == "forgot"
            }
            (WidgetType::ShiftGroup | WidgetType::ShiftGroupV2, WidgetValue::Shift(s)) => {
                s.reason == "swap" && !s.return_time.is_empty()
            }
            (WidgetType::TripGroup, WidgetValue::Trip(t)) => {
                t.schedule.len() == 1 && t.schedule[0].destination == "Shanghai"
            }
            _ => false,
        };
        assert!(ok, "{t}: {typed:?}");
    }
    let leave = form.widget("widget_p28").unwrap();
    assert_eq!(leave.widget_type, WidgetType::LeaveGroupV2);
    let WidgetValue::Period(p) = leave.typed_value() else {
        panic!()
    };
    assert_eq!(p.unit.as_deref(), Some("DAY"));
}

#[tokio::test]
async fn field_list_of_3_rows_by_4_columns_flattens_to_12_cells() {
    let (tenant, approval) = setup().await;
    let code = &tenant.approval().all_instance_codes(APPROVAL_CODE_PURCHASE)[0];
    let detail = approval.get_instance(code).send().await.unwrap();
    let rows = detail.form_rows();
    let top: Vec<_> = rows
        .iter()
        .filter(|r| r.parent_widget_id.is_none())
        .collect();
    let cells: Vec<_> = rows
        .iter()
        .filter(|r| r.parent_widget_id.is_some())
        .collect();
    assert_eq!(top.len(), PURCHASE_WIDGET_TYPES.len());
    assert_eq!(cells.len(), 12);
    assert_eq!(rows.len(), PURCHASE_WIDGET_TYPES.len() + 12);
    let table = top.iter().find(|r| r.widget_type == "fieldList").unwrap();
    assert_eq!(table.path, PURCHASE_FIELD_LIST_ID);
    assert_eq!(table.value.as_array().unwrap().len(), 3);
    for (i, cell) in cells.iter().enumerate() {
        assert_eq!(
            cell.parent_widget_id.as_deref(),
            Some(PURCHASE_FIELD_LIST_ID)
        );
        assert_eq!(cell.parent_path.as_deref(), Some(PURCHASE_FIELD_LIST_ID));
        assert_eq!(cell.row_index, Some(i / 4));
        assert_eq!(
            cell.path,
            format!("{PURCHASE_FIELD_LIST_ID}[{}].{}", i / 4, cell.widget_id)
        );
        assert_eq!(cell.instance_code, code.as_str());
    }
    assert_eq!(cells[1].widget_type, "number");
    assert_eq!(cells[5].value, json!(2));
    assert_eq!(cells[2].name, "", "cells may omit name");
}

#[test]
fn paths_stay_unique_and_nested_tables_recurse() {
    let form = Form::parse(
        r#"[
        {"id":"a","type":"input","value":"x"},
        {"id":"a","type":"input","value":"y"},
        {"type":"number","value":1},
        {"id":"t","type":"fieldList","value":[
            [{"id":"c","type":"input","value":"1"},{"id":"n","type":"fieldList","value":[[{"id":"d","type":"number","value":2}]]}],
            []
        ]}
    ]"#,
    );
    assert!(form.warnings.is_empty(), "{:?}", form.warnings);
    let rows = form_rows(&InstanceCode::from("I"), &form);
    let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        ["a", "a~1", "_2", "t", "t[0].c", "t[0].n", "t[0].n[0].d"]
    );
    assert_eq!(rows[6].parent_widget_id.as_deref(), Some("n"));
    assert_eq!(rows[6].parent_path.as_deref(), Some("t[0].n"));

    // Ids that look like generated keys or other paths still give unique paths.
    let form = Form::parse(
        r#"[{"id":"a"},{"id":"a"},{"id":"a~1"},{"id":"_4"},{},{"id":"t[0].c"},
            {"id":"t","type":"fieldList","value":[[{"id":"c"}]]}]"#,
    );
    let paths: Vec<&str> = form.widgets.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(paths, ["a", "a~1", "a~1~1", "_4", "_4~1", "t[0].c", "t"]);
    assert_eq!(form.widgets[6].rows[0][0].path, "t[0].c~1");
}

#[test]
fn many_repeated_ids_get_sequential_unique_paths() {
    let raw = format!("[{}]", vec![r#"{"id":"w","type":"input"}"#; 5000].join(","));
    let form = Form::parse(&raw);
    assert_eq!(form.widgets.len(), 5000);
    assert_eq!(form.widgets[0].path, "w");
    assert_eq!(form.widgets[1].path, "w~1");
    assert_eq!(form.widgets[4999].path, "w~4999");
    let unique: std::collections::HashSet<&str> =
        form.widgets.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(unique.len(), 5000);
}

#[test]
fn too_deep_definition_children_are_reported() {
    let mut widget = json!({"id": "leaf", "type": "input"});
    for depth in 0..20 {
        widget = json!({"id": format!("g{depth}"), "type": "fieldList", "children": [widget]});
    }
    let def = feishu_approval::DefinitionForm::parse(&json!([widget]).to_string());
    assert_eq!(def.warnings.len(), 1, "{:?}", def.warnings);
    assert!(matches!(&def.warnings[0], FormWarning::BadTable { .. }));
    assert_eq!(def.widgets.len(), 1);
}

#[test]
fn malformed_forms_keep_raw_and_warn() {
    for raw in [
        "[{\"id\":",
        "{\"id\":\"w\"}",
        "42",
        "\"str\"",
        "not json at all",
    ] {
        let form = Form::parse(raw);
        assert!(form.is_malformed(), "{raw}");
        assert_eq!(form.raw, raw);
        assert!(form.widgets.is_empty());
        assert!(form_rows(&InstanceCode::from("I"), &form).is_empty());
        assert!(!form.warnings[0].to_string().is_empty());
    }
    for raw in ["", "null", "[]", "  "] {
        let form = Form::parse(raw);
        assert!(
            form.warnings.is_empty() && form.widgets.is_empty(),
            "{raw:?}"
        );
    }
    // Element-level problems keep the widget and say what is wrong.
    let form = Form::parse(
        r#"[7, {"id":"u","type":"quantum","value":[1]}, {"id":"t","type":"fieldList","value":"nope"}]"#,
    );
    assert_eq!(form.widgets.len(), 3);
    assert_eq!(form.widgets[0].raw, json!(7));
    assert!(matches!(&form.warnings[0], FormWarning::NotAnObject { path } if path == "_0"));
    assert!(
        matches!(&form.warnings[1], FormWarning::UnknownType { widget_type, .. } if widget_type == "quantum")
    );
    assert!(matches!(&form.warnings[2], FormWarning::BadTable { path, .. } if path == "t"));
    assert_eq!(form.widgets[1].typed_value(), WidgetValue::Raw(json!([1])));
    assert_eq!(form_rows(&InstanceCode::from("I"), &form).len(), 3);
}

#[tokio::test]
async fn a_malformed_instance_form_is_not_an_error() {
    let (tenant, approval) = setup().await;
    let code = &tenant.approval().all_instance_codes(APPROVAL_CODE_PURCHASE)[1];
    tenant
        .approval()
        .set_instance_form(code, "[{\"id\":\"w1\",");
    let detail = approval.get_instance(code).send().await.unwrap();
    assert_eq!(detail.instance().form, "[{\"id\":\"w1\",");
    let raw: serde_json::Value = serde_json::from_str(detail.raw().get()).unwrap();
    assert_eq!(raw["form"], "[{\"id\":\"w1\",");
    let form = detail.form();
    assert!(form.is_malformed());
    assert!(detail.form_rows().is_empty());
    // Typed values that do not match their documented shape come back raw.
    tenant.approval().set_instance_form(code, r#"[{"id":"n","type":"number","value":"abc"},{"id":"d","type":"dateInterval","value":[1]}]"#);
    let detail = approval.get_instance(code).send().await.unwrap();
    let form = detail.form();
    assert_eq!(
        form.widgets[0].typed_value(),
        WidgetValue::Raw(json!("abc"))
    );
    assert_eq!(form.widgets[1].typed_value(), WidgetValue::Raw(json!([1])));
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,8}".prop_map(Value::String),
        prop_oneof![
            Just("fieldList"),
            Just("input"),
            Just("contact"),
            Just("dateInterval"),
            Just("attachmentV2"),
            Just("tripGroup"),
            Just("amount"),
            Just("department"),
            Just("a"),
            Just("a~1"),
            Just("_0"),
            Just("t[0].a")
        ]
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("id".to_string()),
                        Just("type".to_string()),
                        Just("value".to_string()),
                        Just("name".to_string()),
                        Just("ext".to_string()),
                        Just("open_ids".to_string()),
                        ".{0,4}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn exercise(form: &Form) {
    let rows = form_rows(&InstanceCode::from("I"), form);
    for w in &form.widgets {
        let _ = w.typed_value();
    }
    let mut keys = std::collections::HashSet::new();
    for r in &rows {
        assert!(keys.insert(r.path.clone()), "duplicate path {}", r.path);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        let form = Form::from_json(&value);
        exercise(&form);
        let form = Form::parse(&value.to_string());
        exercise(&form);
        let def = feishu_approval::DefinitionForm::parse(&value.to_string());
        prop_assert_eq!(def.raw, value.to_string());
    }

    #[test]
    fn arbitrary_strings_never_panic(raw in ".{0,200}") {
        let form = Form::parse(&raw);
        prop_assert_eq!(&form.raw, &raw);
        exercise(&form);
        let _ = feishu_approval::DefinitionForm::parse(&raw);
    }

    #[test]
    fn arbitrary_widget_arrays_never_panic(widgets in prop::collection::vec(arb_json(), 0..8)) {
        let form = Form::from_json(&Value::Array(widgets.clone()));
        prop_assert_eq!(form.widgets.len(), widgets.len());
        exercise(&form);
    }
}

/// A widget holds its value once: `value` has it, `raw` the rest of the object, and
/// `to_json` gives the object back as sent, nested `fieldList` cells included.
#[test]
fn a_widget_keeps_its_value_once_and_gives_the_whole_object_back() {
    let amount = json!({"id":"a","name":"Amount","type":"amount","value":12.5,"currency":"CNY"});
    let cell = json!({"id":"c","type":"input","value":"pen"});
    let table = json!({"id":"t","name":"Lines","type":"fieldList","value":[[cell.clone()]]});
    let form = Form::parse(&json!([amount.clone(), table.clone()]).to_string());
    assert!(form.warnings.is_empty(), "{:?}", form.warnings);

    let widget = &form.widgets[0];
    assert_eq!(widget.value, json!(12.5));
    assert!(widget.raw.get("value").is_none(), "{:?}", widget.raw);
    assert_eq!(widget.field("value"), Some(&json!(12.5)));
    assert_eq!(widget.field("currency"), Some(&json!("CNY")));
    assert_eq!(widget.to_json(), amount);

    let list = &form.widgets[1];
    assert_eq!(list.to_json(), table);
    assert_eq!(list.rows[0][0].to_json(), cell);
    assert_eq!(list.rows[0][0].value, json!("pen"));
}
