//! The budget over a paused clock: whole windows, bursts, rescheduling, sharing, figures.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use futures::future::join_all;

use super::*;

const SECOND: Duration = Duration::from_secs(1);

/// A scope no other test uses (the in-memory stores are shared per scope, process-wide).
fn scope(name: &str) -> BudgetScope {
    BudgetScope::new(&format!("http://budget.test/{name}"), "cli_test", None)
}

/// Runs `n` concurrent acquisitions and returns their departures, relative to the start.
async fn depart(
    budget: &Arc<Budget>,
    scope: &BudgetScope,
    family: &str,
    limit: RateLimit,
    n: usize,
) -> Vec<Duration> {
    let start = Instant::now();
    let tasks = (0..n).map(|_| {
        let (budget, scope, family) = (budget.clone(), scope.clone(), family.to_string());
        tokio::spawn(async move {
            budget.acquire(&scope, &family, limit).await.unwrap();
            Instant::now() - start
        })
    });
    let mut departures: Vec<Duration> = join_all(tasks)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    departures.sort();
    departures
}

/// Departures grouped by time: `(time, how many)`.
fn bursts(departures: &[Duration]) -> Vec<(Duration, usize)> {
    let mut out: Vec<(Duration, usize)> = Vec::new();
    for d in departures {
        match out.last_mut() {
            Some((t, n)) if t == d => *n += 1,
            _ => out.push((*d, 1)),
        }
    }
    out
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[tokio::test(start_paused = true)]
async fn a_whole_window_goes_at_once() {
    let scope = scope("whole-window");
    let budget = Budget::shared(&scope, RateLimits::documented());
    let limit = RateLimit::per(Duration::from_secs(2), 100);
    for _ in 0..100 {
        let waited = budget.acquire(&scope, "f", limit).await.unwrap();
        assert_eq!(waited, Duration::ZERO);
    }
    let stats = budget.stats()["f"];
    assert_eq!((stats.requests, stats.waited), (100, Duration::ZERO));
    // The 101st waits for the first departure to leave the window (2 s + 3 %).
    let waited = budget.acquire(&scope, "f", limit).await.unwrap();
    assert_eq!(waited, ms(2060));
}

#[tokio::test(start_paused = true)]
async fn acquisitions_past_the_allowance_leave_in_window_sized_bursts() {
    let scope = scope("bursts");
    let budget = Arc::new(Budget::shared(&scope, RateLimits::documented()));
    let departures = depart(&budget, &scope, "list", RateLimit::per_minute(100), 250).await;
    assert_eq!(
        bursts(&departures),
        [(ms(0), 100), (ms(61_800), 100), (ms(123_600), 50)]
    );
    let stats = budget.stats()["list"];
    assert_eq!(stats.requests, 250);
    assert_eq!(stats.waited, ms(61_800) * 100 + ms(123_600) * 50);
}

#[tokio::test(start_paused = true)]
async fn no_interval_of_a_window_holds_more_than_its_allowance() {
    let scope = scope("invariant");
    let budget = Arc::new(Budget::shared(&scope, RateLimits::documented()));
    let limit = RateLimit::per_minute(30).and_per_second(5);
    let start = Instant::now();
    let mut rng = fastrand::Rng::with_seed(7);
    let tasks = (0..120).map(|_| {
        let (budget, scope) = (budget.clone(), scope.clone());
        let arrival = ms(rng.u64(0..90_000));
        tokio::spawn(async move {
            tokio::time::sleep(arrival).await;
            budget.acquire(&scope, "f", limit).await.unwrap();
            Instant::now() - start
        })
    });
    let mut departures: Vec<Duration> = join_all(tasks)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    departures.sort();
    for (length, allowance) in [(SECOND, 5), (Duration::from_secs(60), 30)] {
        for (i, first) in departures.iter().enumerate() {
            let within = departures[i..]
                .iter()
                .take_while(|d| **d < *first + length)
                .count();
            assert!(
                within <= allowance,
                "{within} departures within {length:?} from {first:?}"
            );
        }
    }
    // Paced, not stalled: 120 at 30/min take four windows.
    assert!(
        departures[119] < Duration::from_secs(4 * 62 + 90),
        "{:?}",
        departures[119]
    );
}

#[tokio::test(start_paused = true)]
async fn two_scopes_are_independent() {
    let (a, b) = (scope("independent-a"), scope("independent-b"));
    let budget = Budget::shared(&a, RateLimits::documented());
    let limit = RateLimit::per_second(2);
    for s in [&a, &a, &b, &b] {
        assert_eq!(budget.acquire(s, "f", limit).await.unwrap(), Duration::ZERO);
    }
    // Other tenants of the same app, and other apps, have budgets of their own too.
    let tenant = BudgetScope::new("http://budget.test/independent-a", "cli_test", Some("t1"));
    let app = BudgetScope::new("http://budget.test/independent-a", "cli_other", None);
    for s in [&tenant, &tenant, &app, &app] {
        assert_eq!(budget.acquire(s, "f", limit).await.unwrap(), Duration::ZERO);
    }
    assert_eq!(budget.acquire(&a, "f", limit).await.unwrap(), ms(1030));
}

#[tokio::test(start_paused = true)]
async fn budgets_from_the_registry_with_the_same_scope_share_one_allowance() {
    let scope = scope("registry");
    let first = Arc::new(Budget::shared(&scope, RateLimits::documented()));
    let second = Arc::new(Budget::shared(&scope, RateLimits::documented()));
    let limit = RateLimit::per_second(10);
    let (a, b) = tokio::join!(
        depart(&first, &scope, "f", limit, 15),
        depart(&second, &scope, "f", limit, 15)
    );
    let mut all = [a, b].concat();
    all.sort();
    assert_eq!(bursts(&all), [(ms(0), 10), (ms(1030), 10), (ms(2060), 10)]);
    // A budget over a store of its own shares nothing.
    let own = Budget::new(
        Arc::new(InMemoryBudgetStore::new()),
        RateLimits::documented(),
    );
    assert_eq!(
        own.acquire(&scope, "f", limit).await.unwrap(),
        Duration::ZERO
    );
}

#[tokio::test(start_paused = true)]
async fn overrides_compose_with_disabled_limits() {
    let scope = scope("overrides");
    let limits = RateLimits::disabled().with_override("slow", RateLimit::per_second(1));
    let budget = Budget::shared(&scope, limits);
    for _ in 0..50 {
        let waited = budget
            .acquire(&scope, "fast", RateLimit::per_second(1))
            .await
            .unwrap();
        assert_eq!(waited, Duration::ZERO);
    }
    assert_eq!(
        budget
            .acquire(&scope, "slow", RateLimit::UNLIMITED)
            .await
            .unwrap(),
        Duration::ZERO
    );
    assert_eq!(
        budget
            .acquire(&scope, "slow", RateLimit::UNLIMITED)
            .await
            .unwrap(),
        ms(1030)
    );
}

#[tokio::test(start_paused = true)]
async fn after_a_rate_limit_reply_waiters_leave_at_the_window_rate_not_at_once() {
    let scope = scope("rescheduled");
    // The reply is reported through another client of the same scope.
    let waiting = Arc::new(Budget::shared(&scope, RateLimits::documented()));
    let reporting = Budget::shared(&scope, RateLimits::documented());
    let limit = RateLimit::per_second(10);
    // The request that will be refused leaves first.
    reporting.acquire(&scope, "f", limit).await.unwrap();
    let run = depart(&waiting, &scope, "f", limit, 30);
    let report = async {
        tokio::time::sleep(ms(100)).await;
        reporting
            .on_rate_limited(&scope, "f", Some(SECOND))
            .await
            .unwrap();
    };
    let (departures, ()) = tokio::join!(run, report);
    // Nine more left at once; the 429 at 0.1 s blocks until 1.1 s; the twenty-one waiting
    // (reserved for 1.03 s, 2.06 s and 3.09 s) then leave ten per window after the reset.
    assert_eq!(
        bursts(&departures),
        [(ms(0), 9), (ms(1100), 10), (ms(2130), 10), (ms(3160), 1)]
    );
    assert_eq!(reporting.stats()["f"].rate_limited, 1);
    assert_eq!(waiting.stats()["f"].rate_limited, 0);
}

#[tokio::test(start_paused = true)]
async fn a_rate_limit_reply_blocks_the_next_acquisition_until_the_reset() {
    let scope = scope("reset");
    let budget = Budget::shared(&scope, RateLimits::documented());
    let limit = RateLimit::per_minute(100);
    budget.acquire(&scope, "f", limit).await.unwrap();
    budget
        .on_rate_limited(&scope, "f", Some(ms(52_000)))
        .await
        .unwrap();
    assert_eq!(
        budget.acquire(&scope, "f", limit).await.unwrap(),
        ms(52_000)
    );
    // The allowance comes back with the server's new window, less the departure at 0 s,
    // which stays in every interval of a minute (and 1.8 s of margin) that starts with it.
    for _ in 0..98 {
        assert_eq!(
            budget.acquire(&scope, "f", limit).await.unwrap(),
            Duration::ZERO
        );
    }
    assert_eq!(budget.acquire(&scope, "f", limit).await.unwrap(), ms(9_800));
    // Unknown reset, before any request of the family: a second.
    budget.on_rate_limited(&scope, "g", None).await.unwrap();
    let both = RateLimit::per_second(50).and_per_minute(1000);
    assert_eq!(budget.acquire(&scope, "g", both).await.unwrap(), SECOND);
    // Unknown reset of a paced family: its shortest window.
    budget.on_rate_limited(&scope, "g", None).await.unwrap();
    let waited = budget
        .acquire(&scope, "g", RateLimit::per_second(50))
        .await
        .unwrap();
    assert_eq!(waited, SECOND);
}

#[tokio::test(start_paused = true)]
async fn families_without_limits_still_honour_rate_limit_replies() {
    let scope = scope("unlimited");
    let budget = Budget::shared(&scope, RateLimits::disabled());
    assert_eq!(
        budget
            .acquire(&scope, "f", RateLimit::per_second(1))
            .await
            .unwrap(),
        Duration::ZERO
    );
    budget
        .on_rate_limited(&scope, "f", Some(ms(700)))
        .await
        .unwrap();
    assert_eq!(
        budget
            .acquire(&scope, "f", RateLimit::per_second(1))
            .await
            .unwrap(),
        ms(700)
    );
    assert_eq!(
        budget
            .acquire(&scope, "f", RateLimit::per_second(1))
            .await
            .unwrap(),
        Duration::ZERO
    );
}

#[tokio::test(start_paused = true)]
async fn the_server_figure_replaces_the_documented_allowance() {
    let scope = scope("header");
    let budget = Budget::shared(&scope, RateLimits::documented());
    let limit = RateLimit::per_second(10).and_per_minute(1000);
    budget.acquire(&scope, "f", limit).await.unwrap();
    budget.observe_limit_header(&scope, "f", "5");
    for _ in 0..4 {
        assert_eq!(
            budget.acquire(&scope, "f", limit).await.unwrap(),
            Duration::ZERO
        );
    }
    assert_eq!(budget.acquire(&scope, "f", limit).await.unwrap(), ms(1030));
    // Other clients of the scope follow it too; a raise is followed as well.
    let other = Budget::shared(&scope, RateLimits::documented());
    other.observe_limit_header(&scope, "f", "20;w=1");
    let departures = depart(&Arc::new(other), &scope, "f", limit, 25).await;
    // At 1.03 s the five departures at 0 s have left the window; one is in it.
    assert_eq!(bursts(&departures), [(ms(0), 19), (ms(1030), 6)]);
    // Garbage changes nothing.
    budget.observe_limit_header(&scope, "f", "lots");
    budget.observe_limit_header(&scope, "f", "0");
}

/// Callers already waiting when Feishu's lower figure arrives with a rate-limit reply are
/// rescheduled at that figure, not at the documented allowance they started with: the
/// refused requests, retrying at the new figure, leave only the last ten departures in the
/// log, so a waiter still at "50 per second" would find room and leave when the block ends,
/// into a window the server has already given to others (found over HTTP, see
/// `tests/rate_limit_windows.rs`).
#[tokio::test(start_paused = true)]
async fn waiters_rescheduled_after_a_lower_figure_follow_it() {
    let scope = scope("header-rescheduled");
    let budget = Arc::new(Budget::shared(&scope, RateLimits::documented()));
    let limit = RateLimit::per_second(50);
    let waiting = depart(&budget, &scope, "f", limit, 60);
    let refused = async {
        // Replies to the first fifty: the server allows 10 a second (and says so) and refuses
        // 40 until its window ends at 0.5 s. The refusals arrive one by one; each refused
        // request retries at once.
        tokio::time::sleep(ms(10)).await;
        budget.observe_limit_header(&scope, "f", "10");
        let mut retries = Vec::new();
        for _ in 0..40 {
            budget
                .on_rate_limited(&scope, "f", Some(ms(490)))
                .await
                .unwrap();
            let budget = budget.clone();
            let scope = scope.clone();
            retries.push(tokio::spawn(async move {
                budget.acquire(&scope, "f", limit).await.unwrap();
                Instant::now()
            }));
            tokio::time::sleep(ms(1)).await;
        }
        join_all(retries).await
    };
    let start = Instant::now();
    let (first, retries) = tokio::join!(waiting, refused);
    let retries = retries.into_iter().map(|r| r.unwrap() - start);
    let mut departures: Vec<Duration> = first.into_iter().chain(retries).collect();
    departures.sort();
    // Fifty at once, then the ten waiting and the forty retried at ten per window.
    assert_eq!(
        bursts(&departures),
        [
            (ms(0), 50),
            (ms(1030), 10),
            (ms(2060), 10),
            (ms(3090), 10),
            (ms(4120), 10),
            (ms(5150), 10)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn the_server_figure_never_raises_an_override() {
    let scope = scope("header-override");
    let limits = RateLimits::documented().with_override("f", RateLimit::per_second(3));
    let budget = Budget::shared(&scope, limits);
    let documented = RateLimit::per_second(50);
    budget.acquire(&scope, "f", documented).await.unwrap();
    budget.observe_limit_header(&scope, "f", "100");
    assert_eq!(
        budget.acquire(&scope, "f", documented).await.unwrap(),
        Duration::ZERO
    );
    assert_eq!(
        budget.acquire(&scope, "f", documented).await.unwrap(),
        Duration::ZERO
    );
    assert_eq!(
        budget.acquire(&scope, "f", documented).await.unwrap(),
        ms(1030)
    );
    budget.observe_limit_header(&scope, "f", "1");
    assert_eq!(
        budget.acquire(&scope, "f", documented).await.unwrap(),
        ms(1030)
    );
}

/// A store that is down, as Redis can be.
#[derive(Debug, Default)]
struct DownStore {
    calls: AtomicUsize,
}

#[async_trait]
impl BudgetStore for DownStore {
    async fn reserve(&self, _: &BudgetKey, _: &[WindowRule]) -> Result<Reservation> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Err(Error::store_failure(
            "redis budget store",
            "connection refused",
        ))
    }

    async fn is_current(&self, _: &BudgetKey, _: u64) -> Result<bool> {
        Ok(true)
    }

    async fn block(&self, _: &BudgetKey, _: &[WindowRule], _: Duration) -> Result<()> {
        Err(Error::Config("read-only".into()))
    }
}

#[tokio::test]
async fn a_failing_store_fails_the_call_clearly() {
    let scope = scope("down");
    let store = Arc::new(DownStore::default());
    let budget = Budget::new(store.clone(), RateLimits::documented());
    let err = budget
        .acquire(&scope, "contact.users.get", RateLimit::per_second(50))
        .await
        .unwrap_err();
    match &err {
        Error::Transport(t) => {
            assert_eq!(t.endpoint(), "contact.users.get");
            assert_eq!(t.message(), "rate-limit budget store: connection refused");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.is_retryable());
    assert!(matches!(
        budget
            .on_rate_limited(&scope, "contact.users.get", None)
            .await,
        Err(Error::Config(_))
    ));
    // Unlimited families never touch the store.
    budget
        .acquire(&scope, "free", RateLimit::UNLIMITED)
        .await
        .unwrap();
    assert_eq!(store.calls.load(Ordering::Relaxed), 1);
}
