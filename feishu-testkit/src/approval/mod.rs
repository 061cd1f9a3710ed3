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
mod data;
mod dataset;
mod handlers;
mod instance;
mod knobs;
mod listing;
mod people;
mod query;
mod widgets;

use std::sync::Mutex;

use crate::event_hub::EventHub;
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
        if req.match_path(INSTANCES).is_some() {
            return Some(only(req, "GET", || handlers::list_instances(data, req)));
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
