//! Whose punches a query's id stands for. An id may be unknown, outside the attendance
//! administrator's data scope (1220005), or held by several people over time: a new hire can
//! reuse a departed person's `employee_id` / `employee_no`, and `include_terminated_user`
//! decides whether the departed holders count
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/user_flow/query>:
//! "true: every active and departed holder; false: the active holder, or the most recently
//! departed one").

use std::collections::HashSet;

use super::punches::local_day;
use crate::directory::Directory;

/// What an id of a query resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Holders {
    /// Nobody ever held the id.
    Unknown,
    /// A selected holder is outside the data scope.
    OutOfScope,
    /// The people whose punches the id stands for (directory indices).
    People(Vec<usize>),
}

/// The people of a tenant as one query sees them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Roster<'a> {
    pub(super) directory: &'a Directory,
    pub(super) out_of_scope: &'a HashSet<String>,
    /// Ids are `employee_no`s (else `employee_id`s, Contact's `user_id`).
    pub(super) by_no: bool,
    /// `include_terminated_user=true`.
    pub(super) include_terminated: bool,
}

impl Roster<'_> {
    /// The holders of `id` the query answers for.
    pub(super) fn resolve(&self, id: &str) -> Holders {
        let holders = if self.by_no {
            self.directory.by_employee_no(id)
        } else {
            self.directory.by_user_id(id)
        };
        let person = |i: usize| self.directory.person(i);
        let selected: Vec<usize> = if self.include_terminated {
            holders.to_vec()
        } else {
            let active = holders
                .iter()
                .copied()
                .find(|&i| person(i).is_some_and(|p| p.departed_at.is_none()));
            let latest = holders
                .iter()
                .copied()
                .max_by_key(|&i| person(i).and_then(|p| p.departed_at));
            active.or(latest).into_iter().collect()
        };
        if selected.is_empty() {
            return Holders::Unknown;
        }
        let outside = selected
            .iter()
            .any(|&i| person(i).is_some_and(|p| self.out_of_scope.contains(&p.user_id)));
        if outside {
            Holders::OutOfScope
        } else {
            Holders::People(selected)
        }
    }

    /// Whether person `i` worked for the tenant on local day `day`: on or after the day they
    /// joined, before the day they left.
    pub(super) fn employed_on(&self, i: usize, day: i64) -> bool {
        self.directory.person(i).is_some_and(|p| {
            p.joined_at.is_none_or(|t| day >= local_day(t))
                && p.departed_at.is_none_or(|t| day < local_day(t))
        })
    }

    /// The display name of person `i`.
    pub(super) fn name(&self, i: usize) -> &str {
        self.directory.person(i).map_or("", |p| p.name.as_str())
    }
}
