//! People leaving and joining after the organisation was generated: a departed user is gone
//! from every Contact answer (their past punches stay with Attendance), and a successor may
//! take over the `user_id` and `employee_no` a departed user held, as Feishu allows
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/user_flow/query>,
//! `include_terminated_user`).

use super::data::{ContactData, FAMILY, GIVEN, User, hex32};
use crate::rng::mix;

impl ContactData {
    /// User `u` leaves at `at` (Unix s): out of their departments, groups and the range.
    pub(super) fn depart(&mut self, u: usize, at: i64) {
        self.users[u].departed_at = Some(at);
        for members in &mut self.members {
            members.retain(|&m| m != u);
        }
        for group in &mut self.groups {
            group.users.retain(|&m| m != u);
        }
    }

    /// A new user named `name` joins department `d`; returns their index. Their ids follow
    /// the dataset's conventions, with the index making them unique.
    pub(super) fn add_user(&mut self, d: usize, name: &str) -> usize {
        let n = self.users.len();
        let h = mix(self.seed ^ (n as u64).wrapping_mul(31));
        let user = User {
            open_id: format!("ou_{}", hex32(self.seed, 1, n)),
            union_id: format!("on_{}", hex32(self.seed, 2, n)),
            user_id: format!("{:04x}{:06x}", h & 0xffff, n & 0xff_ffff),
            employee_no: format!("E{:05}", n + 1),
            name: name.to_owned(),
            en_name: name.to_owned(),
            depts: vec![d],
            resigned: false,
            frozen: false,
            leader: self.depts[d].leader,
            join_time: 1_577_836_800 + (h % 150_000_000) as i64,
            employee_type: 1,
            gender: 0,
            city: "Hangzhou",
            job_title: "Engineer",
            joined_at: None,
            departed_at: None,
        };
        self.members[d].push(n);
        self.user_by_open.insert(user.open_id.clone(), n);
        self.user_by_union.insert(user.union_id.clone(), n);
        self.user_by_user_id.insert(user.user_id.clone(), n);
        self.user_by_employee_no.insert(user.employee_no.clone(), n);
        self.users.push(user);
        n
    }

    /// A new user joins at `at` (Unix s) in the departments of the departed user `u`, taking
    /// over their `user_id` and `employee_no`; returns the new user's index.
    pub(super) fn hire_successor(&mut self, u: usize, at: i64) -> usize {
        let n = self.users.len();
        let h = mix(self.seed ^ (n as u64).wrapping_mul(0x5_0CCE_550B));
        let given = GIVEN[(h % GIVEN.len() as u64) as usize];
        let family = FAMILY[((h >> 8) % FAMILY.len() as u64) as usize];
        let before = &self.users[u];
        let successor = User {
            open_id: format!("ou_{}", hex32(self.seed, 1, n)),
            union_id: format!("on_{}", hex32(self.seed, 2, n)),
            user_id: before.user_id.clone(),
            employee_no: before.employee_no.clone(),
            name: format!("{family}{given}"),
            en_name: format!("{given} {family}"),
            depts: before.depts.clone(),
            resigned: false,
            frozen: false,
            leader: before.leader,
            join_time: at,
            employee_type: 1,
            gender: 0,
            city: before.city,
            job_title: before.job_title,
            joined_at: Some(at),
            departed_at: None,
        };
        for &d in &successor.depts {
            self.members[d].push(n);
        }
        self.user_by_open.insert(successor.open_id.clone(), n);
        self.user_by_union.insert(successor.union_id.clone(), n);
        self.user_by_user_id.insert(successor.user_id.clone(), n);
        self.user_by_employee_no
            .insert(successor.employee_no.clone(), n);
        self.users.push(successor);
        n
    }
}
