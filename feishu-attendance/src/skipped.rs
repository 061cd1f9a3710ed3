//! Users a query could not read, and why: one user out of scope is reported, not a failed
//! stream.

use std::collections::BTreeMap;
use std::fmt;

use crate::codes::{DATA_SCOPE_HINT, USER_INVALID, USER_NOT_PERMITTED};

/// Why a user's records were not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SkipReason {
    /// Feishu does not know the id (`invalid_user_ids` of `user_tasks/query`).
    InvalidId,
    /// The user is outside the app's attendance data scope (`unauthorized_user_ids` of
    /// `user_tasks/query`).
    Unauthorized,
    /// A `user_flows/query` call naming only this user failed with this code: 1220004 (the
    /// id does not exist or is not permitted) or 1220005 (outside the data scope).
    Refused(i64),
}

impl SkipReason {
    /// What to do so that the user is read: the same for every reason, since Feishu does not
    /// always tell an unknown id from one outside the data scope.
    pub fn what_to_do(self) -> &'static str {
        DATA_SCOPE_HINT
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::InvalidId => f.write_str("unknown id"),
            SkipReason::Unauthorized => f.write_str("outside the app's attendance data scope"),
            SkipReason::Refused(USER_INVALID) => {
                f.write_str("unknown id or not permitted (code 1220004)")
            }
            SkipReason::Refused(USER_NOT_PERMITTED) => {
                f.write_str("outside the app's attendance data scope (code 1220005)")
            }
            SkipReason::Refused(code) => write!(f, "refused (code {code})"),
        }
    }
}

/// One user a query could not read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SkippedUser {
    /// The id, of the query's [`EmployeeType`](crate::EmployeeType).
    pub user_id: String,
    /// Why.
    pub reason: SkipReason,
}

impl SkippedUser {
    /// A skipped user.
    pub fn new(user_id: impl Into<String>, reason: SkipReason) -> Self {
        SkippedUser {
            user_id: user_id.into(),
            reason,
        }
    }
}

/// The users a query (or several) could not read: one entry per id, in id order, whatever
/// order the calls answered in.
///
/// # Example
/// ```
/// use feishu_attendance::{SkipReason, SkippedUser, SkippedUsers};
/// let skipped: SkippedUsers = [
///     SkippedUser::new("b2", SkipReason::Refused(1220005)),
///     SkippedUser::new("a1", SkipReason::Unauthorized),
///     SkippedUser::new("b2", SkipReason::Refused(1220005)),
/// ]
/// .into_iter()
/// .collect();
/// assert_eq!(skipped.ids().collect::<Vec<_>>(), ["a1", "b2"]);
/// assert!(skipped.summary(1).unwrap().starts_with("2 user(s) skipped (first 1: a1)"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SkippedUsers(BTreeMap<String, SkipReason>);

impl SkippedUsers {
    /// Number of users skipped.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether every user was read.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `user_id` was skipped.
    pub fn contains(&self, user_id: &str) -> bool {
        self.0.contains_key(user_id)
    }

    /// Why `user_id` was skipped, `None` when it was not.
    pub fn reason(&self, user_id: &str) -> Option<SkipReason> {
        self.0.get(user_id).copied()
    }

    /// The skipped ids, in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The skipped users, in id order.
    pub fn iter(&self) -> impl Iterator<Item = SkippedUser> + '_ {
        self.0
            .iter()
            .map(|(id, reason)| SkippedUser::new(id.clone(), *reason))
    }

    /// A one-line warning: the count, the first `max_ids` ids, why and what to do; `None`
    /// when nobody was skipped.
    pub fn summary(&self, max_ids: usize) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let first: Vec<&str> = self.ids().take(max_ids).collect();
        let mut reasons: Vec<String> = self.0.values().map(ToString::to_string).collect();
        reasons.sort();
        reasons.dedup();
        Some(format!(
            "{} user(s) skipped (first {}: {}), their records are not read: {}; {}",
            self.len(),
            first.len(),
            first.join(", "),
            reasons.join(", "),
            DATA_SCOPE_HINT
        ))
    }
}

impl Extend<SkippedUser> for SkippedUsers {
    fn extend<I: IntoIterator<Item = SkippedUser>>(&mut self, users: I) {
        for user in users {
            self.0.entry(user.user_id).or_insert(user.reason);
        }
    }
}

impl FromIterator<SkippedUser> for SkippedUsers {
    fn from_iter<I: IntoIterator<Item = SkippedUser>>(users: I) -> Self {
        let mut all = SkippedUsers::default();
        all.extend(users);
        all
    }
}
