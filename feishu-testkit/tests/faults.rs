//! Fault knobs: queued faults, seeded shares, latency, per-prefix limits and forbidden scopes.

mod common;

use std::time::{Duration, Instant};

use common::{get, tenant_token};
use feishu_testkit::{FAULT_SCOPE, FakeTenant, Fault, LogIdKeys};

const NUMBERS: &str = "/open-apis/testkit/v1/numbers";
const ECHO: &str = "/open-apis/testkit/v1/echo/x";

async fn setup() -> (FakeTenant, String) {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    (tenant, token)
}

#[tokio::test]
async fn queued_faults_apply_in_order_to_data_requests_only() {
    let (tenant, token) = setup().await;
    tenant.fail_next(1, Fault::ServerError(502));
    tenant.fail_next(1, Fault::RateLimited);
    tenant.fail_next(1, Fault::Malformed);
    tenant.fail_next(1, Fault::TokenInvalid);
    tenant.fail_next(1, Fault::Permission);
    tenant.fail_next(
        1,
        Fault::Code {
            status: 500,
            code: 1500,
        },
    );
    assert_eq!(tenant.pending_faults(), 6);

    // Token requests do not consume faults.
    assert_eq!(tenant_token(&tenant).await, token);
    assert_eq!(tenant.pending_faults(), 6);

    let server = get(&tenant, NUMBERS, Some(&token)).await;
    assert_eq!(server.status, 502);
    assert!(
        server
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(server.json.is_null() && server.text.contains("502"));
    assert!(server.header("x-tt-logid").is_some());

    let limited = get(&tenant, NUMBERS, Some(&token)).await;
    assert_eq!((limited.status, limited.code()), (429, Some(99991400)));
    assert_eq!(
        limited.header("x-ogw-ratelimit-reset").as_deref(),
        Some("1")
    );
    assert!(limited.header("x-ogw-ratelimit-limit").is_some());

    let malformed = get(&tenant, NUMBERS, Some(&token)).await;
    assert_eq!(malformed.status, 200);
    assert!(
        malformed
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert!(serde_json::from_str::<serde_json::Value>(&malformed.text).is_err());

    let invalid = get(&tenant, NUMBERS, Some(&token)).await;
    assert_eq!((invalid.status, invalid.code()), (400, Some(99991663)));

    let denied = get(&tenant, NUMBERS, Some(&token)).await;
    assert_eq!((denied.status, denied.code()), (400, Some(99991672)));
    assert_eq!(
        denied.json["error"]["permission_violations"][0]["scope"],
        FAULT_SCOPE
    );

    let coded = get(&tenant, NUMBERS, Some(&token)).await;
    assert_eq!((coded.status, coded.code()), (500, Some(1500)));

    assert_eq!(tenant.pending_faults(), 0);
    assert_eq!(get(&tenant, NUMBERS, Some(&token)).await.code(), Some(0));
}

#[tokio::test]
async fn fail_next_repeats_and_delay_fault() {
    let (tenant, token) = setup().await;
    tenant.fail_next(3, Fault::ServerError(503));
    for _ in 0..3 {
        assert_eq!(get(&tenant, ECHO, Some(&token)).await.status, 503);
    }
    tenant.fail_next(1, Fault::Delay(Duration::from_millis(150)));
    let started = Instant::now();
    let reply = get(&tenant, ECHO, Some(&token)).await;
    assert_eq!(reply.code(), Some(0));
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn latency_delays_every_response() {
    let (tenant, token) = setup().await;
    tenant.set_latency(Duration::from_millis(120));
    let started = Instant::now();
    tenant_token(&tenant).await;
    get(&tenant, ECHO, Some(&token)).await;
    assert!(started.elapsed() >= Duration::from_millis(240));
    tenant.set_latency(Duration::ZERO);
}

#[tokio::test]
async fn rate_limited_share_with_custom_reset() {
    let (tenant, token) = setup().await;
    tenant.set_rate_limited_share(1.0);
    tenant.set_rate_limit_reset(Duration::from_millis(500));
    let reply = get(&tenant, NUMBERS, Some(&token)).await;
    assert_eq!((reply.status, reply.code()), (429, Some(99991400)));
    assert_eq!(
        reply.header("x-ogw-ratelimit-reset").as_deref(),
        Some("0.5")
    );
    // Auth is never faulted.
    tenant_token(&tenant).await;

    tenant.set_rate_limited_share(0.5);
    let mut limited = 0;
    for _ in 0..200 {
        if get(&tenant, ECHO, Some(&token)).await.status == 429 {
            limited += 1;
        }
    }
    assert!((60..=140).contains(&limited), "{limited}");
}

#[tokio::test]
async fn server_error_share_rotates_statuses() {
    let (tenant, token) = setup().await;
    tenant.set_server_error_share(1.0);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let reply = get(&tenant, ECHO, Some(&token)).await;
        assert!(reply.json.is_null());
        statuses.push(reply.status);
    }
    assert_eq!(statuses, [500, 502, 503, 504]);
    tenant.clear_faults();
    assert_eq!(get(&tenant, ECHO, Some(&token)).await.status, 200);
}

#[tokio::test]
async fn malformed_share() {
    let (tenant, token) = setup().await;
    tenant.set_malformed_share(1.0);
    let reply = get(&tenant, ECHO, Some(&token)).await;
    assert_eq!(reply.status, 200);
    assert!(reply.json.is_null());
    assert_eq!(tenant.journal().last().unwrap().code, None);
}

#[tokio::test]
async fn shares_are_reproducible_with_a_seed() {
    async fn run(seed: u64) -> Vec<u16> {
        let tenant = FakeTenant::builder().seed(seed).start().await;
        let token = tenant_token(&tenant).await;
        tenant.set_rate_limited_share(0.2);
        tenant.set_server_error_share(0.2);
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(get(&tenant, ECHO, Some(&token)).await.status);
        }
        statuses
    }
    let a = run(7).await;
    assert_eq!(a, run(7).await);
    assert_ne!(a, run(8).await);
    assert!(a.contains(&200) && a.contains(&429));
}

#[tokio::test]
async fn per_prefix_token_bucket() {
    let (tenant, token) = setup().await;
    tenant.set_rate_limit(NUMBERS, 10);
    // Sent together, so that a loaded machine cannot refill the bucket between them.
    let started = std::time::Instant::now();
    let replies =
        futures::future::join_all((0..30).map(|_| get(&tenant, NUMBERS, Some(&token)))).await;
    let elapsed = started.elapsed().as_secs_f64();
    let (limited, passed): (Vec<_>, Vec<_>) = replies.into_iter().partition(|r| r.status == 429);
    // A bucket of 10 refilling at 10/s lets 10 through at once, plus what refilled meanwhile.
    let refilled = (elapsed * 10.0).ceil() as usize;
    assert!(passed.len() >= 10, "{} passed", passed.len());
    assert!(
        passed.len() <= 10 + refilled,
        "{} passed in {elapsed:.2} s",
        passed.len()
    );
    assert!(!limited.is_empty());
    let first = &limited[0];
    assert_eq!(first.code(), Some(99991400));
    assert_eq!(first.header("x-ogw-ratelimit-limit").as_deref(), Some("10"));
    let reset: f64 = first
        .header("x-ogw-ratelimit-reset")
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset > 0.0 && reset <= 0.1, "{reset}");

    // Other paths are not limited; the prefix covers sub-paths.
    assert_eq!(get(&tenant, ECHO, Some(&token)).await.status, 200);
    let http = reqwest::Client::new();
    let searches = futures::future::join_all((0..15).map(|_| {
        http.post(tenant.url("/open-apis/testkit/v1/numbers/search"))
            .bearer_auth(&token)
            .json(&serde_json::json!({}))
            .send()
    }))
    .await;
    assert!(
        searches
            .into_iter()
            .any(|r| r.unwrap().status().as_u16() == 429),
        "the prefix's bucket covers its sub-paths"
    );

    // After the reset, requests pass again.
    tokio::time::sleep(Duration::from_secs_f64(reset + 0.01)).await;
    assert_eq!(get(&tenant, NUMBERS, Some(&token)).await.status, 200);
    tenant.clear_rate_limits();
    for _ in 0..15 {
        assert_eq!(get(&tenant, NUMBERS, Some(&token)).await.status, 200);
    }
}

#[tokio::test]
async fn forbid_and_allow_all() {
    let (tenant, token) = setup().await;
    tenant.forbid(NUMBERS, "contact:contact.base:readonly");
    let reply = get(&tenant, NUMBERS, Some(&token)).await;
    assert_eq!((reply.status, reply.code()), (400, Some(99991672)));
    let error = &reply.json["error"];
    assert_eq!(
        error["permission_violations"][0]["scope"],
        "contact:contact.base:readonly"
    );
    assert!(error["permission_violations"][0]["url"].is_string());
    assert!(error["helps"][0]["url"].is_string());
    assert_eq!(error["log_id"], reply.log_id().as_str());
    assert!(
        reply.json["msg"]
            .as_str()
            .unwrap()
            .contains("contact:contact.base:readonly")
    );

    assert_eq!(get(&tenant, ECHO, Some(&token)).await.status, 200);
    // Authentication comes first: a bad token is still a token error.
    assert_eq!(
        get(&tenant, NUMBERS, Some("t-bad")).await.code(),
        Some(99991663)
    );

    tenant.allow_all();
    assert_eq!(get(&tenant, NUMBERS, Some(&token)).await.code(), Some(0));
}

#[tokio::test]
async fn throttle_codes_of_older_services() {
    let (tenant, token) = setup().await;
    tenant.set_rate_limit_reset(Duration::from_millis(1500));
    tenant.fail_next(1, Fault::MethodRateLimited);
    tenant.fail_next(1, Fault::AppRateLimited);
    for (code, msg) in [
        (1000004, "method rate limited"),
        (1000005, "app rate limited"),
    ] {
        let reply = get(&tenant, NUMBERS, Some(&token)).await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, Some(code)),
            "{}",
            reply.text
        );
        assert_eq!(reply.json["msg"], msg);
        assert_eq!(
            reply.header("x-ogw-ratelimit-reset").as_deref(),
            Some("1.5")
        );
        assert!(reply.header("x-ogw-ratelimit-limit").is_some());
    }
    assert_eq!(get(&tenant, NUMBERS, Some(&token)).await.code(), Some(0));
}

#[tokio::test]
async fn error_blocks_carry_the_log_id_under_either_spelling() {
    let (tenant, token) = setup().await;
    let missing = "/open-apis/testkit/v1/nope";
    let default = get(&tenant, missing, Some(&token)).await;
    assert_eq!(default.json["error"]["log_id"], default.log_id().as_str());
    assert!(default.json["error"].get("logid").is_none());

    tenant.set_error_log_id_keys(LogIdKeys::Both);
    let both = get(&tenant, missing, Some(&token)).await;
    assert_eq!(both.json["error"]["log_id"], both.log_id().as_str());
    assert_eq!(both.json["error"]["logid"], both.log_id().as_str());
    // Success replies carry no error block at all.
    let ok = get(&tenant, NUMBERS, Some(&token)).await;
    assert!(ok.json.get("error").is_none());

    tenant.set_error_log_id_keys(LogIdKeys::Logid);
    tenant.fail_next(1, Fault::Permission);
    let only = get(&tenant, NUMBERS, Some(&token)).await;
    assert_eq!(only.json["error"]["logid"], only.log_id().as_str());
    assert!(only.json["error"].get("log_id").is_none());
    assert!(only.json["error"]["permission_violations"].is_array());
}
