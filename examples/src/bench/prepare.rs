//! A workload's data: generated on the fake tenant (in this process, or in a `--serve`
//! process that hands it over as JSON), or named by flags for a real tenant.

use feishu_testkit::approval::{APPROVAL_CODE_LEAVE, APPROVAL_CODE_PURCHASE, ApprovalDataset};
use feishu_testkit::{ContactDataset, FakeTenant};
use serde::{Deserialize, Serialize};

use super::options::{Options, Workload};

/// 2025-02-01T00:00:00+08:00 in Unix ms: the fixed "now" of the generated data.
pub const NOW_MS: i64 = 1_738_339_200_000;
/// A day in ms.
pub const DAY_MS: i64 = 86_400_000;

/// What a workload reads, and what it should find.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Prepared {
    /// The data's "now" (Unix ms): ranges end there.
    pub now_ms: i64,
    /// The Base of W1, the baseline, W6, W7 and W8.
    pub app_token: Option<String>,
    /// Its tables (W1 and the baseline read the first, W6 the first, W8 all of them).
    pub table_ids: Vec<String>,
    /// Approval definitions (W2, its baseline and W6).
    pub approval_codes: Vec<String>,
    /// The users whose attendance W4 reads (`None`: every user the query allows).
    pub user_ids: Option<Vec<String>>,
    /// How many items the workload should produce, when the fake tenant knows.
    pub expected: Option<u64>,
    /// Whether the tenant is the fake (W5 then calls its cheapest endpoint).
    pub fake: bool,
}

/// Generates `workload`'s data on the fake tenant.
pub fn on_fake(tenant: &FakeTenant, o: &Options, workload: Workload) -> Prepared {
    let mut p = Prepared {
        now_ms: NOW_MS,
        fake: true,
        ..Prepared::default()
    };
    match workload {
        Workload::Baseline | Workload::W1 | Workload::W1Big => {
            let records = if workload == Workload::W1Big {
                o.big_records
            } else {
                o.records
            };
            p.app_token = Some(tenant.bitable().app_token());
            p.table_ids = vec![tenant.bitable().add_table("Bench", records)];
            p.expected = Some(records);
        }
        Workload::W2 | Workload::BaselineW2 => {
            let leave = o.approval_instances / 5;
            tenant.approval().set_dataset(
                ApprovalDataset::default()
                    .now_ms(NOW_MS)
                    .span_hours(o.approval_days * 24)
                    .instances(o.approval_instances - leave, leave),
            );
            p.approval_codes = approval_codes();
            let from = NOW_MS - o.approval_days * DAY_MS;
            p.expected = Some(
                p.approval_codes
                    .iter()
                    .map(|c| tenant.approval().instance_count(c, from, NOW_MS - 1) as u64)
                    .sum(),
            );
        }
        Workload::W3 => {
            set_users(tenant, o.users);
            p.expected = Some(tenant.contact().user_ids("open_id").len() as u64);
        }
        Workload::W4 => attendance(tenant, o, &mut p),
        Workload::W5 => p.expected = Some(o.storm as u64),
        Workload::W6 => full_tenant(tenant, o, &mut p),
        Workload::W7 | Workload::W7Baseline | Workload::W7Resets => {
            // The workload makes its own table in the Base, through the API.
            p.app_token = Some(tenant.bitable().app_token());
            p.expected = Some(o.upsert_rows);
        }
        Workload::W8 => base(tenant, o, &mut p),
        // The workload sizes the tenant itself (it drives the fake's knobs and events).
        Workload::Watch => p.expected = Some((o.watch_rate * o.watch_seconds).max(1.0) as u64),
    }
    p
}

fn approval_codes() -> Vec<String> {
    vec![
        APPROVAL_CODE_PURCHASE.to_string(),
        APPROVAL_CODE_LEAVE.to_string(),
    ]
}

fn set_users(tenant: &FakeTenant, users: usize) {
    tenant.contact().set_dataset(ContactDataset {
        users,
        ..ContactDataset::default()
    });
}

fn attendance(tenant: &FakeTenant, o: &Options, p: &mut Prepared) {
    set_users(tenant, o.attendance_users);
    let ids = tenant.contact().user_ids("user_id");
    let to_s = NOW_MS / 1000;
    let from_s = to_s - o.attendance_days * 86_400;
    p.expected = Some(
        tenant
            .attendance()
            .flow_count("employee_id", &ids, from_s, to_s) as u64,
    );
    p.user_ids = Some(ids);
}

fn full_tenant(tenant: &FakeTenant, o: &Options, p: &mut Prepared) {
    let leave = o.sync_approval_instances / 3;
    tenant.approval().set_dataset(
        ApprovalDataset::default()
            .now_ms(NOW_MS)
            .span_hours(o.sync_days * 24)
            .instances(o.sync_approval_instances - leave, leave),
    );
    p.approval_codes = approval_codes();
    set_users(tenant, o.sync_users);
    p.app_token = Some(tenant.bitable().app_token());
    p.table_ids = vec![tenant.bitable().add_table("Bench sync", o.sync_records)];
}

/// W8: `base_tables` tables added to the default Base; every table of the Base is read, so
/// the expected count includes the tables the Base already had.
fn base(tenant: &FakeTenant, o: &Options, p: &mut Prepared) {
    let bitable = tenant.bitable();
    let app = bitable.app_token();
    for i in 0..o.base_tables {
        bitable.add_table(&format!("Base table {i}"), o.base_records);
    }
    p.table_ids = bitable.table_ids(&app);
    p.expected = Some(
        p.table_ids
            .iter()
            .filter_map(|t| bitable.record_count(&app, t))
            .sum(),
    );
    p.app_token = Some(app);
}

/// A real tenant's data, named by the flags; the wall clock (or `--now-ms`) is "now".
pub fn from_flags(o: &Options, workload: Workload) -> Result<Prepared, String> {
    let p = Prepared {
        now_ms: o.now_ms.unwrap_or_else(crate::wall_ms),
        app_token: o.app_token.clone(),
        table_ids: o.table_id.iter().cloned().collect(),
        approval_codes: o.approval_codes.clone(),
        ..Prepared::default()
    };
    let needs = match workload {
        Workload::Baseline | Workload::W1 | Workload::W1Big => (p.app_token.is_none()
            || p.table_ids.is_empty())
        .then_some("--app-token and --table-id"),
        Workload::W2 | Workload::BaselineW2 => {
            p.approval_codes.is_empty().then_some("--approval-code")
        }
        Workload::W7 | Workload::W7Baseline | Workload::W7Resets | Workload::W8 => {
            p.app_token.is_none().then_some("--app-token")
        }
        Workload::W3 | Workload::W4 | Workload::W5 | Workload::W6 => None,
        Workload::Watch => Some("the in-process fake tenant (it drives the fake's events), not"),
    };
    match needs {
        Some(flags) => Err(format!("{} needs {flags} with --base-url", workload.name())),
        None => Ok(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_tenants_need_their_ids() {
        let mut o = Options::default();
        assert!(from_flags(&o, Workload::W1).is_err());
        assert!(from_flags(&o, Workload::W2).is_err());
        assert!(from_flags(&o, Workload::W3).is_ok());
        o.app_token = Some("bascn1".into());
        o.table_id = Some("tbl1".into());
        o.now_ms = Some(5);
        let p = from_flags(&o, Workload::W1).unwrap();
        assert_eq!(
            (p.now_ms, p.table_ids.as_slice(), p.fake),
            (5, &["tbl1".to_string()][..], false)
        );
        assert!(from_flags(&o, Workload::W8).is_ok());
    }
}
