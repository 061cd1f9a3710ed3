//! The typed parser never panics on arbitrary JSON, and what it does not recognise stays raw.

use feishu_bitable::{Field, FieldType, FieldValue};
use proptest::prelude::*;
use serde_json::{Map, Number, Value, json};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        any::<f64>()
            .prop_filter_map("finite", Number::from_f64)
            .prop_map(Value::Number),
        "[a-z0-9 .,@:_-]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("true"),
            Just("12.5"),
            Just("1735689600000"),
            Just("NaN"),
            Just("inf"),
            Just("-0")
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let key = prop_oneof![
            Just("text".to_string()),
            Just("type".to_string()),
            Just("value".to_string()),
            Just("id".to_string()),
            Just("link".to_string()),
            Just("link_record_ids".to_string()),
            Just("record_ids".to_string()),
            Just("file_token".to_string()),
            Just("location".to_string()),
            "[a-z]{1,6}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(key, inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

fn all_types() -> Vec<FieldType> {
    let mut types = FieldType::ALL.to_vec();
    types.push(FieldType::Unknown(9999));
    types
}

/// Every `Unknown` inside a value (including inside lookups/formulas).
fn unknowns(v: &FieldValue) -> Vec<&Value> {
    match v {
        FieldValue::Unknown(raw) => vec![raw],
        FieldValue::Lookup(c) | FieldValue::Formula(c) => {
            c.values.iter().flat_map(unknowns).collect()
        }
        _ => Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_panics_and_unknown_is_raw(raw in arb_json()) {
        for t in all_types() {
            let v = FieldValue::parse(t, &raw);
            if let FieldValue::Unknown(kept) = &v {
                prop_assert_eq!(kept, &raw);
            }
            // Unknown inner values are whole elements of the raw input, never altered.
            let text = raw.to_string();
            for u in unknowns(&v) {
                prop_assert!(text.contains(&u.to_string()));
            }
            // Typed values serialise (for JSON export) without panicking.
            let _ = serde_json::to_string(&v);
            // Schema-aware parsing too, with a formula declared numeric.
            let field: Field = serde_json::from_value(json!({
                "field_name": "F", "type": t.code(),
                "property": { "type": { "data_type": 2 } }
            })).unwrap();
            let _ = FieldValue::parse_field(&field, &raw);
        }
    }

    #[test]
    fn unrecognised_types_are_always_raw(raw in arb_json()) {
        for t in [FieldType::Flow, FieldType::Button, FieldType::Unknown(42)] {
            prop_assert_eq!(FieldValue::parse(t, &raw), FieldValue::Unknown(raw.clone()));
        }
    }

    #[test]
    fn numbers_round_trip_from_either_shape(n in -1.0e12f64..1.0e12) {
        let from_search = FieldValue::parse(FieldType::Number, &json!(n));
        let from_list = FieldValue::parse(FieldType::Number, &json!(n.to_string()));
        prop_assert_eq!(from_search, from_list);
    }

    #[test]
    fn text_from_string_equals_text_from_segments(parts in prop::collection::vec("[a-z @]{0,8}", 0..5)) {
        let segments: Vec<Value> = parts.iter().map(|p| json!({"type": "text", "text": p})).collect();
        let joined: String = parts.concat();
        prop_assert_eq!(
            FieldValue::parse(FieldType::Text, &Value::Array(segments)),
            FieldValue::parse(FieldType::Text, &Value::String(joined))
        );
    }
}

#[test]
fn documented_drift_is_reconciled() {
    let p = |t, v: Value| FieldValue::parse(t, &v);
    assert_eq!(
        p(
            FieldType::SingleLink,
            json!({"link_record_ids": ["rec1", "rec2"]})
        ),
        p(
            FieldType::SingleLink,
            json!([{"record_ids": ["rec1", "rec2"], "table_id": "tbl", "text": "a,b", "text_arr": ["a", "b"], "type": "text"}])
        )
    );
    let person = json!({"id": "ou_1", "name": "A"});
    assert_eq!(
        p(FieldType::CreatedUser, person.clone()),
        p(FieldType::CreatedUser, json!([person]))
    );
    assert_eq!(
        p(
            FieldType::Lookup,
            json!({"type": 1, "value": [{"type": "text", "text": "x"}]})
        ),
        p(FieldType::Lookup, json!([{"type": "text", "text": "x"}]))
    );
    let formula: Field = serde_json::from_value(json!({
        "field_name": "Margin", "type": 20, "property": {"type": {"data_type": 2}}
    }))
    .unwrap();
    assert_eq!(
        FieldValue::parse_field(&formula, &json!({"type": 2, "value": [0.31]})),
        FieldValue::parse_field(&formula, &json!([{"type": "text", "text": "0.31"}]))
    );
    assert_eq!(
        p(FieldType::Number, json!("NaN")),
        FieldValue::Unknown(json!("NaN"))
    );
    assert_eq!(
        p(FieldType::Checkbox, json!(1)),
        FieldValue::Unknown(json!(1))
    );
}

#[test]
fn dates_read_from_numbers_or_strings_and_export_as_unix_ms() {
    let from_number = FieldValue::parse(FieldType::DateTime, &json!(1_735_689_600_000_i64));
    let from_string = FieldValue::parse(FieldType::DateTime, &json!("1735689600000"));
    assert_eq!(from_number, from_string);
    assert_eq!(
        from_number.as_datetime().unwrap(),
        time::macros::datetime!(2025-01-01 0:00 UTC)
    );
    let exported = serde_json::to_value(&from_number).unwrap();
    assert_eq!(
        exported,
        json!({"kind": "date_time", "value": 1_735_689_600_000_i64})
    );
    assert_eq!(
        serde_json::from_value::<FieldValue>(exported).unwrap(),
        from_number
    );
    // A time no date can hold stays raw instead of failing or being clamped.
    let far = json!(i64::MAX);
    assert_eq!(
        FieldValue::parse(FieldType::DateTime, &far),
        FieldValue::Unknown(far.clone())
    );
}
