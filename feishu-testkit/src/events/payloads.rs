//! Builders of the documented event bodies, in the envelope each event uses.
//!
//! v1 (`approval_instance`, `approval_task`, `app_ticket`):
//! `{ts, uuid, token, type: "event_callback", event: {app_id, tenant_key, type, ...}}`.
//! v2 (contact, drive): `{schema: "2.0", header: {event_id, event_type, create_time, token,
//! app_id, tenant_key}, event: {...}}`
//! (<https://open.feishu.cn/document/ukTMukTMukTM/uUTNz4SN1MjL1UzM>).

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// Who an event is addressed to: the app, its tenant and the verification token it carries.
#[derive(Debug, Clone)]
pub struct EventTarget {
    /// The app id.
    pub app_id: String,
    /// The tenant key.
    pub tenant_key: String,
    /// The verification token put in the envelope.
    pub token: String,
}

fn now() -> (u64, u32) {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (since.as_secs(), since.subsec_micros())
}

/// A fresh random event id (32 hex digits, like Feishu's).
pub fn new_event_id() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

impl EventTarget {
    /// A v1 envelope around `event` (whose `type` must already be set).
    pub fn v1(&self, mut event: Value) -> Value {
        let (secs, micros) = now();
        if let Value::Object(map) = &mut event {
            map.entry("app_id").or_insert_with(|| json!(self.app_id));
            map.entry("tenant_key")
                .or_insert_with(|| json!(self.tenant_key));
        }
        json!({
            "ts": format!("{secs}.{micros:06}"),
            "uuid": new_event_id(),
            "token": self.token,
            "type": "event_callback",
            "event": event,
        })
    }

    /// A v2 envelope of `event_type` around `event`.
    pub fn v2(&self, event_type: &str, event: Value) -> Value {
        let (secs, micros) = now();
        json!({
            "schema": "2.0",
            "header": {
                "event_id": new_event_id(),
                "event_type": event_type,
                "create_time": (secs * 1000 + u64::from(micros / 1000)).to_string(),
                "token": self.token,
                "app_id": self.app_id,
                "tenant_key": self.tenant_key,
            },
            "event": event,
        })
    }

    /// `approval_instance`: an instance changed status
    /// (<https://open.feishu.cn/document/ukTMukTMukTM/uIDO24iM4YjLygjN/event/common-event/approval-instance-event>).
    pub fn approval_instance(
        &self,
        approval_code: &str,
        instance_code: &str,
        status: &str,
    ) -> Value {
        let ms = now_ms().to_string();
        // REVERTED carries operate_time as a number, as documented.
        let operate_time = if status == "REVERTED" {
            json!(now_ms())
        } else {
            json!(ms)
        };
        self.v1(json!({
            "type": "approval_instance",
            "approval_code": approval_code,
            "instance_code": instance_code,
            "status": status,
            "operate_time": operate_time,
            "instance_operate_time": ms,
        }))
    }

    /// `approval_task`: a task changed status
    /// (<https://open.feishu.cn/document/ukTMukTMukTM/uIDO24iM4YjLygjN/event/common-event/approval-task-event>).
    pub fn approval_task(
        &self,
        approval_code: &str,
        instance_code: &str,
        task_id: &str,
        status: &str,
    ) -> Value {
        self.v1(json!({
            "type": "approval_task",
            "approval_code": approval_code,
            "instance_code": instance_code,
            "task_id": task_id,
            "open_id": "ou_testkit_approver",
            "user_id": "testkit_approver",
            "status": status,
            "operate_time": now_ms().to_string(),
            "custom_key": "",
            "def_key": "node_testkit",
        }))
    }

    /// `contact.user.created_v3`
    /// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/user/events/created>).
    pub fn user_created(&self, user: Value) -> Value {
        self.v2("contact.user.created_v3", json!({ "object": user }))
    }

    /// `contact.user.updated_v3`: `old` holds the previous values of the changed fields.
    pub fn user_updated(&self, user: Value, old: Value) -> Value {
        self.v2(
            "contact.user.updated_v3",
            json!({ "object": user, "old_object": old }),
        )
    }

    /// `contact.user.deleted_v3`.
    pub fn user_deleted(&self, user: Value) -> Value {
        let old = json!({
            "department_ids": user.get("department_ids").cloned().unwrap_or(json!([])),
            "open_id": user.get("open_id").cloned().unwrap_or(json!("")),
        });
        self.v2(
            "contact.user.deleted_v3",
            json!({ "object": user, "old_object": old }),
        )
    }

    /// `contact.department.created_v3` / `updated_v3` / `deleted_v3` (`change` is `created`,
    /// `updated` or `deleted`).
    pub fn department(&self, change: &str, department: Value, old: Option<Value>) -> Value {
        let mut event = json!({ "object": department });
        if let Some(old) = old {
            event["old_object"] = old;
        }
        self.v2(&format!("contact.department.{change}_v3"), event)
    }

    /// `drive.file.bitable_record_changed_v1`: one action per `(record_id, action)` with
    /// `action` one of `record_added`, `record_edited`, `record_deleted`; `after` holds the
    /// new field values (as Feishu does, each value is a JSON string)
    /// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/drive-v1/file/events/bitable_record_changed>).
    pub fn bitable_record_changed(
        &self,
        app_token: &str,
        table_id: &str,
        revision: i64,
        actions: &[(&str, &str, Value)],
    ) -> Value {
        let action_list: Vec<Value> = actions
            .iter()
            .map(|(record_id, action, after)| {
                let after_value: Vec<Value> = after
                    .as_object()
                    .map(|fields| {
                        fields
                            .iter()
                            .map(|(field_id, value)| {
                                json!({ "field_id": field_id, "field_value": value.to_string() })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                json!({
                    "record_id": record_id,
                    "action": action,
                    "before_value": [],
                    "after_value": after_value,
                })
            })
            .collect();
        self.v2(
            "drive.file.bitable_record_changed_v1",
            json!({
                "file_type": "bitable",
                "file_token": app_token,
                "table_id": table_id,
                "revision": revision,
                "operator_id": { "open_id": "ou_testkit_operator", "union_id": "on_testkit_operator", "user_id": "testkit_operator" },
                "action_list": action_list,
                "subscriber_id_list": [],
                "update_time": now().0,
            }),
        )
    }
}

/// `app_ticket` for `app_id` (store apps;
/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/application-v6/event/app_ticket-events>).
pub fn app_ticket(app_id: &str, ticket: &str, token: &str) -> Value {
    let target = EventTarget {
        app_id: app_id.to_owned(),
        tenant_key: String::new(),
        token: token.to_owned(),
    };
    let mut event = target.v1(json!({ "type": "app_ticket", "app_ticket": ticket }));
    if let Some(map) = event["event"].as_object_mut() {
        map.remove("tenant_key");
    }
    event
}

fn now_ms() -> u64 {
    let (secs, micros) = now();
    secs * 1000 + u64::from(micros / 1000)
}

/// The event id of an envelope: v2 `header.event_id` or v1 `uuid`.
pub fn event_id(envelope: &Value) -> Option<&str> {
    envelope["header"]["event_id"]
        .as_str()
        .or_else(|| envelope["uuid"].as_str())
}
