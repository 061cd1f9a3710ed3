//! Where services announce the changes that Feishu would push to an app as events.
//!
//! Approval, Contact, Bitable and Auth change data apps subscribe to (an instance's status,
//! a user, a subscribed Base's records, the store app's ticket); the events side turns those changes into event envelopes. Neither knows the
//! other: both hold this hub, and the events side subscribes to it when a test first asks
//! for it. Until then announcements go nowhere, so a tenant whose test never looks at events
//! starts no events machinery and records nothing.

use std::fmt::Debug;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

/// A change an app could subscribe to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Change<'a> {
    /// An approval instance was created or changed status (`approval_instance`).
    ApprovalInstance {
        approval_code: &'a str,
        instance_code: &'a str,
        status: &'a str,
    },
    /// The store app was given a new ticket; `event` is its `app_ticket` envelope.
    AppTicket { event: &'a Value },
    /// A user joined, changed or left (`contact.user.{created,updated,deleted}_v3`): the
    /// user object as Contact answers it, and for an update the previous values of the
    /// changed fields.
    User {
        change: UserChange,
        user: &'a Value,
        old: Option<&'a Value>,
    },
    /// Records of a table of a subscribed Base were written
    /// (`drive.file.bitable_record_changed_v1`).
    BitableRecords {
        app_token: &'a str,
        table_id: &'a str,
        revision: i64,
        actions: &'a [RecordAction],
    },
}

/// What a write did to one record.
#[derive(Debug, Clone)]
pub(crate) struct RecordAction {
    pub(crate) record_id: String,
    /// `record_added`, `record_edited` or `record_deleted`.
    pub(crate) action: &'static str,
    /// The values written, by field id.
    pub(crate) after: serde_json::Map<String, Value>,
}

/// What happened to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserChange {
    Created,
    Updated,
    Deleted,
}

/// What hears the announcements: the events side.
pub(crate) trait Subscriber: Debug + Send + Sync {
    /// Called synchronously by the service that made the change, after the change is visible.
    fn on_change(&self, change: Change<'_>);
}

/// The hub, shared by the announcing services and the events side. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub(crate) struct EventHub {
    subscriber: Arc<OnceLock<Arc<dyn Subscriber>>>,
}

impl EventHub {
    /// Sends every later announcement to `subscriber`. There is one subscriber per tenant:
    /// a second one is ignored.
    pub(crate) fn subscribe(&self, subscriber: Arc<dyn Subscriber>) {
        let _ = self.subscriber.set(subscriber);
    }

    /// Tells the subscriber about `change`, if there is one.
    pub(crate) fn announce(&self, change: Change<'_>) {
        if let Some(subscriber) = self.subscriber.get() {
            subscriber.on_change(change);
        }
    }
}
