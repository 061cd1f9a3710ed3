//! User groups: named sets of users and departments. An app's contact range can grant a
//! group, which makes its members visible
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/group-member/simplelist>).

use crate::rng::mix;

/// Users chosen for each generated group (fewer when the organisation is smaller).
const USERS_PER_GROUP: usize = 8;

/// One user group.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    /// The `group_id` (`g` + 8 hex digits).
    pub(super) id: String,
    /// User members, by user index, sorted.
    pub(super) users: Vec<usize>,
    /// Department members, by department index (never the root).
    pub(super) depts: Vec<usize>,
}

/// `count` groups over `users` users and `depts` departments (index 0 is the root), drawn
/// from their own rng so that adding groups leaves every other generated value unchanged.
pub(super) fn generate(seed: u64, count: usize, users: usize, depts: usize) -> Vec<Group> {
    let mut rng = fastrand::Rng::with_seed(mix(seed ^ 0x6_0C0F_6000));
    (0..count)
        .map(|k| {
            let mut members: Vec<usize> = (0..USERS_PER_GROUP.min(users))
                .map(|_| rng.usize(0..users))
                .collect();
            members.sort_unstable();
            members.dedup();
            let dept = (depts > 1).then(|| rng.usize(1..depts));
            Group {
                id: format!("g{:06x}{k:02x}", mix(seed ^ k as u64) & 0xff_ffff),
                users: members,
                depts: dept.into_iter().collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_deterministic_with_unique_ids() {
        let a = generate(7, 20, 100, 10);
        let b = generate(7, 20, 100, 10);
        let ids: std::collections::HashSet<_> = a.iter().map(|g| g.id.clone()).collect();
        assert_eq!(ids.len(), 20);
        assert_eq!(a[3].users, b[3].users);
        assert!(
            a.iter()
                .all(|g| !g.users.is_empty() && g.depts.iter().all(|&d| d >= 1))
        );
        assert!(
            generate(7, 2, 0, 1)
                .iter()
                .all(|g| g.users.is_empty() && g.depts.is_empty())
        );
    }
}
