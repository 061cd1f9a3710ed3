//! `RedisBudgetStore` against a real `redis-server` over a real clock (see `support` for how
//! to run it): budgets in two connections and in four processes never exceed the allowance
//! together.

mod support;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use feishu_core::budget::Budget;
use feishu_core::{BudgetScope, RateLimit, RateLimits};
use feishu_redis::RedisBudgetStore;
use futures::future::join_all;
use support::RedisServer;

/// 20 per second: short windows, so a run takes seconds.
const LIMIT: RateLimit = RateLimit::per_second(20);
const WINDOW: Duration = Duration::from_secs(1);

/// A margin of 10 %: the departures are timed where the caller resumes, on a busy machine,
/// so they may drift by some milliseconds from the schedule; the check uses the nominal
/// window.
fn limits() -> RateLimits {
    RateLimits::documented().with_safety_margin(0.1)
}

fn scope(name: &str) -> BudgetScope {
    BudgetScope::new(&format!("http://redis.test/{name}"), "cli_redis", None)
}

async fn budget(server: &RedisServer) -> Arc<Budget> {
    let store = RedisBudgetStore::connect(&server.url()).await.unwrap();
    Arc::new(Budget::new(Arc::new(store), limits()))
}

/// The most departures in any half-open interval of `window`.
fn busiest(departures: &mut [Duration], window: Duration) -> usize {
    departures.sort();
    (0..departures.len())
        .map(|i| {
            departures[i..]
                .iter()
                .take_while(|d| **d < departures[i] + window)
                .count()
        })
        .max()
        .unwrap_or(0)
}

/// `n` concurrent acquisitions; their departures relative to `start`.
async fn depart(
    budget: &Arc<Budget>,
    scope: &BudgetScope,
    n: usize,
    start: Instant,
) -> Vec<Duration> {
    let tasks = (0..n).map(|_| {
        let (budget, scope) = (budget.clone(), scope.clone());
        tokio::spawn(async move {
            budget.acquire(&scope, "f", LIMIT).await.unwrap();
            start.elapsed()
        })
    });
    join_all(tasks)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_connections_never_exceed_the_allowance_together() {
    let Some(server) = RedisServer::start("two_connections_never_exceed_the_allowance_together")
    else {
        return;
    };
    let scope = scope("two-connections");
    let (a, b) = (budget(&server).await, budget(&server).await);
    let start = Instant::now();
    let (da, db) = tokio::join!(depart(&a, &scope, 30, start), depart(&b, &scope, 30, start));
    let mut all = [da, db].concat();
    assert_eq!(all.len(), 60);
    let most = busiest(&mut all, WINDOW);
    assert!(most <= 20, "{most} departures within one second: {all:?}");
    // 60 at 20 per window need three windows: the last leaves two windows after the first.
    assert!(all[59] >= Duration::from_secs(2), "{all:?}");
    assert_eq!(a.stats()["f"].requests + b.stats()["f"].requests, 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_reply_in_one_connection_holds_the_other() {
    let Some(server) = RedisServer::start("a_rate_limit_reply_in_one_connection_holds_the_other")
    else {
        return;
    };
    let scope = scope("blocked");
    let (a, b) = (budget(&server).await, budget(&server).await);
    // `a`'s request went first and will be refused.
    a.acquire(&scope, "f", LIMIT).await.unwrap();
    let start = Instant::now();
    let waiting = depart(&b, &scope, 25, start);
    let refuse = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        a.on_rate_limited(&scope, "f", Some(Duration::from_millis(1500)))
            .await
            .unwrap();
        // A third connection, arriving now, waits for the block too.
        let c = budget(&server).await;
        c.acquire(&scope, "f", LIMIT).await.unwrap()
    };
    let (mut departures, third_waited) = tokio::join!(waiting, refuse);
    assert!(
        third_waited >= Duration::from_millis(1400),
        "{third_waited:?}"
    );
    departures.sort();
    // Nineteen left at once; the six reserved for the next window were rescheduled past the
    // block (1.5 s from 0.2 s) instead of sending into it.
    let early = departures
        .iter()
        .filter(|d| **d < Duration::from_millis(200))
        .count();
    assert_eq!(early, 19, "{departures:?}");
    assert!(
        departures[19] >= Duration::from_millis(1650),
        "{departures:?}"
    );
}

#[tokio::test]
async fn keys_carry_a_hash_tag_and_expire() {
    let Some(server) = RedisServer::start("keys_carry_a_hash_tag_and_expire") else {
        return;
    };
    let scope = scope("keys");
    let store = RedisBudgetStore::connect(&server.url())
        .await
        .unwrap()
        .with_namespace("app1");
    let budget = Budget::new(Arc::new(store), limits());
    budget
        .acquire(
            &scope,
            "contact.users.get",
            RateLimit::per_minute(1000).and_per_second(50),
        )
        .await
        .unwrap();
    let mut redis = feishu_redis::connect(&server.url()).await.unwrap();
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut redis)
        .await
        .unwrap();
    keys.sort();
    let base = "app1:{feishu:budget:cli_redis::contact.users.get:http%3A//redis.test/keys}";
    assert_eq!(
        keys,
        [
            format!("{base}:meta"),
            format!("{base}:w1s"),
            format!("{base}:w60s")
        ]
    );
    for key in &keys {
        let ttl: i64 = redis::cmd("PTTL")
            .arg(key)
            .query_async(&mut redis)
            .await
            .unwrap();
        assert!(ttl > 0, "{key} does not expire");
        if key.ends_with(":w1s") {
            assert!(ttl <= 1_100 + 1_000, "{key}: {ttl}");
        }
    }
}

/// Set in the children of `four_processes_share_one_allowance`: the Redis URL.
const WORKER_ENV: &str = "FEISHU_REDIS_BUDGET_WORKER";
const PROCESSES: usize = 4;
const PER_PROCESS: usize = 15;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_share_one_allowance() {
    if let Ok(url) = std::env::var(WORKER_ENV) {
        return work(&url).await;
    }
    let Some(server) = RedisServer::start("four_processes_share_one_allowance") else {
        return;
    };
    // This test binary again, running only this test, in worker mode.
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "four_processes_share_one_allowance",
                    "--exact",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(WORKER_ENV, server.url())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut departures = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "worker failed: {out:?}");
        let mine: Vec<u64> = stdout
            .lines()
            // The harness may print its "test ... " prefix on the same line.
            .filter_map(|l| l.split_once("departure ").map(|(_, us)| us))
            .map(|us| us.trim().parse().unwrap())
            .collect();
        assert_eq!(mine.len(), PER_PROCESS, "{stdout}");
        departures.extend(mine);
    }
    let first = *departures.iter().min().unwrap();
    let mut relative: Vec<Duration> = departures
        .iter()
        .map(|us| Duration::from_micros(us - first))
        .collect();
    let most = busiest(&mut relative, WINDOW);
    assert!(
        most <= 20,
        "{most} departures within one second: {relative:?}"
    );
    assert!(
        relative[PROCESSES * PER_PROCESS - 1] >= Duration::from_secs(2),
        "{relative:?}"
    );
}

/// A worker process: spends `PER_PROCESS` requests, printing each departure (µs since the
/// Unix epoch: the processes share the host's clock).
async fn work(url: &str) {
    let store = RedisBudgetStore::connect(url).await.unwrap();
    let budget = Arc::new(Budget::new(Arc::new(store), limits()));
    let scope = scope("processes");
    let tasks = (0..PER_PROCESS).map(|_| {
        let (budget, scope) = (budget.clone(), scope.clone());
        tokio::spawn(async move {
            budget.acquire(&scope, "f", LIMIT).await.unwrap();
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_micros()
        })
    });
    for departure in join_all(tasks).await {
        println!("departure {}", departure.unwrap());
    }
}
