//! Approval knobs and ground truth, reached through
//! [`FakeTenant::approval`](crate::FakeTenant::approval).

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};

use serde_json::{Value, json};

use super::catalog::HOUR_MS;
use super::data::{ApprovalData, built};
use super::dataset::ApprovalDataset;
use super::listing::WindowEnd;
use crate::event_hub::{Change, EventHub};
use crate::lock::lock;

/// The Approval service's knobs and ground truth: the dataset, changes to single instances,
/// and the instance codes a listing must find.
///
/// Once [`FakeTenant::events`](crate::FakeTenant::events) was called, [`add_instance`](Self::add_instance)
/// and [`set_instance_status`](Self::set_instance_status) emit the `approval_instance` event.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use feishu_testkit::FakeTenant;
/// use feishu_testkit::approval::{APPROVAL_CODE_PURCHASE, ApprovalDataset};
/// let tenant = FakeTenant::start().await;
/// let approval = tenant.approval();
/// approval.set_dataset(ApprovalDataset::default().now_ms(1_735_689_600_000));
/// let all = approval.all_instance_codes(APPROVAL_CODE_PURCHASE);
/// assert_eq!(all.len(), 240);
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ApprovalKnobs<'a> {
    data: &'a Mutex<ApprovalData>,
    events: &'a EventHub,
}

impl<'a> ApprovalKnobs<'a> {
    pub(super) fn new(data: &'a Mutex<ApprovalData>, events: &'a EventHub) -> Self {
        ApprovalKnobs { data, events }
    }
}

impl ApprovalKnobs<'_> {
    fn data(&self) -> MutexGuard<'_, ApprovalData> {
        built(self.data)
    }

    /// Announces that an instance was created or changed status.
    fn announce(&self, instance: &InstanceChange) {
        self.events.announce(Change::ApprovalInstance {
            approval_code: &instance.approval_code,
            instance_code: &instance.instance_code,
            status: &instance.status,
        });
    }

    /// Replaces the approval dataset with one generated from `spec`.
    pub fn set_dataset(&self, spec: ApprovalDataset) {
        lock(self.data).build(spec);
    }

    /// The dataset's "now" in Unix ms (instances were created before it).
    pub fn now_ms(&self) -> i64 {
        self.data().cast.now_ms
    }

    /// The definition codes the tenant knows (including the deleted one).
    pub fn approval_codes(&self) -> Vec<String> {
        self.data()
            .definitions
            .iter()
            .map(|d| d.code.clone())
            .collect()
    }

    /// Ground truth: the codes `GET instances` lists for `approval_code` and this window:
    /// instances created in `[from_ms, to_ms]` (or `[from_ms, to_ms)` under
    /// [`WindowEnd::Exclusive`]), in creation order (or the shuffled order of
    /// [`shuffle_listing`](Self::shuffle_listing)).
    pub fn instance_codes(&self, approval_code: &str, from_ms: i64, to_ms: i64) -> Vec<String> {
        self.data().codes_in(approval_code, from_ms, to_ms)
    }

    /// Ground truth: how many codes `GET instances` lists for this window (see
    /// [`instance_codes`](Self::instance_codes)).
    pub fn instance_count(&self, approval_code: &str, from_ms: i64, to_ms: i64) -> usize {
        self.instance_codes(approval_code, from_ms, to_ms).len()
    }

    /// Ground truth: all instance codes of `approval_code`, in listing order.
    pub fn all_instance_codes(&self, approval_code: &str) -> Vec<String> {
        self.instance_codes(approval_code, i64::MIN, i64::MAX)
    }

    /// The `data` object the instance GET answers for `code` (or its uuid).
    pub fn instance(&self, code: &str) -> Option<Value> {
        self.data().find(code).map(|i| i.data.clone())
    }

    /// The decoded form of the instance `code` (the `form` string parsed), if it is JSON.
    pub fn instance_form(&self, code: &str) -> Option<Value> {
        let data = self.instance(code)?;
        serde_json::from_str(data["form"].as_str()?).ok()
    }

    /// Creates a new instance of `approval_code` created at `start_time_ms` with `status`
    /// (one of [`INSTANCE_STATUSES`](crate::approval::INSTANCE_STATUSES), or any string to
    /// test unknown statuses) and returns its code. Its form, tasks and timeline are generated
    /// like the dataset's. Emits `approval_instance` once events are in use.
    ///
    /// # Panics
    /// When `approval_code` is not a definition of this tenant (a test bug).
    pub fn add_instance(&self, approval_code: &str, start_time_ms: i64, status: &str) -> String {
        let (code, instance) = {
            let mut data = self.data();
            assert!(
                data.definition(approval_code).is_some(),
                "add_instance: unknown approval code {approval_code:?}"
            );
            let code = data.insert_generated(approval_code, start_time_ms, status);
            let instance = data.find(&code).map(|i| InstanceChange::of(&i.data));
            (code, instance)
        };
        if let Some(instance) = instance {
            self.announce(&instance);
        }
        code
    }

    /// Changes an instance's status (and sets `end_time` when it finishes). Returns whether
    /// the instance exists. Emits `approval_instance` once events are in use.
    pub fn set_instance_status(&self, code: &str, status: &str) -> bool {
        let instance = {
            let mut data = self.data();
            let Some(instance) = data.find_mut(code) else {
                return false;
            };
            instance.data["status"] = json!(status);
            let finished = status != "PENDING";
            let open = instance.data["end_time"] == json!("0");
            if finished && open {
                instance.data["end_time"] = json!((instance.start_time + HOUR_MS).to_string());
            } else if !finished {
                instance.data["end_time"] = json!("0");
            }
            InstanceChange::of(&instance.data)
        };
        self.announce(&instance);
        true
    }

    /// Replaces an instance's raw `form` string (e.g. with malformed JSON or unknown widget
    /// types). Returns whether the instance exists.
    pub fn set_instance_form(&self, code: &str, form: &str) -> bool {
        let mut data = self.data();
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
        let mut data = self.data();
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

    /// The ids of the dataset's people, of `id_type` (`open_id`, `user_id` or `union_id`): the
    /// users the write endpoints accept as initiators, approvers and commenters.
    pub fn user_ids(&self, id_type: &str) -> Vec<String> {
        let data = self.data();
        (0..data.cast.users.len())
            .map(|u| data.cast.user_key(u, id_type))
            .collect()
    }

    /// Ground truth: the codes of the instances created with this `uuid` (compared ignoring
    /// case, as Feishu does). The create endpoint keeps it to at most one.
    pub fn instances_with_uuid(&self, uuid: &str) -> Vec<String> {
        self.data()
            .instances
            .iter()
            .filter(|i| !i.uuid.is_empty() && i.uuid.eq_ignore_ascii_case(uuid))
            .map(|i| i.code.clone())
            .collect()
    }

    /// Ground truth: the texts of the comments made on the instance `code` (or its uuid)
    /// through the comment API, replies after their comment, in creation order; `None` when
    /// the instance does not exist.
    pub fn comment_texts(&self, code: &str) -> Option<Vec<String>> {
        let data = self.data();
        let instance = data.find(code)?;
        Some(
            instance
                .comments
                .iter()
                .flat_map(|c| c.all())
                .map(|c| c.text())
                .collect(),
        )
    }

    /// Ground truth: whether the app is subscribed to the events of `approval_code`.
    pub fn is_subscribed(&self, approval_code: &str) -> bool {
        self.data().subscribed.contains(approval_code)
    }

    /// The distinct timeline event types over every instance of the dataset.
    pub fn timeline_types(&self) -> Vec<String> {
        let data = self.data();
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

    /// How `GET instances` reads `end_time`: inclusive (the default) or exclusive. The
    /// documentation does not say; a client that must not lose or repeat instances at slice
    /// borders has to work under both. Kept when the dataset changes.
    pub fn set_window_end(&self, end: WindowEnd) {
        lock(self.data).listing.end = end;
    }

    /// `Some(seed)`: `GET instances` lists the codes of a window in an order drawn from `seed`
    /// instead of creation order (the same order on every page and every call); `None`
    /// restores creation order. Kept when the dataset changes.
    pub fn shuffle_listing(&self, seed: Option<u64>) {
        lock(self.data).listing.shuffle_seed = seed;
    }

    /// Deletes the instance `code` (or its creation uuid) as if it was removed after a client
    /// listed it: listings and queries no longer show it and its GET answers 1390003. Returns
    /// whether the instance existed.
    pub fn delete_instance(&self, code: &str) -> bool {
        self.data().remove(code)
    }

    /// Makes the instance `code` (or its creation uuid) unreadable for the app, as when an
    /// approval admin restricts it: it is still listed and searchable, but its GET answers
    /// HTTP 403, code 1390009 ("no operation permission", documented for the instance GET).
    /// Returns whether the instance exists. Cleared when the dataset changes.
    pub fn deny_instance(&self, code: &str) -> bool {
        let mut data = self.data();
        let Some(found) = data.find(code).map(|i| i.code.clone()) else {
            return false;
        };
        data.denied.insert(found);
        true
    }

    /// Creates an instance like [`add_instance`](Self::add_instance) whose `task_list` is
    /// not the documented array but `malformation` says what, and returns its code.
    ///
    /// # Panics
    /// When `approval_code` is not a definition of this tenant (a test bug).
    pub fn add_malformed_instance(
        &self,
        approval_code: &str,
        start_time_ms: i64,
        malformation: MalformedTaskList,
    ) -> String {
        let code = self.add_instance(approval_code, start_time_ms, "PENDING");
        let mut data = self.data();
        if let Some(instance) = data.find_mut(&code) {
            let tasks = instance.data["task_list"].take();
            instance.data["task_list"] = match malformation {
                MalformedTaskList::String => Value::String(tasks.to_string()),
                MalformedTaskList::Object => tasks
                    .as_array()
                    .and_then(|list| list.first().cloned())
                    .unwrap_or_else(|| json!({})),
            };
        }
        code
    }
}

/// How [`ApprovalKnobs::add_malformed_instance`] breaks an instance's `task_list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MalformedTaskList {
    /// The task array encoded as one JSON string (`"[{\"id\": ...}]"`).
    String,
    /// A single task object instead of an array of them.
    Object,
}

/// What an `approval_instance` event says about an instance, taken out of the data lock.
struct InstanceChange {
    approval_code: String,
    instance_code: String,
    status: String,
}

impl InstanceChange {
    fn of(instance: &Value) -> InstanceChange {
        let field = |name: &str| instance[name].as_str().unwrap_or_default().to_owned();
        InstanceChange {
            approval_code: field("approval_code"),
            instance_code: field("instance_code"),
            status: field("status"),
        }
    }
}
