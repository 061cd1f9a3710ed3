//! From events to objects to read again: what each event type names, and the queue of
//! events waiting for their re-read, coalesced by object.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use feishu_core::UserIdType;
use feishu_events::bitable::{RecordActionKind, RecordChanged};
use feishu_events::contact::User;
use feishu_events::{Ack, Delivery, Event, EventKind};

use crate::catalog::all_streams;
use crate::module::Module;
use crate::read::{Batch, UserTarget};
use crate::{Source, SourceConfig};

/// One object an event names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Change {
    /// An approval instance changed: read it again (its five streams).
    Instance { code: String, instance: String },
    /// A user changed (`deleted: false`: read again) or left (`deleted: true`: a tombstone).
    User { id: String, deleted: bool },
    /// A Bitable record was added or edited (`deleted: false`: read again) or deleted
    /// (`deleted: true`: a tombstone).
    Record {
        table: String,
        record: String,
        deleted: bool,
    },
}

impl Change {
    /// The module whose lane reads it.
    pub(super) fn module(&self) -> Module {
        match self {
            Change::Instance { .. } => Module::Approval,
            Change::User { .. } => Module::Contact,
            Change::Record { .. } => Module::Bitable,
        }
    }
}

/// The Base a watch reads, and its tables (`None`: every table).
#[derive(Debug, Clone)]
pub(super) struct BaseScope {
    pub(super) app_token: String,
    tables: Option<BTreeSet<String>>,
}

/// What a watch reacts to: the objects of the config's selected streams.
#[derive(Debug, Clone)]
pub(super) struct Scope {
    /// Approval codes whose instances are read, when an approval stream is selected.
    approval_codes: Option<BTreeSet<String>>,
    /// The id type users are keyed by, when `contact_users` is selected.
    user_id_type: Option<UserIdType>,
    /// The Base, when `bitable_records` is selected.
    base: Option<BaseScope>,
}

impl Scope {
    pub(super) fn new(config: &SourceConfig, selected: &BTreeSet<String>) -> Self {
        let wanted: BTreeSet<Module> = all_streams()
            .iter()
            .filter(|s| selected.contains(s.name))
            .map(|s| s.module)
            .collect();
        let approval_codes = config
            .approval
            .as_ref()
            .filter(|_| wanted.contains(&Module::Approval))
            .map(|a| a.approval_codes.iter().cloned().collect());
        let user_id_type = config
            .contact
            .as_ref()
            .filter(|_| wanted.contains(&Module::Contact))
            .map(|c| c.user_id_type);
        let base = config
            .bitable
            .as_ref()
            .filter(|_| wanted.contains(&Module::Bitable))
            .map(|b| BaseScope {
                app_token: b.app_token.clone(),
                tables: b.tables().map(|t| t.into_iter().collect()),
            });
        Scope {
            approval_codes,
            user_id_type,
            base,
        }
    }

    /// The Base whose record events are read, if any.
    pub(super) fn base(&self) -> Option<&BaseScope> {
        self.base.as_ref()
    }

    /// The modules whose objects events name, in this scope.
    pub(super) fn modules(&self) -> Vec<Module> {
        let mut modules = Vec::new();
        if self.approval_codes.is_some() {
            modules.push(Module::Approval);
        }
        if self.user_id_type.is_some() {
            modules.push(Module::Contact);
        }
        if self.base.is_some() {
            modules.push(Module::Bitable);
        }
        modules
    }

    /// The approval codes whose events are read, if any.
    pub(super) fn approval_codes(&self) -> Option<Vec<String>> {
        self.approval_codes
            .as_ref()
            .map(|codes| codes.iter().cloned().collect())
    }

    /// The objects `event` names within the scope (none for an event the watch does not
    /// react to), or why an event that should name one does not.
    pub(super) fn changes(&self, event: &Event) -> Result<Vec<Change>, String> {
        let instance = |code: &str, instance: &str| {
            let watched = self.approval_codes.as_ref()?.contains(code) && !instance.is_empty();
            watched.then(|| Change::Instance {
                code: code.to_string(),
                instance: instance.to_string(),
            })
        };
        Ok(match &event.kind {
            EventKind::ApprovalInstance(c) => instance(&c.approval_code, &c.instance_code)
                .into_iter()
                .collect(),
            EventKind::ApprovalTask(t) => instance(&t.approval_code, &t.instance_code)
                .into_iter()
                .collect(),
            EventKind::UserCreated(u) | EventKind::UserUpdated(u) => {
                self.user(&u.object, None, false)?.into_iter().collect()
            }
            EventKind::UserDeleted(u) => self
                .user(&u.object, u.old_object.as_ref(), true)?
                .into_iter()
                .collect(),
            EventKind::BitableRecordChanged(r) => self.records(r),
            _ => Vec::new(),
        })
    }

    /// The records a record-changed event names, when it is about the config's Base and one
    /// of its tables. An action of an unknown kind reads the record again.
    fn records(&self, event: &RecordChanged) -> Vec<Change> {
        let Some(base) = &self.base else {
            return Vec::new();
        };
        let ours = event.file_token == base.app_token
            && !event.table_id.is_empty()
            && base
                .tables
                .as_ref()
                .is_none_or(|tables| tables.contains(&event.table_id));
        if !ours {
            return Vec::new();
        }
        event
            .action_list
            .iter()
            .filter(|a| !a.record_id.is_empty())
            .map(|a| Change::Record {
                table: event.table_id.clone(),
                record: a.record_id.clone(),
                deleted: a.action == RecordActionKind::Deleted,
            })
            .collect()
    }

    /// The user an event names, by the config's id type (looked up in `old` too: a
    /// deletion's `old_object` keeps the open id).
    fn user(
        &self,
        user: &User,
        old: Option<&User>,
        deleted: bool,
    ) -> Result<Option<Change>, String> {
        let Some(id_type) = self.user_id_type else {
            return Ok(None);
        };
        let id_of = |u: &User| {
            match id_type {
                UserIdType::UnionId => u.union_id.clone(),
                UserIdType::UserId => u.user_id.clone(),
                _ => u.open_id.clone(),
            }
            .filter(|id| !id.is_empty())
        };
        match id_of(user).or_else(|| old.and_then(id_of)) {
            Some(id) => Ok(Some(Change::User { id, deleted })),
            None => Err(format!(
                "a user event carries no {id_type} (missing scope \
                 contact:user.employee_id:readonly?); the user is read at the next \
                 reconciliation"
            )),
        }
    }
}

/// An event waiting for its re-read (or, without an acknowledgement, objects a complete
/// read found gone).
struct Waiting {
    changes: Vec<Change>,
    ack: Option<Ack>,
    /// Feishu's create time (Unix ms) and the event id.
    created_ms: Option<i64>,
    event_id: String,
}

/// Events of one module waiting for their re-read, oldest first.
#[derive(Default)]
pub(super) struct Pending {
    queue: VecDeque<Waiting>,
}

/// The events of one batch: what to read, and the acknowledgements it settles.
pub(super) struct Taken {
    /// The objects to read, each once.
    pub(super) batch: Batch,
    /// The events' acknowledgements.
    pub(super) acks: Vec<Ack>,
    /// The newest event of the batch: its create time (Unix ms) and id.
    pub(super) newest: Option<(i64, String)>,
    /// How many events the batch covers.
    pub(super) events: u64,
}

impl Pending {
    pub(super) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Queues `delivery` for its `changes` (not empty).
    pub(super) fn push(&mut self, delivery: Delivery, changes: Vec<Change>) {
        let Delivery { event, ack, .. } = delivery;
        self.queue.push_back(Waiting {
            changes,
            ack: Some(ack),
            created_ms: event.header.create_time_ms,
            event_id: event.header.event_id,
        });
    }

    /// Queues `changes` no event asked for (deletions a complete read found).
    pub(super) fn push_unasked(&mut self, changes: Vec<Change>) {
        self.queue.push_back(Waiting {
            changes,
            ack: None,
            created_ms: None,
            event_id: String::new(),
        });
    }

    /// The oldest events, whole, until they name `max` objects (at least one event); an
    /// object named by several of them is read once, with the latest event's intent.
    pub(super) fn take(&mut self, max: usize) -> Taken {
        let mut instances = BTreeSet::new();
        let mut users: BTreeMap<String, bool> = BTreeMap::new();
        let mut records: BTreeMap<(String, String), bool> = BTreeMap::new();
        let mut acks = Vec::new();
        let mut newest: Option<(i64, String)> = None;
        let mut named = 0;
        let mut events = 0;
        while let Some(waiting) = self.queue.front() {
            if named > 0 && named + waiting.changes.len() > max {
                break;
            }
            let Some(waiting) = self.queue.pop_front() else {
                break;
            };
            named += waiting.changes.len();
            for change in waiting.changes {
                match change {
                    Change::Instance { code, instance } => {
                        instances.insert((code, instance));
                    }
                    Change::User { id, deleted } => {
                        users.insert(id, deleted);
                    }
                    Change::Record {
                        table,
                        record,
                        deleted,
                    } => {
                        records.insert((table, record), deleted);
                    }
                }
            }
            let Some(ack) = waiting.ack else {
                continue;
            };
            events += 1;
            acks.push(ack);
            if let Some(created) = waiting.created_ms
                && newest.as_ref().is_none_or(|(t, _)| created >= *t)
            {
                newest = Some((created, waiting.event_id));
            }
        }
        let mut batch = Batch {
            approval: instances.into_iter().collect(),
            contact: users
                .into_iter()
                .map(|(id, deleted)| {
                    if deleted {
                        UserTarget::Deleted(id)
                    } else {
                        UserTarget::Read(id)
                    }
                })
                .collect(),
            bitable: Vec::new(),
        };
        for ((table, record), deleted) in records {
            batch.add_record(table, record, deleted);
        }
        Taken {
            batch,
            acks,
            newest,
            events,
        }
    }
}

/// Hands a store app's `app_ticket` to the source's client; `true` when `event` was one.
pub(super) fn take_app_ticket(source: &Source, event: &Event) -> bool {
    match &event.kind {
        EventKind::AppTicket(ticket) => {
            ticket.hand_to(source.client());
            true
        }
        _ => false,
    }
}
