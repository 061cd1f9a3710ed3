//! Approval v4 (feishu-api.md §5): definitions, instance code listing, instance detail and
//! instance query, over a seeded, deterministic dataset.
//!
//! # Endpoints
//!
//! - `GET /open-apis/approval/v4/approvals/:approval_code` → the definition (`form` is a JSON
//!   *string*; `fieldList` sub-widgets under `children`, control groups under `value`).
//!   Unknown code → 1390002, deleted definition ([`APPROVAL_CODE_DELETED`]) → 1390016, bad
//!   `locale` / `user_id_type` → 1390001.
//! - `GET /open-apis/approval/v4/instances?approval_code=&start_time=&end_time=&page_size=&page_token=`
//!   → `{instance_code_list, has_more, page_token?}`: codes of instances whose creation time is
//!   in the **inclusive** window `[start_time, end_time]` (Unix ms), ordered by creation time
//!   (ties by code). `page_size` 1–100 (default 100). Page tokens are opaque (they contain
//!   `/`, `+` and `=`) and bound to the query they came from. Missing or non-numeric
//!   `approval_code` / `start_time` / `end_time`, `end_time < start_time`, a bad `page_size`
//!   or page token → HTTP 400, 1390001; unknown approval code → 1390002.
//!   A window longer than 10 hours → HTTP 400, 1390001. **The real service's enforcement of
//!   the 10-hour limit is UNCONFIRMED** (the docs only warn); turn it off with
//!   [`ApprovalDataset::enforce_window`].
//! - `GET /open-apis/approval/v4/instances/:instance_id` (instance code or the creation
//!   `uuid`) → the instance detail with `form` as a JSON string, `task_list`, `timeline`,
//!   `comment_list`. Unknown → HTTP 400, 1390003; bad `locale` / `user_id_type` → 1390001.
//! - `POST /open-apis/approval/v4/instances/query?page_size=&page_token=&user_id_type=` with
//!   the §5.5 filters → `{count, instance_list, has_more, page_token?}` with lower-case
//!   statuses. `page_size` 5–200 (default 10); no identifying filter, only one of
//!   `instance_start_time_from`/`_to`, a span over 30 days, an unknown `instance_status` →
//!   1390001; unknown approval code → 1390002; unknown instance code → 1390003.
//!
//! # Dataset
//!
//! Built on first use from [`ApprovalDataset::default`] (or the one given to
//! [`FakeTenant::set_approval_dataset`]): two live definitions
//! ([`APPROVAL_CODE_PURCHASE`], [`APPROVAL_CODE_LEAVE`]) and a deleted one. The purchase form
//! carries every documented widget type ([`PURCHASE_WIDGET_TYPES`]) including a `fieldList`
//! of exactly 3 rows × 4 columns; the leave form has a `fieldList` with 0–2 rows. Statuses
//! mix PENDING, APPROVED, REJECTED, CANCELED and DELETED; timelines cover every documented
//! event type ([`TIMELINE_TYPES`]). Instances are spread over `span` before the dataset's
//! `now` (wall clock at build time unless [`ApprovalDataset::now_ms`] fixes it).

use std::collections::{HashMap, HashSet};
use std::sync::MutexGuard;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::reply::Reply;
use crate::router::{RequestView, only};
use crate::state::{State, lock};
use crate::tenant::FakeTenant;

/// Definition code of the purchase approval (every widget type, a 3 × 4 `fieldList`).
pub const APPROVAL_CODE_PURCHASE: &str = "3B68E280-CF10-4198-B4CD-2E3BB97981D8";
/// Definition code of the leave approval (control groups, a small `fieldList`).
pub const APPROVAL_CODE_LEAVE: &str = "9A1E5C02-7B44-4D1F-8E3A-2C6F0B9D4E71";
/// Definition code of a deleted approval (GET answers 1390016, listing too).
pub const APPROVAL_CODE_DELETED: &str = "5D0C2B1A-0000-4000-8000-00000000DEAD";
/// The widest list window the fake accepts when [`ApprovalDataset::enforce_window`] is on.
pub const MAX_LIST_WINDOW_MS: i64 = 10 * HOUR_MS;
/// Default seed of the approval dataset.
pub const DEFAULT_APPROVAL_SEED: u64 = 0xA11_0FA1_2025;
/// Widget ids of the purchase form's `fieldList` and its four columns.
pub const PURCHASE_FIELD_LIST_ID: &str = "widget_lines";
/// Every widget type on the purchase form, in form order.
pub const PURCHASE_WIDGET_TYPES: &[&str] = &[
    "input",
    "textarea",
    "text",
    "number",
    "amount",
    "formula",
    "radio",
    "radioV2",
    "checkbox",
    "checkboxV2",
    "date",
    "dateInterval",
    "fieldList",
    "mutableGroup",
    "image",
    "imageV2",
    "attachment",
    "attachmentV2",
    "department",
    "contact",
    "connect",
    "address",
    "location",
    "account",
    "telephone",
    "serialNumber",
    "document",
    "leaveGroup",
    "leaveGroupV2",
    "workGroup",
    "tripGroup",
    "outGroup",
    "shiftGroup",
    "shiftGroupV2",
    "remedyGroup",
    "remedyGroupV2",
    "apaascorehrOnboardingGroup",
    "apaascorehrRegularateGroup",
    "apaascorehrJobAdjustGroup",
    "apaascorehrOffboardingGroup",
];
/// Every documented timeline event type; each occurs in the default dataset.
pub const TIMELINE_TYPES: &[&str] = &[
    "START",
    "PASS",
    "REJECT",
    "AUTO_PASS",
    "AUTO_REJECT",
    "REMOVE_REPEAT",
    "TRANSFER",
    "ADD_APPROVER_BEFORE",
    "ADD_APPROVER",
    "ADD_APPROVER_AFTER",
    "DELETE_APPROVER",
    "ROLLBACK_SELECTED",
    "ROLLBACK",
    "CANCEL",
    "DELETE",
    "CC",
];
/// Instance statuses of the detail API.
pub const INSTANCE_STATUSES: &[&str] = &["PENDING", "APPROVED", "REJECTED", "CANCELED", "DELETED"];

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
const PARAM_INVALID: i64 = 1390001;
const APPROVAL_NOT_FOUND: i64 = 1390002;
const INSTANCE_NOT_FOUND: i64 = 1390003;
const APPROVAL_DELETED: i64 = 1390016;
const LOCALES: &[&str] = &[
    "zh-CN", "en-US", "ja-JP", "zh-HK", "zh-TW", "de-DE", "es-ES", "fr-FR", "id-ID", "it-IT",
    "ko-KR", "pt-BR", "th-TH", "vi-VN", "ms-MY", "ru-RU",
];
const QUERY_LOCALES: &[&str] = &["zh-CN", "en-US", "ja-JP"];
const USER_ID_TYPES: &[&str] = &["open_id", "union_id", "user_id"];
const MIDDLE_EVENTS: &[&str] = &[
    "REMOVE_REPEAT",
    "TRANSFER",
    "ADD_APPROVER_BEFORE",
    "ADD_APPROVER",
    "ADD_APPROVER_AFTER",
    "DELETE_APPROVER",
    "ROLLBACK_SELECTED",
    "ROLLBACK",
    "CC",
    "PASS",
    "AUTO_PASS",
];

/// How the approval dataset is generated. Start from [`ApprovalDataset::default`] (a few
/// hundred instances over three days) or [`ApprovalDataset::dense`] (more than 100
/// instances per 10-hour slice) and adjust with the setters.
///
/// # Example
/// ```
/// use feishu_testkit::approval::ApprovalDataset;
/// let spec = ApprovalDataset::default().now_ms(1_735_689_600_000).span_hours(24).instances(500, 20);
/// assert_eq!(spec.purchase_instances, 500);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApprovalDataset {
    /// Seed of every generated value (codes, users, statuses, forms, times).
    pub seed: u64,
    /// The dataset's "now" in Unix ms; `None` = wall clock when the dataset is built.
    /// Instances are created within `[now - span, now)`.
    pub now_ms: Option<i64>,
    /// How far back instances reach, in ms. Default 3 days.
    pub span_ms: i64,
    /// Number of [`APPROVAL_CODE_PURCHASE`] instances. Default 240.
    pub purchase_instances: usize,
    /// Number of [`APPROVAL_CODE_LEAVE`] instances. Default 120.
    pub leave_instances: usize,
    /// Whether list windows over 10 hours are refused (1390001). Default `true`.
    pub enforce_window: bool,
}

impl Default for ApprovalDataset {
    fn default() -> Self {
        ApprovalDataset {
            seed: DEFAULT_APPROVAL_SEED,
            now_ms: None,
            span_ms: 3 * DAY_MS,
            purchase_instances: 240,
            leave_instances: 120,
            enforce_window: true,
        }
    }
}

impl ApprovalDataset {
    /// 600 purchase instances over 24 hours (about 250 per 10-hour slice, so listing pages
    /// inside a slice) and 40 leave instances, ending at `now_ms`.
    pub fn dense(now_ms: i64) -> Self {
        ApprovalDataset::default()
            .now_ms(now_ms)
            .span_hours(24)
            .instances(600, 40)
    }

    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Fixes the dataset's "now" (Unix ms).
    pub fn now_ms(mut self, now_ms: i64) -> Self {
        self.now_ms = Some(now_ms);
        self
    }

    /// Sets how many hours back instances reach.
    pub fn span_hours(mut self, hours: i64) -> Self {
        self.span_ms = hours.max(0) * HOUR_MS;
        self
    }

    /// Sets the instance counts of the purchase and leave approvals.
    pub fn instances(mut self, purchase: usize, leave: usize) -> Self {
        self.purchase_instances = purchase;
        self.leave_instances = leave;
        self
    }

    /// Whether list windows over 10 hours are refused.
    pub fn enforce_window(mut self, enforce: bool) -> Self {
        self.enforce_window = enforce;
        self
    }
}

/// The approval data of one tenant (built lazily).
#[derive(Debug, Default)]
pub(crate) struct ApprovalData {
    built: bool,
    spec: ApprovalDataset,
    now_ms: i64,
    definitions: Vec<Definition>,
    /// Sorted by (start_time, code).
    instances: Vec<Instance>,
    by_code: HashMap<String, usize>,
    by_uuid: HashMap<String, usize>,
    users: Vec<User>,
    departments: Vec<String>,
    next_serial: u64,
    rng_state: u64,
}

#[derive(Debug, Clone)]
struct Definition {
    code: String,
    name: String,
    group: String,
    deleted: bool,
    data: Value,
}

#[derive(Debug, Clone)]
struct Instance {
    approval_code: String,
    code: String,
    uuid: String,
    start_time: i64,
    user: usize,
    data: Value,
}

#[derive(Debug, Clone)]
struct User {
    open_id: String,
    user_id: String,
    union_id: String,
}

impl ApprovalData {
    fn ensure_built(&mut self) {
        if !self.built {
            self.build(self.spec.clone());
        }
    }

    fn build(&mut self, spec: ApprovalDataset) {
        let now_ms = spec.now_ms.unwrap_or_else(wall_clock_ms);
        let mut rng = fastrand::Rng::with_seed(spec.seed);
        let users: Vec<User> = (0..12)
            .map(|i| User {
                open_id: format!("ou_{:032x}", rng.u128(..)),
                user_id: format!("u{:07}", 1000 + i),
                union_id: format!("on_{:032x}", rng.u128(..)),
            })
            .collect();
        let departments: Vec<String> = (0..4)
            .map(|_| format!("od-{:032x}", rng.u128(..)))
            .collect();
        *self = ApprovalData {
            built: true,
            spec: spec.clone(),
            now_ms,
            definitions: vec![
                Definition {
                    code: APPROVAL_CODE_PURCHASE.into(),
                    name: "Purchase request".into(),
                    group: "Finance".into(),
                    deleted: false,
                    data: definition_data("Purchase request", purchase_definition_form()),
                },
                Definition {
                    code: APPROVAL_CODE_LEAVE.into(),
                    name: "Leave".into(),
                    group: "HR".into(),
                    deleted: false,
                    data: definition_data("Leave", leave_definition_form()),
                },
                Definition {
                    code: APPROVAL_CODE_DELETED.into(),
                    name: "Old expense".into(),
                    group: "Finance".into(),
                    deleted: true,
                    data: definition_data("Old expense", json!([])),
                },
            ],
            instances: Vec::new(),
            by_code: HashMap::new(),
            by_uuid: HashMap::new(),
            users,
            departments,
            next_serial: 1,
            rng_state: rng.u64(..),
        };
        let span = spec.span_ms.max(1);
        let mut planned = Vec::new();
        for (approval, count) in [
            (APPROVAL_CODE_PURCHASE, spec.purchase_instances),
            (APPROVAL_CODE_LEAVE, spec.leave_instances),
        ] {
            for i in 0..count {
                let start = now_ms - span + rng.i64(0..span);
                // The first five instances of each approval cover every status.
                let status = match INSTANCE_STATUSES.get(i) {
                    Some(status) => status,
                    None => pick_status(&mut rng),
                };
                planned.push((approval, start, status));
            }
        }
        for (approval, start, status) in planned {
            self.insert_generated(approval, start, status);
        }
    }

    fn rng(&mut self) -> fastrand::Rng {
        let rng = fastrand::Rng::with_seed(self.rng_state);
        self.rng_state = self
            .rng_state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1);
        rng
    }

    /// Generates one instance and inserts it in creation order.
    fn insert_generated(&mut self, approval_code: &str, start_time: i64, status: &str) -> String {
        let mut rng = self.rng();
        let code = guid(&mut rng);
        let serial = self.next_serial;
        self.next_serial += 1;
        let uuid = if serial.is_multiple_of(7) {
            format!("ext-{:016x}", rng.u64(..))
        } else {
            String::new()
        };
        let user = rng.usize(..self.users.len());
        let generated = Generated {
            approval_code,
            code: &code,
            uuid: &uuid,
            serial,
            start_time,
            status,
            user,
        };
        let data = self.instance_data(&generated, &mut rng);
        let instance = Instance {
            approval_code: approval_code.to_string(),
            code: code.clone(),
            uuid,
            start_time,
            user,
            data,
        };
        let pos = self
            .instances
            .partition_point(|i| (i.start_time, i.code.as_str()) < (start_time, code.as_str()));
        self.instances.insert(pos, instance);
        self.reindex();
        code
    }

    fn reindex(&mut self) {
        self.by_code.clear();
        self.by_uuid.clear();
        for (i, instance) in self.instances.iter().enumerate() {
            self.by_code.insert(instance.code.clone(), i);
            if !instance.uuid.is_empty() {
                self.by_uuid.insert(instance.uuid.clone(), i);
            }
        }
    }

    fn definition(&self, code: &str) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.code == code)
    }

    fn find(&self, id: &str) -> Option<&Instance> {
        self.by_code
            .get(id)
            .or_else(|| self.by_uuid.get(id))
            .map(|&i| &self.instances[i])
    }

    fn find_mut(&mut self, id: &str) -> Option<&mut Instance> {
        let index = self
            .by_code
            .get(id)
            .or_else(|| self.by_uuid.get(id))
            .copied();
        index.map(move |i| &mut self.instances[i])
    }

    /// Codes of `approval_code`'s instances created in `[from, to]`, in creation order.
    fn codes_in(&self, approval_code: &str, from: i64, to: i64) -> Vec<String> {
        let lo = self.instances.partition_point(|i| i.start_time < from);
        self.instances[lo..]
            .iter()
            .take_while(|i| i.start_time <= to)
            .filter(|i| i.approval_code == approval_code)
            .map(|i| i.code.clone())
            .collect()
    }

    fn instance_data(&self, g: &Generated<'_>, rng: &mut fastrand::Rng) -> Value {
        let definition = self.definition(g.approval_code);
        let approval_name = definition.map(|d| d.name.clone()).unwrap_or_default();
        let user = &self.users[g.user];
        let finished = g.status != "PENDING";
        let end_time = if finished {
            g.start_time + rng.i64(HOUR_MS / 2..8 * HOUR_MS)
        } else {
            0
        };
        let department = &self.departments[g.user % self.departments.len()];
        let form = if g.approval_code == APPROVAL_CODE_PURCHASE {
            self.purchase_form(rng)
        } else {
            self.leave_form(rng, g.serial)
        };
        let approver = &self.users[(g.user + 1) % self.users.len()];
        let other = &self.users[(g.user + 2) % self.users.len()];
        let node_id = format!("{:032x}", rng.u128(..));
        let task_id = format!("74{:017}", rng.u64(..10u64.pow(17)));
        let task_status = match g.status {
            "PENDING" => "PENDING",
            "APPROVED" => "APPROVED",
            "REJECTED" => "REJECTED",
            _ => "DONE",
        };
        let mut task_list = vec![json!({
            "id": task_id, "user_id": approver.user_id, "open_id": approver.open_id,
            "status": task_status, "node_id": node_id, "node_name": "Manager",
            "custom_node_id": "manager", "type": "OR",
            "start_time": (g.start_time + 1000).to_string(),
            "end_time": if finished { end_time.to_string() } else { "0".into() },
        })];
        let middle = MIDDLE_EVENTS[usize::try_from(g.serial).unwrap_or(0) % MIDDLE_EVENTS.len()];
        if middle == "TRANSFER" {
            task_list.insert(
                0,
                json!({
                    "id": format!("74{:017}", rng.u64(..10u64.pow(17))), "user_id": other.user_id,
                    "open_id": other.open_id, "status": "TRANSFERRED", "node_id": node_id,
                    "node_name": "Manager", "type": "OR",
                    "start_time": (g.start_time + 1000).to_string(),
                    "end_time": (g.start_time + 2000).to_string(),
                }),
            );
        }
        let mut timeline = vec![json!({
            "type": "START", "create_time": g.start_time.to_string(),
            "user_id": user.user_id, "open_id": user.open_id, "ext": "{}", "node_key": "APPLY",
        })];
        timeline.push(timeline_event(
            middle,
            g.start_time + 5000,
            approver,
            other,
            &task_id,
        ));
        let last = match g.status {
            "APPROVED" if g.serial.is_multiple_of(2) => Some("AUTO_PASS"),
            "APPROVED" => Some("PASS"),
            "REJECTED" if g.serial.is_multiple_of(2) => Some("AUTO_REJECT"),
            "REJECTED" => Some("REJECT"),
            "CANCELED" => Some("CANCEL"),
            "DELETED" => Some("DELETE"),
            _ => None,
        };
        if let Some(kind) = last {
            let actor = if kind == "CANCEL" || kind == "DELETE" {
                user
            } else {
                approver
            };
            timeline.push(timeline_event(kind, end_time, actor, other, &task_id));
        }
        let comment_list: Vec<Value> = (0..g.serial % 3)
            .map(|k| {
                let mut comment = json!({
                    "id": format!("75{:017}", rng.u64(..10u64.pow(17))),
                    "user_id": approver.user_id, "open_id": approver.open_id,
                    "comment": format!("comment {k} on #{}", g.serial),
                    "create_time": (g.start_time + 10_000 + i64::try_from(k).unwrap_or(0)).to_string(),
                });
                if k == 1 {
                    comment["files"] = json!([{
                        "url": "https://example.invalid/file?a=1&b=2", "file_size": 1024,
                        "title": "quote.pdf", "type": "attachment",
                    }]);
                }
                comment
            })
            .collect();
        json!({
            "approval_name": approval_name,
            "approval_code": g.approval_code,
            "instance_code": g.code,
            "start_time": g.start_time.to_string(),
            "end_time": end_time.to_string(),
            "user_id": user.user_id,
            "open_id": user.open_id,
            "serial_number": format!("{:012}", 202_500_000_000u64 + g.serial),
            "department_id": department,
            "status": g.status,
            "uuid": g.uuid,
            "reverted": false,
            "form": form.to_string(),
            "task_list": task_list,
            "comment_list": comment_list,
            "timeline": timeline,
        })
    }

    fn purchase_form(&self, rng: &mut fastrand::Rng) -> Value {
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

    fn leave_form(&self, rng: &mut fastrand::Rng, serial: u64) -> Value {
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

    /// A value of the §5.4 shape for `ty`, and extra widget keys.
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

struct Generated<'a> {
    approval_code: &'a str,
    code: &'a str,
    uuid: &'a str,
    serial: u64,
    start_time: i64,
    status: &'a str,
    user: usize,
}

fn timeline_event(kind: &str, at: i64, actor: &User, target: &User, task_id: &str) -> Value {
    let mut event = json!({
        "type": kind, "create_time": at.to_string(),
        "user_id": actor.user_id, "open_id": actor.open_id,
        "task_id": task_id, "node_key": "manager", "ext": "{}",
    });
    match kind {
        "TRANSFER"
        | "ADD_APPROVER_BEFORE"
        | "ADD_APPROVER"
        | "ADD_APPROVER_AFTER"
        | "DELETE_APPROVER" => {
            event["user_id_list"] = json!([target.user_id]);
            event["open_id_list"] = json!([target.open_id]);
            event["ext"] = json!(
                json!({ "user_id_list": [target.user_id], "open_id_list": [target.open_id] })
                    .to_string()
            );
        }
        "CC" => {
            event["cc_user_list"] =
                json!([{ "user_id": target.user_id, "cc_id": "cc1", "open_id": target.open_id }]);
            event["ext"] =
                json!(json!({ "user_id": target.user_id, "open_id": target.open_id }).to_string());
        }
        "REJECT" | "ROLLBACK" | "ROLLBACK_SELECTED" => {
            event["comment"] = json!("please fix the amounts");
        }
        "PASS" => {
            event["files"] = json!([{ "url": "https://example.invalid/sig.png", "file_size": 2048, "title": "sig.png", "type": "image" }]);
        }
        _ => {}
    }
    event
}

fn label(ty: &str) -> String {
    let mut s = String::from("Field ");
    s.push_str(ty);
    s
}

fn pick_status(rng: &mut fastrand::Rng) -> &'static str {
    match rng.u32(..100) {
        0..30 => "PENDING",
        30..65 => "APPROVED",
        65..80 => "REJECTED",
        80..92 => "CANCELED",
        _ => "DELETED",
    }
}

fn guid(rng: &mut fastrand::Rng) -> String {
    let n = rng.u128(..);
    let hex = format!("{n:032X}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn wall_clock_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Unix ms → `YYYY-MM-DDTHH:MM:SS+08:00` (China time, as Feishu forms show).
fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000) + 8 * 3600;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+08:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn definition_data(name: &str, form: Value) -> Value {
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

fn purchase_definition_form() -> Value {
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

fn leave_definition_form() -> Value {
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

// ----- handlers -------------------------------------------------------------------------

const DEFINITION: &str = "/open-apis/approval/v4/approvals/:approval_code";
const INSTANCES: &str = "/open-apis/approval/v4/instances";
const INSTANCE: &str = "/open-apis/approval/v4/instances/:instance_id";
const QUERY: &str = "/open-apis/approval/v4/instances/query";

/// The approval data, built on first use.
fn data(state: &State) -> MutexGuard<'_, ApprovalData> {
    let mut guard = lock(&state.approval);
    guard.ensure_built();
    guard
}

/// Routes the Approval v4 endpoints.
pub(crate) fn handle(state: &State, req: &RequestView) -> Option<Reply> {
    if let Some(params) = req.match_path(DEFINITION) {
        let code = params[0].to_string();
        return Some(only(req, "GET", || get_definition(state, req, &code)));
    }
    if req.match_path(INSTANCES).is_some() {
        return Some(only(req, "GET", || list_instances(state, req)));
    }
    if req.match_path(QUERY).is_some() && req.method == "POST" {
        return Some(query_instances(state, req));
    }
    if let Some(params) = req.match_path(INSTANCE) {
        let id = params[0].to_string();
        return Some(only(req, "GET", || get_instance(state, req, &id)));
    }
    None
}

fn param_invalid(field: &str, value: &str, description: &str) -> Reply {
    Reply::err_with(
        400,
        PARAM_INVALID,
        format!("param is invalid: {field}: {description}"),
        json!({ "field_violations": [{ "field": field, "value": value, "description": description }] }),
    )
}

/// Checks an optional query parameter against a list of allowed values.
fn check_enum(req: &RequestView, name: &str, allowed: &[&str]) -> Result<(), Reply> {
    match req.query_first(name) {
        Some(v) if !allowed.contains(&v) => Err(param_invalid(
            name,
            v,
            &format!("must be one of {}", allowed.join(", ")),
        )),
        _ => Ok(()),
    }
}

fn get_definition(state: &State, req: &RequestView, code: &str) -> Reply {
    if let Err(reply) = check_enum(req, "locale", LOCALES)
        .and_then(|()| check_enum(req, "user_id_type", USER_ID_TYPES))
    {
        return reply;
    }
    let data = data(state);
    match data.definition(code) {
        None => Reply::err(
            400,
            APPROVAL_NOT_FOUND,
            format!("approval code not found: {code}"),
        ),
        Some(d) if d.deleted => Reply::err(400, APPROVAL_DELETED, "approval has been deleted"),
        Some(d) => {
            let mut body = d.data.clone();
            if req.query_first("with_admin_id") == Some("true") {
                body["approval_admin_ids"] = json!([data.users[0].open_id]);
            }
            Reply::ok(body)
        }
    }
}

fn required_ms(req: &RequestView, name: &str) -> Result<i64, Reply> {
    match req.query_first(name).filter(|v| !v.is_empty()) {
        None => Err(param_invalid(name, "", "is required")),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|ms| *ms >= 0)
            .ok_or_else(|| param_invalid(name, v, "must be a Unix timestamp in milliseconds")),
    }
}

fn page_size(req: &RequestView, default: usize, min: usize, max: usize) -> Result<usize, Reply> {
    match req.query_first("page_size").filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                param_invalid("page_size", v, &format!("must be between {min} and {max}"))
            }),
    }
}

/// FNV-1a over the parts, so a token only works for the query it came from.
fn fingerprint(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn encode_token(kind: &str, fp: u64, offset: usize) -> String {
    format!("{kind}/{fp:016x}+{offset}=")
}

fn decode_token(req: &RequestView, kind: &str, fp: u64, len: usize) -> Result<usize, Reply> {
    let Some(token) = req.query_first("page_token").filter(|t| !t.is_empty()) else {
        return Ok(0);
    };
    let parsed = token
        .strip_prefix(kind)
        .and_then(|t| t.strip_prefix('/'))
        .and_then(|t| t.strip_suffix('='))
        .and_then(|t| t.split_once('+'))
        .and_then(|(f, o)| Some((u64::from_str_radix(f, 16).ok()?, o.parse::<usize>().ok()?)))
        .filter(|(f, o)| *f == fp && *o <= len);
    match parsed {
        Some((_, offset)) => Ok(offset),
        None => Err(param_invalid("page_token", token, "invalid page_token")),
    }
}

fn list_instances(state: &State, req: &RequestView) -> Reply {
    let approval_code = match req.query_first("approval_code").filter(|v| !v.is_empty()) {
        Some(code) => code.to_string(),
        None => return param_invalid("approval_code", "", "is required"),
    };
    let (start, end) = match (required_ms(req, "start_time"), required_ms(req, "end_time")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if end < start {
        return param_invalid(
            "end_time",
            &end.to_string(),
            "end_time must not be earlier than start_time",
        );
    }
    let size = match page_size(req, 100, 1, 100) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let data = data(state);
    match data.definition(&approval_code) {
        None => {
            return Reply::err(
                400,
                APPROVAL_NOT_FOUND,
                format!("approval code not found: {approval_code}"),
            );
        }
        Some(d) if d.deleted => {
            return Reply::err(400, APPROVAL_DELETED, "approval has been deleted");
        }
        Some(_) => {}
    }
    if data.spec.enforce_window && end - start > MAX_LIST_WINDOW_MS {
        return param_invalid(
            "end_time",
            &end.to_string(),
            "the time range must not exceed 10 hours (testkit rule; upstream enforcement UNCONFIRMED)",
        );
    }
    let codes = data.codes_in(&approval_code, start, end);
    let fp = fingerprint(&[&approval_code, &start.to_string(), &end.to_string()]);
    let offset = match decode_token(req, "ap", fp, codes.len()) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let stop = (offset + size).min(codes.len());
    let mut body = json!({
        "instance_code_list": codes[offset..stop],
        "has_more": stop < codes.len(),
    });
    if stop < codes.len() {
        body["page_token"] = json!(encode_token("ap", fp, stop));
    }
    Reply::ok(body)
}

fn get_instance(state: &State, req: &RequestView, id: &str) -> Reply {
    if let Err(reply) = check_enum(req, "locale", LOCALES)
        .and_then(|()| check_enum(req, "user_id_type", USER_ID_TYPES))
    {
        return reply;
    }
    let data = data(state);
    match data.find(id) {
        Some(instance) => Reply::ok(instance.data.clone()),
        None => Reply::err(
            400,
            INSTANCE_NOT_FOUND,
            format!("instance code not found: {id}"),
        ),
    }
}

fn body_str<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn query_instances(state: &State, req: &RequestView) -> Reply {
    let size = match page_size(req, 10, 5, 200) {
        Ok(n) => n,
        Err(r) => return r,
    };
    if let Err(reply) = check_enum(req, "user_id_type", USER_ID_TYPES) {
        return reply;
    }
    let body = match (&req.json, req.body.is_empty()) {
        (Some(Value::Object(_)), _) => req.json.clone().unwrap_or_default(),
        (None, true) => json!({}),
        _ => return param_invalid("body", "", "request body must be a JSON object"),
    };
    let user_id = body_str(&body, "user_id");
    let approval_code = body_str(&body, "approval_code");
    let instance_code = body_str(&body, "instance_code");
    let external_id = body_str(&body, "instance_external_id");
    let group_external_id = body_str(&body, "group_external_id");
    if user_id.is_none()
        && approval_code.is_none()
        && instance_code.is_none()
        && external_id.is_none()
        && group_external_id.is_none()
    {
        return param_invalid(
            "approval_code",
            "",
            "one of user_id, approval_code, instance_code, instance_external_id, group_external_id is required",
        );
    }
    if let Some(locale) = body_str(&body, "locale")
        && !QUERY_LOCALES.contains(&locale)
    {
        return param_invalid("locale", locale, "must be zh-CN, en-US or ja-JP");
    }
    let statuses: Option<&[&str]> = match body_str(&body, "instance_status") {
        None | Some("ALL") => None,
        Some("PENDING") => Some(&["PENDING"]),
        Some("APPROVED") => Some(&["APPROVED"]),
        Some("REJECT") => Some(&["REJECTED"]),
        Some("RECALL") => Some(&["CANCELED"]),
        Some("DELETED") => Some(&["DELETED"]),
        Some(other) => {
            return param_invalid(
                "instance_status",
                other,
                "must be PENDING, RECALL, REJECT, DELETED, APPROVED or ALL",
            );
        }
    };
    let from = body.get("instance_start_time_from").map(feishu_ms);
    let to = body.get("instance_start_time_to").map(feishu_ms);
    let range = match (from, to) {
        (None, None) => None,
        (Some(Some(f)), Some(Some(t)))
            if f <= t && t.checked_sub(f).is_some_and(|span| span <= 30 * DAY_MS) =>
        {
            Some((f, t))
        }
        (Some(Some(_)), Some(Some(_))) => {
            return param_invalid(
                "instance_start_time_to",
                "",
                "the time range must be ordered and at most 30 days",
            );
        }
        _ => {
            return param_invalid(
                "instance_start_time_from",
                "",
                "instance_start_time_from and instance_start_time_to must be set together as Unix ms",
            );
        }
    };
    let id_type = req.query_first("user_id_type").unwrap_or("open_id");
    let data = data(state);
    if let Some(code) = approval_code
        && data.definition(code).is_none()
    {
        return Reply::err(
            400,
            APPROVAL_NOT_FOUND,
            format!("approval code not found: {code}"),
        );
    }
    if let Some(code) = instance_code
        && data.find(code).is_none()
    {
        return Reply::err(
            400,
            INSTANCE_NOT_FOUND,
            format!("instance code not found: {code}"),
        );
    }
    let user_key = |u: &User| -> String {
        match id_type {
            "user_id" => u.user_id.clone(),
            "union_id" => u.union_id.clone(),
            _ => u.open_id.clone(),
        }
    };
    let matches: Vec<&Instance> = data
        .instances
        .iter()
        .filter(|i| approval_code.is_none_or(|c| i.approval_code == c))
        .filter(|i| instance_code.is_none_or(|c| i.code == c))
        .filter(|i| external_id.is_none_or(|c| i.uuid == c))
        .filter(|_| group_external_id.is_none())
        .filter(|i| user_id.is_none_or(|u| user_key(&data.users[i.user]) == u))
        .filter(|i| {
            statuses.is_none_or(|s| s.contains(&i.data["status"].as_str().unwrap_or_default()))
        })
        .filter(|i| range.is_none_or(|(f, t)| (f..=t).contains(&i.start_time)))
        .filter(|i| i.data["reverted"] != json!(true))
        .collect();
    let fp = fingerprint(&[&body.to_string(), id_type]);
    let offset = match decode_token(req, "aq", fp, matches.len()) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let stop = (offset + size).min(matches.len());
    let items: Vec<Value> = matches[offset..stop]
        .iter()
        .map(|i| {
            let def = data.definition(&i.approval_code);
            json!({
                "approval": {
                    "code": i.approval_code, "name": def.map(|d| d.name.as_str()).unwrap_or_default(),
                    "is_external": false, "external": { "batch_cc_read": false },
                    "approval_id": format!("73{:017}", fingerprint(&[&i.approval_code]) % 10u64.pow(17)),
                    "icon": "",
                },
                "group": { "external_id": "", "name": def.map(|d| d.group.as_str()).unwrap_or_default() },
                "instance": {
                    "code": i.code, "external_id": i.uuid, "user_id": user_key(&data.users[i.user]),
                    "start_time": i.data["start_time"], "end_time": i.data["end_time"],
                    "status": i.data["status"].as_str().unwrap_or_default().to_ascii_lowercase(),
                    "title": "", "extra": "", "serial_id": i.data["serial_number"],
                    "link": { "pc_link": "", "mobile_link": "" },
                },
            })
        })
        .collect();
    let mut out = json!({
        "count": matches.len(),
        "instance_list": items,
        "has_more": stop < matches.len(),
    });
    if stop < matches.len() {
        out["page_token"] = json!(encode_token("aq", fp, stop));
    }
    Reply::ok(out)
}

/// A Unix-ms value sent as a string or a number.
fn feishu_ms(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

// ----- knobs and ground truth -------------------------------------------------------------

/// Approval knobs and ground truth (feishu-api.md §5).
impl FakeTenant {
    fn approval_data(&self) -> MutexGuard<'_, ApprovalData> {
        data(self.state())
    }

    /// Replaces the approval dataset with one generated from `spec`.
    pub fn set_approval_dataset(&self, spec: ApprovalDataset) {
        lock(&self.state().approval).build(spec);
    }

    /// The dataset's "now" in Unix ms (instances were created before it).
    pub fn approval_now_ms(&self) -> i64 {
        self.approval_data().now_ms
    }

    /// The definition codes the tenant knows (including the deleted one).
    pub fn approval_codes(&self) -> Vec<String> {
        self.approval_data()
            .definitions
            .iter()
            .map(|d| d.code.clone())
            .collect()
    }

    /// Ground truth: codes of `approval_code`'s instances created in `[from_ms, to_ms]`
    /// (inclusive), in creation order.
    pub fn approval_instance_codes(
        &self,
        approval_code: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Vec<String> {
        self.approval_data().codes_in(approval_code, from_ms, to_ms)
    }

    /// Ground truth: how many of `approval_code`'s instances were created in
    /// `[from_ms, to_ms]` (inclusive).
    pub fn approval_instance_count(&self, approval_code: &str, from_ms: i64, to_ms: i64) -> usize {
        self.approval_instance_codes(approval_code, from_ms, to_ms)
            .len()
    }

    /// Ground truth: all instance codes of `approval_code`, in creation order.
    pub fn approval_all_instance_codes(&self, approval_code: &str) -> Vec<String> {
        self.approval_instance_codes(approval_code, i64::MIN, i64::MAX)
    }

    /// The `data` object the instance GET answers for `code` (or its uuid).
    pub fn approval_instance(&self, code: &str) -> Option<Value> {
        self.approval_data().find(code).map(|i| i.data.clone())
    }

    /// The decoded form of the instance `code` (the `form` string parsed), if it is JSON.
    pub fn approval_instance_form(&self, code: &str) -> Option<Value> {
        let data = self.approval_instance(code)?;
        serde_json::from_str(data["form"].as_str()?).ok()
    }

    /// Creates a new instance of `approval_code` created at `start_time_ms` with `status`
    /// (one of [`INSTANCE_STATUSES`], or any string to test unknown statuses) and returns its
    /// code. Its form, tasks and timeline are generated like the dataset's.
    ///
    /// # Panics
    /// When `approval_code` is not a definition of this tenant (a test bug).
    pub fn add_approval_instance(
        &self,
        approval_code: &str,
        start_time_ms: i64,
        status: &str,
    ) -> String {
        let mut data = self.approval_data();
        assert!(
            data.definition(approval_code).is_some(),
            "add_approval_instance: unknown approval code {approval_code:?}"
        );
        let code = data.insert_generated(approval_code, start_time_ms, status);
        if let Some(instance) = data.find_mut(&code) {
            crate::events::on_instance_changed(self.state(), &instance.data);
        }
        code
    }

    /// Changes an instance's status (and sets `end_time` when it finishes). Returns whether
    /// the instance exists.
    pub fn set_instance_status(&self, code: &str, status: &str) -> bool {
        let mut data = self.approval_data();
        let Some(instance) = data.find_mut(code) else {
            return false;
        };
        instance.data["status"] = json!(status);
        crate::events::on_instance_changed(self.state(), &instance.data);
        let finished = status != "PENDING";
        let open = instance.data["end_time"] == json!("0");
        if finished && open {
            instance.data["end_time"] = json!((instance.start_time + HOUR_MS).to_string());
        } else if !finished {
            instance.data["end_time"] = json!("0");
        }
        true
    }

    /// Replaces an instance's raw `form` string (e.g. with malformed JSON or unknown widget
    /// types). Returns whether the instance exists.
    pub fn set_instance_form(&self, code: &str, form: &str) -> bool {
        let mut data = self.approval_data();
        match data.find_mut(code) {
            Some(instance) => {
                instance.data["form"] = json!(form);
                true
            }
            None => false,
        }
    }

    /// Sets any top-level field of an instance's `data` (e.g. `reverted`, or an unknown
    /// field). Returns whether the instance exists.
    pub fn set_instance_field(&self, code: &str, field: &str, value: Value) -> bool {
        let mut data = self.approval_data();
        match data.find_mut(code) {
            Some(instance) => {
                if let Value::Object(map) = &mut instance.data {
                    map.insert(field.to_string(), value);
                }
                true
            }
            None => false,
        }
    }

    /// The distinct timeline event types over every instance of the dataset.
    pub fn approval_timeline_types(&self) -> Vec<String> {
        let data = self.approval_data();
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for instance in &data.instances {
            for event in instance.data["timeline"].as_array().into_iter().flatten() {
                if let Some(t) = event["type"].as_str()
                    && seen.insert(t.to_string())
                {
                    out.push(t.to_string());
                }
            }
        }
        out
    }
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

    #[test]
    fn dataset_is_deterministic_and_sorted() {
        let mut a = ApprovalData::default();
        a.build(ApprovalDataset::default().now_ms(1_735_689_600_000));
        let mut b = ApprovalData::default();
        b.build(ApprovalDataset::default().now_ms(1_735_689_600_000));
        assert_eq!(a.instances.len(), 360);
        let codes_a: Vec<_> = a.instances.iter().map(|i| &i.code).collect();
        let codes_b: Vec<_> = b.instances.iter().map(|i| &i.code).collect();
        assert_eq!(codes_a, codes_b);
        assert!(
            a.instances
                .windows(2)
                .all(|w| (w[0].start_time, &w[0].code) <= (w[1].start_time, &w[1].code))
        );
    }
}
