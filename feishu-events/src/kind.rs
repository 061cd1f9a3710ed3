//! The typed events this SDK reads, and the dispatch from an event type to its model.

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::app_ticket::AppTicket;
use crate::approval::{InstanceStatusChanged, TaskStatusChanged};
use crate::bitable::RecordChanged;
use crate::contact::{DepartmentEvent, UserEvent};
use crate::error::{DecodeError, Error, Result};

/// Event type names, as Feishu spells them.
pub mod types {
    /// Approval instance status changed, v1 form
    /// (<https://open.feishu.cn/document/ukTMukTMukTM/uIDO24iM4YjLygjN/event/common-event/approval-instance-event>).
    pub const APPROVAL_INSTANCE: &str = "approval_instance";
    /// Approval instance status changed, v2 form (node-sdk `code-gen/events-template.ts`).
    pub const APPROVAL_INSTANCE_V4: &str = "approval.instance.status_changed_v4";
    /// Approval task status changed, v1 form
    /// (<https://open.feishu.cn/document/ukTMukTMukTM/uIDO24iM4YjLygjN/event/common-event/approval-task-event>).
    pub const APPROVAL_TASK: &str = "approval_task";
    /// A user joined (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/user/events/created>).
    pub const USER_CREATED: &str = "contact.user.created_v3";
    /// A user changed (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/user/events/updated>).
    pub const USER_UPDATED: &str = "contact.user.updated_v3";
    /// A user left (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/user/events/deleted>).
    pub const USER_DELETED: &str = "contact.user.deleted_v3";
    /// A department was created (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/department/events/created>).
    pub const DEPARTMENT_CREATED: &str = "contact.department.created_v3";
    /// A department changed (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/department/events/updated>).
    pub const DEPARTMENT_UPDATED: &str = "contact.department.updated_v3";
    /// A department was deleted (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/department/events/deleted>).
    pub const DEPARTMENT_DELETED: &str = "contact.department.deleted_v3";
    /// Records of a subscribed Bitable changed
    /// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/drive-v1/file/events/bitable_record_changed>).
    pub const BITABLE_RECORD_CHANGED: &str = "drive.file.bitable_record_changed_v1";
    /// The hourly `app_ticket` of a store app
    /// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/application-v6/event/app_ticket-events>).
    pub const APP_TICKET: &str = "app_ticket";
}

/// The content of an event, typed for the events this SDK reads.
///
/// Feishu keeps adding event types; those this crate does not model arrive as
/// [`EventKind::Unknown`] with their raw JSON, never dropped.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum EventKind {
    /// An approval instance changed status (`approval_instance`, or
    /// `approval.instance.status_changed_v4`).
    ApprovalInstance(InstanceStatusChanged),
    /// An approval task changed status (`approval_task`).
    ApprovalTask(TaskStatusChanged),
    /// A user joined (`contact.user.created_v3`).
    UserCreated(Box<UserEvent>),
    /// A user's profile changed (`contact.user.updated_v3`); `old_object` has the previous
    /// values of the changed fields.
    UserUpdated(Box<UserEvent>),
    /// A user left (`contact.user.deleted_v3`).
    UserDeleted(Box<UserEvent>),
    /// A department was created (`contact.department.created_v3`).
    DepartmentCreated(Box<DepartmentEvent>),
    /// A department changed (`contact.department.updated_v3`).
    DepartmentUpdated(Box<DepartmentEvent>),
    /// A department was deleted (`contact.department.deleted_v3`).
    DepartmentDeleted(Box<DepartmentEvent>),
    /// Records of a subscribed Bitable table changed (`drive.file.bitable_record_changed_v1`).
    BitableRecordChanged(Box<RecordChanged>),
    /// A store app's `app_ticket`; hand it to the client with [`AppTicket::hand_to`].
    AppTicket(AppTicket),
    /// Any other event type, with its raw `event` object.
    Unknown {
        /// The event type as Feishu named it.
        event_type: String,
        /// The raw `event` object.
        raw: Box<RawValue>,
    },
}

impl EventKind {
    /// Decodes the `event` object of the event `event_id` of type `event_type`.
    pub(crate) fn decode(event_type: &str, event_id: &str, body: &RawValue) -> Result<EventKind> {
        use types::*;
        let event = Typed {
            event_type,
            event_id,
            body,
        };
        let kind = match event_type {
            APPROVAL_INSTANCE | APPROVAL_INSTANCE_V4 => {
                EventKind::ApprovalInstance(event.decode()?)
            }
            APPROVAL_TASK => EventKind::ApprovalTask(event.decode()?),
            USER_CREATED => EventKind::UserCreated(event.decode()?),
            USER_UPDATED => EventKind::UserUpdated(event.decode()?),
            USER_DELETED => EventKind::UserDeleted(event.decode()?),
            DEPARTMENT_CREATED => EventKind::DepartmentCreated(event.decode()?),
            DEPARTMENT_UPDATED => EventKind::DepartmentUpdated(event.decode()?),
            DEPARTMENT_DELETED => EventKind::DepartmentDeleted(event.decode()?),
            BITABLE_RECORD_CHANGED => EventKind::BitableRecordChanged(event.decode()?),
            APP_TICKET => EventKind::AppTicket(event.decode()?),
            other => EventKind::Unknown {
                event_type: other.to_owned(),
                raw: body.to_owned(),
            },
        };
        Ok(kind)
    }
}

/// The `event` object of one event, with what names it in an error.
struct Typed<'a> {
    event_type: &'a str,
    event_id: &'a str,
    body: &'a RawValue,
}

impl Typed<'_> {
    /// Decodes the body into `T`, keeping the raw JSON in the error when it does not fit.
    fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_str(self.body.get()).map_err(|e| {
            Error::Decode(Box::new(DecodeError {
                event_type: self.event_type.to_owned(),
                event_id: self.event_id.to_owned(),
                message: e.to_string(),
                raw: self.body.to_owned(),
            }))
        })
    }
}
