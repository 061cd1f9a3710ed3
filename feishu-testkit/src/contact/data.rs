//! The generated organisation: departments, users, the contact range, and the lookups and
//! visibility rules every Contact endpoint shares.

use std::collections::{HashMap, HashSet};

use super::dataset::ContactDataset;
use super::grant::Grant;
use super::groups::{self, Group};
use crate::directory::{Directory, Person};
use crate::rng::mix;

/// One department (index 0 is the virtual root `0`).
#[derive(Debug, Clone)]
pub(crate) struct Dept {
    pub(super) open_id: String,
    pub(super) custom_id: String,
    pub(super) name: String,
    pub(super) en_name: String,
    pub(super) parent: usize,
    pub(super) leader: Option<usize>,
    pub(super) member_count: usize,
    pub(super) primary_member_count: usize,
}

/// One user; `depts[0]` is the primary department.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(super) open_id: String,
    pub(super) union_id: String,
    pub(super) user_id: String,
    pub(super) employee_no: String,
    pub(super) name: String,
    pub(super) en_name: String,
    pub(super) depts: Vec<usize>,
    pub(super) resigned: bool,
    pub(super) frozen: bool,
    pub(super) leader: Option<usize>,
    pub(super) join_time: i64,
    pub(super) employee_type: i64,
    pub(super) gender: i64,
    pub(super) city: &'static str,
    pub(super) job_title: &'static str,
    /// When a successor took over this user's ids (Unix s); `None` for the original staff.
    pub(super) joined_at: Option<i64>,
    /// When the user left the organisation (Unix s): gone from every Contact answer.
    pub(super) departed_at: Option<i64>,
}

/// The generated organisation plus the current contact range.
#[derive(Debug)]
pub(crate) struct ContactData {
    pub(super) depts: Vec<Dept>,
    pub(super) users: Vec<User>,
    pub(super) children: Vec<Vec<usize>>,
    pub(super) members: Vec<Vec<usize>>,
    pub(super) dept_by_open: HashMap<String, usize>,
    pub(super) dept_by_custom: HashMap<String, usize>,
    pub(super) user_by_open: HashMap<String, usize>,
    pub(super) user_by_union: HashMap<String, usize>,
    pub(super) user_by_user_id: HashMap<String, usize>,
    pub(super) user_by_employee_no: HashMap<String, usize>,
    pub(super) groups: Vec<Group>,
    pub(super) group_by_id: HashMap<String, usize>,
    /// The granted range when it is not "all members".
    pub(super) range: Option<Grant>,
    /// Whether `scopes` leaves `user_ids` out (the app lacks `contact:user.employee_id:readonly`).
    pub(super) scope_user_ids_withheld: bool,
    /// The dataset's seed, for the ids of later hires.
    pub(super) seed: u64,
    /// Most descendants a `fetch_child=true` listing accepts (Feishu: 500; `None` = no limit).
    pub(super) recursion_limit: Option<usize>,
    /// User fields left out of every answer (as when the app lacks their field scope).
    pub(super) withheld_user_fields: Vec<String>,
}

impl Default for ContactData {
    fn default() -> Self {
        ContactData::generate(&ContactDataset::default())
    }
}

/// Given names of generated users.
pub(super) const GIVEN: [&str; 16] = [
    "Lei", "Mei", "Hua", "Jun", "Ying", "Wei", "Fang", "Min", "Jie", "Lin", "Tao", "Xin", "Yu",
    "Hao", "Qing", "Bo",
];
/// Family names of generated users.
pub(super) const FAMILY: [&str; 12] = [
    "Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun",
];
const CITIES: [&str; 5] = ["Hangzhou", "Beijing", "Shanghai", "Shenzhen", "Chengdu"];
const TITLES: [&str; 5] = ["Engineer", "Designer", "Manager", "Analyst", "Sales"];

/// `32` hex digits derived from the seed, a salt and an index (ids of generated objects).
pub(super) fn hex32(seed: u64, salt: u64, index: usize) -> String {
    let a = mix(seed ^ salt.wrapping_mul(0x1000_0001) ^ index as u64);
    let b = mix(a ^ salt);
    format!(
        "{:016x}{:010x}{:06x}",
        a,
        b & 0xff_ffff_ffff,
        index & 0xff_ffff
    )
}

impl ContactData {
    /// Generates the organisation `ds` describes (deterministic for a seed).
    pub(super) fn generate(ds: &ContactDataset) -> ContactData {
        let mut rng = fastrand::Rng::with_seed(ds.seed);
        // Departments, breadth first.
        let mut depts = vec![Dept {
            open_id: "0".into(),
            custom_id: "0".into(),
            name: "Root".into(),
            en_name: "Root".into(),
            parent: 0,
            leader: None,
            member_count: 0,
            primary_member_count: 0,
        }];
        let mut children: Vec<Vec<usize>> = vec![Vec::new()];
        let mut level = vec![0usize];
        for (depth, &fan) in ds.fanout.iter().enumerate() {
            let mut next = Vec::new();
            for &parent in &level {
                for k in 0..fan {
                    let index = depts.len();
                    depts.push(Dept {
                        open_id: format!("od-{}", hex32(ds.seed, 7, index)),
                        custom_id: format!("D{index:03}"),
                        name: format!("部门 L{}-{}", depth + 1, index),
                        en_name: format!("Dept L{}-{} ({})", depth + 1, index, k + 1),
                        parent,
                        leader: None,
                        member_count: 0,
                        primary_member_count: 0,
                    });
                    children.push(Vec::new());
                    children[parent].push(index);
                    next.push(index);
                }
            }
            level = next;
        }
        let dept_count = depts.len();
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); dept_count];
        let mut users = Vec::with_capacity(ds.users);
        for i in 0..ds.users {
            let primary = if i < ds.root_users || dept_count == 1 {
                0
            } else {
                rng.usize(1..dept_count)
            };
            let mut user_depts = vec![primary];
            if dept_count > 2 && rng.f64() < ds.multi_department_share {
                let extra = if rng.u8(0..5) == 0 { 2 } else { 1 };
                for _ in 0..extra {
                    let d = rng.usize(1..dept_count);
                    if !user_depts.contains(&d) {
                        user_depts.push(d);
                    }
                }
            }
            for &d in &user_depts {
                members[d].push(i);
            }
            let resigned = rng.f64() < ds.resigned_share;
            let frozen = !resigned && rng.u8(0..50) == 0;
            let given = GIVEN[rng.usize(0..GIVEN.len())];
            let family = FAMILY[rng.usize(0..FAMILY.len())];
            let h = mix(ds.seed ^ (i as u64).wrapping_mul(31));
            users.push(User {
                open_id: format!("ou_{}", hex32(ds.seed, 1, i)),
                union_id: format!("on_{}", hex32(ds.seed, 2, i)),
                user_id: format!("{:04x}{:06x}", h & 0xffff, i & 0xff_ffff),
                employee_no: format!("E{:05}", i + 1),
                name: format!("{family}{given}"),
                en_name: format!("{given} {family}"),
                depts: user_depts,
                resigned,
                frozen,
                leader: None,
                join_time: 1_577_836_800 + rng.i64(0..150_000_000),
                employee_type: [1, 1, 1, 2, 3][rng.usize(0..5)],
                gender: rng.i64(0..4),
                city: CITIES[rng.usize(0..CITIES.len())],
                job_title: TITLES[rng.usize(0..TITLES.len())],
                joined_at: None,
                departed_at: None,
            });
        }
        // Leaders: a department's first direct member; a user's leader is the leader of the
        // nearest department (primary, then ancestors) led by someone else.
        for (d, dept) in depts.iter_mut().enumerate() {
            dept.leader = members[d].first().copied();
        }
        for (i, user) in users.iter_mut().enumerate() {
            let mut d = user.depts[0];
            loop {
                if let Some(l) = depts[d].leader.filter(|l| *l != i) {
                    user.leader = Some(l);
                    break;
                }
                if d == 0 {
                    break;
                }
                d = depts[d].parent;
            }
        }
        // Member counts over subtrees.
        for user in &users {
            let mut all = HashSet::new();
            for (n, &d) in user.depts.iter().enumerate() {
                let mut a = d;
                loop {
                    if all.insert(a) {
                        depts[a].member_count += 1;
                    }
                    if n == 0 {
                        depts[a].primary_member_count += 1;
                    }
                    if a == 0 {
                        break;
                    }
                    a = depts[a].parent;
                }
            }
        }
        let dept_by_open = depts
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, d)| (d.open_id.clone(), i))
            .collect();
        let dept_by_custom = depts
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, d)| (d.custom_id.clone(), i))
            .collect();
        let index = |f: fn(&User) -> &String| -> HashMap<String, usize> {
            users
                .iter()
                .enumerate()
                .map(|(i, u)| (f(u).clone(), i))
                .collect()
        };
        let groups = groups::generate(ds.seed, ds.groups, users.len(), dept_count);
        let group_by_id = groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.id.clone(), i))
            .collect();
        ContactData {
            user_by_open: index(|u| &u.open_id),
            user_by_union: index(|u| &u.union_id),
            user_by_user_id: index(|u| &u.user_id),
            user_by_employee_no: index(|u| &u.employee_no),
            depts,
            users,
            children,
            members,
            dept_by_open,
            dept_by_custom,
            groups,
            group_by_id,
            range: None,
            scope_user_ids_withheld: false,
            seed: ds.seed,
            recursion_limit: None,
            withheld_user_fields: Vec::new(),
        }
    }

    /// The people as the other services see them, in user order.
    pub(super) fn directory(&self) -> Directory {
        Directory::new(
            self.users
                .iter()
                .map(|u| Person {
                    user_id: u.user_id.clone(),
                    employee_no: u.employee_no.clone(),
                    name: u.name.clone(),
                    joined_at: u.joined_at,
                    departed_at: u.departed_at,
                })
                .collect(),
        )
    }

    pub(super) fn dept_id(&self, d: usize, kind: DeptKind) -> &str {
        match kind {
            DeptKind::Open => &self.depts[d].open_id,
            DeptKind::Custom => &self.depts[d].custom_id,
        }
    }

    pub(super) fn user_id(&self, u: usize, kind: UserKind) -> &str {
        let user = &self.users[u];
        match kind {
            UserKind::Open => &user.open_id,
            UserKind::Union => &user.union_id,
            UserKind::User => &user.user_id,
            UserKind::EmployeeNo => &user.employee_no,
        }
    }

    pub(super) fn find_dept(&self, id: &str, kind: DeptKind) -> Option<usize> {
        if id == "0" {
            return Some(0);
        }
        match kind {
            DeptKind::Open => self.dept_by_open.get(id).copied(),
            DeptKind::Custom => self.dept_by_custom.get(id).copied(),
        }
    }

    /// The current (not departed) user with this id.
    pub(super) fn find_user(&self, id: &str, kind: UserKind) -> Option<usize> {
        self.find_any_user(id, kind)
            .filter(|&u| self.users[u].departed_at.is_none())
    }

    /// The user with this id, departed or not (the latest holder of a reused id).
    pub(super) fn find_any_user(&self, id: &str, kind: UserKind) -> Option<usize> {
        match kind {
            UserKind::Open => self.user_by_open.get(id),
            UserKind::Union => self.user_by_union.get(id),
            UserKind::User => self.user_by_user_id.get(id),
            UserKind::EmployeeNo => self.user_by_employee_no.get(id),
        }
        .copied()
    }

    /// Whether `d` is `a` or below it.
    pub(super) fn is_under(&self, mut d: usize, a: usize) -> bool {
        loop {
            if d == a {
                return true;
            }
            if d == 0 {
                return false;
            }
            d = self.depts[d].parent;
        }
    }

    /// Whether department `d` is in the range: below a granted department, or below a
    /// department member of a granted group.
    pub(super) fn dept_visible(&self, d: usize) -> bool {
        match &self.range {
            None => true,
            Some(grant) => grant
                .depts
                .iter()
                .chain(grant.groups.iter().flat_map(|&g| &self.groups[g].depts))
                .any(|&a| self.is_under(d, a)),
        }
    }

    /// Whether user `u` is in the range: granted alone, a user member of a granted group, or
    /// in a visible department. Departed users are in no range.
    pub(super) fn user_visible(&self, u: usize) -> bool {
        if self.users[u].departed_at.is_some() {
            return false;
        }
        match &self.range {
            None => true,
            Some(grant) => {
                grant.users.contains(&u)
                    || grant
                        .groups
                        .iter()
                        .any(|&g| self.groups[g].users.contains(&u))
                    || self.users[u].depts.iter().any(|&d| self.dept_visible(d))
            }
        }
    }

    /// Whether group `g` is in the range.
    pub(super) fn group_visible(&self, g: usize) -> bool {
        self.range
            .as_ref()
            .is_none_or(|grant| grant.groups.contains(&g))
    }

    /// `d` and its descendants, breadth first (`d` first), each once (even when
    /// [`ContactKnobs::link_child`](crate::contact::ContactKnobs::link_child) made a cycle).
    pub(super) fn subtree(&self, d: usize) -> Vec<usize> {
        let mut seen = HashSet::from([d]);
        let mut out = vec![d];
        let mut i = 0;
        while let Some(&next) = out.get(i) {
            for &c in &self.children[next] {
                if seen.insert(c) {
                    out.push(c);
                }
            }
            i += 1;
        }
        out
    }

    pub(super) fn subtree_users(&self, d: usize) -> Vec<usize> {
        let set: HashSet<usize> = self.subtree(d).into_iter().collect();
        (0..self.users.len())
            .filter(|&u| self.users[u].departed_at.is_none())
            .filter(|&u| self.users[u].depts.iter().any(|x| set.contains(x)))
            .collect()
    }
}

/// Which id names a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UserKind {
    Open,
    Union,
    User,
    EmployeeNo,
}

/// Which id names a department.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DeptKind {
    Open,
    Custom,
}

/// The user id kind a name (`open_id`, `union_id`, `user_id`, `employee_no`) stands for.
pub(super) fn user_kind(name: &str) -> Option<UserKind> {
    match name {
        "open_id" => Some(UserKind::Open),
        "union_id" => Some(UserKind::Union),
        "user_id" => Some(UserKind::User),
        "employee_no" => Some(UserKind::EmployeeNo),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_dataset_shape() {
        let data = ContactData::default();
        assert_eq!(data.depts.len(), 67);
        assert_eq!(data.users.len(), 240);
        assert!(data.users.iter().any(|u| u.depts.len() > 2));
        assert!(data.users.iter().any(|u| u.resigned));
        assert_eq!(data.user_by_user_id.len(), 240);
        assert_eq!(data.user_by_open.len(), 240);
        assert_eq!(data.subtree_users(0).len(), 240);
        assert_eq!(data.depts[0].member_count, 240);
    }

    #[test]
    fn big_dataset_ids_are_unique() {
        let data = ContactData::generate(&ContactDataset {
            users: 5000,
            ..ContactDataset::default()
        });
        assert_eq!(data.user_by_user_id.len(), 5000);
        assert_eq!(data.user_by_union.len(), 5000);
    }
}
