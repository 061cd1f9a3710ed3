//! The people and the clock an approval dataset is generated around.

/// One applicant or approver, with the three ids Feishu may name them by.
#[derive(Debug, Clone)]
pub(super) struct User {
    pub(super) open_id: String,
    pub(super) user_id: String,
    pub(super) union_id: String,
}

/// The dataset's "now", its people and their departments.
#[derive(Debug, Default)]
pub(super) struct Cast {
    /// The dataset's "now" in Unix ms.
    pub(super) now_ms: i64,
    pub(super) users: Vec<User>,
    /// `open_department_id`s.
    pub(super) departments: Vec<String>,
}

impl Cast {
    /// Twelve users and four departments drawn from `rng`.
    pub(super) fn generate(now_ms: i64, rng: &mut fastrand::Rng) -> Cast {
        let users: Vec<User> = (0..12)
            .map(|i| User {
                open_id: format!("ou_{:032x}", rng.u128(..)),
                user_id: format!("u{:07}", 1000 + i),
                union_id: format!("on_{:032x}", rng.u128(..)),
            })
            .collect();
        let departments: Vec<String> = (0..4)
            .map(|_| format!("od-{:032x}", rng.u128(..)))
            .collect();
        Cast {
            now_ms,
            users,
            departments,
        }
    }

    /// The user named `id` by ids of `id_type` (`user_id`, `union_id`, else `open_id`).
    pub(super) fn find_user(&self, id: &str, id_type: &str) -> Option<usize> {
        self.users.iter().position(|u| match id_type {
            "user_id" => u.user_id == id,
            "union_id" => u.union_id == id,
            _ => u.open_id == id,
        })
    }

    /// The id of `user` of `id_type` (`user_id`, `union_id`, else `open_id`).
    pub(super) fn user_key(&self, user: usize, id_type: &str) -> String {
        let u = &self.users[user];
        match id_type {
            "user_id" => u.user_id.clone(),
            "union_id" => u.union_id.clone(),
            _ => u.open_id.clone(),
        }
    }
}
