//! The request engine against the fake tenant: retries, rate limits, errors, paths, limits.

mod common;

use std::time::{Duration, Instant};

use common::{ECHO, HUGE, NUMBERS, builder, client, numbers, whoami};
use feishu_core::{Client, Domain, Endpoint, Error, RateLimit, RateLimits, Request, RetryPolicy};
use feishu_testkit::{FakeTenant, Fault, LostReply};
use futures::future::join_all;
use serde_json::Value;

const WHOAMI: &str = "/open-apis/testkit/v1/whoami";

#[tokio::test]
async fn rate_limited_reply_waits_for_the_reset_header_then_succeeds() {
    let tenant = FakeTenant::start().await;
    tenant.set_rate_limit_reset(Duration::from_millis(1200));
    let client = client(&tenant);
    client.send::<Value>(whoami()).await.unwrap(); // warm the token
    tenant.fail_next(1, Fault::RateLimited);
    let started = Instant::now();
    client.send::<Value>(whoami()).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1150),
        "waited only {waited:?}"
    );
    // Far below the 60 s wait cap; generous for a loaded machine.
    assert!(waited < Duration::from_secs(20), "waited {waited:?}");
    assert_eq!(tenant.count_status(429), 1);
    assert_eq!(client.stats().rate_limited, 1);
}

#[tokio::test]
async fn server_error_burst_shorter_than_the_budget_succeeds() {
    let tenant = FakeTenant::start().await;
    let client = client(&tenant);
    tenant.fail_next(3, Fault::ServerError(502));
    let me: Value = client.send(whoami()).await.unwrap();
    assert!(me.get("app_id").is_some());
    assert_eq!(tenant.count_path(WHOAMI), 4);
    assert_eq!(client.stats().retries, 3);
}

#[tokio::test]
async fn server_error_burst_longer_than_the_budget_is_a_clear_error() {
    let tenant = FakeTenant::start().await;
    let client = builder(&tenant)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(4)
                .with_initial_backoff(Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    tenant.fail_next(10, Fault::ServerError(503));
    let err = client.send::<Value>(whoami()).await.unwrap_err();
    match &err {
        Error::Http(h) => {
            assert_eq!(h.status(), 503);
            assert!(h.log_id().is_some());
        }
        other => panic!("expected an HTTP error, got {other:?}"),
    }
    assert!(err.is_retryable());
    assert!(err.to_string().contains("503"), "{err}");
    assert_eq!(tenant.count_path(WHOAMI), 4, "attempt budget respected");
}

#[tokio::test]
async fn permission_error_fails_at_once_with_code_msg_log_id_and_scope() {
    let tenant = FakeTenant::start().await;
    let client = client(&tenant);
    tenant.fail_next(1, Fault::Permission);
    let err = client.send::<Value>(whoami()).await.unwrap_err();
    let api = err.as_api().expect("api error");
    assert_eq!(api.code(), 99991672);
    assert!(!api.msg().is_empty());
    assert!(api.log_id().is_some_and(|l| l.starts_with("testkit-")));
    assert!(!api.required_scopes().is_empty());
    assert!(err.is_permission_denied());
    assert!(!err.is_retryable());
    let text = err.to_string();
    assert!(
        text.contains("99991672") && text.contains("grant"),
        "{text}"
    );
    assert_eq!(tenant.count_path(WHOAMI), 1, "not retried");
}

#[tokio::test]
async fn forbidden_prefix_names_the_scope_to_grant() {
    let tenant = FakeTenant::start().await;
    tenant.forbid(
        "/open-apis/testkit/v1/numbers",
        "contact:contact.base:readonly",
    );
    let err = client(&tenant).send::<Value>(numbers()).await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(
        api.required_scopes(),
        vec!["contact:contact.base:readonly".to_string()]
    );
    assert!(err.to_string().contains("contact:contact.base:readonly"));
}

#[tokio::test]
async fn business_error_keeps_http_status_code_and_field_violations() {
    let tenant = FakeTenant::start().await;
    let err = client(&tenant)
        .send::<Value>(numbers().query("page_size", 1000))
        .await
        .unwrap_err();
    let api = err.as_api().expect("api error");
    assert!(api.http_status() >= 400);
    assert!(
        api.detail()
            .field_violations()
            .iter()
            .any(|v| v.field() == Some("page_size")),
        "{api:?}"
    );
    assert_ne!(api.code(), 0);
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn malformed_reply_is_retried_and_a_persistent_one_is_a_decode_error_with_excerpt() {
    let tenant = FakeTenant::start().await;
    let client = client(&tenant);
    client.send::<Value>(whoami()).await.unwrap();
    tenant.fail_next(1, Fault::Malformed);
    client.send::<Value>(whoami()).await.unwrap();
    tenant.set_malformed_share(1.0);
    let err = client.send::<Value>(whoami()).await.unwrap_err();
    match &err {
        Error::Decode(d) => {
            assert!(d.reason().contains("invalid JSON"), "{d}");
            assert!(!d.excerpt().is_empty());
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn wrong_shape_is_a_decode_error_not_a_panic() {
    let tenant = FakeTenant::start().await;
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        items: Vec<String>, // numbers are u64
    }
    let err = client(&tenant).send::<Wrong>(numbers()).await.unwrap_err();
    match &err {
        Error::Decode(d) => assert!(d.reason().contains("data"), "{d}"),
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn huge_reply_is_refused_with_a_clear_error() {
    let tenant = FakeTenant::start().await;
    let client = builder(&tenant)
        .max_response_bytes(64 * 1024)
        .build()
        .unwrap();
    let req = Request::new(HUGE, &[]).unwrap().query("bytes", 1_000_000);
    let err = client.send::<Value>(req).await.unwrap_err();
    assert!(err.to_string().contains("exceeds"), "{err}");
    let small = Request::new(HUGE, &[]).unwrap().query("bytes", 1000);
    let s: String = client.send(small).await.unwrap();
    assert_eq!(s.len(), 1000);
}

#[tokio::test]
async fn timeout_is_reported_and_retried_within_budget() {
    let tenant = FakeTenant::start().await;
    let client = builder(&tenant)
        .timeout(Duration::from_secs(1))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    client.send::<Value>(whoami()).await.unwrap();
    tenant.fail_next(1, Fault::Delay(Duration::from_secs(5)));
    client.send::<Value>(whoami()).await.unwrap();
    tenant.fail_next(2, Fault::Delay(Duration::from_secs(5)));
    let err = client.send::<Value>(whoami()).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
}

/// A reply lost below HTTP after the server handled the request: the connection reset before
/// the reply, or the reply cut off in its body. A read is asked again; a call that is not safe
/// to repeat is not, and says it may have applied.
#[tokio::test]
async fn a_broken_connection_is_retried_for_reads_and_reported_for_writes() {
    // The testkit's numbers search seen as a write the client must not repeat.
    const SEARCH_AS_WRITE: Endpoint = Endpoint::post(
        "testkit.numbers.search_as_write",
        "testkit/v1/numbers/search",
    );
    let search = "/open-apis/testkit/v1/numbers/search";
    for lost in [LostReply::ResetBeforeReply, LostReply::CutMidBody] {
        let tenant = FakeTenant::builder().connection_faults().start().await;
        let client = client(&tenant);
        client.send::<Value>(whoami()).await.unwrap(); // warm the token

        tenant.fail_next(1, lost.fault());
        let me: Value = client.send(whoami()).await.unwrap();
        assert!(
            me.get("app_id").is_some(),
            "{lost:?}: the read was asked again"
        );
        assert_eq!(tenant.count_path(WHOAMI), 3, "{lost:?}");
        assert_eq!(client.stats().retries, 1, "{lost:?}");

        let write = || {
            Request::new(SEARCH_AS_WRITE, &[])
                .unwrap()
                .json(&serde_json::json!({}))
                .unwrap()
        };
        tenant.fail_next(1, lost.fault());
        let err = client.send::<Value>(write()).await.unwrap_err();
        assert!(matches!(err, Error::Transport(_)), "{lost:?}: {err:?}");
        assert!(err.write_may_have_applied(), "{lost:?}: {err}");
        assert_eq!(tenant.count_path(search), 1, "{lost:?}: not sent again");
        assert!(
            err.to_string().contains("testkit.numbers.search_as_write"),
            "names the endpoint: {err}"
        );
        client.send::<Value>(write()).await.unwrap();
    }
}

#[tokio::test]
async fn connection_refused_is_a_transport_error_after_retries() {
    // Bind then drop a listener to get a port nothing listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = Client::builder()
        .base_url(&format!("http://127.0.0.1:{port}"))
        .credentials(feishu_core::Credentials::self_built(
            "cli_x",
            "sekrit-value",
        ))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    let err = client.send::<Value>(whoami()).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(!err.to_string().contains("sekrit-value"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn client_rate_limiter_keeps_200_calls_under_a_50_per_second_limit() {
    let tenant = FakeTenant::start().await;
    tenant.set_rate_limit("/open-apis/testkit/v1/numbers", 50);
    let client = builder(&tenant)
        .rate_limits(RateLimits::documented())
        .build()
        .unwrap();
    client.send::<Value>(whoami()).await.unwrap();
    let started = Instant::now();
    let calls = (0..200).map(|_| {
        let client = client.clone();
        tokio::spawn(async move {
            const LIMITED: Endpoint = NUMBERS.limit(RateLimit::per_second(50));
            let req = Request::new(LIMITED, &[]).unwrap();
            client.send::<Value>(req).await
        })
    });
    for r in join_all(calls).await {
        r.unwrap().unwrap();
    }
    let took = started.elapsed();
    assert_eq!(tenant.count_status(429), 0, "the limiter must prevent 429s");
    // Whole windows of 50 leave at once: four windows need three window lengths.
    assert!(took >= Duration::from_secs(3), "took {took:?}");
    // Only catches a limiter that is far too slow; generous for a loaded 2-core machine.
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

#[tokio::test]
async fn rate_limit_overrides_and_disabling_apply() {
    let limits = RateLimits::documented().with_override("x", RateLimit::per_second(5));
    assert_eq!(
        limits.effective("x", RateLimit::per_second(50)),
        RateLimit::per_second(5)
    );
    assert_eq!(
        limits.effective("y", RateLimit::per_second(50)),
        RateLimit::per_second(50)
    );
    assert!(
        RateLimits::disabled()
            .effective("x", RateLimit::per_second(5))
            .is_unlimited()
    );
    // Overrides and the switch compose: limiting one family takes one override.
    assert_eq!(
        RateLimits::disabled()
            .with_override("x", RateLimit::per_second(5))
            .effective("x", RateLimit::per_second(50)),
        RateLimit::per_second(5)
    );
}

#[tokio::test]
async fn path_segments_are_encoded_one_at_a_time() {
    let tenant = FakeTenant::start().await;
    let client = client(&tenant);
    for id in [
        "a/b",
        "../x",
        "100%",
        "with space",
        "中文-ü",
        "a?b#c",
        "...",
    ] {
        let req = Request::new(ECHO, &[id]).unwrap();
        let echo: Value = client.send(req).await.unwrap();
        assert_eq!(echo["segment"], id, "{echo}");
        assert_eq!(echo["segments"].as_array().unwrap().len(), 5, "{echo}");
        let raw = echo["raw_path"].as_str().unwrap();
        assert!(raw.starts_with("/open-apis/testkit/v1/echo/"), "{echo}");
        assert!(!raw.contains("/../") && !raw.ends_with("/.."), "{echo}");
    }
}

#[tokio::test]
async fn dot_and_empty_segments_are_refused_before_sending() {
    let tenant = FakeTenant::start().await;
    for id in ["..", ".", ""] {
        let err = Request::new(ECHO, &[id]).unwrap_err();
        match &err {
            Error::InvalidArgument(a) => assert_eq!(a.argument(), "segment"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(tenant.request_count(), 0);
}

#[test]
fn plain_http_to_a_public_host_is_refused() {
    for url in [
        "http://open.feishu.cn",
        "http://10.0.0.1:8080",
        "ftp://127.0.0.1",
    ] {
        let err = Domain::custom(url).unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{url}: {err:?}");
    }
    let err = Client::builder()
        .base_url("http://example.com")
        .credentials(feishu_core::Credentials::self_built("a", "b"))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("plain http"), "{err}");
    for ok in [
        "http://127.0.0.1:1",
        "http://localhost:1",
        "http://[::1]:1",
        "https://example.com",
    ] {
        assert!(Domain::custom(ok).is_ok(), "{ok}");
    }
    assert_eq!(Domain::parse("lark").unwrap(), Domain::Lark);
}
