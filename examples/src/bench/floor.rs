//! The rate-limit floor: the least wall time the documented limits allow for a set of
//! requests.
//!
//! Endpoint families have separate budgets, so requests of different families can run at the
//! same time: the floor of a run is the largest per-family floor, `requests ÷ sustained rate`
//! (the tighter of the per-second and per-minute limits; approval's 100/min list binds at
//! 1.67/s, its 1000/min & 50/s detail at 16.7/s). The client limiter's initial burst (20 % of a
//! window) is not credited, so a short run can finish slightly under its floor.
//!
//! The module crates keep their limit constants `pub(crate)`; the table below repeats them
//! (feishu-approval/src/lib.rs, feishu-bitable/src/codes.rs (reads 20/s, record writes 50/s,
//! table and field writes 10/s), feishu-contact/src/list.rs, feishu-attendance/src/common.rs).
//!
//! W7 sets its own floor: the key scan must end before a key is known to be new (or carried by
//! one record only), and a table takes one write at a time, so its floor is the scan's
//! (search pages ÷ 20/s) plus the writes' (write calls ÷ 50/s, the write families added up).

use std::collections::BTreeMap;

use feishu_core::RateLimit;

/// The documented limit of an endpoint family as the module crates declare it; `None` for
/// families without a client-side limit (the token endpoints) or unknown to this table.
pub fn documented_limit(family: &str) -> Option<RateLimit> {
    let limit = match family {
        "approval.approvals.get" | "approval.instances.list" | "wiki.spaces.get_node" => {
            RateLimit::per_minute(100)
        }
        "approval.instances.get" | "approval.instances.query" => {
            RateLimit::per_minute(1000).and_per_second(50)
        }
        f if f.starts_with("contact.") => RateLimit::per_minute(1000).and_per_second(50),
        "bitable.records.create"
        | "bitable.records.update"
        | "bitable.records.delete"
        | "bitable.records.batch_create"
        | "bitable.records.batch_update"
        | "bitable.records.batch_delete" => RateLimit::per_second(50),
        "bitable.tables.create"
        | "bitable.tables.delete"
        | "bitable.fields.create"
        | "bitable.fields.update"
        | "bitable.fields.delete" => RateLimit::per_second(10),
        "drive.files.subscribe" => RateLimit::per_minute(1000).and_per_second(50),
        f if f.starts_with("bitable.") => RateLimit::per_second(20),
        f if f.starts_with("attendance.") => RateLimit::per_second(50),
        _ => return None,
    };
    Some(limit)
}

/// Server-side limits that mirror the documented per-second limits on the fake tenant, as
/// `(path prefix, per second)`. Per-minute-only families (approval list and definition, wiki)
/// get none: the fake's buckets are per second and would reject the 20-request bursts a
/// per-minute budget allows.
pub const SERVER_LIMITS: &[(&str, u32)] = &[
    // GET instances/:id and POST instances/query (the list is `/instances` exactly).
    ("/open-apis/approval/v4/instances/", 50),
    ("/open-apis/contact/v3/departments/", 50),
    ("/open-apis/contact/v3/users/find_by_department", 50),
    ("/open-apis/contact/v3/users/batch", 50),
    ("/open-apis/contact/v3/scopes", 50),
    ("/open-apis/attendance/v1/user_flows/query", 50),
    ("/open-apis/attendance/v1/user_tasks/query", 50),
];

/// Bitable's server-side limits, per endpoint family (fixed one-second windows, as Feishu's
/// gateway counts): reads 20/s, record writes 50/s, table and field writes 10/s. One prefix
/// bucket for all of `bitable/v1/apps/` would make writes share the reads' 20/s.
pub const SERVER_FAMILY_LIMITS: &[(&str, u32)] = &[
    ("GET /open-apis/bitable/v1/apps/:app_token", 20),
    ("GET /open-apis/bitable/v1/apps/:app_token/tables", 20),
    (
        "GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/views",
        20,
    ),
    (
        "GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields",
        20,
    ),
    (
        "GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records",
        20,
    ),
    (
        "POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/search",
        20,
    ),
    (
        "POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_create",
        50,
    ),
    (
        "POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_update",
        50,
    ),
    (
        "POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_delete",
        50,
    ),
    (
        "POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records",
        50,
    ),
    (
        "PUT /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/:record_id",
        50,
    ),
    (
        "DELETE /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/:record_id",
        50,
    ),
    ("POST /open-apis/bitable/v1/apps/:app_token/tables", 10),
    (
        "POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields",
        10,
    ),
];

/// One family's share of the floor.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyFloor {
    /// Endpoint family.
    pub family: String,
    /// Requests sent.
    pub requests: u64,
    /// Sustained documented rate, requests per second.
    pub per_second: f64,
    /// `requests / per_second`.
    pub seconds: f64,
}

/// Per-family floors of `requests_by_endpoint`, largest first (families without a limit are
/// left out).
pub fn family_floors(requests_by_endpoint: &BTreeMap<String, u64>) -> Vec<FamilyFloor> {
    let mut out: Vec<FamilyFloor> = requests_by_endpoint
        .iter()
        .filter_map(|(family, &n)| {
            let rate = documented_limit(family)?.sustained_per_second()?;
            Some(FamilyFloor {
                family: family.clone(),
                requests: n,
                per_second: rate,
                seconds: n as f64 / rate,
            })
        })
        .collect();
    out.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    out
}

/// The floor of a run whose families all run concurrently: the largest family floor.
pub fn parallel_floor(requests_by_endpoint: &BTreeMap<String, u64>) -> f64 {
    family_floors(requests_by_endpoint)
        .first()
        .map_or(0.0, |f| f.seconds)
}

/// The floor of a run whose modules ran one after another (feishu-sync's `Source::read` did
/// before it read modules side by side; kept to compare with older figures): the sum over
/// modules (the family name's first part) of each module's largest family floor.
pub fn sequential_floor(requests_by_endpoint: &BTreeMap<String, u64>) -> f64 {
    let mut by_module: BTreeMap<String, f64> = BTreeMap::new();
    for f in family_floors(requests_by_endpoint) {
        let module = f.family.split('.').next().unwrap_or_default().to_string();
        let slot = by_module.entry(module).or_default();
        *slot = slot.max(f.seconds);
    }
    by_module.values().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_minute_limits_bind_where_tighter() {
        let mut m = BTreeMap::new();
        m.insert("approval.instances.list".to_string(), 150);
        m.insert("approval.instances.get".to_string(), 5000);
        m.insert("auth.tenant_access_token".to_string(), 1);
        let floors = family_floors(&m);
        assert_eq!(floors.len(), 2);
        assert_eq!(floors[0].family, "approval.instances.get");
        assert!((floors[0].seconds - 300.0).abs() < 1e-9);
        assert!((floors[1].seconds - 90.0).abs() < 1e-9);
        assert!((parallel_floor(&m) - 300.0).abs() < 1e-9);
        m.insert("bitable.records.list".to_string(), 200);
        assert!((sequential_floor(&m) - 310.0).abs() < 1e-9);
    }
}
