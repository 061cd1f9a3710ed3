//! Form widgets: the definitions' form schemas and the instances' widget values, one of each
//! documented type
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/approval-instance-form-control-parameters>).

use serde_json::{Value, json};

use super::catalog::{DAY_MS, PURCHASE_FIELD_LIST_ID, PURCHASE_WIDGET_TYPES};
use super::people::Cast;
use crate::calendar::civil_from_days;

impl Cast {
    /// The values of every purchase widget.
    pub(super) fn purchase_form(&self, rng: &mut fastrand::Rng) -> Value {
        let widgets: Vec<Value> = PURCHASE_WIDGET_TYPES
            .iter()
            .enumerate()
            .map(|(i, ty)| {
                let id = if *ty == "fieldList" {
                    PURCHASE_FIELD_LIST_ID.to_string()
                } else {
                    format!("widget_p{i:02}")
                };
                let mut widget = json!({ "id": id, "name": label(ty), "type": ty });
                let (value, extra) = self.widget_value(ty, rng);
                widget["value"] = value;
                if let (Value::Object(w), Value::Object(extra)) = (&mut widget, extra) {
                    w.extend(extra);
                }
                widget
            })
            .collect();
        Value::Array(widgets)
    }

    /// The values of the leave form; its `fieldList` has `serial % 3` rows.
    pub(super) fn leave_form(&self, rng: &mut fastrand::Rng, serial: u64) -> Value {
        let rows: Vec<Value> = (0..serial % 3)
            .map(|r| {
                json!([
                    { "id": "widget_l_task", "type": "input", "value": format!("handover {r}") },
                    { "id": "widget_l_when", "name": "When", "type": "dateInterval",
                      "value": self.widget_value("dateInterval", rng).0 },
                ])
            })
            .collect();
        json!([
            { "id": "widget_l_reason", "name": "Reason", "type": "textarea", "value": "family matters" },
            { "id": "widget_l_leave", "name": "Leave", "type": "leaveGroupV2",
              "value": self.widget_value("leaveGroupV2", rng).0 },
            { "id": "widget_l_back", "name": "Back on", "type": "date",
              "value": self.widget_value("date", rng).0 },
            { "id": "widget_l_kind", "name": "Kind", "type": "radioV2", "value": "Annual" },
            { "id": "widget_l_deputy", "name": "Deputy", "type": "contact",
              "value": [self.users[0].user_id], "open_ids": [self.users[0].open_id] },
            { "id": "widget_l_handover", "name": "Handover", "type": "fieldList", "value": rows },
        ])
    }

    /// A value of the documented shape for `ty`, and extra widget keys.
    fn widget_value(&self, ty: &str, rng: &mut fastrand::Rng) -> (Value, Value) {
        let day = rng.i64(0..400);
        let date = rfc3339(self.now_ms - day * DAY_MS);
        let later = rfc3339(self.now_ms - day * DAY_MS + 2 * DAY_MS);
        let user = &self.users[rng.usize(..self.users.len())];
        let none = json!({});
        match ty {
            "input" => (json!(format!("item {}", rng.u32(..1000))), none),
            "textarea" => (json!("line one\nline two"), none),
            "text" => (Value::Null, none),
            "number" => (json!(rng.u32(1..50)), none),
            "amount" => (
                json!(f64::from(rng.u32(100..100_000)) / 100.0),
                json!({ "currency": "CNY" }),
            ),
            "formula" => (json!(f64::from(rng.u32(0..1000)) / 4.0), none),
            "radio" | "radioV2" => (json!(["Low", "Medium", "High"][rng.usize(..3)]), none),
            "checkbox" | "checkboxV2" => (json!(["Red", "Blue"]), none),
            "date" => (json!(date), none),
            "dateInterval" => (
                json!({ "start": date, "end": later, "interval": 2.0 }),
                none,
            ),
            "fieldList" => {
                let rows: Vec<Value> = (0..3)
                    .map(|r| {
                        json!([
                            { "id": "widget_li_item", "name": "Item", "type": "input", "value": format!("part {r}") },
                            { "id": "widget_li_qty", "name": "Qty", "type": "number", "value": r + 1 },
                            { "id": "widget_li_price", "type": "amount", "value": 9.5 * f64::from(r + 1) },
                            { "id": "widget_li_note", "name": "Note", "type": "textarea", "value": "", "ext": null },
                        ])
                    })
                    .collect();
                (Value::Array(rows), none)
            }
            "image" | "imageV2" => (
                json!(["https://example.invalid/img/1.png"]),
                json!({ "ext": "'1.png'" }),
            ),
            "attachment" | "attachmentV2" => (
                json!([
                    "https://example.invalid/f/a.pdf?x=1&y=2",
                    "https://example.invalid/f/b.xlsx"
                ]),
                json!({ "ext": "'a.pdf','b.xlsx'" }),
            ),
            "department" => (json!([{ "open_id": self.departments[0] }]), none),
            "contact" => (json!([user.user_id]), json!({ "open_ids": [user.open_id] })),
            "connect" => (json!([format!("{:032X}", rng.u128(..))]), none),
            "address" => (json!("China/Beijing/Beijing/Chaoyang/Building 3"), none),
            "location" => (
                json!({ "name": "Office", "latitude": 39.9, "longitude": 116.4 }),
                none,
            ),
            "account" => (json!({ "id": "acc-1", "name": "Main account" }), none),
            "telephone" => (
                json!({ "country_code": "+86", "national_number": "13800000000" }),
                none,
            ),
            "serialNumber" => (json!(format!("SN{:06}", rng.u32(..1_000_000))), none),
            "mutableGroup" => (json!([{ "record_id": "rec1", "fields": {} }]), none),
            "document" => (
                json!({ "token": "doccn123", "type": "docx", "title": "Spec", "url": "https://example.invalid/docx/doccn123" }),
                none,
            ),
            "leaveGroup" => (
                json!({ "name": "Annual", "start": date, "end": later, "interval": 2.0 }),
                none,
            ),
            "leaveGroupV2" => (
                json!({ "name": "Annual", "start": date, "end": later, "interval": 2.0, "unit": "DAY", "reason": "rest" }),
                none,
            ),
            "remedyGroup" | "remedyGroupV2" => (json!({ "time": date, "reason": "forgot" }), none),
            "shiftGroup" | "shiftGroupV2" => (
                json!({ "shiftTime": date, "returnTime": later, "reason": "swap" }),
                none,
            ),
            "workGroup" | "outGroup" => (
                json!({ "name": "Overtime", "start": date, "end": later, "interval": 4.0, "reason": "release" }),
                none,
            ),
            "tripGroup" => (
                json!({
                    "schedule": [{ "start": date, "end": later, "interval": 2.0, "departure": "Beijing",
                                   "destination": "Shanghai", "transport": "train", "oneRound": "round", "remark": "" }],
                    "interval": 2.0, "reason": "customer visit", "peer": [user.user_id],
                }),
                none,
            ),
            _ => (json!({ "effective_date": date }), none),
        }
    }
}

fn label(ty: &str) -> String {
    let mut s = String::from("Field ");
    s.push_str(ty);
    s
}

/// Unix ms → `YYYY-MM-DDTHH:MM:SS+08:00` (China time, as Feishu forms show).
fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000) + 8 * 3600;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+08:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A definition's `data` around its form schema.
pub(super) fn definition_data(name: &str, form: Value) -> Value {
    json!({
        "approval_name": name,
        "status": "ACTIVE",
        "form": form.to_string(),
        "node_list": [
            { "name": "Start", "need_approver": false, "node_id": "b1f0c0de00000000000000000000start",
              "custom_node_id": "START", "node_type": "AND", "approver_chosen_multi": false,
              "require_signature": false },
            { "name": "Manager", "need_approver": false, "node_id": "b1f0c0de0000000000000000000manag",
              "custom_node_id": "manager", "node_type": "OR", "approver_chosen_multi": true,
              "approver_chosen_range": [{ "approver_range_type": 2, "approver_range_ids": ["ou_x"] }],
              "require_signature": false },
            { "name": "CC", "need_approver": false, "node_id": "b1f0c0de00000000000000000000cc01",
              "node_type": "CC_NODE", "approver_chosen_multi": false, "require_signature": false },
        ],
        "viewers": [{ "type": "TENANT", "id": "", "user_id": "" }],
        "form_widget_relation": "{}",
    })
}

/// The purchase definition's form schema: every widget type.
pub(super) fn purchase_definition_form() -> Value {
    let widgets: Vec<Value> = PURCHASE_WIDGET_TYPES
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            let id = if *ty == "fieldList" {
                PURCHASE_FIELD_LIST_ID.to_string()
            } else {
                format!("widget_p{i:02}")
            };
            let mut w = json!({
                "id": id, "name": label(ty), "type": ty, "required": i % 2 == 0,
                "printable": true, "visible": true, "enable_default_value": false,
                "widget_default_value": "", "default_value_type": "", "display_condition": null,
            });
            match *ty {
                "radio" | "radioV2" => {
                    w["option"] = json!([
                        { "value": "o1", "text": "Low" }, { "value": "o2", "text": "Medium" },
                        { "value": "o3", "text": "High" }
                    ]);
                }
                "checkbox" | "checkboxV2" => {
                    w["option"] =
                        json!([{ "value": "c1", "text": "Red" }, { "value": "c2", "text": "Blue" }]);
                }
                "fieldList" => {
                    w["children"] = json!([
                        { "id": "widget_li_item", "name": "Item", "type": "input" },
                        { "id": "widget_li_qty", "name": "Qty", "type": "number" },
                        { "id": "widget_li_price", "name": "Price", "type": "amount" },
                        { "id": "widget_li_note", "name": "Note", "type": "textarea" },
                    ]);
                }
                _ => {}
            }
            w
        })
        .collect();
    Value::Array(widgets)
}

/// The leave definition's form schema (control groups under `value`).
pub(super) fn leave_definition_form() -> Value {
    json!([
        { "id": "widget_l_reason", "name": "Reason", "type": "textarea", "required": true },
        { "id": "widget_l_leave", "name": "Leave", "type": "leaveGroupV2", "required": true,
          "value": [
              { "id": "widget_l_leave_type", "name": "Leave type", "type": "radioV2" },
              { "id": "widget_l_leave_start", "name": "Start", "type": "date" },
              { "id": "widget_l_leave_end", "name": "End", "type": "date" },
          ] },
        { "id": "widget_l_back", "name": "Back on", "type": "date" },
        { "id": "widget_l_kind", "name": "Kind", "type": "radioV2",
          "option": [{ "value": "k1", "text": "Annual" }, { "value": "k2", "text": "Sick" }] },
        { "id": "widget_l_deputy", "name": "Deputy", "type": "contact" },
        { "id": "widget_l_handover", "name": "Handover", "type": "fieldList",
          "value": [
              { "id": "widget_l_task", "name": "Task", "type": "input" },
              { "id": "widget_l_when", "name": "When", "type": "dateInterval" },
          ] },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T08:00:00+08:00");
        assert_eq!(rfc3339(1_735_689_600_000), "2025-01-01T08:00:00+08:00");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T08:00:00+08:00");
    }
}
