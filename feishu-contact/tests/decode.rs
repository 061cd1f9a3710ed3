//! Property tests of the user and department decoders.

use feishu_contact::{Department, User};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const USER_FIELDS: &[&str] = &[
    "open_id",
    "union_id",
    "user_id",
    "name",
    "en_name",
    "nickname",
    "email",
    "enterprise_email",
    "mobile",
    "mobile_visible",
    "gender",
    "avatar",
    "avatar_key",
    "status",
    "department_ids",
    "leader_user_id",
    "dotted_line_leader_user_ids",
    "orders",
    "city",
    "country",
    "work_station",
    "join_time",
    "is_tenant_manager",
    "employee_no",
    "employee_type",
    "job_title",
    "custom_attrs",
    "is_frozen",
    "geo",
    "job_level_id",
    "job_family_id",
    "unknown_future_field",
];

const DEPARTMENT_FIELDS: &[&str] = &[
    "name",
    "i18n_name",
    "parent_department_id",
    "department_id",
    "open_department_id",
    "leader_user_id",
    "chat_id",
    "order",
    "unit_ids",
    "member_count",
    "primary_member_count",
    "status",
    "leaders",
    "group_chat_employee_types",
    "department_hrbps",
];

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        "[0-9]{1,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z_]{1,8}", inner, 0..4)
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

fn valid_user() -> impl Strategy<Value = Value> {
    (
        "ou_[0-9a-f]{8}",
        "[a-z0-9]{0,10}",
        ".{0,10}",
        any::<bool>(),
        prop::option::of(0i64..4),
        prop::collection::vec("od-[0-9a-f]{4}", 0..3),
        prop::option::of(0i64..2_000_000_000),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        prop::option::of("[0-9]{1,10}"),
    )
        .prop_map(
            |(open_id, user_id, name, mobile_visible, gender, depts, join, flags, extra)| {
                let mut v = json!({
                    "open_id": open_id, "union_id": "on_x", "user_id": user_id, "name": name,
                    "mobile_visible": mobile_visible,
                    "status": { "is_frozen": flags.0, "is_resigned": flags.1, "is_activated": flags.2,
                                "is_exited": false, "is_unjoin": false },
                    "department_ids": depts.clone(),
                    "orders": depts.iter().enumerate().map(|(i, d)| json!({
                        "department_id": d, "user_order": i, "department_order": i + 1,
                        "is_primary_dept": i == 0 })).collect::<Vec<_>>(),
                    "custom_attrs": [ { "type": "TEXT", "id": "C-1", "value": { "text": "x" } } ],
                    "avatar": { "avatar_72": "https://a/72" },
                });
                if let Some(g) = gender {
                    v["gender"] = json!(g);
                }
                if let Some(j) = join {
                    // Feishu sometimes sends numbers as strings.
                    v["join_time"] = if j % 2 == 0 { json!(j) } else { json!(j.to_string()) };
                }
                if let Some(e) = extra {
                    v["new_field"] = json!(e);
                }
                v
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn user_decoder_never_fails_on_any_field_values(v in arb_object(USER_FIELDS)) {
        let user: Result<User, _> = serde_json::from_value(v.clone());
        prop_assert!(user.is_ok(), "{v} -> {user:?}");
        // And what it decoded encodes and decodes to the same thing.
        let user = user.unwrap();
        let again: User = serde_json::from_value(serde_json::to_value(&user).unwrap()).unwrap();
        prop_assert_eq!(again, user);
    }

    #[test]
    fn department_decoder_never_fails_on_any_field_values(v in arb_object(DEPARTMENT_FIELDS)) {
        let dept: Result<Department, _> = serde_json::from_value(v.clone());
        prop_assert!(dept.is_ok(), "{v} -> {dept:?}");
    }

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        let _ = serde_json::from_value::<User>(v.clone());
        let _ = serde_json::from_value::<Department>(v);
    }

    #[test]
    fn valid_users_round_trip(v in valid_user()) {
        let user: User = serde_json::from_value(v.clone()).unwrap();
        prop_assert_eq!(&user.open_id, v["open_id"].as_str().unwrap());
        prop_assert_eq!(user.department_ids.len(), v["department_ids"].as_array().unwrap().len());
        prop_assert_eq!(user.join_time, v.get("join_time").and_then(feishu_core::internal::de::value_to_i64));
        prop_assert_eq!(user.is_resigned(), v["status"]["is_resigned"].as_bool().unwrap());
        prop_assert_eq!(user.extra.get("new_field"), v.get("new_field"));
        let encoded = serde_json::to_value(&user).unwrap();
        let again: User = serde_json::from_value(encoded).unwrap();
        prop_assert_eq!(again, user);
    }
}

#[test]
fn department_with_camel_case_leaders() {
    let d: Department = serde_json::from_value(json!({
        "name": "Engineering", "department_id": "ENG", "open_department_id": "od-1",
        "order": "2000", "member_count": "42",
        "leaders": [ { "leaderType": 1, "leaderID": "ou_1" }, { "leaderType": "2", "leaderID": "ou_2" } ],
        "status": { "is_deleted": false }, "brand_new": [1, 2]
    }))
    .unwrap();
    assert_eq!(d.member_count, Some(42));
    assert_eq!(d.leaders.len(), 2);
    assert!(d.leaders[0].is_main());
    assert_eq!(d.leaders[1].leader_type, Some(2));
    assert_eq!(d.leaders[1].leader_id, "ou_2");
    assert_eq!(d.extra["brand_new"], json!([1, 2]));
    let wire = serde_json::to_value(&d).unwrap();
    assert_eq!(wire["leaders"][0]["leaderID"], "ou_1");
    assert_eq!(wire["brand_new"], json!([1, 2]));
}
