//! Attendance v1 of the fake tenant: punch flows and punch results (tasks) of the tenant's
//! people, generated deterministically per user and day
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/user_flow/query>,
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/user_task/query>).
//!
//! - `POST /open-apis/attendance/v1/user_flows/query?employee_type=&include_terminated_user=`
//!   body `{user_ids, check_time_from, check_time_to}` (Unix seconds as strings, `[from, to)`)
//!   → `data.user_flow_results[]`.
//! - `POST /open-apis/attendance/v1/user_tasks/query?employee_type=&ignore_invalid_users=&include_terminated_user=`
//!   body `{user_ids, check_date_from, check_date_to}` (`yyyyMMdd` numbers, both inclusive)
//!   → `data.user_task_results[]`, `invalid_user_ids`, `unauthorized_user_ids`.
//!
//! Users are the Contact users: `employee_type=employee_id` names them by Contact `user_id`,
//! `employee_no` by their `employee_no`. Days are China time (UTC+8). On a workday (Mon–Fri)
//! a user punches in around 09:00 and out around 18:00, sometimes once more around noon, and is
//! absent on about one workday in twenty; weekends have no punches. Every workday has one
//! task result per user (`Lack` when absent). A departed user
//! ([`ContactKnobs::depart_user`](crate::contact::ContactKnobs::depart_user)) punched until
//! the day they left; a successor reusing their ids punches from the day they joined. Both
//! endpoints take `include_terminated_user`: with it an id stands for all its holders,
//! without it for the current holder, or the most recently departed one when nobody holds
//! it now (as documented).
//!
//! The rules results refer to (HTTP 400, 1220001 for a bad parameter or an unknown id or
//! name; the docs give no "not found" code):
//! - `GET /open-apis/attendance/v1/shifts?page_size=&page_token=` → `{shift_list, has_more,
//!   page_token}` (12 shifts; `page_size` 1–50, default 10), `GET …/shifts/:shift_id` → the
//!   shift as `data`, `POST …/shifts/query?shift_name=` → the shift of that name.
//! - `GET /open-apis/attendance/v1/groups` → `{group_list: [{group_id, group_name}], ...}`
//!   (3 groups: fixed, scheduled, free), `GET …/groups/:group_id?employee_type=&dept_type=`
//!   → the group as `data`; `employee_type` required (`employee_id`/`employee_no`, another
//!   value → 1220003), `dept_type` required and only `open_id`.
//! - Every task result names [`DEFAULT_GROUP_ID`] (every current person, Monday–Friday on
//!   the default shift) and [`DEFAULT_SHIFT_ID`] (09:00–18:00), which these endpoints return.
//!
//! Validation (all HTTP 400, code 1220001 unless noted): `employee_type` missing or not
//! `employee_id`/`employee_no`; body not JSON; `user_ids` missing, empty or more than 50;
//! `check_time_*` missing or not decimal strings (as documented; a JSON number is refused)
//! or outside years 1970–9999; `check_date_*` missing, not JSON numbers or not valid
//! `yyyyMMdd` dates; `to <= from`; a span over the limit (flows: 31 days by
//! default, tasks: 31 days inclusive by default; see [`AttendanceDataset`]). A chunk naming
//! an unknown id → 1220004, a user outside the attendance administrator's data scope
//! ([`AttendanceKnobs::set_out_of_scope_users`]) → 1220005, both HTTP 400; tasks with
//! `ignore_invalid_users=true` list them in `invalid_user_ids` / `unauthorized_user_ids`
//! instead.

mod dataset;
mod handlers;
mod knobs;
mod punches;
mod roster;
mod rules;
mod state;

use std::sync::Mutex;

use crate::directory::DirectoryHandle;

use self::state::AttendanceState;
use crate::reply::Reply;
use crate::request::RequestView;
use crate::service::{FakeService, only};

pub use self::dataset::AttendanceDataset;
pub use self::knobs::AttendanceKnobs;
pub use self::rules::{DEFAULT_GROUP_ID, DEFAULT_SHIFT_ID};

const FLOWS: &str = "/open-apis/attendance/v1/user_flows/query";
const TASKS: &str = "/open-apis/attendance/v1/user_tasks/query";
const SHIFTS: &str = "/open-apis/attendance/v1/shifts";
const SHIFT_QUERY: &str = "/open-apis/attendance/v1/shifts/query";
const SHIFT: &str = "/open-apis/attendance/v1/shifts/:shift_id";
const GROUPS: &str = "/open-apis/attendance/v1/groups";
const GROUP: &str = "/open-apis/attendance/v1/groups/:group_id";

/// The Attendance v1 service: its knobs behind their own lock, and the people it reads from
/// the tenant's directory.
#[derive(Debug)]
pub(crate) struct AttendanceService {
    state: Mutex<AttendanceState>,
    directory: DirectoryHandle,
}

impl AttendanceService {
    /// A service over the people `directory` publishes.
    pub(crate) fn new(directory: DirectoryHandle) -> AttendanceService {
        AttendanceService {
            state: Mutex::new(AttendanceState::default()),
            directory,
        }
    }

    /// The knobs and ground truth of this service.
    pub(crate) fn knobs(&self) -> AttendanceKnobs<'_> {
        AttendanceKnobs::new(&self.state, &self.directory)
    }
}

impl FakeService for AttendanceService {
    fn handle(&self, req: &RequestView) -> Option<Reply> {
        if req.match_path(FLOWS).is_some() {
            return Some(only(req, "POST", || {
                handlers::flows(&self.state, &self.directory, req)
            }));
        }
        if req.match_path(TASKS).is_some() {
            return Some(only(req, "POST", || {
                handlers::tasks(&self.state, &self.directory, req)
            }));
        }
        self.handle_rules(req)
    }
}

impl AttendanceService {
    /// The shift and group reads.
    fn handle_rules(&self, req: &RequestView) -> Option<Reply> {
        if req.match_path(SHIFTS).is_some() {
            return Some(only(req, "GET", || rules::list_shifts(req)));
        }
        if req.method == "POST" && req.match_path(SHIFT_QUERY).is_some() {
            return Some(rules::query_shift(req));
        }
        if let Some(p) = req.match_path(SHIFT) {
            let id = p[0].to_owned();
            return Some(only(req, "GET", || rules::get_shift(&id)));
        }
        if req.match_path(GROUPS).is_some() {
            return Some(only(req, "GET", || rules::list_groups(req)));
        }
        if let Some(p) = req.match_path(GROUP) {
            let id = p[0].to_owned();
            let people = self.directory.current();
            return Some(only(req, "GET", || rules::get_group(req, &people, &id)));
        }
        None
    }
}
