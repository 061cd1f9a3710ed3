//! The attendance knobs of one tenant.

use std::collections::HashSet;

use super::dataset::AttendanceDataset;

/// The dataset knobs and the users outside the attendance administrator's data scope.
#[derive(Debug, Default, Clone)]
pub(super) struct AttendanceState {
    pub(super) dataset: AttendanceDataset,
    /// `user_id`s (`employee_id`s) the app may not read punches of.
    pub(super) out_of_scope: HashSet<String>,
}
