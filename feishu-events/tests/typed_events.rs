//! Every typed event decodes from the example body of its official documentation page
//! (the files in `tests/data/`, sources listed in `tests/data/README.md`).

use feishu_events::approval::{InstanceStatus, TaskStatus};
use feishu_events::bitable::RecordActionKind;
use feishu_events::{Error, Event, EventKind, Schema};
use secrecy::ExposeSecret;

fn decode(json: &str) -> Event {
    Event::from_json(json.as_bytes()).expect("documented example decodes")
}

#[test]
fn approval_instance_v1() {
    // https://open.feishu.cn/document/ukTMukTMukTM/uIDO24iM4YjLygjN/event/common-event/approval-instance-event
    let event = decode(include_str!("data/approval_instance.json"));
    assert_eq!(event.header.schema, Schema::V1);
    assert_eq!(event.header.event_id, "bc447199585340d1f3728d26b1c0297a");
    assert_eq!(event.header.event_type, "approval_instance");
    assert_eq!(event.header.app_id, "cli_xxx");
    assert_eq!(event.header.create_time_ms, Some(1_502_199_207_717));
    let EventKind::ApprovalInstance(change) = &event.kind else {
        panic!("wrong kind: {:?}", event.kind);
    };
    assert_eq!(change.approval_code, "7C468A54-8745-2245-9675-08B7C63E7A85");
    assert_eq!(change.instance_code, "81D31358-93AF-92D6-7425-01A5D67C4E71");
    assert_eq!(change.status, InstanceStatus::Pending);
    assert_eq!(change.operate_time, Some(1_666_079_207_003));
    assert_eq!(change.uuid.as_deref(), Some("6525bffb"));
}

#[test]
fn approval_instance_reverted_has_a_numeric_operate_time() {
    // The documentation warns that REVERTED sends operate_time as an int64.
    let json = include_str!("data/approval_instance.json")
        .replace("\"PENDING\"", "\"REVERTED\"")
        .replace(
            "\"operate_time\": \"1666079207003\"",
            "\"operate_time\": 1666079207003",
        );
    assert!(json.contains("\"operate_time\": 1666079207003"));
    let EventKind::ApprovalInstance(change) = decode(&json).kind else {
        panic!("wrong kind");
    };
    assert_eq!(change.status, InstanceStatus::Reverted);
    assert_eq!(change.operate_time, Some(1_666_079_207_003));
}

#[test]
fn approval_task_v1() {
    // https://open.feishu.cn/document/ukTMukTMukTM/uIDO24iM4YjLygjN/event/common-event/approval-task-event
    let event = decode(include_str!("data/approval_task.json"));
    let EventKind::ApprovalTask(task) = &event.kind else {
        panic!("wrong kind: {:?}", event.kind);
    };
    assert_eq!(task.task_id, "12345");
    assert_eq!(task.status, TaskStatus::Pending);
    assert_eq!(task.user_id.as_deref(), Some("b613t51g"));
    assert_eq!(task.open_id.as_deref(), Some("ou_123456"));
    assert_eq!(task.operate_time, Some(1_502_199_207_000));
    let extra: serde_json::Value = serde_json::from_str(task.extra.as_deref().unwrap()).unwrap();
    assert_eq!(extra["rollback_node_ids"][0], "nodeid");
}

#[test]
fn contact_user_created_updated_deleted() {
    // https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/user/events/created
    let created = decode(include_str!("data/contact_user_created.json"));
    assert_eq!(created.header.schema, Schema::V2);
    assert_eq!(created.header.tenant_key, "2ca1d211f64f6438");
    assert_eq!(created.header.create_time_ms, Some(1_608_725_989_000));
    let EventKind::UserCreated(user) = &created.kind else {
        panic!("wrong kind: {:?}", created.kind);
    };
    assert_eq!(
        user.object.open_id.as_deref(),
        Some("ou_7dab8a3d3cdcc9da365777c7ad535d62")
    );
    assert_eq!(user.object.name.as_deref(), Some("张三"));
    assert_eq!(
        user.object.department_ids,
        ["od-4e6ac4d14bcd5071a37a39de902c7141"]
    );
    assert_eq!(user.object.join_time, Some(1_615_381_702));
    assert_eq!(
        user.object.status.as_ref().unwrap().is_activated,
        Some(true)
    );
    assert!(
        user.object.other.contains_key("custom_attrs"),
        "unmodelled fields are kept"
    );
    assert!(user.old_object.is_none());

    // https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/user/events/updated
    let updated = decode(include_str!("data/contact_user_updated.json"));
    let EventKind::UserUpdated(user) = &updated.kind else {
        panic!("wrong kind: {:?}", updated.kind);
    };
    assert_eq!(
        user.old_object.as_ref().unwrap().user_id.as_deref(),
        Some("e33ggbyz")
    );

    // https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/user/events/deleted
    let deleted = decode(include_str!("data/contact_user_deleted.json"));
    let EventKind::UserDeleted(user) = &deleted.kind else {
        panic!("wrong kind: {:?}", deleted.kind);
    };
    let old = user.old_object.as_ref().unwrap();
    assert_eq!(old.open_id.as_deref(), Some("ou_xxxxxxxxxx"));
    assert_eq!(old.department_ids, ["od_231kdgb2xxxx"]);
}

#[test]
fn contact_department_events() {
    // https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/department/events/created
    let created = decode(include_str!("data/contact_department_created.json"));
    let EventKind::DepartmentCreated(dept) = &created.kind else {
        panic!("wrong kind: {:?}", created.kind);
    };
    assert_eq!(
        dept.object.open_department_id.as_deref(),
        Some("od_j10j52hjksd9g0isdfg43")
    );
    assert_eq!(dept.object.order, Some(100));
    assert!(dept.object.other.contains_key("leaders"));

    let updated = decode(include_str!("data/contact_department_updated.json"));
    assert!(matches!(&updated.kind, EventKind::DepartmentUpdated(d) if d.old_object.is_some()));

    let deleted = decode(include_str!("data/contact_department_deleted.json"));
    let EventKind::DepartmentDeleted(dept) = &deleted.kind else {
        panic!("wrong kind: {:?}", deleted.kind);
    };
    let old = dept.old_object.as_ref().unwrap();
    assert_eq!(old.open_department_id.as_deref(), Some("od-xxxxxxxx"));
    assert_eq!(old.status.as_ref().unwrap().is_deleted, Some(false));
}

#[test]
fn bitable_record_changed() {
    // https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/drive-v1/file/events/bitable_record_changed
    let event = decode(include_str!("data/bitable_record_changed.json"));
    let EventKind::BitableRecordChanged(change) = &event.kind else {
        panic!("wrong kind: {:?}", event.kind);
    };
    assert_eq!(change.file_token, "bascnItn6oHUSEL8RDUdF6abcef");
    assert_eq!(change.table_id, "tblOaqBWfGeabcef");
    assert_eq!(change.revision, Some(41));
    assert_eq!(change.update_time, Some(1_717_040_601));
    let action = &change.action_list[0];
    assert_eq!(action.record_id, "rec9sabcef");
    assert_eq!(action.action, RecordActionKind::Edited);
    assert_eq!(action.after_value[0].field_id, "fld9Eabcef");
    assert_eq!(
        action.after_value[0].value().unwrap(),
        serde_json::json!(666)
    );
    assert!(action.after_value[0].field_identity_value.is_some());
}

#[test]
fn app_ticket_keeps_the_ticket_secret() {
    // https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/application-v6/event/app_ticket-events
    let event = decode(include_str!("data/app_ticket.json"));
    let EventKind::AppTicket(ticket) = &event.kind else {
        panic!("wrong kind: {:?}", event.kind);
    };
    assert_eq!(ticket.app_id, "cli_xxx");
    assert_eq!(ticket.app_ticket.expose_secret(), "xxx");
    let shown = format!("{event:?}");
    assert!(
        !shown.contains("\"xxx\""),
        "the ticket leaked into Debug: {shown}"
    );
}

#[test]
fn unknown_types_are_delivered_raw() {
    let body = r#"{"schema":"2.0","header":{"event_id":"e9","event_type":"im.message.receive_v1",
        "create_time":"1608725989000","token":"t","app_id":"cli_x","tenant_key":"tk"},
        "event":{"message":{"chat_id":"oc_1"}}}"#;
    let event = decode(body);
    let EventKind::Unknown { event_type, raw } = &event.kind else {
        panic!("wrong kind: {:?}", event.kind);
    };
    assert_eq!(event_type, "im.message.receive_v1");
    let raw: serde_json::Value = serde_json::from_str(raw.get()).unwrap();
    assert_eq!(raw["message"]["chat_id"], "oc_1");
}

#[test]
fn a_known_type_that_does_not_fit_is_a_decode_error_with_the_raw_event() {
    let body = r#"{"schema":"2.0","header":{"event_id":"e7","event_type":"contact.user.created_v3"},
        "event":{"object":"not an object"}}"#;
    let Err(Error::Decode(e)) = Event::from_json(body.as_bytes()) else {
        panic!("expected a decode error");
    };
    assert_eq!(e.event_type(), "contact.user.created_v3");
    assert_eq!(e.event_id(), "e7");
    assert!(e.raw().get().contains("not an object"));
}

#[test]
fn malformed_bodies_are_refused() {
    for body in [
        "",
        "[]",
        "{}",
        r#"{"schema":"2.0"}"#,
        r#"{"type":"event_callback","event":"x"}"#,
        r#"{"type":"url_verification"}"#,
    ] {
        let result = Event::from_json(body.as_bytes());
        assert!(
            matches!(result, Err(Error::Malformed(_))),
            "{body:?} gave {result:?}"
        );
    }
    assert!(matches!(
        Event::from_json(br#"{"encrypt":"abc"}"#),
        Err(Error::EncryptedWithoutKey)
    ));
}
