//! The knobs of the generated attendance data.

use super::punches::DAY;

/// Knobs of the attendance data; set with
/// [`AttendanceKnobs::set_dataset`](crate::attendance::AttendanceKnobs::set_dataset).
#[derive(Debug, Clone, PartialEq)]
pub struct AttendanceDataset {
    /// Seed of the punch times.
    pub seed: u64,
    /// Longest accepted `check_time_to - check_time_from` of `user_flows/query`, in seconds.
    /// Default 31 days.
    pub max_flow_span_secs: i64,
    /// Most days (inclusive count) accepted by `user_tasks/query`. Default 31.
    pub max_task_days: i64,
}

impl Default for AttendanceDataset {
    fn default() -> Self {
        AttendanceDataset {
            seed: 0xA77E_0DA0_0000_0001,
            max_flow_span_secs: 31 * DAY,
            max_task_days: 31,
        }
    }
}
