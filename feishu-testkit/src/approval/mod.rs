//! Approval v4 of the fake tenant: definitions, instance code listing, instance detail and
//! instance query, over a seeded, deterministic dataset
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval-overview>).
//!
//! # Endpoints
//!
//! - `GET /open-apis/approval/v4/approvals/:approval_code` → the definition (`form` is a JSON
//!   *string*; `fieldList` sub-widgets under `children`, control groups under `value`).
//!   Unknown code → 1390002, deleted definition ([`APPROVAL_CODE_DELETED`]) → 1390016, bad
//!   `locale` / `user_id_type` → 1390001.
//! - `GET /open-apis/approval/v4/instances?approval_code=&start_time=&end_time=&page_size=&page_token=`
//!   → `{instance_code_list, has_more, page_token?}`: codes of instances whose creation time is
//!   in the window `[start_time, end_time]` (Unix ms; inclusive unless
//!   [`ApprovalKnobs::set_window_end`] makes it exclusive, as the documentation does not say),
//!   ordered by creation time (ties by code) unless [`ApprovalKnobs::shuffle_listing`] shuffles
//!   each window. `page_size` 1–100 (default 100). Page tokens are opaque (they contain
//!   `/`, `+` and `=`) and bound to the query they came from. Missing or non-numeric
//!   `approval_code` / `start_time` / `end_time`, `end_time < start_time`, a bad `page_size`
//!   or page token → HTTP 400, 1390001; unknown approval code → 1390002.
//!   A window longer than 10 hours → HTTP 400, 1390001. **The real service's enforcement of
//!   the 10-hour limit is UNCONFIRMED** (the docs only warn); turn it off with
//!   [`ApprovalDataset::enforce_window`].
//! - `GET /open-apis/approval/v4/instances/:instance_id` (instance code or the creation
//!   `uuid`) → the instance detail with `form` as a JSON string, `task_list`, `timeline`,
//!   `comment_list`. Unknown → HTTP 400, 1390003; denied with [`ApprovalKnobs::deny_instance`]
//!   → HTTP 403, 1390009; bad `locale` / `user_id_type` → 1390001.
//! - `POST /open-apis/approval/v4/instances/query?page_size=&page_token=&user_id_type=` with
//!   the documented filters → `{count, instance_list, has_more, page_token?}` with lower-case
//!   statuses. `page_size` 5–200 (default 10); no identifying filter, only one of
//!   `instance_start_time_from`/`_to`, a span over 30 days, an unknown `instance_status` →
//!   1390001; unknown approval code → 1390002; unknown instance code → 1390003.
//!
//! # Write endpoints
//!
//! - `POST /open-apis/approval/v4/instances` (create): `approval_code` (unknown → 1390002,
//!   deleted → 1390016), the initiator by `user_id` or `open_id` (`user_id` wins; unknown →
//!   1390004), `form` a JSON array serialised to a string, checked against the definition's
//!   form (see below), `uuid` 1–64 characters: a uuid already used (compared ignoring case)
//!   → HTTP 400, 60012 and no new instance. The first user of `node_approver_user_id_list` /
//!   `node_approver_open_id_list` approves, else the user after the initiator. The instance
//!   is PENDING with one PENDING task, created at the dataset's "now"; answers
//!   `{instance_code}` and emits `approval_instance`.
//! - Form checks (HTTP 400, 1390001, the message naming `控件=<widget id>`): the id is one of
//!   the definition's and keeps its type; `text`, `mutableGroup`, `account`, `serialNumber`,
//!   `tripGroup`, `remedyGroupV2` and the Core HR groups are refused; strings for
//!   `input`/`textarea`, numbers (or numeric strings) for `number`/`amount`/`formula`,
//!   RFC 3339 for `date` and `dateInterval` (`start` not after `end`), option **ids** for
//!   `radio`/`checkbox`, known users for `contact`, `[{open_id}]` for `department`,
//!   `{token, type: "docx"}` for `document`, `{countryCode, nationalNumber}` for `telephone`,
//!   `fieldList` rows and control-group members checked against the definition's columns and
//!   members; required widgets must have a value; a widget given twice is refused.
//! - `POST /open-apis/approval/v4/tasks/{approve,reject,transfer}?user_id_type=`: body
//!   `approval_code`, `instance_code`, `user_id`, `task_id` (+ `transfer_user_id`, `comment`,
//!   `form`). Unknown definition → 1390002, instance → 1390003, task → 1390010, user →
//!   1390004; a user who is not the task's approver → HTTP 403, 1390009; a task that is not
//!   PENDING → 1390001 (Feishu documents no code for it). Approving the last pending task
//!   approves the instance, rejecting rejects it (emitting `approval_instance`); a transfer
//!   opens a PENDING task for the new approver. The timeline records each action.
//! - `POST /open-apis/approval/v4/instances/cancel?user_id_type=`: only the initiator
//!   (else 1390009), only a PENDING instance (else 1390001); the instance becomes CANCELED.
//! - `POST` / `GET /open-apis/approval/v4/instances/:instance_id/comments?user_id_type=&user_id=`
//!   (`user_id` required): `content` must be a JSON object serialised to a string,
//!   `at_info_list` entries need `user_id`, `name`, `offset`; `parent_comment_id` replies,
//!   `comment_id` edits. The listing pages up to 1000 and adds `has_more` / `page_token` only
//!   when more follow.
//! - `POST /open-apis/approval/v4/approvals/:approval_code/{subscribe,unsubscribe}`: a repeat
//!   → 1390007 "subscription existed".
//!
//! Ground truth for tests of writes: [`ApprovalKnobs::instances_with_uuid`],
//! [`ApprovalKnobs::instance`] (task and instance statuses, timeline),
//! [`ApprovalKnobs::comment_texts`], [`ApprovalKnobs::is_subscribed`]; the people the
//! endpoints accept: [`ApprovalKnobs::user_ids`].
//!
//! # Dataset
//!
//! Built on first use from [`ApprovalDataset::default`] (or the one given to
//! [`ApprovalKnobs::set_dataset`]): two live definitions
//! ([`APPROVAL_CODE_PURCHASE`], [`APPROVAL_CODE_LEAVE`]) and a deleted one. The purchase form
//! carries every documented widget type ([`PURCHASE_WIDGET_TYPES`]) including a `fieldList`
//! of exactly 3 rows × 4 columns; the leave form has a `fieldList` with 0–2 rows. Statuses
//! mix PENDING, APPROVED, REJECTED, CANCELED and DELETED; timelines cover every documented
//! event type ([`TIMELINE_TYPES`]). Instances are spread over `span` before the dataset's
//! `now` (wall clock at build time unless [`ApprovalDataset::now_ms`] fixes it).
//!
//! Trouble a client must survive: [`ApprovalKnobs::delete_instance`] (listed, then gone:
//! 1390003), [`ApprovalKnobs::add_malformed_instance`] (`task_list` a string or an object),
//! [`ApprovalKnobs::set_instance_form`] (a malformed form string),
//! [`ApprovalKnobs::deny_instance`] (one instance the app may not read: 1390009).

mod catalog;
mod comment_store;
mod comments;
mod create;
mod data;
mod dataset;
mod form_rules;
mod handlers;
mod instance;
mod knobs;
mod listing;
mod people;
mod query;
mod subscription;
mod tasks;
mod widgets;

use std::sync::Mutex;

use crate::event_hub::{Change, EventHub};
use crate::reply::Reply;
use crate::request::RequestView;
use crate::service::{FakeService, only};

pub use self::catalog::{
    APPROVAL_CODE_DELETED, APPROVAL_CODE_LEAVE, APPROVAL_CODE_PURCHASE, DEFAULT_APPROVAL_SEED,
    INSTANCE_STATUSES, MAX_LIST_WINDOW_MS, PURCHASE_FIELD_LIST_ID, PURCHASE_WIDGET_TYPES,
    TIMELINE_TYPES,
};
use self::data::ApprovalData;
pub use self::dataset::ApprovalDataset;
pub use self::knobs::{ApprovalKnobs, MalformedTaskList};
pub use self::listing::WindowEnd;

const DEFINITION: &str = "/open-apis/approval/v4/approvals/:approval_code";
const INSTANCES: &str = "/open-apis/approval/v4/instances";
const INSTANCE: &str = "/open-apis/approval/v4/instances/:instance_id";
const QUERY: &str = "/open-apis/approval/v4/instances/query";
const CANCEL: &str = "/open-apis/approval/v4/instances/cancel";
const COMMENTS: &str = "/open-apis/approval/v4/instances/:instance_id/comments";
const TASK_ACTION: &str = "/open-apis/approval/v4/tasks/:action";
const SUBSCRIPTION: &str = "/open-apis/approval/v4/approvals/:approval_code/:subscription";

/// The Approval v4 service: its dataset behind its own lock, built on first use, and the hub
/// its knobs announce instance changes to.
#[derive(Debug)]
pub(crate) struct ApprovalService {
    data: Mutex<ApprovalData>,
    events: EventHub,
}

impl ApprovalService {
    /// A service announcing its instance changes to `events`.
    pub(crate) fn new(events: EventHub) -> ApprovalService {
        ApprovalService {
            data: Mutex::default(),
            events,
        }
    }

    /// The knobs and ground truth of this service.
    pub(crate) fn knobs(&self) -> ApprovalKnobs<'_> {
        ApprovalKnobs::new(&self.data, &self.events)
    }

    /// Announces an instance's new status (after the data lock is released).
    fn announce(&self, approval_code: &str, instance_code: &str, status: &str) {
        self.events.announce(Change::ApprovalInstance {
            approval_code,
            instance_code,
            status,
        });
    }

    /// The write endpoints.
    fn handle_write(&self, req: &RequestView) -> Option<Reply> {
        let data = &self.data;
        if req.method == "POST" && req.match_path(CANCEL).is_some() {
            let (reply, change) = tasks::cancel(data, req);
            if let Some(c) = change {
                self.announce(&c.approval_code, &c.instance_code, &c.status);
            }
            return Some(reply);
        }
        if let Some(params) = req.match_path(TASK_ACTION) {
            let action = match params[0] {
                "approve" => tasks::Action::Approve,
                "reject" => tasks::Action::Reject,
                "transfer" => tasks::Action::Transfer,
                _ => return None,
            };
            return Some(only(req, "POST", || {
                let (reply, change) = tasks::task_action(data, req, action);
                if let Some(c) = change {
                    self.announce(&c.approval_code, &c.instance_code, &c.status);
                }
                reply
            }));
        }
        if let Some(params) = req.match_path(COMMENTS) {
            let id = params[0].to_string();
            return Some(match req.method.as_str() {
                "POST" => comments::create_comment(data, req, &id),
                "GET" => comments::list_comments(data, req, &id),
                _ => Reply::method_not_allowed(req),
            });
        }
        if let Some(params) = req.match_path(SUBSCRIPTION) {
            let on = match params[1] {
                "subscribe" => true,
                "unsubscribe" => false,
                _ => return None,
            };
            let code = params[0].to_string();
            return Some(only(req, "POST", || {
                subscription::set_subscription(data, &code, on)
            }));
        }
        None
    }
}

impl FakeService for ApprovalService {
    fn handle(&self, req: &RequestView) -> Option<Reply> {
        let data = &self.data;
        if let Some(params) = req.match_path(DEFINITION) {
            let code = params[0].to_string();
            return Some(only(req, "GET", || {
                handlers::get_definition(data, req, &code)
            }));
        }
        if let Some(reply) = self.handle_write(req) {
            return Some(reply);
        }
        if req.match_path(INSTANCES).is_some() {
            return Some(match req.method.as_str() {
                "GET" => handlers::list_instances(data, req),
                "POST" => {
                    let (reply, created) = create::create_instance(data, req);
                    if let Some(c) = created {
                        self.announce(&c.approval_code, &c.instance_code, "PENDING");
                    }
                    reply
                }
                _ => Reply::method_not_allowed(req),
            });
        }
        if req.match_path(QUERY).is_some() && req.method == "POST" {
            return Some(query::query_instances(data, req));
        }
        if let Some(params) = req.match_path(INSTANCE) {
            let id = params[0].to_string();
            return Some(only(req, "GET", || handlers::get_instance(data, req, &id)));
        }
        None
    }
}
