//! Four processes of one app, sharing their token (fetched once) and rate-limit budget
//! through a real `redis-server` (see `support` for how to run it), run an approval sync (W2 of the
//! benchmark: instance codes listed, then every detail fetched with
//! `Approval::batch_get_instances`) against the fake tenant enforcing Feishu's documented
//! limits in fixed windows (counted per app, refusing with 429 past the allowance).
//!
//! Together they get no 429, and the detail family (50 per second and 1000 per minute) runs
//! at its allowance: its busiest server windows hold exactly 50, none more.

mod support;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use feishu_approval::{Approval, InstanceOutcome};
use feishu_core::{Client, Credentials, ListRequest, RateLimits, TimeRange};
use feishu_redis::{RedisBudgetStore, RedisTokenStore};
use feishu_testkit::FakeTenant;
use feishu_testkit::approval::{APPROVAL_CODE_LEAVE, APPROVAL_CODE_PURCHASE, ApprovalDataset};
use futures::StreamExt;
use support::RedisServer;

/// The testkit's family of the instance detail (documented 1000/min & 50/s).
const DETAIL_FAMILY: &str = "GET /open-apis/approval/v4/instances/:instance_id";
/// The testkit's family of the instance listing (documented 100/min).
const LIST_FAMILY: &str = "GET /open-apis/approval/v4/instances";
/// The documented per-second allowance of the detail family.
const DETAIL_PER_SECOND: usize = 50;
/// The dataset's "now" (2025-02-01T00:00:00+08:00) and span: two 10-hour slices.
const NOW_MS: i64 = 1_738_339_200_000;
const SPAN_HOURS: i64 = 20;
const HALF_MS: i64 = SPAN_HOURS / 2 * 3_600_000;
const PURCHASE: usize = 240;
const LEAVE: usize = 160;
const PROCESSES: usize = 4;
/// Set in the children: what a worker fetches (see `Assignment::to_env`).
const WORKER_ENV: &str = "FEISHU_REDIS_W2_WORKER";

/// A margin of 10 %, as in `budget_store.rs`: departures are scheduled by the budget, the
/// server counts arrivals, and four debug-build processes on a busy machine spread a burst
/// of 50 over more than the default 30 ms.
fn limits() -> RateLimits {
    RateLimits::documented().with_safety_margin(0.1)
}

/// What one worker process does: list `code`'s instances created in `[from_ms, to_ms)` and
/// fetch every detail.
struct Assignment {
    redis_url: String,
    base_url: String,
    app_id: String,
    app_secret: String,
    code: String,
    from_ms: i64,
    to_ms: i64,
}

impl Assignment {
    /// One line, fields separated by spaces (none of them contains one).
    fn to_env(&self) -> String {
        format!(
            "{} {} {} {} {} {} {}",
            self.redis_url,
            self.base_url,
            self.app_id,
            self.app_secret,
            self.code,
            self.from_ms,
            self.to_ms
        )
    }

    fn from_env(line: &str) -> Assignment {
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(parts.len(), 7, "{WORKER_ENV}: {line}");
        Assignment {
            redis_url: parts[0].into(),
            base_url: parts[1].into(),
            app_id: parts[2].into(),
            app_secret: parts[3].into(),
            code: parts[4].into(),
            from_ms: parts[5].parse().unwrap(),
            to_ms: parts[6].parse().unwrap(),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_finish_an_approval_sync_without_a_429_at_the_allowance() {
    if let Ok(line) = std::env::var(WORKER_ENV) {
        return work(Assignment::from_env(&line)).await;
    }
    let Some(server) =
        RedisServer::start("four_processes_finish_an_approval_sync_without_a_429_at_the_allowance")
    else {
        return;
    };
    let tenant = FakeTenant::start().await;
    tenant.set_documented_rate_limits();
    tenant.approval().set_dataset(
        ApprovalDataset::default()
            .now_ms(NOW_MS)
            .span_hours(SPAN_HOURS)
            .instances(PURCHASE, LEAVE),
    );
    let assignments = assignments(&server, &tenant);
    let expected: usize = assignments
        .iter()
        .map(|a| {
            tenant
                .approval()
                .instance_count(&a.code, a.from_ms, a.to_ms - 1)
        })
        .sum();
    assert_eq!(expected, PURCHASE + LEAVE, "the halves cover the dataset");

    let lines = run_workers(&assignments).await;
    let fetched: usize = lines.iter().map(|l| field(l, "fetched")).sum();
    let rate_limited: usize = lines.iter().map(|l| field(l, "rate_limited")).sum();
    assert_eq!(fetched, expected, "{lines:?}");
    assert_eq!(rate_limited, 0, "the clients saw 429s: {lines:?}");
    assert_eq!(tenant.count_status(429), 0);

    assert_detail_family_at_its_allowance(&tenant, expected);
    assert_eq!(tenant.rate_limit_stats(LIST_FAMILY).throttled, 0);
    assert_eq!(
        tenant.token_requests(),
        1,
        "one process fetched the token, the others waited for it in Redis"
    );
}

/// Each process: one definition, one 10-hour half of the span.
fn assignments(server: &RedisServer, tenant: &FakeTenant) -> Vec<Assignment> {
    (0..PROCESSES)
        .map(|i| {
            let from_ms = NOW_MS - 2 * HALF_MS + (i / 2) as i64 * HALF_MS;
            Assignment {
                redis_url: server.url(),
                base_url: tenant.base_url(),
                app_id: tenant.app_id().into(),
                app_secret: tenant.app_secret().into(),
                code: [APPROVAL_CODE_PURCHASE, APPROVAL_CODE_LEAVE][i % 2].into(),
                from_ms,
                to_ms: from_ms + HALF_MS,
            }
        })
        .collect()
}

/// The server's windows of the detail family: none refused, none above the allowance, and
/// the `expected` requests as fast as the allowance allows (full windows, a run no shorter
/// than the window arithmetic allows and not much longer).
fn assert_detail_family_at_its_allowance(tenant: &FakeTenant, expected: usize) {
    let details = tenant.rate_limit_stats(DETAIL_FAMILY);
    let windows: Vec<usize> = details.windows.iter().map(|w| w.requests).collect();
    assert_eq!(details.throttled, 0, "{windows:?}");
    assert_eq!(windows.iter().sum::<usize>(), expected);
    assert!(
        windows.iter().all(|n| *n <= DETAIL_PER_SECOND),
        "a window above the allowance: {windows:?}"
    );
    // At the limit: the budget sends a window's whole allowance at once (a burst may
    // straddle two server windows, so not every window is full), and the whole run goes as
    // fast as the allowance allows.
    assert_eq!(
        windows.iter().max(),
        Some(&DETAIL_PER_SECOND),
        "{windows:?}"
    );
    let first = details.windows.first().unwrap().start;
    let last = details.windows.last().unwrap().start;
    let spread = last.duration_since(first).unwrap();
    // 400 details at 50 a window need 8 windows: the last is at least 7 after the first.
    let least = Duration::from_secs((expected.div_ceil(DETAIL_PER_SECOND) - 1) as u64);
    assert!(spread >= least, "{spread:?}: {windows:?}");
    let rate = expected as f64 / (spread.as_secs_f64() + 1.0);
    // The allowance with the 10 % margin is 45 per second; the run's ends cost a little.
    assert!(
        rate >= 0.75 * DETAIL_PER_SECOND as f64 / 1.1,
        "{rate:.1}/s: {windows:?}"
    );
}

/// Runs one worker process per assignment (this test binary again, running only this test)
/// and returns their report lines.
async fn run_workers(assignments: &[Assignment]) -> Vec<String> {
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = assignments
        .iter()
        .map(|a| {
            Command::new(&exe)
                .args([
                    "four_processes_finish_an_approval_sync_without_a_429_at_the_allowance",
                    "--exact",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(WORKER_ENV, a.to_env())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // The fake tenant serves the children from its own thread; waiting blocks this one.
    tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|child| {
                let out = child.wait_with_output().unwrap();
                let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
                assert!(out.status.success(), "worker failed: {out:?}");
                stdout
                    .lines()
                    // The harness may print its "test ... " prefix on the same line.
                    .find_map(|l| l.split_once("worker ").map(|(_, r)| r.to_string()))
                    .unwrap_or_else(|| panic!("no report: {stdout}"))
            })
            .collect()
    })
    .await
    .unwrap()
}

/// The number after `name=` in a report line.
fn field(line: &str, name: &str) -> usize {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {line:?}"))
}

/// A worker: a client sharing its token and budget through Redis lists its codes and fetches
/// every detail, then reports `worker fetched=N rate_limited=M`.
async fn work(a: Assignment) {
    let redis = feishu_redis::connect(&a.redis_url).await.unwrap();
    let client = Client::builder()
        .base_url(&a.base_url)
        .credentials(Credentials::self_built(&a.app_id, &a.app_secret))
        .rate_limits(limits())
        .token_store(Arc::new(RedisTokenStore::new(redis.clone())))
        .budget_store(Arc::new(RedisBudgetStore::new(redis)))
        .build()
        .unwrap();
    let approval = Approval::new(client.clone());
    let range = TimeRange::from_unix_ms(a.from_ms, a.to_ms).unwrap();
    let codes = approval.list_instance_codes(a.code, range).into_stream();
    let mut details = approval
        .batch_get_instances(codes)
        .concurrency(16)
        .into_stream();
    let mut fetched = 0usize;
    while let Some(outcome) = details.next().await {
        match outcome.unwrap() {
            InstanceOutcome::Fetched(_) => fetched += 1,
            other => panic!("not fetched: {other:?}"),
        }
    }
    let stats = client.stats();
    println!(
        "worker fetched={fetched} rate_limited={}",
        stats.rate_limited
    );
}
