//! Contact v3 of the fake tenant: a seeded organisation (department tree, users in one or
//! more departments, resigned and frozen users), the app's contact range, and the read
//! endpoints of feishu-api.md §8:
//!
//! - `GET /open-apis/contact/v3/departments/:department_id/children` (`fetch_child`,
//!   `user_id_type`, `department_id_type`, `page_size` 1–50 default 10, `page_token`)
//! - `GET /open-apis/contact/v3/users/find_by_department` (direct members only)
//! - `GET /open-apis/contact/v3/users/:user_id`
//! - `GET /open-apis/contact/v3/users/batch` (`user_ids` repeated, ≤ 50)
//! - `GET /open-apis/contact/v3/scopes` (`page_size` 1–100 default 50; users first, then
//!   departments, then groups)
//!
//! Errors as documented: bad `user_id_type` / `department_id_type` / missing parameter /
//! more than 50 `user_ids` → 40001 (HTTP 400); bad `page_size` → 40011, bad `page_token` →
//! 40012 (HTTP 400); a department unknown or outside the contact range (the root `0` when the
//! range is not "all members") → 40004 (HTTP 403); a user outside the range → 41050
//! (HTTP 400); an unknown user id → 41012 (HTTP 400); `fetch_child=true` over a subtree
//! larger than [`FakeTenant::set_contact_recursion_limit`] → 43010 (HTTP 400). `users/batch`
//! silently drops unknown and out-of-range ids, as Feishu does.
//!
//! Dataset conventions: departments are numbered `D001`, `D002`, ... (custom
//! `department_id`) in breadth-first order below the virtual root `0`; their
//! `open_department_id` is `od-` + 32 hex digits. User `i` has `user_id` = 10 hex digits,
//! `open_id` = `ou_` + 32 hex, `union_id` = `on_` + 32 hex and `employee_no` = `E00001`....
//! Resigned users stay members of their departments here (with `status.is_resigned: true`)
//! so that status filters can be tested.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::reply::Reply;
use crate::router::{RequestView, only};
use crate::state::{State, lock};
use crate::tenant::FakeTenant;

const CHILDREN: &str = "/open-apis/contact/v3/departments/:department_id/children";
const FIND_BY_DEPARTMENT: &str = "/open-apis/contact/v3/users/find_by_department";
const BATCH: &str = "/open-apis/contact/v3/users/batch";
const USER: &str = "/open-apis/contact/v3/users/:user_id";
const SCOPES: &str = "/open-apis/contact/v3/scopes";

/// Contact's "parameter error" code (v3 meaning).
const PARAM_ERROR: i64 = 40001;
/// Department outside the contact range.
const NO_DEPT_AUTHORITY: i64 = 40004;
/// Bad `page_size`.
const BAD_PAGE_SIZE: i64 = 40011;
/// Bad `page_token`.
const BAD_PAGE_TOKEN: i64 = 40012;
/// Invalid user id.
const BAD_USER_ID: i64 = 41012;
/// User outside the contact range.
const NO_USER_AUTHORITY: i64 = 41050;
/// Too many sub-departments for `fetch_child=true`.
const TOO_LARGE: i64 = 43010;

/// The shape of the seeded organisation; set with [`FakeTenant::set_contact_dataset`].
///
/// The default is 240 users in a 4-level tree of 66 departments (fan-out 3, 3, 2, 2), about
/// 15 % of users in a second department (and some in a third), 5 % resigned, 2 users directly
/// in the root.
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
        }
    }
}

/// The app's contact range when it is not "all members"; set with
/// [`FakeTenant::set_contact_range`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactRange {
    /// Granted departments by custom `department_id` (`D004`); their subtrees are visible.
    pub departments: Vec<String>,
    /// Individually granted users by `user_id`.
    pub users: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Dept {
    open_id: String,
    custom_id: String,
    name: String,
    en_name: String,
    parent: usize,
    leader: Option<usize>,
    member_count: usize,
    primary_member_count: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) open_id: String,
    pub(crate) union_id: String,
    pub(crate) user_id: String,
    pub(crate) employee_no: String,
    pub(crate) name: String,
    en_name: String,
    pub(crate) depts: Vec<usize>,
    pub(crate) resigned: bool,
    frozen: bool,
    leader: Option<usize>,
    join_time: i64,
    employee_type: i64,
    gender: i64,
    city: &'static str,
    job_title: &'static str,
}

/// The generated organisation plus the current contact range.
#[derive(Debug)]
pub(crate) struct ContactData {
    depts: Vec<Dept>,
    pub(crate) users: Vec<User>,
    children: Vec<Vec<usize>>,
    members: Vec<Vec<usize>>,
    dept_by_open: HashMap<String, usize>,
    dept_by_custom: HashMap<String, usize>,
    user_by_open: HashMap<String, usize>,
    user_by_union: HashMap<String, usize>,
    pub(crate) user_by_user_id: HashMap<String, usize>,
    pub(crate) user_by_employee_no: HashMap<String, usize>,
    range: Option<(Vec<usize>, Vec<usize>)>,
    /// Most descendants a `fetch_child=true` listing accepts (Feishu: 500; `None` = no limit).
    recursion_limit: Option<usize>,
    /// User fields left out of every answer (as when the app lacks their field scope).
    withheld_user_fields: Vec<String>,
}

impl Default for ContactData {
    fn default() -> Self {
        ContactData::generate(&ContactDataset::default())
    }
}

const GIVEN: [&str; 16] = [
    "Lei", "Mei", "Hua", "Jun", "Ying", "Wei", "Fang", "Min", "Jie", "Lin", "Tao", "Xin", "Yu",
    "Hao", "Qing", "Bo",
];
const FAMILY: [&str; 12] = [
    "Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun",
];
const CITIES: [&str; 5] = ["Hangzhou", "Beijing", "Shanghai", "Shenzhen", "Chengdu"];
const TITLES: [&str; 5] = ["Engineer", "Designer", "Manager", "Analyst", "Sales"];

/// A 64-bit mix (splitmix64) for derived ids.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn hex32(seed: u64, salt: u64, index: usize) -> String {
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
    pub(crate) fn generate(ds: &ContactDataset) -> ContactData {
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
            range: None,
            recursion_limit: None,
            withheld_user_fields: Vec::new(),
        }
    }

    fn dept_id(&self, d: usize, kind: DeptKind) -> &str {
        match kind {
            DeptKind::Open => &self.depts[d].open_id,
            DeptKind::Custom => &self.depts[d].custom_id,
        }
    }

    fn user_id(&self, u: usize, kind: UserKind) -> &str {
        let user = &self.users[u];
        match kind {
            UserKind::Open => &user.open_id,
            UserKind::Union => &user.union_id,
            UserKind::User => &user.user_id,
            UserKind::EmployeeNo => &user.employee_no,
        }
    }

    fn find_dept(&self, id: &str, kind: DeptKind) -> Option<usize> {
        if id == "0" {
            return Some(0);
        }
        match kind {
            DeptKind::Open => self.dept_by_open.get(id).copied(),
            DeptKind::Custom => self.dept_by_custom.get(id).copied(),
        }
    }

    fn find_user(&self, id: &str, kind: UserKind) -> Option<usize> {
        match kind {
            UserKind::Open => self.user_by_open.get(id),
            UserKind::Union => self.user_by_union.get(id),
            UserKind::User => self.user_by_user_id.get(id),
            UserKind::EmployeeNo => self.user_by_employee_no.get(id),
        }
        .copied()
    }

    /// Whether `d` is `a` or below it.
    fn is_under(&self, mut d: usize, a: usize) -> bool {
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

    fn dept_visible(&self, d: usize) -> bool {
        match &self.range {
            None => true,
            Some((depts, _)) => depts.iter().any(|&a| self.is_under(d, a)),
        }
    }

    fn user_visible(&self, u: usize) -> bool {
        match &self.range {
            None => true,
            Some((_, users)) => {
                users.contains(&u) || self.users[u].depts.iter().any(|&d| self.dept_visible(d))
            }
        }
    }

    /// `d` and its descendants, breadth first (`d` first), each once (even when
    /// [`FakeTenant::contact_link_child`] made a cycle).
    fn subtree(&self, d: usize) -> Vec<usize> {
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

    fn subtree_users(&self, d: usize) -> Vec<usize> {
        let set: HashSet<usize> = self.subtree(d).into_iter().collect();
        (0..self.users.len())
            .filter(|&u| self.users[u].depts.iter().any(|x| set.contains(x)))
            .collect()
    }

    fn dept_json(&self, d: usize, uk: UserKind, dk: DeptKind) -> Value {
        let dept = &self.depts[d];
        let leader = dept.leader.map(|l| self.user_id(l, uk).to_owned());
        let leaders: Vec<Value> = leader
            .iter()
            .map(|l| json!({ "leaderType": 1, "leaderID": l }))
            .collect();
        json!({
            "name": dept.name,
            "i18n_name": { "zh_cn": dept.name, "ja_jp": "", "en_us": dept.en_name },
            "parent_department_id": self.dept_id(dept.parent, dk),
            "department_id": dept.custom_id,
            "open_department_id": dept.open_id,
            "leader_user_id": leader.clone().unwrap_or_default(),
            "chat_id": format!("oc_{}", hex32(0, 9, d)),
            "order": (d * 1000).to_string(),
            "unit_ids": [],
            "member_count": dept.member_count,
            "primary_member_count": dept.primary_member_count,
            "status": { "is_deleted": false },
            "leaders": leaders,
            "group_chat_employee_types": [1],
            "department_hrbps": [],
        })
    }

    fn user_json(&self, u: usize, uk: UserKind, dk: DeptKind) -> Value {
        let user = &self.users[u];
        let dept_ids: Vec<&str> = user.depts.iter().map(|&d| self.dept_id(d, dk)).collect();
        let orders: Vec<Value> = user
            .depts
            .iter()
            .enumerate()
            .map(|(n, &d)| {
                json!({
                    "department_id": self.dept_id(d, dk),
                    "user_order": 0,
                    "department_order": n + 1,
                    "is_primary_dept": n == 0,
                })
            })
            .collect();
        let avatar = format!("https://example.invalid/avatar/{}", user.open_id);
        let mut out = json!({
            "open_id": user.open_id,
            "union_id": user.union_id,
            "user_id": user.user_id,
            "name": user.name,
            "en_name": user.en_name,
            "nickname": "",
            "email": format!("{}@example.com", user.user_id),
            "enterprise_email": format!("{}@corp.example.com", user.user_id),
            "mobile": format!("138{:08}", u),
            "mobile_visible": true,
            "gender": user.gender,
            "avatar": {
                "avatar_72": format!("{avatar}/72"),
                "avatar_240": format!("{avatar}/240"),
                "avatar_640": format!("{avatar}/640"),
                "avatar_origin": avatar,
            },
            "status": {
                "is_frozen": user.frozen,
                "is_resigned": user.resigned,
                "is_activated": !user.resigned,
                "is_exited": false,
                "is_unjoin": false,
            },
            "department_ids": dept_ids,
            "leader_user_id": user.leader.map(|l| self.user_id(l, uk).to_owned()).unwrap_or_default(),
            "orders": orders,
            "city": user.city,
            "country": "CN",
            "work_station": "",
            "join_time": user.join_time,
            "is_tenant_manager": u == 0,
            "employee_no": user.employee_no,
            "employee_type": user.employee_type,
            "job_title": user.job_title,
            "custom_attrs": [],
            "is_frozen": user.frozen,
        });
        if let Some(map) = out.as_object_mut() {
            for field in &self.withheld_user_fields {
                map.remove(field);
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UserKind {
    Open,
    Union,
    User,
    EmployeeNo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DeptKind {
    Open,
    Custom,
}

fn user_kind(name: &str) -> Option<UserKind> {
    match name {
        "open_id" => Some(UserKind::Open),
        "union_id" => Some(UserKind::Union),
        "user_id" => Some(UserKind::User),
        "employee_no" => Some(UserKind::EmployeeNo),
        _ => None,
    }
}

fn param_error(field: &str, value: &str, description: &str) -> Reply {
    Reply::err_with(
        400,
        PARAM_ERROR,
        format!("param error: {field}: {description}"),
        json!({ "field_violations": [ { "field": field, "value": value, "description": description } ] }),
    )
}

/// `user_id_type` and `department_id_type` of a request (Feishu defaults: open ids).
fn id_types(req: &RequestView) -> Result<(UserKind, DeptKind), Reply> {
    let uk = match req.query_first("user_id_type").unwrap_or("open_id") {
        "open_id" => UserKind::Open,
        "union_id" => UserKind::Union,
        "user_id" => UserKind::User,
        other => {
            return Err(param_error(
                "user_id_type",
                other,
                "must be open_id, union_id or user_id",
            ));
        }
    };
    let dk = match req
        .query_first("department_id_type")
        .unwrap_or("open_department_id")
    {
        "open_department_id" => DeptKind::Open,
        "department_id" => DeptKind::Custom,
        other => {
            return Err(param_error(
                "department_id_type",
                other,
                "must be open_department_id or department_id",
            ));
        }
    };
    Ok((uk, dk))
}

const TOKEN_PREFIX: &str = "ct+";
const TOKEN_SUFFIX: &str = "/==";

fn encode_token(offset: usize) -> String {
    format!("{TOKEN_PREFIX}{offset:x}{TOKEN_SUFFIX}")
}

/// `(offset, page_size)` of a paged request.
fn paging(req: &RequestView, default: usize, max: usize) -> Result<(usize, usize), Reply> {
    let size = match req.query_first("page_size").filter(|v| !v.is_empty()) {
        None => default,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                return Err(Reply::err(
                    400,
                    BAD_PAGE_SIZE,
                    format!("page size is invalid: {v} (1..={max})"),
                ));
            }
        },
    };
    let offset = match req.query_first("page_token").filter(|v| !v.is_empty()) {
        None => 0,
        Some(t) => match t
            .strip_prefix(TOKEN_PREFIX)
            .and_then(|t| t.strip_suffix(TOKEN_SUFFIX))
            .and_then(|t| usize::from_str_radix(t, 16).ok())
        {
            Some(o) => o,
            None => return Err(Reply::err(400, BAD_PAGE_TOKEN, "page token is invalid")),
        },
    };
    Ok((offset, size))
}

fn page_of(items: Vec<Value>, offset: usize, size: usize) -> Value {
    let end = offset.saturating_add(size).min(items.len());
    let start = offset.min(end);
    let has_more = end < items.len();
    let page: Vec<Value> = items[start..end].to_vec();
    let mut data = json!({ "has_more": has_more, "items": page });
    if has_more {
        data["page_token"] = json!(encode_token(end));
    }
    data
}

fn dept_denied(id: &str) -> Reply {
    Reply::err(
        403,
        NO_DEPT_AUTHORITY,
        format!("no dept authority error: department {id} is outside the app's contact range"),
    )
}

/// Routes the Contact v3 endpoints.
pub(crate) fn handle(state: &State, req: &RequestView) -> Option<Reply> {
    if !req.path.starts_with("/open-apis/contact/v3/") {
        return None;
    }
    if let Some(p) = req.match_path(CHILDREN) {
        let id = p[0].to_owned();
        return Some(only(req, "GET", || children(state, req, &id)));
    }
    if req.match_path(FIND_BY_DEPARTMENT).is_some() {
        return Some(only(req, "GET", || find_by_department(state, req)));
    }
    if req.match_path(BATCH).is_some() {
        return Some(only(req, "GET", || batch(state, req)));
    }
    if let Some(p) = req.match_path(USER) {
        let id = p[0].to_owned();
        return Some(only(req, "GET", || get_user(state, req, &id)));
    }
    if req.match_path(SCOPES).is_some() {
        return Some(only(req, "GET", || scopes(state, req)));
    }
    None
}

fn children(state: &State, req: &RequestView, id: &str) -> Reply {
    let (uk, dk) = match id_types(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let (offset, size) = match paging(req, 10, 50) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let fetch_child = match req.query_first("fetch_child").unwrap_or("false") {
        "true" => true,
        "false" | "" => false,
        other => return param_error("fetch_child", other, "must be true or false"),
    };
    let data = lock(&state.contact);
    let Some(d) = data.find_dept(id, dk).filter(|&d| data.dept_visible(d)) else {
        return dept_denied(id);
    };
    let ids = if fetch_child {
        let all: Vec<usize> = data.subtree(d).into_iter().skip(1).collect();
        if data.recursion_limit.is_some_and(|limit| all.len() > limit) {
            return Reply::err(
                400,
                TOO_LARGE,
                format!("department {id} has too many sub-departments to fetch recursively"),
            );
        }
        all
    } else {
        data.children[d].clone()
    };
    let items = ids.iter().map(|&c| data.dept_json(c, uk, dk)).collect();
    Reply::ok(page_of(items, offset, size))
}

fn find_by_department(state: &State, req: &RequestView) -> Reply {
    let (uk, dk) = match id_types(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let (offset, size) = match paging(req, 10, 50) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(id) = req.query_first("department_id").filter(|v| !v.is_empty()) else {
        return param_error("department_id", "", "department_id is required");
    };
    let data = lock(&state.contact);
    let Some(d) = data.find_dept(id, dk).filter(|&d| data.dept_visible(d)) else {
        return dept_denied(id);
    };
    let items = data.members[d]
        .iter()
        .map(|&u| data.user_json(u, uk, dk))
        .collect();
    Reply::ok(page_of(items, offset, size))
}

fn get_user(state: &State, req: &RequestView, id: &str) -> Reply {
    let (uk, dk) = match id_types(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let data = lock(&state.contact);
    match data.find_user(id, uk) {
        None => Reply::err(400, BAD_USER_ID, format!("invalid user id: {id}")),
        Some(u) if !data.user_visible(u) => Reply::err(
            400,
            NO_USER_AUTHORITY,
            format!("no user authority error: user {id} is outside the app's contact range"),
        ),
        Some(u) => Reply::ok(json!({ "user": data.user_json(u, uk, dk) })),
    }
}

fn batch(state: &State, req: &RequestView) -> Reply {
    let (uk, dk) = match id_types(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let ids: Vec<&str> = req
        .query
        .iter()
        .filter(|(k, _)| k == "user_ids")
        .map(|(_, v)| v.as_str())
        .collect();
    if ids.is_empty() {
        return param_error("user_ids", "", "user_ids is required");
    }
    if ids.len() > 50 {
        return param_error(
            "user_ids",
            &ids.len().to_string(),
            "at most 50 user_ids per request",
        );
    }
    let data = lock(&state.contact);
    let items: Vec<Value> = ids
        .iter()
        .filter_map(|id| data.find_user(id, uk))
        .filter(|&u| data.user_visible(u))
        .map(|u| data.user_json(u, uk, dk))
        .collect();
    Reply::ok(json!({ "items": items }))
}

fn scopes(state: &State, req: &RequestView) -> Reply {
    let (uk, dk) = match id_types(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let (offset, size) = match paging(req, 50, 100) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let data = lock(&state.contact);
    let (depts, users) = match &data.range {
        None => (data.children[0].clone(), data.members[0].clone()),
        Some((d, u)) => (d.clone(), u.clone()),
    };
    // Users first, then departments (no groups in the testkit).
    let entries: Vec<(bool, String)> = users
        .iter()
        .map(|&u| (true, data.user_id(u, uk).to_owned()))
        .chain(
            depts
                .iter()
                .map(|&d| (false, data.dept_id(d, dk).to_owned())),
        )
        .collect();
    let end = offset.saturating_add(size).min(entries.len());
    let start = offset.min(end);
    let page = &entries[start..end];
    let user_ids: Vec<&str> = page.iter().filter(|e| e.0).map(|e| e.1.as_str()).collect();
    let department_ids: Vec<&str> = page.iter().filter(|e| !e.0).map(|e| e.1.as_str()).collect();
    let has_more = end < entries.len();
    let mut out = json!({
        "department_ids": department_ids,
        "user_ids": user_ids,
        "group_ids": [],
        "has_more": has_more,
    });
    if has_more {
        out["page_token"] = json!(encode_token(end));
    }
    Reply::ok(out)
}

fn kind_or_panic(id_type: &str) -> UserKind {
    user_kind(id_type).unwrap_or_else(|| {
        panic!("unknown id type {id_type:?}: use open_id, union_id, user_id or employee_no")
    })
}

/// Contact knobs and ground truth.
impl FakeTenant {
    /// Replaces the organisation with one generated from `dataset` (the contact range is
    /// reset to "all members").
    pub fn set_contact_dataset(&self, dataset: ContactDataset) {
        *lock(&self.state().contact) = ContactData::generate(&dataset);
    }

    /// Restricts the app's contact range (`None` = all members). With a range, the root `0`
    /// is not visible (40004), `scopes` lists exactly the granted departments and users,
    /// and only users in a granted subtree or granted individually can be read.
    ///
    /// # Panics
    /// When a department or user id is unknown (a test setup mistake).
    pub fn set_contact_range(&self, range: Option<ContactRange>) {
        let mut data = lock(&self.state().contact);
        data.range = range.map(|r| {
            let depts = r
                .departments
                .iter()
                .map(|id| {
                    data.find_dept(id, DeptKind::Custom)
                        .filter(|&d| d != 0)
                        .unwrap_or_else(|| panic!("unknown department {id:?}"))
                })
                .collect();
            let users = r
                .users
                .iter()
                .map(|id| {
                    data.find_user(id, UserKind::User)
                        .unwrap_or_else(|| panic!("unknown user {id:?}"))
                })
                .collect();
            (depts, users)
        });
    }

    /// Makes `departments/:id/children?fetch_child=true` refuse (HTTP 400, code 43010)
    /// departments with more than `limit` descendants, as Feishu does above 500; `None`
    /// (the default) never refuses. Reset by [`set_contact_dataset`](Self::set_contact_dataset).
    pub fn set_contact_recursion_limit(&self, limit: Option<usize>) {
        lock(&self.state().contact).recursion_limit = limit;
    }

    /// Leaves these fields (e.g. `user_id`, `employee_no`) out of every user object, as
    /// Feishu does when the app lacks their field scope. Lookups by such an id still work.
    /// Reset by [`set_contact_dataset`](Self::set_contact_dataset).
    pub fn set_contact_withheld_user_fields(&self, fields: &[&str]) {
        lock(&self.state().contact).withheld_user_fields =
            fields.iter().map(|f| (*f).to_owned()).collect();
    }

    /// Lists department `child` (custom id, e.g. `D001`) as one more child of `parent`
    /// (custom id, or `0`) in `departments/:id/children`, without changing its parent or
    /// members. Linking an ancestor makes a cycle: a corrupt tree for walk tests. Reset by
    /// [`set_contact_dataset`](Self::set_contact_dataset).
    ///
    /// # Panics
    /// When a department id is unknown (a test setup mistake).
    pub fn contact_link_child(&self, parent: &str, child: &str) {
        let mut data = lock(&self.state().contact);
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
    /// two users outside it. Pass it to [`set_contact_range`](Self::set_contact_range).
    pub fn contact_sample_range(&self) -> ContactRange {
        let data = lock(&self.state().contact);
        let root = data.find_dept("D004", DeptKind::Custom).unwrap_or(1);
        let inside: HashSet<usize> = data.subtree_users(root).into_iter().collect();
        let users = (0..data.users.len())
            .filter(|u| !inside.contains(u) && !data.users[*u].resigned)
            .take(2)
            .map(|u| data.users[u].user_id.clone())
            .collect();
        ContactRange {
            departments: vec![data.depts[root].custom_id.clone()],
            users,
        }
    }

    /// Every user's id of `id_type` (`open_id`, `union_id`, `user_id` or `employee_no`), in
    /// generation order (resigned users included).
    ///
    /// # Panics
    /// On an unknown id type.
    pub fn contact_user_ids(&self, id_type: &str) -> Vec<String> {
        let kind = kind_or_panic(id_type);
        let data = lock(&self.state().contact);
        (0..data.users.len())
            .map(|u| data.user_id(u, kind).to_owned())
            .collect()
    }

    /// Every department's id (`department_id` or `open_department_id`), breadth first,
    /// without the root.
    pub fn contact_department_ids(&self, department_id_type: &str) -> Vec<String> {
        let kind = if department_id_type == "department_id" {
            DeptKind::Custom
        } else {
            DeptKind::Open
        };
        let data = lock(&self.state().contact);
        (1..data.depts.len())
            .map(|d| data.dept_id(d, kind).to_owned())
            .collect()
    }

    /// Users (ids of `id_type`) who are in `department_id` (custom or open id, `0` = root)
    /// or any department below it; sorted. Empty for an unknown department.
    pub fn contact_subtree_user_ids(&self, department_id: &str, id_type: &str) -> Vec<String> {
        let kind = kind_or_panic(id_type);
        let data = lock(&self.state().contact);
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
    pub fn contact_visible_user_ids(&self, id_type: &str) -> Vec<String> {
        let kind = kind_or_panic(id_type);
        let data = lock(&self.state().contact);
        let mut ids: Vec<String> = (0..data.users.len())
            .filter(|&u| data.user_visible(u))
            .map(|u| data.user_id(u, kind).to_owned())
            .collect();
        ids.sort();
        ids
    }

    /// Users (ids of `id_type`) that are in two or more departments.
    pub fn contact_multi_department_user_ids(&self, id_type: &str) -> Vec<String> {
        let kind = kind_or_panic(id_type);
        let data = lock(&self.state().contact);
        (0..data.users.len())
            .filter(|&u| data.users[u].depts.len() > 1)
            .map(|u| data.user_id(u, kind).to_owned())
            .collect()
    }

    /// Users (ids of `id_type`) that have resigned.
    pub fn contact_resigned_user_ids(&self, id_type: &str) -> Vec<String> {
        let kind = kind_or_panic(id_type);
        let data = lock(&self.state().contact);
        (0..data.users.len())
            .filter(|&u| data.users[u].resigned)
            .map(|u| data.user_id(u, kind).to_owned())
            .collect()
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
