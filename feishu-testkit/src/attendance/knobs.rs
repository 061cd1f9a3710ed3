//! Attendance knobs and ground truth, reached through
//! [`FakeTenant::attendance`](crate::FakeTenant::attendance).

use std::sync::Mutex;

use super::dataset::AttendanceDataset;
use super::punches::{TIME_RANGE, is_workday, parse_yyyymmdd, punches_between};
use super::roster::{Holders, Roster};
use super::state::AttendanceState;
use crate::directory::{Directory, DirectoryHandle};
use crate::lock::lock;

/// The Attendance service's knobs and ground truth.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use feishu_testkit::FakeTenant;
/// let tenant = FakeTenant::start().await;
/// let ids = tenant.contact().user_ids("user_id")[..3].to_vec();
/// // 2025-01-06 (Mon) .. 2025-01-11 (Sat), China time: five workdays.
/// let flows = tenant.attendance().flow_count("employee_id", &ids, 1_736_092_800, 1_736_524_800);
/// assert!(flows >= 3 * 5 * 2 - 6);
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AttendanceKnobs<'a> {
    state: &'a Mutex<AttendanceState>,
    directory: &'a DirectoryHandle,
}

impl<'a> AttendanceKnobs<'a> {
    pub(super) fn new(state: &'a Mutex<AttendanceState>, directory: &'a DirectoryHandle) -> Self {
        AttendanceKnobs { state, directory }
    }
}

impl AttendanceKnobs<'_> {
    /// Replaces the attendance knobs (seed, span limits); the data scope stays.
    pub fn set_dataset(&self, dataset: AttendanceDataset) {
        lock(self.state).dataset = dataset;
    }

    /// Puts these users (`user_id`s, Attendance's `employee_id`) outside the attendance
    /// administrator's data scope, replacing the previous set: a `user_flows/query` chunk
    /// naming one of them fails with 1220005, `user_tasks/query` too unless
    /// `ignore_invalid_users=true`, which lists them in `unauthorized_user_ids` instead.
    pub fn set_out_of_scope_users<S: AsRef<str>>(&self, user_ids: &[S]) {
        lock(self.state).out_of_scope = user_ids.iter().map(|id| id.as_ref().to_owned()).collect();
    }

    /// Ground truth: the ids of the shifts `GET shifts` lists, in order (the first is
    /// [`DEFAULT_SHIFT_ID`](crate::attendance::DEFAULT_SHIFT_ID)).
    pub fn shift_ids(&self) -> Vec<String> {
        super::rules::shift_ids()
    }

    /// Ground truth: the ids of the groups `GET groups` lists, in order (the first is
    /// [`DEFAULT_GROUP_ID`](crate::attendance::DEFAULT_GROUP_ID)).
    pub fn group_ids(&self) -> Vec<String> {
        super::rules::group_ids()
    }

    /// The users outside the data scope (`user_id`s), sorted.
    pub fn out_of_scope_user_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = lock(self.state).out_of_scope.iter().cloned().collect();
        ids.sort();
        ids
    }

    /// Number of punch flows `user_flows/query` returns for these users in `[from, to)`
    /// (Unix seconds) without `include_terminated_user`, whatever the span; 0 when
    /// `to <= from` or a time is outside the accepted years 1970–9999. `employee_type` is
    /// `employee_id` or `employee_no`; ids the endpoint refuses (unknown, outside the data
    /// scope) count 0.
    pub fn flow_count(
        &self,
        employee_type: &str,
        user_ids: &[String],
        from: i64,
        to: i64,
    ) -> usize {
        self.count_flows(employee_type, user_ids, from, to, false)
    }

    /// Like [`flow_count`](Self::flow_count) with `include_terminated_user=true`: departed
    /// holders of a reused id count too.
    pub fn flow_count_including_terminated(
        &self,
        employee_type: &str,
        user_ids: &[String],
        from: i64,
        to: i64,
    ) -> usize {
        self.count_flows(employee_type, user_ids, from, to, true)
    }

    /// Number of task results `user_tasks/query` returns for these users between two
    /// `yyyyMMdd` dates (inclusive) without `include_terminated_user`, whatever the span; ids
    /// the endpoint refuses count 0.
    pub fn task_count(
        &self,
        employee_type: &str,
        user_ids: &[String],
        from_yyyymmdd: i64,
        to_yyyymmdd: i64,
    ) -> usize {
        let (Some(from), Some(to)) = (parse_yyyymmdd(from_yyyymmdd), parse_yyyymmdd(to_yyyymmdd))
        else {
            return 0;
        };
        let state = lock(self.state).clone();
        let people = self.directory.current();
        let roster = roster(&state, &people, employee_type, false);
        holders(&roster, user_ids)
            .map(|u| {
                (from..=to)
                    .filter(|&d| is_workday(d) && roster.employed_on(u, d))
                    .count()
            })
            .sum()
    }

    fn count_flows(
        &self,
        employee_type: &str,
        user_ids: &[String],
        from: i64,
        to: i64,
        include_terminated: bool,
    ) -> usize {
        if to <= from || !TIME_RANGE.contains(&from) || !TIME_RANGE.contains(&to) {
            return 0;
        }
        let state = lock(self.state).clone();
        let people = self.directory.current();
        let roster = roster(&state, &people, employee_type, include_terminated);
        holders(&roster, user_ids)
            .map(|u| {
                punches_between(state.dataset.seed, u, from, to, |d| {
                    roster.employed_on(u, d)
                })
                .len()
            })
            .sum()
    }
}

/// The roster a query with these parameters sees.
fn roster<'a>(
    state: &'a AttendanceState,
    people: &'a Directory,
    employee_type: &str,
    include_terminated: bool,
) -> Roster<'a> {
    Roster {
        directory: people,
        out_of_scope: &state.out_of_scope,
        by_no: employee_type == "employee_no",
        include_terminated,
    }
}

/// The people the ids stand for, refused ids left out.
fn holders<'a>(roster: &'a Roster<'a>, user_ids: &'a [String]) -> impl Iterator<Item = usize> + 'a {
    user_ids.iter().flat_map(|id| match roster.resolve(id) {
        Holders::People(people) => people,
        Holders::Unknown | Holders::OutOfScope => Vec::new(),
    })
}
