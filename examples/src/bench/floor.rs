//! The rate-limit floors: the least wall time the documented limits allow for a run's
//! requests.
//!
//! Endpoint families have separate budgets, so requests of different families run at the
//! same time: the floor of a run is the largest floor of its families. Two floors per family:
//!
//! - the **window floor**: Feishu counts fixed windows (per second, per minute), so a
//!   scheduler that knew the server's windows could send each window's whole allowance at
//!   once, the first window's at the start. The window floor packs the family's requests
//!   into the documented windows that way (every window of the family applies: a minute of
//!   "1000/min & 50/s" is 20 seconds of 50, then nothing until the next minute) and is the
//!   start of the last window that sends something. 250 requests at 100/min: 100 at 0 s,
//!   100 at 60 s, 50 at 120 s, so 120 s.
//! - the **sustained floor**: `requests ÷ sustained rate` (the tightest window's rate). It
//!   ignores the first window's burst: short runs finish under it, long runs approach it.
//!
//! The module crates keep their limits in `pub(crate)` endpoint constants, out of reach from
//! here; the table in [`documented_limit`] repeats them, each line naming the declaration it
//! copies.

use std::collections::BTreeMap;
use std::time::Duration;

use feishu_core::RateLimit;

/// The documented limit of an endpoint family as the module crates declare it; `None` for
/// families without a client-side limit (the token endpoints) or unknown to this table.
pub fn documented_limit(family: &str) -> Option<RateLimit> {
    let tier4 = RateLimit::per_minute(1000).and_per_second(50);
    let limit = match family {
        // feishu-approval/src/definition.rs GET_DEFINITION
        "approval.approvals.get" => RateLimit::per_minute(100),
        // feishu-approval/src/instance_codes.rs LIST_INSTANCES
        "approval.instances.list" => RateLimit::per_minute(100),
        // feishu-approval/src/detail.rs GET_INSTANCE
        "approval.instances.get" => tier4,
        // feishu-approval/src/search.rs (instances/query)
        "approval.instances.query" => tier4,
        // feishu-bitable/src/wiki/node.rs (wiki.spaces.get_node)
        "wiki.spaces.get_node" => RateLimit::per_minute(100),
        // feishu-contact/src/codes.rs CONTACT_LIMIT, on every contact endpoint
        f if f.starts_with("contact.") => tier4,
        // feishu-bitable/src/codes.rs RECORD_WRITE_LIMIT (record writes, 50/s each)
        "bitable.records.create"
        | "bitable.records.update"
        | "bitable.records.delete"
        | "bitable.records.batch_create"
        | "bitable.records.batch_update"
        | "bitable.records.batch_delete" => RateLimit::per_second(50),
        // feishu-bitable/src/codes.rs SCHEMA_WRITE_LIMIT (table and field writes, 10/s each)
        "bitable.tables.create"
        | "bitable.tables.delete"
        | "bitable.fields.create"
        | "bitable.fields.update"
        | "bitable.fields.delete" => RateLimit::per_second(10),
        // feishu-bitable/src/codes.rs DRIVE_SUBSCRIBE_LIMIT
        "drive.files.subscribe" => tier4,
        // feishu-bitable/src/codes.rs BITABLE_LIMIT, on every bitable endpoint
        f if f.starts_with("bitable.") => RateLimit::per_second(20),
        // feishu-attendance/src/codes.rs ATTENDANCE_LIMIT, on every attendance endpoint
        f if f.starts_with("attendance.") => RateLimit::per_second(50),
        _ => return None,
    };
    Some(limit)
}

/// The window floor of `requests` requests under `limit`: when the last of them can leave
/// if every fixed window's allowance is sent at its start (see the module docs).
pub fn window_floor(limit: &RateLimit, requests: u64) -> Duration {
    let windows: Vec<(u128, u64)> = limit
        .windows()
        .map(|w| (w.length().as_nanos().max(1), u64::from(w.allowance())))
        .collect();
    if windows.is_empty() || requests == 0 {
        return Duration::ZERO;
    }
    // Per window: the index of the window `now` is in, and what it has sent.
    let mut used: Vec<(u128, u64)> = vec![(0, 0); windows.len()];
    let (mut now, mut left, mut last) = (0u128, requests, 0u128);
    while left > 0 {
        let mut room = u64::MAX;
        for ((length, allowance), (index, sent)) in windows.iter().zip(used.iter_mut()) {
            if *index != now / length {
                *index = now / length;
                *sent = 0;
            }
            room = room.min(allowance - *sent);
        }
        if room > 0 {
            let batch = room.min(left);
            left -= batch;
            last = now;
            used.iter_mut().for_each(|(_, sent)| *sent += batch);
        } else {
            // The earliest time every full window has turned.
            now = windows
                .iter()
                .zip(&used)
                .filter(|((_, allowance), (_, sent))| sent >= allowance)
                .map(|((length, _), _)| (now / length + 1) * length)
                .max()
                .unwrap_or(now + 1);
        }
    }
    Duration::from_nanos(u64::try_from(last).unwrap_or(u64::MAX))
}

/// One family's share of the floors.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyFloor {
    /// Endpoint family.
    pub family: String,
    /// Requests sent.
    pub requests: u64,
    /// The documented limit.
    pub limit: RateLimit,
    /// Sustained documented rate, requests per second.
    pub per_second: f64,
    /// `requests / per_second`, seconds.
    pub sustained_s: f64,
    /// The window floor, seconds.
    pub window_s: f64,
}

/// Per-family floors of `requests_by_endpoint`, largest window floor first (families
/// without a limit are left out).
pub fn family_floors(requests_by_endpoint: &BTreeMap<String, u64>) -> Vec<FamilyFloor> {
    let mut out: Vec<FamilyFloor> = requests_by_endpoint
        .iter()
        .filter_map(|(family, &n)| {
            let limit = documented_limit(family)?;
            let rate = limit.sustained_per_second()?;
            Some(FamilyFloor {
                family: family.clone(),
                requests: n,
                limit,
                per_second: rate,
                sustained_s: n as f64 / rate,
                window_s: window_floor(&limit, n).as_secs_f64(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.window_s
            .total_cmp(&a.window_s)
            .then(b.sustained_s.total_cmp(&a.sustained_s))
    });
    out
}

/// The window floor of a run whose families all run concurrently: the largest family's.
pub fn run_window_floor(requests_by_endpoint: &BTreeMap<String, u64>) -> f64 {
    family_floors(requests_by_endpoint)
        .iter()
        .map(|f| f.window_s)
        .fold(0.0, f64::max)
}

/// The sustained floor of a run whose families all run concurrently: the largest family's.
pub fn run_sustained_floor(requests_by_endpoint: &BTreeMap<String, u64>) -> f64 {
    family_floors(requests_by_endpoint)
        .iter()
        .map(|f| f.sustained_s)
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(limit: RateLimit, n: u64) -> u64 {
        let floor = window_floor(&limit, n);
        assert_eq!(floor.subsec_nanos(), 0, "{floor:?}");
        floor.as_secs()
    }

    #[test]
    fn window_floors_pack_every_window() {
        let list = RateLimit::per_minute(100);
        assert_eq!(secs(list, 0), 0);
        assert_eq!(
            secs(list, 100),
            0,
            "the first window's allowance goes at once"
        );
        assert_eq!(secs(list, 101), 60);
        assert_eq!(secs(list, 250), 120);
        let detail = RateLimit::per_minute(1000).and_per_second(50);
        assert_eq!(secs(detail, 50), 0);
        assert_eq!(secs(detail, 51), 1);
        // 20 seconds of 50 use up the minute; the next 500 go in seconds 60 to 69.
        assert_eq!(secs(detail, 1000), 19);
        assert_eq!(secs(detail, 1500), 69);
        assert_eq!(secs(detail, 5000), 4 * 60 + 19);
        assert_eq!(secs(RateLimit::per_second(20), 400), 19);
        assert_eq!(window_floor(&RateLimit::UNLIMITED, 10), Duration::ZERO);
        let odd = RateLimit::per(Duration::from_millis(1500), 3);
        assert_eq!(window_floor(&odd, 7), Duration::from_secs(3));
    }

    #[test]
    fn the_run_floor_is_the_largest_family_floor() {
        let mut m = BTreeMap::new();
        m.insert("approval.instances.list".to_string(), 150);
        m.insert("approval.instances.get".to_string(), 5000);
        m.insert("auth.tenant_access_token".to_string(), 1);
        let floors = family_floors(&m);
        assert_eq!(floors.len(), 2);
        assert_eq!(floors[0].family, "approval.instances.get");
        assert!((floors[0].sustained_s - 300.0).abs() < 1e-9);
        assert!((floors[0].window_s - 259.0).abs() < 1e-9);
        assert!((floors[1].sustained_s - 90.0).abs() < 1e-9);
        assert!((floors[1].window_s - 60.0).abs() < 1e-9);
        assert!((run_window_floor(&m) - 259.0).abs() < 1e-9);
        assert!((run_sustained_floor(&m) - 300.0).abs() < 1e-9);
        assert_eq!(run_window_floor(&BTreeMap::new()), 0.0);
    }
}
