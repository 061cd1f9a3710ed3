//! The approval data of one tenant: definitions and instances in creation order, built from
//! an [`ApprovalDataset`] on first use.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::catalog::{
    APPROVAL_CODE_DELETED, APPROVAL_CODE_LEAVE, APPROVAL_CODE_PURCHASE, INSTANCE_STATUSES,
};
use super::comment_store::StoredComment;
use super::dataset::ApprovalDataset;
use super::instance::{Generated, guid, instance_data, pick_status};
use super::listing::ListingRules;
use super::people::Cast;
use super::widgets::{definition_data, leave_definition_form, purchase_definition_form};
use crate::lock::lock;

/// The approval data behind `mutex`, built on first use.
pub(super) fn built(mutex: &Mutex<ApprovalData>) -> MutexGuard<'_, ApprovalData> {
    let mut guard = lock(mutex);
    guard.ensure_built();
    guard
}

/// The approval data of one tenant (built lazily).
#[derive(Debug, Default)]
pub(crate) struct ApprovalData {
    built: bool,
    pub(super) spec: ApprovalDataset,
    /// The dataset's "now", people and departments.
    pub(super) cast: Cast,
    pub(super) definitions: Vec<Definition>,
    /// Sorted by (start_time, code).
    pub(super) instances: Vec<Instance>,
    /// How listings read their window and order their codes.
    pub(super) listing: ListingRules,
    /// Codes of instances whose GET answers "no operation permission".
    pub(super) denied: HashSet<String>,
    /// Definition codes this app subscribed to (`approvals/:code/subscribe`).
    pub(super) subscribed: HashSet<String>,
    /// Serial of the next comment id.
    pub(super) next_comment: u64,
    by_code: HashMap<String, usize>,
    by_uuid: HashMap<String, usize>,
    next_serial: u64,
    rng_state: u64,
}

/// One approval definition.
#[derive(Debug, Clone)]
pub(super) struct Definition {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) group: String,
    pub(super) deleted: bool,
    /// The definition GET's `data`.
    pub(super) data: Value,
}

/// One instance.
#[derive(Debug, Clone)]
pub(super) struct Instance {
    pub(super) approval_code: String,
    pub(super) code: String,
    /// The creation `uuid` (`instance_external_id`), empty when none was given.
    pub(super) uuid: String,
    pub(super) start_time: i64,
    /// Index of the applicant in the cast.
    pub(super) user: usize,
    /// The instance GET's `data`.
    pub(super) data: Value,
    /// Comments made through the comment API, with their replies.
    pub(super) comments: Vec<StoredComment>,
}

impl ApprovalData {
    /// Builds the default dataset on first use.
    fn ensure_built(&mut self) {
        if !self.built {
            self.build(self.spec.clone());
        }
    }

    /// Replaces everything with the dataset `spec` describes.
    pub(super) fn build(&mut self, spec: ApprovalDataset) {
        let now_ms = spec.now_ms.unwrap_or_else(wall_clock_ms);
        let mut rng = fastrand::Rng::with_seed(spec.seed);
        let cast = Cast::generate(now_ms, &mut rng);
        let listing = self.listing;
        *self = ApprovalData {
            built: true,
            listing,
            spec: spec.clone(),
            cast,
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
            denied: HashSet::new(),
            subscribed: HashSet::new(),
            next_comment: 1,
            by_code: HashMap::new(),
            by_uuid: HashMap::new(),
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

    /// A fresh rng for the next generated instance.
    pub(super) fn rng(&mut self) -> fastrand::Rng {
        let rng = fastrand::Rng::with_seed(self.rng_state);
        self.rng_state = self
            .rng_state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1);
        rng
    }

    /// Generates one instance and inserts it in creation order.
    pub(super) fn insert_generated(
        &mut self,
        approval_code: &str,
        start_time: i64,
        status: &str,
    ) -> String {
        let mut rng = self.rng();
        let code = guid(&mut rng);
        let serial = self.take_serial();
        let uuid = if serial.is_multiple_of(7) {
            format!("ext-{:016x}", rng.u64(..))
        } else {
            String::new()
        };
        let user = rng.usize(..self.cast.users.len());
        let generated = Generated {
            approval_code,
            code: &code,
            uuid: &uuid,
            serial,
            start_time,
            status,
            user,
        };
        let approval_name = self
            .definition(approval_code)
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let data = instance_data(&self.cast, &approval_name, &generated, &mut rng);
        self.insert(Instance {
            approval_code: approval_code.to_string(),
            code: code.clone(),
            uuid,
            start_time,
            user,
            data,
            comments: Vec::new(),
        });
        code
    }

    /// Inserts `instance` in creation order.
    pub(super) fn insert(&mut self, instance: Instance) {
        let key = (instance.start_time, instance.code.clone());
        let pos = self
            .instances
            .partition_point(|i| (i.start_time, i.code.as_str()) < (key.0, key.1.as_str()));
        self.instances.insert(pos, instance);
        self.reindex();
    }

    /// The serial the next instance gets.
    pub(super) fn take_serial(&mut self) -> u64 {
        let serial = self.next_serial;
        self.next_serial += 1;
        serial
    }

    pub(super) fn reindex(&mut self) {
        self.by_code.clear();
        self.by_uuid.clear();
        for (i, instance) in self.instances.iter().enumerate() {
            self.by_code.insert(instance.code.clone(), i);
            if !instance.uuid.is_empty() {
                // Feishu compares creation uuids ignoring case.
                self.by_uuid.insert(instance.uuid.to_ascii_uppercase(), i);
            }
        }
    }

    /// The index of the instance with this code or creation uuid (any case).
    fn index_of(&self, id: &str) -> Option<usize> {
        self.by_code
            .get(id)
            .or_else(|| self.by_uuid.get(&id.to_ascii_uppercase()))
            .copied()
    }

    pub(super) fn definition(&self, code: &str) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.code == code)
    }

    /// The instance with this code or creation uuid.
    pub(super) fn find(&self, id: &str) -> Option<&Instance> {
        self.index_of(id).map(|i| &self.instances[i])
    }

    /// The instance with this code or creation uuid, to change.
    pub(super) fn find_mut(&mut self, id: &str) -> Option<&mut Instance> {
        self.index_of(id).map(move |i| &mut self.instances[i])
    }

    /// Codes of `approval_code`'s instances created in the window `from`..`to`, as the
    /// listing rules read the window, in listing order.
    pub(super) fn codes_in(&self, approval_code: &str, from: i64, to: i64) -> Vec<String> {
        let lo = self.instances.partition_point(|i| i.start_time < from);
        let mut codes: Vec<String> = self.instances[lo..]
            .iter()
            .take_while(|i| i.start_time <= to)
            .filter(|i| i.approval_code == approval_code)
            .filter(|i| self.listing.contains(from, to, i.start_time))
            .map(|i| i.code.clone())
            .collect();
        self.listing.order(&mut codes);
        codes
    }

    /// Removes the instance with this code (or creation uuid); whether there was one.
    pub(super) fn remove(&mut self, id: &str) -> bool {
        let Some(index) = self.index_of(id) else {
            return false;
        };
        self.instances.remove(index);
        self.reindex();
        true
    }
}

fn wall_clock_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
