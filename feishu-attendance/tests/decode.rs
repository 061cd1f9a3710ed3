//! Property tests of the flow and task decoders.

use feishu_attendance::{CheckResult, FlowType, ResultSupplement, UserFlow, UserTask};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const FLOW_FIELDS: &[&str] = &[
    "user_id",
    "creator_id",
    "location_name",
    "check_time",
    "comment",
    "record_id",
    "ssid",
    "bssid",
    "is_field",
    "is_wifi",
    "type",
    "photo_urls",
    "device_id",
    "check_result",
    "external_id",
    "idempotent_id",
    "longitude",
    "latitude",
    "create_time",
    "future_field",
];

const TASK_FIELDS: &[&str] = &[
    "result_id",
    "user_id",
    "employee_name",
    "day",
    "group_id",
    "shift_id",
    "records",
];

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e15f64..1e15).prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        "-?[0-9]{1,22}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_object(fields: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop::collection::vec((prop::sample::select(fields), arb_json()), 0..12).prop_map(|pairs| {
        let mut map = Map::new();
        for (k, v) in pairs {
            map.insert(k.to_string(), v);
        }
        Value::Object(map)
    })
}

fn valid_flow() -> impl Strategy<Value = Value> {
    (
        "[a-z0-9]{8}",
        0i64..4_000_000_000,
        "[0-9]{19}",
        any::<bool>(),
        0i64..12,
        prop::option::of((-720i64..720, -360i64..360)),
        prop::collection::vec("https://x/[a-z]{3}", 0..3),
    )
        .prop_map(|(user, t, record, wifi, kind, geo, photos)| {
            let mut v = json!({
                "user_id": user, "creator_id": user, "location_name": "HQ",
                "check_time": t.to_string(), "comment": "", "record_id": record,
                "ssid": "corp", "bssid": "a0:b1", "is_field": !wifi, "is_wifi": wifi,
                "type": kind, "photo_urls": photos, "device_id": "", "check_result": "",
                "external_id": "", "idempotent_id": "",
            });
            if let Some((lon, lat)) = geo {
                // Quarter degrees: exact in binary, so the round trip is exact.
                v["longitude"] = json!(lon as f64 / 4.0);
                v["latitude"] = json!(lat as f64 / 4.0);
            }
            v
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn flow_decoder_never_fails_on_any_field_values(v in arb_object(FLOW_FIELDS)) {
        let flow: Result<UserFlow, _> = serde_json::from_value(v.clone());
        prop_assert!(flow.is_ok(), "{v} -> {flow:?}");
        let flow = flow.unwrap();
        let again: UserFlow = serde_json::from_value(serde_json::to_value(&flow).unwrap()).unwrap();
        prop_assert_eq!(again, flow);
    }

    #[test]
    fn task_decoder_never_fails_on_any_field_values(
        v in arb_object(TASK_FIELDS),
        record in arb_object(&["check_in_record", "check_out_record", "check_in_result",
            "check_out_result", "check_in_result_supplement", "check_in_shift_time",
            "task_shift_type", "check_in_record_id"]),
    ) {
        let mut v = v;
        if v.get("records").is_none() {
            v["records"] = json!([record]);
        }
        let task: Result<UserTask, _> = serde_json::from_value(v.clone());
        prop_assert!(task.is_ok(), "{v} -> {task:?}");
        let _ = task.unwrap().date();
    }

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        let _ = serde_json::from_value::<UserFlow>(v.clone());
        let _ = serde_json::from_value::<UserTask>(v);
    }

    #[test]
    fn valid_flows_round_trip(v in valid_flow()) {
        let flow: UserFlow = serde_json::from_value(v.clone()).unwrap();
        prop_assert_eq!(flow.check_time, v["check_time"].as_str().unwrap().parse::<i64>().ok());
        prop_assert_eq!(flow.flow_type.map(FlowType::code), v["type"].as_i64());
        prop_assert_eq!(&flow.record_id, v["record_id"].as_str().unwrap());
        let wire = serde_json::to_value(&flow).unwrap();
        // Written back in Feishu's encoding: check_time as a decimal string.
        prop_assert_eq!(&wire["check_time"], &v["check_time"]);
        prop_assert_eq!(&wire["type"], &v["type"]);
        let again: UserFlow = serde_json::from_value(wire).unwrap();
        prop_assert_eq!(again, flow);
    }
}

#[test]
fn enums_keep_unknown_values() {
    let flow: UserFlow =
        serde_json::from_value(json!({ "type": 42, "check_time": 1735693200 })).unwrap();
    assert_eq!(flow.flow_type, Some(FlowType::Unknown(42)));
    assert_eq!(flow.check_time, Some(1_735_693_200));
    let task: UserTask = serde_json::from_value(json!({
        "day": 20250102,
        "records": [ { "check_in_result": "Late", "check_out_result": "BrandNew",
                       "check_in_result_supplement": "Leave", "check_in_shift_time": "1735779600" } ]
    }))
    .unwrap();
    let r = &task.records[0];
    assert_eq!(r.check_in_result, Some(CheckResult::Late));
    assert_eq!(
        r.check_out_result,
        Some(CheckResult::Unknown("BrandNew".into()))
    );
    assert_eq!(r.check_in_result_supplement, Some(ResultSupplement::Leave));
    assert_eq!(r.check_in_shift_time, Some(1_735_779_600));
    assert_eq!(task.date(), Some(time::macros::date!(2025 - 01 - 02)));
    let wire = serde_json::to_value(&task).unwrap();
    assert_eq!(wire["records"][0]["check_out_result"], "BrandNew");
}
