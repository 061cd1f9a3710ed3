//! Contact v3 of the fake tenant: a seeded organisation (department tree, users in one or
//! more departments, resigned and frozen users), the app's contact range, and the read
//! endpoints (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/resources>):
//!
//! - `GET /open-apis/contact/v3/departments/:department_id` (`user_id_type`,
//!   `department_id_type`): an id breaking the documented pattern → 40001, unknown → 40015,
//!   outside the range → 40004
//! - `POST /open-apis/contact/v3/users/batch_get_id` (`user_id_type`; body `emails`,
//!   `mobiles`, at most 50 each, `include_resigned`): one entry per input, emails first,
//!   without `user_id` when not found (unknown, resigned without `include_resigned`,
//!   departed, outside the range, an enterprise address). User `i` has the email
//!   `<user_id>@example.com` and the mobile `138` + `i` as 8 digits
//!   ([`ContactKnobs::email_of`], [`ContactKnobs::mobile_of`])
//! - `GET /open-apis/contact/v3/departments/:department_id/children` (`fetch_child`,
//!   `user_id_type`, `department_id_type`, `page_size` 1–50 default 10, `page_token`)
//! - `GET /open-apis/contact/v3/users/find_by_department` (direct members only)
//! - `GET /open-apis/contact/v3/users/:user_id`
//! - `GET /open-apis/contact/v3/users/batch` (`user_ids` repeated, ≤ 50)
//! - `GET /open-apis/contact/v3/scopes` (`page_size` 1–100 default 50; users first, then
//!   departments, then groups; `user_ids` left out under
//!   [`ContactKnobs::withhold_scope_user_ids`])
//! - `GET /open-apis/contact/v3/group/:group_id/member/simplelist` (`member_type`,
//!   `member_id_type`, `page_size` 1–100 default 50): a group's user or department members
//!
//! Errors as documented: bad `user_id_type` / `department_id_type` / missing parameter /
//! more than 50 `user_ids` → 40001 (HTTP 400); bad `page_size` → 40011, bad `page_token` →
//! 40012 (HTTP 400); a department unknown or outside the contact range (the root `0` when the
//! range is not "all members") → 40004 (HTTP 403); a user outside the range → 41050
//! (HTTP 400); an unknown user id → 41012 (HTTP 400); `fetch_child=true` over a subtree
//! larger than [`ContactKnobs::set_recursion_limit`] → 43010 (HTTP 400). `users/batch`
//! silently drops unknown and out-of-range ids, as Feishu does. Group members: bad
//! `member_id_type` → 41071, `member_type` / `member_id_type` mismatch → 41072, bad
//! `member_type` → 41074, unknown group → 42002 (HTTP 400), a group outside the range →
//! 42009 (HTTP 403).
//!
//! Dataset conventions: departments are numbered `D001`, `D002`, ... (custom
//! `department_id`) in breadth-first order below the virtual root `0`; their
//! `open_department_id` is `od-` + 32 hex digits. User `i` has `user_id` = 10 hex digits,
//! `open_id` = `ou_` + 32 hex, `union_id` = `on_` + 32 hex and `employee_no` = `E00001`....
//! Resigned users stay members of their departments here (with `status.is_resigned: true`)
//! so that status filters can be tested. Departed users ([`ContactKnobs::depart_user`]) are
//! gone from every answer; a successor ([`ContactKnobs::hire_successor`]) may take over their
//! `user_id` and `employee_no`. The default organisation has 3 user groups
//! ([`ContactKnobs::group_ids`]), each with a few users and one department.

mod data;
mod dataset;
mod grant;
mod groups;
mod handlers;
mod knobs;
mod lookup;
mod render;
mod staffing;

use std::sync::Mutex;

use crate::directory::DirectoryHandle;
use crate::event_hub::EventHub;
use crate::reply::Reply;
use crate::request::RequestView;
use crate::service::{FakeService, only};

use self::data::ContactData;
pub use self::dataset::{ContactDataset, ContactRange};
pub use self::knobs::ContactKnobs;

const CHILDREN: &str = "/open-apis/contact/v3/departments/:department_id/children";
const DEPARTMENT: &str = "/open-apis/contact/v3/departments/:department_id";
const BATCH_GET_ID: &str = "/open-apis/contact/v3/users/batch_get_id";
const FIND_BY_DEPARTMENT: &str = "/open-apis/contact/v3/users/find_by_department";
const BATCH: &str = "/open-apis/contact/v3/users/batch";
const USER: &str = "/open-apis/contact/v3/users/:user_id";
const SCOPES: &str = "/open-apis/contact/v3/scopes";
const GROUP_MEMBERS: &str = "/open-apis/contact/v3/group/:group_id/member/simplelist";

/// The Contact v3 service: the organisation, behind its own lock, and the directory it
/// publishes for the other services.
#[derive(Debug)]
pub(crate) struct ContactService {
    data: Mutex<ContactData>,
    directory: DirectoryHandle,
    /// Where user changes made by the knobs are announced.
    events: EventHub,
}

impl ContactService {
    /// The default organisation, published to `directory`; user changes are announced to
    /// `events`.
    pub(crate) fn new(directory: DirectoryHandle, events: EventHub) -> ContactService {
        let data = ContactData::default();
        directory.publish(data.directory());
        ContactService {
            data: Mutex::new(data),
            directory,
            events,
        }
    }

    /// The knobs and ground truth of this service.
    pub(crate) fn knobs(&self) -> ContactKnobs<'_> {
        ContactKnobs::new(&self.data, &self.directory, &self.events)
    }
}

impl FakeService for ContactService {
    fn handle(&self, req: &RequestView) -> Option<Reply> {
        let data = &self.data;
        if !req.path.starts_with("/open-apis/contact/v3/") {
            return None;
        }
        if let Some(p) = req.match_path(CHILDREN) {
            let id = p[0].to_owned();
            return Some(only(req, "GET", || handlers::children(data, req, &id)));
        }
        if let Some(p) = req.match_path(DEPARTMENT) {
            let id = p[0].to_owned();
            return Some(only(req, "GET", || {
                handlers::get_department(data, req, &id)
            }));
        }
        if req.match_path(BATCH_GET_ID).is_some() {
            return Some(only(req, "POST", || lookup::batch_get_id(data, req)));
        }
        if req.match_path(FIND_BY_DEPARTMENT).is_some() {
            return Some(only(req, "GET", || handlers::find_by_department(data, req)));
        }
        if req.match_path(BATCH).is_some() {
            return Some(only(req, "GET", || handlers::batch(data, req)));
        }
        if let Some(p) = req.match_path(USER) {
            let id = p[0].to_owned();
            return Some(only(req, "GET", || handlers::get_user(data, req, &id)));
        }
        if req.match_path(SCOPES).is_some() {
            return Some(only(req, "GET", || handlers::scopes(data, req)));
        }
        if let Some(p) = req.match_path(GROUP_MEMBERS) {
            let id = p[0].to_owned();
            return Some(only(req, "GET", || handlers::group_members(data, req, &id)));
        }
        None
    }
}
