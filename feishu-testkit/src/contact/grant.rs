//! The app's contact range when it is not "all members", resolved to indices.

/// Granted departments (with their subtrees), users and user groups.
#[derive(Debug, Clone, Default)]
pub(super) struct Grant {
    pub(super) depts: Vec<usize>,
    pub(super) users: Vec<usize>,
    pub(super) groups: Vec<usize>,
}
