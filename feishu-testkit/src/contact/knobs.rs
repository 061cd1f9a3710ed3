//! Contact knobs and ground truth, reached through
//! [`FakeTenant::contact`](crate::FakeTenant::contact).

use std::collections::HashSet;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::data::{ContactData, DeptKind, UserKind, user_kind};
use super::dataset::{ContactDataset, ContactRange};
use super::grant::Grant;
use crate::directory::DirectoryHandle;
use crate::event_hub::{Change, EventHub, UserChange};
use crate::lock::lock;

/// The Contact service's knobs and ground truth: the organisation, the app's contact range,
/// and the ids a test compares its results with.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use feishu_testkit::FakeTenant;
/// let tenant = FakeTenant::start().await;
/// let contact = tenant.contact();
/// contact.set_range(Some(contact.sample_range()));
/// assert!(contact.visible_user_ids("open_id").len() < contact.user_ids("open_id").len());
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ContactKnobs<'a> {
    data: &'a Mutex<ContactData>,
    directory: &'a DirectoryHandle,
    events: &'a EventHub,
}

impl<'a> ContactKnobs<'a> {
    pub(super) fn new(
        data: &'a Mutex<ContactData>,
        directory: &'a DirectoryHandle,
        events: &'a EventHub,
    ) -> Self {
        ContactKnobs {
            data,
            directory,
            events,
        }
    }
}

impl ContactKnobs<'_> {
    /// Replaces the organisation with one generated from `dataset` (the contact range is
    /// reset to "all members").
    pub fn set_dataset(&self, dataset: ContactDataset) {
        let generated = ContactData::generate(&dataset);
        self.directory.publish(generated.directory());
        *lock(self.data) = generated;
    }

    /// Restricts the app's contact range (`None` = all members). With a range, the root `0`
    /// is not visible (40004), `scopes` lists exactly the granted users, departments and
    /// groups, and only users in a granted subtree, granted alone, or members of a granted
    /// group (directly or through a department member) can be read.
    ///
    /// # Panics
    /// When a department, user or group id is unknown (a test setup mistake).
    pub fn set_range(&self, range: Option<ContactRange>) {
        let mut data = lock(self.data);
        let grant = range.map(|r| Grant {
            depts: r
                .departments
                .iter()
                .map(|id| {
                    data.find_dept(id, DeptKind::Custom)
                        .filter(|&d| d != 0)
                        .unwrap_or_else(|| panic!("unknown department {id:?}"))
                })
                .collect(),
            users: r
                .users
                .iter()
                .map(|id| {
                    data.find_user(id, UserKind::User)
                        .unwrap_or_else(|| panic!("unknown user {id:?}"))
                })
                .collect(),
            groups: r
                .groups
                .iter()
                .map(|id| {
                    *data
                        .group_by_id
                        .get(id)
                        .unwrap_or_else(|| panic!("unknown group {id:?}"))
                })
                .collect(),
        });
        data.range = grant;
    }

    /// With `true`, `scopes` leaves `user_ids` out of its reply, as Feishu does when the app
    /// lacks `contact:user.employee_id:readonly`: users granted alone are then invisible in
    /// the range listing, though they can still be read. Reset by
    /// [`set_dataset`](Self::set_dataset).
    pub fn withhold_scope_user_ids(&self, withhold: bool) {
        lock(self.data).scope_user_ids_withheld = withhold;
    }

    /// The user `user_id` leaves the organisation at `departed_at` (Unix s): from now on no
    /// Contact answer names them (their id answers 41012, departments and groups drop them),
    /// while Attendance keeps the punches they made before leaving.
    ///
    /// # Panics
    /// When no current user has this `user_id` (a test setup mistake).
    pub fn depart_user(&self, user_id: &str, departed_at: i64) {
        let mut data = lock(self.data);
        let u = data
            .find_user(user_id, UserKind::User)
            .unwrap_or_else(|| panic!("no current user {user_id:?}"));
        data.depart(u, departed_at);
        self.directory.publish(data.directory());
    }

    /// A new user joins at `joined_at` (Unix s), in the departments of the departed user who
    /// held `user_id`, reusing that `user_id` and `employee_no`; returns the new user's
    /// `open_id`. Attendance then answers the id with the new user's punches, and with the
    /// departed user's too only under `include_terminated_user=true`.
    ///
    /// # Panics
    /// When `user_id` is held by a current user or by nobody (a test setup mistake).
    pub fn hire_successor(&self, user_id: &str, joined_at: i64) -> String {
        let mut data = lock(self.data);
        let u = data
            .find_any_user(user_id, UserKind::User)
            .filter(|&u| data.users[u].departed_at.is_some())
            .unwrap_or_else(|| panic!("{user_id:?} is not the id of a departed user"));
        let n = data.hire_successor(u, joined_at);
        self.directory.publish(data.directory());
        data.user_id(n, UserKind::Open).to_owned()
    }

    /// A new user joins department `department_id` (custom id, e.g. `D004`, or `0`) with
    /// `name`; returns their `user_id`. Emits `contact.user.created_v3` once events are in
    /// use.
    ///
    /// # Panics
    /// When the department is unknown (a test setup mistake).
    pub fn add_user(&self, department_id: &str, name: &str) -> String {
        let (user_id, user) = {
            let mut data = lock(self.data);
            let d = data
                .find_dept(department_id, DeptKind::Custom)
                .unwrap_or_else(|| panic!("unknown department {department_id:?}"));
            let u = data.add_user(d, name);
            self.directory.publish(data.directory());
            (data.users[u].user_id.clone(), event_json(&data, u))
        };
        self.announce(UserChange::Created, &user, None);
        user_id
    }

    /// Renames the current user `user_id`. Emits `contact.user.updated_v3` (with the old
    /// name in `old_object`) once events are in use.
    ///
    /// # Panics
    /// When no current user has this `user_id` (a test setup mistake).
    pub fn rename_user(&self, user_id: &str, name: &str) {
        let (user, old) = {
            let mut data = lock(self.data);
            let u = data
                .find_user(user_id, UserKind::User)
                .unwrap_or_else(|| panic!("no current user {user_id:?}"));
            let old = json!({ "name": data.users[u].name });
            data.users[u].name = name.to_owned();
            self.directory.publish(data.directory());
            (event_json(&data, u), old)
        };
        self.announce(UserChange::Updated, &user, Some(&old));
    }

    /// The user `user_id` is deleted from the directory at `departed_at` (Unix s), as
    /// [`depart_user`](Self::depart_user) does, and `contact.user.deleted_v3` is emitted once
    /// events are in use.
    ///
    /// # Panics
    /// When no current user has this `user_id` (a test setup mistake).
    pub fn delete_user(&self, user_id: &str, departed_at: i64) {
        let user = {
            let data = lock(self.data);
            let u = data
                .find_user(user_id, UserKind::User)
                .unwrap_or_else(|| panic!("no current user {user_id:?}"));
            event_json(&data, u)
        };
        self.depart_user(user_id, departed_at);
        self.announce(UserChange::Deleted, &user, None);
    }

    /// The id of `id_type` of the user (current or departed) holding `user_id`.
    pub fn id_of(&self, user_id: &str, id_type: &str) -> Option<String> {
        let kind = kind_or_panic(id_type);
        let data = lock(self.data);
        data.find_any_user(user_id, UserKind::User)
            .map(|u| data.user_id(u, kind).to_owned())
    }

    fn announce(&self, change: UserChange, user: &Value, old: Option<&Value>) {
        self.events.announce(Change::User { change, user, old });
    }

    /// Makes `departments/:id/children?fetch_child=true` refuse (HTTP 400, code 43010)
    /// departments with more than `limit` descendants, as Feishu does above 500; `None`
    /// (the default) never refuses. Reset by [`set_dataset`](Self::set_dataset).
    pub fn set_recursion_limit(&self, limit: Option<usize>) {
        lock(self.data).recursion_limit = limit;
    }

    /// Leaves these fields (e.g. `user_id`, `employee_no`) out of every user object, as
    /// Feishu does when the app lacks their field scope. Lookups by such an id still work.
    /// Reset by [`set_dataset`](Self::set_dataset).
    pub fn set_withheld_user_fields(&self, fields: &[&str]) {
        lock(self.data).withheld_user_fields = fields.iter().map(|f| (*f).to_owned()).collect();
    }

    /// Lists department `child` (custom id, e.g. `D001`) as one more child of `parent`
    /// (custom id, or `0`) in `departments/:id/children`, without changing its parent or
    /// members. Linking an ancestor makes a cycle: a corrupt tree for walk tests. Reset by
    /// [`set_dataset`](Self::set_dataset).
    ///
    /// # Panics
    /// When a department id is unknown (a test setup mistake).
    pub fn link_child(&self, parent: &str, child: &str) {
        let mut data = lock(self.data);
        let find = |id: &str| {
            data.find_dept(id, DeptKind::Custom)
                .unwrap_or_else(|| panic!("unknown department {id:?}"))
        };
        let (p, c) = (find(parent), find(child));
        if !data.children[p].contains(&c) {
            data.children[p].push(c);
        }
    }

    /// A typical restricted range: the subtree of `D004` (a second-level department) plus
    /// two users outside it. Pass it to [`set_range`](Self::set_range).
    pub fn sample_range(&self) -> ContactRange {
        let data = lock(self.data);
        let root = data.find_dept("D004", DeptKind::Custom).unwrap_or(1);
        let inside: HashSet<usize> = data.subtree_users(root).into_iter().collect();
        let users: Vec<String> = (0..data.users.len())
            .filter(|u| !inside.contains(u) && !data.users[*u].resigned)
            .filter(|&u| data.users[u].departed_at.is_none())
            .take(2)
            .map(|u| data.users[u].user_id.clone())
            .collect();
        ContactRange::default()
            .with_departments([data.depts[root].custom_id.clone()])
            .with_users(users)
    }

    /// Every current user's id of `id_type` (`open_id`, `union_id`, `user_id` or
    /// `employee_no`), in generation order (resigned users included, departed ones not;
    /// successors come last).
    ///
    /// # Panics
    /// On an unknown id type.
    pub fn user_ids(&self, id_type: &str) -> Vec<String> {
        let kind = kind_or_panic(id_type);
        let data = lock(self.data);
        (0..data.users.len())
            .filter(|&u| data.users[u].departed_at.is_none())
            .map(|u| data.user_id(u, kind).to_owned())
            .collect()
    }

    /// The email address of the current user with this `user_id` (what `batch_get_id` finds
    /// them by), `None` for an unknown or departed user.
    pub fn email_of(&self, user_id: &str) -> Option<String> {
        let data = lock(self.data);
        data.find_user(user_id, UserKind::User)
            .map(|u| data.email_of(u))
    }

    /// The mobile number of the current user with this `user_id`, `None` for an unknown or
    /// departed user.
    pub fn mobile_of(&self, user_id: &str) -> Option<String> {
        let data = lock(self.data);
        data.find_user(user_id, UserKind::User)
            .map(|u| data.mobile_of(u))
    }

    /// Ids of `id_type` of the users who departed, in generation order.
    pub fn departed_user_ids(&self, id_type: &str) -> Vec<String> {
        let kind = kind_or_panic(id_type);
        let data = lock(self.data);
        (0..data.users.len())
            .filter(|&u| data.users[u].departed_at.is_some())
            .map(|u| data.user_id(u, kind).to_owned())
            .collect()
    }

    /// Every user group's `group_id`, in generation order.
    pub fn group_ids(&self) -> Vec<String> {
        lock(self.data)
            .groups
            .iter()
            .map(|g| g.id.clone())
            .collect()
    }

    /// The current user members (ids of `id_type`) of group `group_id`, users of its
    /// department members not included; empty for an unknown group.
    pub fn group_user_ids(&self, group_id: &str, id_type: &str) -> Vec<String> {
        let kind = kind_or_panic(id_type);
        let data = lock(self.data);
        let Some(&g) = data.group_by_id.get(group_id) else {
            return Vec::new();
        };
        data.groups[g]
            .users
            .iter()
            .map(|&u| data.user_id(u, kind).to_owned())
            .collect()
    }

    /// Every department's id (`department_id` or `open_department_id`), breadth first,
    /// without the root.
    pub fn department_ids(&self, department_id_type: &str) -> Vec<String> {
        let kind = if department_id_type == "department_id" {
            DeptKind::Custom
        } else {
            DeptKind::Open
        };
        let data = lock(self.data);
        (1..data.depts.len())
            .map(|d| data.dept_id(d, kind).to_owned())
            .collect()
    }

    /// Users (ids of `id_type`) who are in `department_id` (custom or open id, `0` = root)
    /// or any department below it; sorted. Empty for an unknown department.
    pub fn subtree_user_ids(&self, department_id: &str, id_type: &str) -> Vec<String> {
        let kind = kind_or_panic(id_type);
        let data = lock(self.data);
        let Some(d) = data
            .find_dept(department_id, DeptKind::Custom)
            .or_else(|| data.find_dept(department_id, DeptKind::Open))
        else {
            return Vec::new();
        };
        let mut ids: Vec<String> = data
            .subtree_users(d)
            .into_iter()
            .map(|u| data.user_id(u, kind).to_owned())
            .collect();
        ids.sort();
        ids
    }

    /// Users (ids of `id_type`) the app can see under the current contact range; sorted.
    pub fn visible_user_ids(&self, id_type: &str) -> Vec<String> {
        let kind = kind_or_panic(id_type);
        let data = lock(self.data);
        let mut ids: Vec<String> = (0..data.users.len())
            .filter(|&u| data.user_visible(u))
            .map(|u| data.user_id(u, kind).to_owned())
            .collect();
        ids.sort();
        ids
    }

    /// Users (ids of `id_type`) that are in two or more departments.
    pub fn multi_department_user_ids(&self, id_type: &str) -> Vec<String> {
        let kind = kind_or_panic(id_type);
        let data = lock(self.data);
        (0..data.users.len())
            .filter(|&u| data.users[u].departed_at.is_none() && data.users[u].depts.len() > 1)
            .map(|u| data.user_id(u, kind).to_owned())
            .collect()
    }

    /// Users (ids of `id_type`) that have resigned.
    pub fn resigned_user_ids(&self, id_type: &str) -> Vec<String> {
        let kind = kind_or_panic(id_type);
        let data = lock(self.data);
        (0..data.users.len())
            .filter(|&u| data.users[u].departed_at.is_none() && data.users[u].resigned)
            .map(|u| data.user_id(u, kind).to_owned())
            .collect()
    }
}

impl ContactKnobs<'_> {
    /// Up to `n` users (by `user_id`) the app can see who are ordinary: not resigned, not
    /// frozen, not a department leader, in generation order. For presets that need users
    /// whose absence nothing else depends on.
    pub(crate) fn ordinary_visible_users(&self, n: usize) -> Vec<String> {
        let data = lock(self.data);
        let leaders: HashSet<usize> = data.depts.iter().filter_map(|d| d.leader).collect();
        (0..data.users.len())
            .filter(|&u| data.user_visible(u) && !leaders.contains(&u))
            .filter(|&u| !data.users[u].resigned && !data.users[u].frozen)
            .take(n)
            .map(|u| data.users[u].user_id.clone())
            .collect()
    }
}

/// User `u` as contact events carry it (ids of every kind, open department ids).
fn event_json(data: &ContactData, u: usize) -> Value {
    data.user_json(u, UserKind::Open, DeptKind::Open)
}

fn kind_or_panic(id_type: &str) -> UserKind {
    user_kind(id_type).unwrap_or_else(|| {
        panic!("unknown id type {id_type:?}: use open_id, union_id, user_id or employee_no")
    })
}
