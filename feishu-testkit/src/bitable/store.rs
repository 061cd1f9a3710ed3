//! What the write endpoints did to a table's records, kept on top of the generated ones:
//! generated records replaced or deleted (by index), and records created through the API (in
//! creation order). Listing order is the generated records, then the created ones.
//!
//! Lookups by record id use indexes built on first use, so a 100,000-record table costs
//! nothing until a write or lookup touches it, and each lookup after that is one hash probe.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use super::record::{Generated, generated_record_id};

/// Where a record lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Slot {
    /// Generated record `i` (possibly replaced by a write).
    Base(u64),
    /// The `i`-th record created through the API.
    Created(usize),
}

/// The written state of one table.
#[derive(Debug, Default)]
pub(crate) struct RecordStore {
    /// Generated records replaced (`Some`) or deleted (`None`) by a write, by index.
    changed: HashMap<u64, Option<Generated>>,
    /// Records created through the API; `None` once deleted.
    created: Vec<Option<Generated>>,
    /// Record id → position in `created` (live records only).
    created_index: HashMap<String, usize>,
    deleted_base: u64,
    deleted_created: u64,
    /// Record id → index of the generated records, built on first lookup.
    base_index: OnceLock<HashMap<String, u64>>,
    /// The visible records in listing order, built on first use after a deletion.
    order: OnceLock<Vec<Slot>>,
    /// Records ever created (for ids and auto numbers).
    pub(super) serial: u64,
}

impl RecordStore {
    /// Visible records of a table with `base` generated records.
    pub(super) fn len(&self, base: u64) -> u64 {
        let created = (self.created.len() as u64).saturating_sub(self.deleted_created);
        base.saturating_sub(self.deleted_base) + created
    }

    /// The record at listing position `pos`.
    pub(super) fn slot_at(&self, base: u64, pos: u64) -> Option<Slot> {
        if self.deleted_base == 0 && self.deleted_created == 0 {
            return if pos < base {
                Some(Slot::Base(pos))
            } else {
                let p = usize::try_from(pos - base).ok()?;
                (p < self.created.len()).then_some(Slot::Created(p))
            };
        }
        self.order(base).get(usize::try_from(pos).ok()?).copied()
    }

    /// Every visible record's slot, in listing order.
    pub(super) fn slots(&self, base: u64) -> Box<dyn Iterator<Item = Slot> + '_> {
        if self.deleted_base == 0 && self.deleted_created == 0 {
            Box::new(
                (0..base)
                    .map(Slot::Base)
                    .chain((0..self.created.len()).map(Slot::Created)),
            )
        } else {
            Box::new(self.order(base).iter().copied())
        }
    }

    fn order(&self, base: u64) -> &Vec<Slot> {
        self.order.get_or_init(|| {
            let bases = (0..base)
                .filter(|i| !matches!(self.changed.get(i), Some(None)))
                .map(Slot::Base);
            let created = self
                .created
                .iter()
                .enumerate()
                .filter(|(_, r)| r.is_some())
                .map(|(i, _)| Slot::Created(i));
            bases.chain(created).collect()
        })
    }

    /// The slot of a live record.
    /// `seed`, `table_no` and `base` (the generated records) name the table's generated ids.
    pub(super) fn find(
        &self,
        seed: u64,
        table_no: u64,
        base: u64,
        record_id: &str,
    ) -> Option<Slot> {
        if let Some(&i) = self.created_index.get(record_id) {
            return Some(Slot::Created(i));
        }
        let index = self.base_index.get_or_init(|| {
            (0..base)
                .map(|i| (generated_record_id(seed, table_no, i), i))
                .collect()
        });
        let i = *index.get(record_id)?;
        (!matches!(self.changed.get(&i), Some(None))).then_some(Slot::Base(i))
    }

    /// The record in `slot`: generated record `i` comes from `generate(i)` (one of the `base`
    /// generated records) unless a write replaced it.
    pub(super) fn get<'a>(
        &'a self,
        base: u64,
        slot: Slot,
        generate: impl FnOnce(u64) -> Generated,
    ) -> Option<Cow<'a, Generated>> {
        match slot {
            Slot::Base(i) => match self.changed.get(&i) {
                Some(Some(g)) => Some(Cow::Borrowed(g)),
                Some(None) => None,
                None => (i < base).then(|| Cow::Owned(generate(i))),
            },
            Slot::Created(i) => self.created.get(i)?.as_ref().map(Cow::Borrowed),
        }
    }

    /// Adds a created record.
    pub(super) fn insert(&mut self, record: Generated) {
        self.created_index
            .insert(record.record_id.clone(), self.created.len());
        self.created.push(Some(record));
        self.order = OnceLock::new();
    }

    /// Replaces the record in `slot`.
    pub(super) fn replace(&mut self, slot: Slot, record: Generated) {
        match slot {
            Slot::Base(i) => {
                self.changed.insert(i, Some(record));
            }
            Slot::Created(i) => {
                if let Some(entry) = self.created.get_mut(i) {
                    *entry = Some(record);
                }
            }
        }
    }

    /// Deletes the record in `slot`.
    pub(super) fn remove(&mut self, slot: Slot) {
        match slot {
            Slot::Base(i) => {
                if !matches!(self.changed.insert(i, None), Some(None)) {
                    self.deleted_base += 1;
                }
            }
            Slot::Created(i) => {
                if let Some(Some(r)) = self.created.get_mut(i).map(Option::take) {
                    self.created_index.remove(&r.record_id);
                    self.deleted_created += 1;
                }
            }
        }
        self.order = OnceLock::new();
    }

    /// Applies `f` to every record a write replaced or created (a field was renamed or
    /// deleted).
    pub(super) fn for_each_stored(&mut self, mut f: impl FnMut(&mut Generated)) {
        self.changed.values_mut().flatten().for_each(&mut f);
        self.created.iter_mut().flatten().for_each(f);
    }

    /// Forgets the indexes that depend on the generated record count (it changed).
    pub(super) fn base_changed(&mut self, records: u64) {
        self.deleted_base = self
            .changed
            .iter()
            .filter(|(i, r)| **i < records && r.is_none())
            .count() as u64;
        self.base_index = OnceLock::new();
        self.order = OnceLock::new();
    }
}
