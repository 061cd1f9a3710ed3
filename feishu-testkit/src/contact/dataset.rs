//! The public shape of the seeded organisation and of the app's contact range.

/// The shape of the seeded organisation; set with
/// [`ContactKnobs::set_dataset`](crate::contact::ContactKnobs::set_dataset).
///
/// The default is 240 users in a 4-level tree of 66 departments (fan-out 3, 3, 2, 2), about
/// 15 % of users in a second department (and some in a third), 5 % resigned, 2 users directly
/// in the root, 3 user groups.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactDataset {
    /// Seed of every generated value.
    pub seed: u64,
    /// Number of users.
    pub users: usize,
    /// Children per department, level by level below the root (`[3, 3, 2, 2]` = 66
    /// departments in 4 levels).
    pub fanout: Vec<usize>,
    /// Share of users (0.0–1.0) who are in a second department; a fifth of those also in a
    /// third.
    pub multi_department_share: f64,
    /// Share of users who have resigned (`status.is_resigned`).
    pub resigned_share: f64,
    /// Number of users whose primary department is the root `0` itself.
    pub root_users: usize,
    /// Number of user groups, each with a few users and one department as members.
    pub groups: usize,
}

impl Default for ContactDataset {
    fn default() -> Self {
        ContactDataset {
            seed: 0xC0_47AC_7000_0001,
            users: 240,
            fanout: vec![3, 3, 2, 2],
            multi_department_share: 0.15,
            resigned_share: 0.05,
            root_users: 2,
            groups: 3,
        }
    }
}

/// The app's contact range when it is not "all members"; set with
/// [`ContactKnobs::set_range`](crate::contact::ContactKnobs::set_range). Departments, users
/// and user groups mix freely.
///
/// ```
/// use feishu_testkit::ContactRange;
/// let range = ContactRange::default().with_departments(["D004"]).with_groups(["g0a1b2c00"]);
/// assert_eq!(range.departments, ["D004"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ContactRange {
    /// Granted departments by custom `department_id` (`D004`); their subtrees are visible.
    pub departments: Vec<String>,
    /// Individually granted users by `user_id`.
    pub users: Vec<String>,
    /// Granted user groups by `group_id`; their user members, and the users of their
    /// department members, are visible.
    pub groups: Vec<String>,
}

impl ContactRange {
    /// Adds granted departments (custom `department_id`s).
    pub fn with_departments<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.departments.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Adds individually granted users (`user_id`s).
    pub fn with_users<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.users.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Adds granted user groups (`group_id`s).
    pub fn with_groups<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.groups.extend(ids.into_iter().map(Into::into));
        self
    }
}
