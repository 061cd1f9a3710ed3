//! Attendance knobs and ground truth, reached through
//! [`FakeTenant::attendance`](crate::FakeTenant::attendance).

use std::sync::Mutex;

use super::dataset::AttendanceDataset;
use super::handlers::lookup;
use super::punches::{TIME_RANGE, is_workday, local_day, parse_yyyymmdd, punches};
use crate::directory::DirectoryHandle;
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
    dataset: &'a Mutex<AttendanceDataset>,
    directory: &'a DirectoryHandle,
}

impl<'a> AttendanceKnobs<'a> {
    pub(super) fn new(
        dataset: &'a Mutex<AttendanceDataset>,
        directory: &'a DirectoryHandle,
    ) -> Self {
        AttendanceKnobs { dataset, directory }
    }
}

impl AttendanceKnobs<'_> {
    /// Replaces the attendance knobs (seed, span limits).
    pub fn set_dataset(&self, dataset: AttendanceDataset) {
        *lock(self.dataset) = dataset;
    }

    /// Number of punch flows `user_flows/query` returns for these users in `[from, to)`
    /// (Unix seconds), whatever the span; 0 when `to <= from` or a time is outside the
    /// accepted years 1970–9999. `employee_type` is `employee_id` or `employee_no`;
    /// unknown ids count 0.
    pub fn flow_count(
        &self,
        employee_type: &str,
        user_ids: &[String],
        from: i64,
        to: i64,
    ) -> usize {
        if to <= from || !TIME_RANGE.contains(&from) || !TIME_RANGE.contains(&to) {
            return 0;
        }
        let seed = lock(self.dataset).seed;
        let people = self.directory.current();
        let by_no = employee_type == "employee_no";
        user_ids
            .iter()
            .filter_map(|id| lookup(&people, id, by_no))
            .map(|u| {
                (local_day(from)..=local_day(to - 1))
                    .flat_map(|day| punches(seed, u, day))
                    .filter(|p| (from..to).contains(&p.check_time))
                    .count()
            })
            .sum()
    }

    /// Number of task results `user_tasks/query` returns for these users between two
    /// `yyyyMMdd` dates (inclusive), whatever the span; unknown ids count 0.
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
        let people = self.directory.current();
        let by_no = employee_type == "employee_no";
        let workdays = (from..=to).filter(|&d| is_workday(d)).count();
        user_ids
            .iter()
            .filter(|id| lookup(&people, id, by_no).is_some())
            .count()
            * workdays
    }
}
