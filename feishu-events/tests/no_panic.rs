//! Random bytes and random JSON never panic the decoders; they are refused with an error
//! or decoded.

use feishu_events::{Event, SignatureHeaders, WebhookHandler, crypto};
use proptest::prelude::*;
use secrecy::SecretString;

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)),
        "[a-z_.0-9 ]{0,12}".prop_map(serde_json::Value::from),
        prop_oneof![
            Just("event_callback"),
            Just("url_verification"),
            Just("2.0"),
            Just("approval_instance"),
            Just("contact.user.created_v3"),
            Just("drive.file.bitable_record_changed_v1"),
            Just("app_ticket"),
        ]
        .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("schema".to_owned()),
                    Just("header".to_owned()),
                    Just("event".to_owned()),
                    Just("type".to_owned()),
                    Just("event_type".to_owned()),
                    Just("object".to_owned()),
                    Just("status".to_owned()),
                    Just("token".to_owned()),
                    Just("uuid".to_owned()),
                    Just("action_list".to_owned()),
                    Just("operate_time".to_owned()),
                    Just("encrypt".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..6,
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = Event::from_json(&bytes);
        let handler = WebhookHandler::builder().verification_token("t").encrypt_key("k").build().unwrap();
        let outcome = handler.handle_with(
            SignatureHeaders { timestamp: Some("1"), nonce: Some("n"), signature: Some("s") },
            &bytes,
        );
        prop_assert!(outcome.result.is_err());
        let text = String::from_utf8_lossy(&bytes);
        let _ = crypto::decrypt(&SecretString::from("k"), &text);
    }

    #[test]
    fn random_json_never_panics(value in json_value()) {
        let bytes = value.to_string().into_bytes();
        let _ = Event::from_json(&bytes);
        let handler = WebhookHandler::builder().verification_token("t").build().unwrap();
        let outcome = handler.handle(&http::HeaderMap::new(), &bytes);
        prop_assert!(matches!(outcome.response.status(), 200 | 400 | 401 | 500));
    }

    #[test]
    fn random_events_under_known_types_never_panic(
        event_type in prop_oneof![
            Just("approval_instance"), Just("approval_task"), Just("contact.user.created_v3"),
            Just("contact.user.updated_v3"), Just("contact.department.deleted_v3"),
            Just("drive.file.bitable_record_changed_v1"), Just("app_ticket"),
        ],
        body in json_value(),
    ) {
        let envelope = serde_json::json!({
            "schema": "2.0",
            "header": { "event_id": "e", "event_type": event_type },
            "event": body,
        });
        let _ = Event::from_json(envelope.to_string().as_bytes());
    }
}
