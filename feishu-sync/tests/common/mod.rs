//! A seeded tenant for sync tests, its ground truth, and read helpers.
#![allow(dead_code, unreachable_pub)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use feishu_core::{Client, Credentials, RateLimits, RetryPolicy};
use feishu_sync::{Message, ReadOptions, Source, SourceConfig, SyncState, all_streams};
use feishu_testkit::FakeTenant;
use feishu_testkit::approval::{APPROVAL_CODE_LEAVE, APPROVAL_CODE_PURCHASE, ApprovalDataset};
use futures::StreamExt;
use serde_json::{Value, json};

/// The tests' fixed "now": 2026-11-01T00:00:00Z.
pub const NOW: i64 = 1_793_491_200_000;
pub const DAY: i64 = 86_400_000;
/// Days of data the config reads on a first run.
pub const DAYS: i64 = 3;

pub struct Tenant {
    pub tenant: FakeTenant,
    pub config: SourceConfig,
}

/// A tenant with `purchase` + `leave` approval instances over 3 days, the default Bitable,
/// Contact and Attendance data, and a config selecting everything.
pub async fn tenant(purchase: usize, leave: usize, lookback_days: u32) -> Tenant {
    let tenant = FakeTenant::builder().start().await;
    let mut dataset = ApprovalDataset::default();
    dataset.now_ms = Some(NOW);
    dataset.purchase_instances = purchase;
    dataset.leave_instances = leave;
    tenant.approval().set_dataset(dataset);
    let config = config(&tenant, lookback_days);
    Tenant { tenant, config }
}

pub fn start_date() -> String {
    time::OffsetDateTime::from_unix_timestamp((NOW - DAYS * DAY) / 1000)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

pub fn config(tenant: &FakeTenant, lookback_days: u32) -> SourceConfig {
    let json = json!({
        "domain": tenant.base_url(),
        "credentials": {"auth_type": "self_built", "app_id": tenant.app_id(), "app_secret": tenant.app_secret()},
        "approval": {"approval_codes": [APPROVAL_CODE_PURCHASE, APPROVAL_CODE_LEAVE],
                     "lookback_days": lookback_days, "start_date": start_date()},
        "bitable": {"app_token": tenant.bitable().app_token(), "table_id": tenant.bitable().table_id()},
        "attendance": {"employee_type": "employee_id", "start_date": start_date()},
        "contact": {"user_id_type": "open_id"},
    });
    SourceConfig::from_json_str(&json.to_string()).unwrap()
}

/// A source with fast retries and no client-side limits (tests assert behaviour, not pace).
pub fn source(t: &Tenant) -> Source {
    let client = Client::builder()
        .base_url(&t.tenant.base_url())
        .credentials(Credentials::self_built(
            t.tenant.app_id(),
            t.tenant.app_secret(),
        ))
        .rate_limits(RateLimits::disabled())
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(10)
                .with_initial_backoff(Duration::from_millis(2))
                .with_max_backoff(Duration::from_millis(20))
                .with_max_rate_limit_wait(Duration::from_millis(50)),
        )
        .build()
        .unwrap();
    Source::with_client(t.config.clone(), client).unwrap()
}

/// Everything one read yielded.
#[derive(Debug, Default)]
pub struct Run {
    pub messages: Vec<Message>,
}

impl Run {
    pub fn records(&self, stream: &str) -> Vec<&Value> {
        self.messages
            .iter()
            .filter_map(Message::as_record)
            .filter(|r| r.stream == stream)
            .map(|r| &r.data)
            .collect()
    }

    pub fn last_state(&self) -> Option<SyncState> {
        self.messages.iter().rev().find_map(|m| match m {
            Message::State(s) => Some(s.clone()),
            _ => None,
        })
    }

    /// Primary keys of every record, per stream.
    pub fn keys(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in self.messages.iter().filter_map(Message::as_record) {
            out.entry(r.stream.clone())
                .or_default()
                .insert(key_of(&r.stream, &r.data));
        }
        out
    }
}

/// The primary key of a record as one string.
pub fn key_of(stream: &str, data: &Value) -> String {
    let spec = all_streams()
        .into_iter()
        .find(|s| s.name == stream)
        .unwrap();
    spec.primary_key
        .iter()
        .map(|path| {
            let v = &data[path[0].as_str()];
            assert!(!v.is_null(), "{stream}: key {path:?} missing in {data}");
            match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// Whether no module of `state` has an unfinished run or a "done in this run" mark.
pub fn run_ended(state: &SyncState) -> bool {
    state.approval.values().all(|a| a.run.is_none())
        && state.bitable.as_ref().is_none_or(|b| b.tables.is_empty())
        && state.attendance.as_ref().is_none_or(|a| a.run.is_none())
        && state.contact.as_ref().is_none_or(|c| c.run.is_none())
}

pub async fn read_all(source: &Source, options: ReadOptions) -> Run {
    let mut stream = source.read(options).unwrap();
    let mut run = Run::default();
    while let Some(m) = stream.next().await {
        run.messages.push(m.unwrap());
    }
    run
}

pub fn opts() -> ReadOptions {
    ReadOptions::default().now_ms(NOW)
}

/// Reads, dropping the stream after every `cut` records, resuming from the last state each
/// time, until a run completes (`options` gives each read its settings). Returns the union of keys and the number of cuts.
pub async fn read_with_cuts(
    source: &Source,
    options: impl Fn() -> ReadOptions,
    cut: usize,
) -> (BTreeMap<String, BTreeSet<String>>, usize) {
    let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut state: Option<SyncState> = None;
    let mut cuts = 0;
    loop {
        assert!(cuts < 200, "no progress");
        let mut options = options();
        if let Some(s) = state.clone() {
            options = options.state(s);
        }
        let mut stream = source.read(options).unwrap();
        let mut seen = 0;
        let mut finished = true;
        // Records after the last checkpoint are "lost" with the cut, as a crash would lose
        // them: only those covered by a state count.
        let mut pending: Vec<(String, String)> = Vec::new();
        while let Some(m) = stream.next().await {
            match m.unwrap() {
                Message::Record(r) => {
                    pending.push((r.stream.clone(), key_of(&r.stream, &r.data)));
                    seen += 1;
                    if seen == cut {
                        finished = false;
                        break;
                    }
                }
                Message::State(s) => {
                    for (stream, key) in pending.drain(..) {
                        keys.entry(stream).or_default().insert(key);
                    }
                    state = Some(s);
                }
                _ => {}
            }
        }
        drop(stream);
        if finished {
            return (keys, cuts);
        }
        cuts += 1;
    }
}
