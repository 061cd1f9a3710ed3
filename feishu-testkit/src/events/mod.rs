//! The tenant's events: what Feishu would push to the app, by webhook or over the long
//! connection, with fault knobs.
//!
//! Reach it with [`FakeTenant::events`](crate::FakeTenant::events), which returns the
//! [`EventsKnobs`] handle. The first call starts the events side (a thread of its own with
//! the websocket server and the webhook poster); from then on:
//!
//! - Knobs that change data emit the matching event:
//!   [`ApprovalKnobs::set_instance_status`](crate::ApprovalKnobs::set_instance_status) and
//!   [`ApprovalKnobs::add_instance`](crate::ApprovalKnobs::add_instance) emit
//!   `approval_instance`; [`ContactKnobs::add_user`](crate::ContactKnobs::add_user),
//!   [`rename_user`](crate::ContactKnobs::rename_user) and
//!   [`delete_user`](crate::ContactKnobs::delete_user) emit `contact.user.created_v3`,
//!   `updated_v3` and `deleted_v3`; every Bitable record write (create, update, delete and
//!   their batches, through the API) to a Base subscribed with Drive's subscribe emits
//!   `drive.file.bitable_record_changed_v1`;
//!   [`FakeTenant::push_app_ticket`](crate::FakeTenant::push_app_ticket) and the
//!   `app_ticket/resend` endpoint emit `app_ticket` (for the store app). Anything else can be
//!   emitted by hand with [`EventsKnobs::emit`] and the builders of [`EventTarget`].
//! - Emitted events are queued for the long connection and, when
//!   [`EventsKnobs::set_webhook_url`] is set, posted to that URL in order (signed and
//!   encrypted when [`EventsKnobs::set_encrypt_key`] is set), retried on a non-200 answer.
//! - [`EventsKnobs::post`] posts one envelope directly and returns the answer.
//! - The long connection: `POST /callback/ws/endpoint` on the tenant's base URL (no token:
//!   `{"AppID", "AppSecret"}` of the custom app in the body) answers `{code: 0, data: {URL:
//!   "ws://127.0.0.1:<port>/ws?device_id=..&service_id=1", ClientConfig}}`; the websocket
//!   speaks the protobuf frames of oapi-sdk-go `ws/`: it answers pings with pongs carrying
//!   the client config, sends each queued event as a data frame (split into fragments with
//!   [`EventsKnobs::set_fragments`]) and records the acknowledgements. Events not
//!   acknowledged with code 200 when a connection ends, or within
//!   [`EventsKnobs::set_ack_timeout`], are delivered again, as Feishu does.
//!
//! Fault knobs: [`EventsKnobs::drop_connections`], [`EventsKnobs::drop_after_events`],
//! [`EventsKnobs::set_ack_timeout`] (late acknowledgements cause redelivery),
//! [`EventsKnobs::redeliver`], [`EventsKnobs::fail_endpoint`].

mod background;
pub mod crypto;
mod endpoint;
mod frame;
mod knobs;
mod long_connection;
pub mod payloads;
mod shared;
mod webhook;

use std::sync::{Arc, OnceLock};

use serde_json::Value;

pub use knobs::EventsKnobs;
pub use payloads::EventTarget;
pub use shared::{AckRecord, LongConnectionConfig};
pub use webhook::WebhookDelivery;

use self::shared::Shared;
use crate::auth::AuthConfig;
use crate::event_hub::{Change, EventHub, Subscriber, UserChange};
use crate::reply::Reply;
use crate::request::RequestView;
use crate::service::{FakeService, only};

/// The events service: the long-connection endpoint, and the events side it starts on first
/// use and subscribes to the tenant's [`EventHub`].
#[derive(Debug)]
pub(crate) struct EventsService {
    /// The apps events are addressed to, and the secret the endpoint checks.
    config: AuthConfig,
    hub: EventHub,
    shared: OnceLock<Arc<Shared>>,
}

impl EventsService {
    /// A service for the apps of `config` (the auth service's), hearing `hub`'s changes once
    /// started.
    pub(crate) fn new(config: AuthConfig, hub: EventHub) -> EventsService {
        EventsService {
            config,
            hub,
            shared: OnceLock::new(),
        }
    }

    /// The knobs and records, starting the events side on the first call.
    pub(crate) fn knobs(&self) -> EventsKnobs {
        EventsKnobs::new(Arc::clone(self.shared()))
    }

    fn shared(&self) -> &Arc<Shared> {
        self.shared.get_or_init(|| {
            let shared = background::start(&self.config);
            self.hub
                .subscribe(Arc::clone(&shared) as Arc<dyn Subscriber>);
            shared
        })
    }
}

/// Serves `POST /callback/ws/endpoint`, without a bearer token (the credentials are in the
/// body).
impl FakeService for EventsService {
    fn handle(&self, req: &RequestView) -> Option<Reply> {
        if req.path != endpoint::PATH {
            return None;
        }
        Some(only(req, "POST", || endpoint::answer(self.shared(), req)))
    }
}

/// Turns the services' announcements into events.
impl Subscriber for Shared {
    fn on_change(&self, change: Change<'_>) {
        let envelope = match change {
            Change::ApprovalInstance {
                approval_code,
                instance_code,
                status,
            } => self
                .custom
                .approval_instance(approval_code, instance_code, status),
            Change::AppTicket { event } => event.clone(),
            Change::User { change, user, old } => match change {
                UserChange::Created => self.custom.user_created(user.clone()),
                UserChange::Updated => self
                    .custom
                    .user_updated(user.clone(), old.cloned().unwrap_or_default()),
                UserChange::Deleted => self.custom.user_deleted(user.clone()),
            },
            Change::BitableRecords {
                app_token,
                table_id,
                revision,
                actions,
            } => {
                let actions: Vec<(&str, &str, Value)> = actions
                    .iter()
                    .map(|a| {
                        (
                            a.record_id.as_str(),
                            a.action,
                            Value::Object(a.after.clone()),
                        )
                    })
                    .collect();
                self.custom
                    .bitable_record_changed(app_token, table_id, revision, &actions)
            }
        };
        self.emit(envelope);
    }
}
