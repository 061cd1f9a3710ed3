//! The generated punches of one person and day, and their wire shapes: a flow per punch, a
//! task result per workday.

use serde_json::{Value, json};

use super::rules::{DEFAULT_GROUP_ID, DEFAULT_SHIFT_ID};
use crate::calendar::{civil_from_days, days_from_civil};
use crate::rng::mix;

/// Seconds in a day.
pub(super) const DAY: i64 = 86_400;
/// China time offset.
pub(super) const UTC8: i64 = 8 * 3600;
/// Accepted `check_time_*` values: 1970-01-01 up to the end of year 9999 (keeps the day
/// arithmetic far from `i64` overflow).
pub(super) const TIME_RANGE: std::ops::Range<i64> = 0..253_402_300_800;

/// One generated punch.
pub(super) struct Punch {
    pub(super) check_time: i64,
    pub(super) index: u64,
}

/// Local (UTC+8) day number of a Unix time.
pub(super) fn local_day(t: i64) -> i64 {
    (t + UTC8).div_euclid(DAY)
}

pub(super) fn is_workday(day: i64) -> bool {
    // Day 0 (1970-01-01) was a Thursday; 0 = Sunday.
    let weekday = (day + 4).rem_euclid(7);
    (1..=5).contains(&weekday)
}

pub(super) fn punches(seed: u64, user: usize, day: i64) -> Vec<Punch> {
    if !is_workday(day) {
        return Vec::new();
    }
    let h = mix(seed ^ (user as u64).wrapping_mul(0x1_0000_0001) ^ (day as u64) << 20);
    if h.is_multiple_of(20) {
        return Vec::new();
    }
    let start = day * DAY - UTC8;
    let jitter = |shift: u32| ((h >> shift) % 2400) as i64 - 1200;
    let mut out = vec![Punch {
        check_time: start + 9 * 3600 + jitter(8),
        index: 0,
    }];
    if (h >> 40).is_multiple_of(7) {
        out.push(Punch {
            check_time: start + 12 * 3600 + jitter(24) / 2,
            index: 1,
        });
    }
    out.push(Punch {
        check_time: start + 18 * 3600 + jitter(16),
        index: 2,
    });
    out
}

/// Person `user`'s punches with `check_time` in `[from, to)` on the days `employed` accepts,
/// with their local day, in time order.
pub(super) fn punches_between(
    seed: u64,
    user: usize,
    from: i64,
    to: i64,
    employed: impl Fn(i64) -> bool,
) -> Vec<(i64, Punch)> {
    if to <= from {
        return Vec::new();
    }
    (local_day(from)..=local_day(to - 1))
        .filter(|&day| employed(day))
        .flat_map(|day| punches(seed, user, day).into_iter().map(move |p| (day, p)))
        .filter(|(_, p)| (from..to).contains(&p.check_time))
        .collect()
}

pub(super) fn record_id(user: usize, day: i64, index: u64) -> String {
    format!("74{:07}{:06}{}", user, day, index)
}

pub(super) fn flow_json(id: &str, user: usize, day: i64, p: &Punch) -> Value {
    let wifi = p.index != 1;
    json!({
        "user_id": id,
        "creator_id": id,
        "location_name": if wifi { "HQ Building 2" } else { "Client site" },
        "check_time": p.check_time.to_string(),
        "comment": "",
        "record_id": record_id(user, day, p.index),
        "ssid": if wifi { "corp-wifi" } else { "" },
        "bssid": if wifi { "a0:b1:c2:d3:e4:f5" } else { "" },
        "is_field": !wifi,
        "is_wifi": wifi,
        "type": if p.index == 1 { 6 } else { 0 },
        "photo_urls": [],
        "device_id": "",
        "check_result": "",
        "external_id": "",
        "idempotent_id": "",
        "longitude": 120.1,
        "latitude": 30.2,
        "create_time": p.check_time.to_string(),
    })
}

/// `yyyyMMdd` → day number, validating the calendar date.
pub(super) fn parse_yyyymmdd(v: i64) -> Option<i64> {
    let (y, m, d) = (v / 10_000, (v / 100) % 100, v % 100);
    if !(1900..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let day = days_from_civil(y, m, d);
    (civil_from_days(day) == (y, m, d)).then_some(day)
}

pub(super) fn yyyymmdd(day: i64) -> i64 {
    let (y, m, d) = civil_from_days(day);
    y * 10_000 + m * 100 + d
}

pub(super) fn task_json(seed: u64, id: &str, name: &str, u: usize, day: i64) -> Value {
    let ps = punches(seed, u, day);
    let start = day * DAY - UTC8;
    let shift_in = start + 9 * 3600;
    let shift_out = start + 18 * 3600;
    let mut record = json!({
        "check_in_shift_time": shift_in.to_string(),
        "check_out_shift_time": shift_out.to_string(),
        "task_shift_type": 0,
    });
    match (ps.first(), ps.last()) {
        (Some(first), Some(last)) => {
            record["check_in_record_id"] = json!(record_id(u, day, first.index));
            record["check_in_record"] = flow_json(id, u, day, first);
            record["check_out_record_id"] = json!(record_id(u, day, last.index));
            record["check_out_record"] = flow_json(id, u, day, last);
            record["check_in_result"] = json!(if first.check_time > shift_in {
                "Late"
            } else {
                "Normal"
            });
            record["check_out_result"] = json!(if last.check_time < shift_out {
                "Early"
            } else {
                "Normal"
            });
            record["check_in_result_supplement"] = json!("None");
            record["check_out_result_supplement"] = json!("None");
        }
        _ => {
            record["check_in_result"] = json!("Lack");
            record["check_out_result"] = json!("Lack");
            record["check_in_result_supplement"] = json!("None");
            record["check_out_result_supplement"] = json!("None");
        }
    }
    json!({
        "result_id": format!("75{:07}{:06}", u, day),
        "user_id": id,
        "employee_name": name,
        "day": yyyymmdd(day),
        "group_id": DEFAULT_GROUP_ID,
        "shift_id": DEFAULT_SHIFT_ID,
        "records": [record],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips() {
        assert_eq!(yyyymmdd(0), 19_700_101);
        assert_eq!(
            parse_yyyymmdd(20_250_102),
            Some(days_from_civil(2025, 1, 2))
        );
        assert_eq!(parse_yyyymmdd(20_250_230), None);
        for day in [-1000, 0, 365, 18_000, 20_000, 20_454] {
            assert_eq!(parse_yyyymmdd(yyyymmdd(day)), Some(day));
        }
        // 2025-01-04 was a Saturday, 2025-01-06 a Monday.
        assert!(!is_workday(days_from_civil(2025, 1, 4)));
        assert!(is_workday(days_from_civil(2025, 1, 6)));
    }

    #[test]
    fn punches_are_deterministic_and_in_day() {
        let day = days_from_civil(2025, 1, 6);
        let a: Vec<i64> = punches(1, 3, day).iter().map(|p| p.check_time).collect();
        let b: Vec<i64> = punches(1, 3, day).iter().map(|p| p.check_time).collect();
        assert_eq!(a, b);
        for t in a {
            assert_eq!(local_day(t), day);
        }
    }
}
