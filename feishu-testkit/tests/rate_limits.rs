//! Feishu-style rate limits: fixed windows per endpoint family, counted per app and tenant,
//! with the `x-ogw-ratelimit-*` headers and per-window statistics.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Answer, get, tenant_token};
use feishu_testkit::{FakeTenant, FamilyLimit};

const NUMBERS: &str = "/open-apis/testkit/v1/numbers";
const FAMILY: &str = "GET /open-apis/testkit/v1/numbers";

/// An offset that puts "now" `into` the current window of every length that divides an hour
/// (so a window of those lengths has plenty of time left, whatever the wall clock says).
fn offset_placing_now(into: Duration) -> Duration {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let hour = 3_600_000;
    let now_ms = u64::try_from(now.as_millis()).unwrap();
    let into_ms = u64::try_from(into.as_millis()).unwrap();
    Duration::from_millis((now_ms + hour - into_ms) % hour)
}

fn reset(answer: &Answer) -> f64 {
    answer
        .header("x-ogw-ratelimit-reset")
        .unwrap()
        .parse()
        .unwrap()
}

fn limit(answer: &Answer) -> Option<String> {
    answer.header("x-ogw-ratelimit-limit")
}

#[tokio::test]
async fn a_fixed_window_admits_its_cap_then_refuses_until_its_end() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    // Windows of 60 s, the current one started 30 s ago.
    tenant.set_rate_limit_window_offset(offset_placing_now(Duration::from_secs(30)));
    tenant.set_family_limit(FamilyLimit::new(FAMILY).per(5, Duration::from_secs(60)));
    let mut answers = Vec::new();
    for _ in 0..8 {
        answers.push(get(&tenant, NUMBERS, Some(&token)).await);
    }
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    assert!(
        answers[..5]
            .iter()
            .all(|a| limit(a).as_deref() == Some("5"))
    );
    let refused = &answers[5];
    assert_eq!(refused.code(), Some(99991400));
    assert_eq!(limit(refused).as_deref(), Some("5"));
    let wait = reset(refused);
    assert!(wait > 20.0 && wait <= 30.0, "{wait}");
    // Other families are not limited and carry no header.
    let echo = get(&tenant, "/open-apis/testkit/v1/echo/x", Some(&token)).await;
    assert_eq!((echo.status, limit(&echo)), (200, None));

    let stats = tenant.rate_limit_stats(FAMILY);
    assert_eq!(stats.throttled, 3);
    assert_eq!(stats.windows.len(), 1);
    assert_eq!(
        (stats.windows[0].requests, stats.windows[0].throttled),
        (5, 3)
    );
    assert_eq!(tenant.count_status(429), 3);
}

#[tokio::test]
async fn either_window_refuses_and_names_its_own_cap() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    tenant.set_rate_limit_window_offset(offset_placing_now(Duration::from_secs(10)));
    // "5 per 20 s" and "3 per hour": the longer window is the tighter one here.
    tenant.set_family_limit(
        FamilyLimit::new(FAMILY)
            .per(3, Duration::from_secs(3600))
            .per(5, Duration::from_secs(20)),
    );
    for _ in 0..3 {
        let ok = get(&tenant, NUMBERS, Some(&token)).await;
        assert_eq!(ok.status, 200);
        assert_eq!(
            limit(&ok).as_deref(),
            Some("5"),
            "the shortest window is advertised"
        );
    }
    let refused = get(&tenant, NUMBERS, Some(&token)).await;
    assert_eq!(refused.status, 429);
    assert_eq!(limit(&refused).as_deref(), Some("3"));
    assert!(reset(&refused) > 3000.0, "{}", reset(&refused));
}

#[tokio::test]
async fn the_count_is_per_app_and_tenant_not_per_token() {
    let tenant = FakeTenant::start().await;
    tenant.set_rate_limit_window_offset(offset_placing_now(Duration::from_secs(30)));
    tenant.set_family_limit(FamilyLimit::new(FAMILY).per(4, Duration::from_secs(60)));
    let first = tenant_token(&tenant).await;
    for _ in 0..3 {
        assert_eq!(get(&tenant, NUMBERS, Some(&first)).await.status, 200);
    }
    // A second client of the same app, with a token of its own, shares the count.
    tenant.revoke_tokens();
    let second = tenant_token(&tenant).await;
    assert_ne!(first, second);
    assert_eq!(get(&tenant, NUMBERS, Some(&second)).await.status, 200);
    assert_eq!(get(&tenant, NUMBERS, Some(&second)).await.status, 429);
    // Another app (the store app) in the same tenant has its own count.
    let store = tenant.mint_tenant_token();
    assert_eq!(get(&tenant, NUMBERS, Some(&store)).await.status, 200);
    let stats = tenant.rate_limit_stats(FAMILY);
    assert_eq!((stats.windows[0].requests, stats.throttled), (5, 1));
}

#[tokio::test]
async fn windows_can_start_half_way() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    tenant.set_rate_limit_window_offset(Duration::from_millis(500));
    tenant.set_family_limit(FamilyLimit::new(FAMILY).per(1000, Duration::from_secs(1)));
    for _ in 0..3 {
        assert_eq!(get(&tenant, NUMBERS, Some(&token)).await.status, 200);
    }
    let stats = tenant.rate_limit_stats(FAMILY);
    let requests: usize = stats.windows.iter().map(|w| w.requests).sum();
    assert_eq!(requests, 3);
    for window in &stats.windows {
        let start = window.start.duration_since(UNIX_EPOCH).unwrap();
        assert_eq!(start.subsec_millis(), 500, "{start:?}");
    }
}

#[tokio::test]
async fn documented_limits_and_a_lower_advertised_figure() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    tenant.set_documented_rate_limits();
    let user = tenant.contact().user_ids("open_id")[0].clone();
    let path = format!("/open-apis/contact/v3/users/{user}");
    let documented = get(&tenant, &path, Some(&token)).await;
    assert_eq!(
        (documented.status, limit(&documented).as_deref()),
        (200, Some("50"))
    );
    // users/batch is its own family, not users/:user_id.
    let batch = get(
        &tenant,
        &format!("/open-apis/contact/v3/users/batch?user_ids={user}"),
        Some(&token),
    )
    .await;
    assert_eq!(limit(&batch).as_deref(), Some("50"));
    assert_eq!(
        tenant
            .rate_limit_stats("GET /open-apis/contact/v3/users/:user_id")
            .windows[0]
            .requests,
        1
    );

    tenant.set_family_limit(
        FamilyLimit::new("GET /open-apis/contact/v3/users/:user_id").per_second(10),
    );
    let lowered = get(&tenant, &path, Some(&token)).await;
    assert_eq!(limit(&lowered).as_deref(), Some("10"));
    // A family without windows is no longer limited.
    tenant.set_family_limit(FamilyLimit::new("GET /open-apis/contact/v3/users/:user_id"));
    assert_eq!(limit(&get(&tenant, &path, Some(&token)).await), None);
    tenant.clear_rate_limits();
    let scopes = get(&tenant, "/open-apis/contact/v3/scopes", Some(&token)).await;
    assert_eq!(limit(&scopes), None);
}
