//! `RedisTokenStore` against a real `redis-server` (see `support` for how to run it).

mod support;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use feishu_core::{CachedToken, Client, Credentials, RateLimits, TokenKey, TokenKind, TokenStore};
use feishu_redis::RedisTokenStore;
use feishu_testkit::FakeTenant;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use support::RedisServer;

fn key(app: &str) -> TokenKey {
    TokenKey {
        kind: TokenKind::Tenant,
        app_id: app.into(),
        tenant_key: Some("tenant_1".into()),
    }
}

/// `t` cut to whole milliseconds, as the store keeps it.
fn to_ms(t: SystemTime) -> SystemTime {
    let ms = t.duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
    UNIX_EPOCH + Duration::from_millis(ms)
}

fn token(value: &str, lifetime: Duration) -> CachedToken {
    let now = SystemTime::now();
    CachedToken {
        token: SecretString::from(value.to_string()),
        expires_at: now + lifetime,
        refresh_at: now + lifetime / 2,
    }
}

async fn store(server: &RedisServer) -> RedisTokenStore {
    RedisTokenStore::new(feishu_redis::connect(&server.url()).await.unwrap())
}

#[tokio::test]
async fn tokens_round_trip_and_expire_with_the_token() {
    let Some(server) = RedisServer::start("tokens_round_trip_and_expire_with_the_token") else {
        return;
    };
    let store = store(&server).await;
    assert!(store.get(&key("cli_a")).await.unwrap().is_none());
    let put = token("t-123", Duration::from_secs(7200));
    store.put(&key("cli_a"), put.clone()).await.unwrap();
    let got = store.get(&key("cli_a")).await.unwrap().expect("stored");
    assert_eq!(got.token.expose_secret(), "t-123");
    assert_eq!(got.expires_at, to_ms(put.expires_at));
    assert_eq!(got.refresh_at, to_ms(put.refresh_at));
    // Another app, another tenant: other keys.
    assert!(store.get(&key("cli_b")).await.unwrap().is_none());

    // The key lives as long as the token.
    let mut redis = feishu_redis::connect(&server.url()).await.unwrap();
    let ttl: i64 = redis::cmd("PTTL")
        .arg(key("cli_a").to_store_key())
        .query_async(&mut redis)
        .await
        .unwrap();
    assert!((7_100_000..=7_200_000).contains(&ttl), "{ttl}");
    store
        .put(&key("cli_a"), token("short", Duration::from_millis(300)))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(store.get(&key("cli_a")).await.unwrap().is_none());
}

#[tokio::test]
async fn evict_if_matches_removes_only_the_rejected_token() {
    let Some(server) = RedisServer::start("evict_if_matches_removes_only_the_rejected_token")
    else {
        return;
    };
    let store = store(&server).await;
    let k = key("cli_evict");
    store
        .put(&k, token("current", Duration::from_secs(600)))
        .await
        .unwrap();
    let stale = SecretString::from("stale".to_string());
    assert!(!store.evict_if_matches(&k, &stale).await.unwrap());
    assert!(store.get(&k).await.unwrap().is_some());
    let current = SecretString::from("current".to_string());
    assert!(store.evict_if_matches(&k, &current).await.unwrap());
    assert!(store.get(&k).await.unwrap().is_none());
    assert!(!store.evict_if_matches(&k, &current).await.unwrap());
}

#[tokio::test]
async fn unreadable_entries_count_as_missing_and_debug_shows_no_token() {
    let Some(server) =
        RedisServer::start("unreadable_entries_count_as_missing_and_debug_shows_no_token")
    else {
        return;
    };
    let store = store(&server).await.with_namespace("ns");
    let k = key("cli_odd");
    let mut redis = feishu_redis::connect(&server.url()).await.unwrap();
    let redis_key = format!("ns:{}", k.to_store_key());
    let () = redis::cmd("HSET")
        .arg(&redis_key)
        .arg(&["token", "x", "expires_at", "soon", "refresh_at", "-1"])
        .query_async(&mut redis)
        .await
        .unwrap();
    assert!(store.get(&k).await.unwrap().is_none());
    // A value of another type is a clear error, not a panic.
    let () = redis::cmd("SET")
        .arg(&redis_key)
        .arg("plain")
        .query_async(&mut redis)
        .await
        .unwrap();
    let err = store.get(&k).await.unwrap_err();
    assert!(err.to_string().contains("redis token store"), "{err}");
    // The next token replaces whatever was there.
    let () = redis::cmd("DEL")
        .arg(&redis_key)
        .query_async(&mut redis)
        .await
        .unwrap();
    store
        .put(&k, token("sekrit-token", Duration::from_secs(60)))
        .await
        .unwrap();
    assert!(store.get(&k).await.unwrap().is_some());
    let debug = format!("{store:?} {:?}", store.get(&k).await.unwrap());
    assert!(!debug.contains("sekrit-token"), "{debug}");
}

#[tokio::test]
async fn clients_in_two_processes_share_one_token() {
    let Some(server) = RedisServer::start("clients_in_two_processes_share_one_token") else {
        return;
    };
    let tenant = FakeTenant::start().await;
    // Two connections stand for two processes.
    let a = client_with(&tenant, store(&server).await);
    let b = client_with(&tenant, store(&server).await);
    a.send::<Value>(whoami()).await.unwrap();
    b.send::<Value>(whoami()).await.unwrap();
    assert_eq!(
        tenant.token_requests(),
        1,
        "the second process reuses the stored token"
    );
    // A rejection seen by one refreshes the token once, for both.
    tenant.revoke_tokens();
    b.send::<Value>(whoami()).await.unwrap();
    a.send::<Value>(whoami()).await.unwrap();
    assert_eq!(tenant.token_requests(), 2);
}

#[tokio::test]
async fn an_unreachable_redis_is_a_retryable_error_without_the_url() {
    // Nothing listens on the port of a dropped listener.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://:hunter2@127.0.0.1:{port}/");
    let err = feishu_redis::connect(&url).await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    let err = feishu_redis::connect("http://:hunter2@example.com/")
        .await
        .unwrap_err();
    assert!(matches!(err, feishu_core::Error::Config(_)), "{err:?}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[tokio::test]
async fn a_refresh_lease_has_one_holder_until_given_back_or_run_out() {
    let Some(server) =
        RedisServer::start("a_refresh_lease_has_one_holder_until_given_back_or_run_out")
    else {
        return;
    };
    // Two connections stand for two processes.
    let (a, b) = (store(&server).await, store(&server).await);
    let k = key("cli_lease");
    let lease = Duration::from_secs(10);
    assert!(
        a.begin_refresh(&k, lease).await.unwrap(),
        "a free lease is granted"
    );
    assert!(
        !b.begin_refresh(&k, lease).await.unwrap(),
        "one holder at a time"
    );
    assert!(
        !a.begin_refresh(&k, lease).await.unwrap(),
        "not twice either"
    );
    b.end_refresh(&k).await.unwrap();
    assert!(
        !b.begin_refresh(&k, lease).await.unwrap(),
        "only the holder gives a lease back"
    );
    a.end_refresh(&k).await.unwrap();
    assert!(
        b.begin_refresh(&k, Duration::from_millis(300))
            .await
            .unwrap()
    );
    // The lease is a key of its own (namespaced like tokens), with the lease as its TTL.
    let mut redis = feishu_redis::connect(&server.url()).await.unwrap();
    let ttl: i64 = redis::cmd("PTTL")
        .arg(format!("refresh-lease:{}", k.to_store_key()))
        .query_async(&mut redis)
        .await
        .unwrap();
    assert!((1..=300).contains(&ttl), "{ttl}");
    assert!(
        a.get(&k).await.unwrap().is_none(),
        "no token entry was touched"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(
        a.begin_refresh(&k, lease).await.unwrap(),
        "a holder that never gives it back loses it when it runs out"
    );
    let ns = store(&server).await.with_namespace("ns");
    assert!(
        ns.begin_refresh(&k, lease).await.unwrap(),
        "another namespace, another lease"
    );
}

/// A client for `tenant` whose tokens live in `store`.
fn client_with(tenant: &FakeTenant, store: RedisTokenStore) -> Client {
    Client::builder()
        .base_url(&tenant.base_url())
        .credentials(Credentials::self_built(
            tenant.app_id(),
            tenant.app_secret(),
        ))
        .rate_limits(RateLimits::disabled())
        .token_store(Arc::new(store))
        .build()
        .unwrap()
}

fn whoami() -> feishu_core::Request {
    const WHOAMI: feishu_core::Endpoint =
        feishu_core::Endpoint::get("testkit.whoami", "testkit/v1/whoami");
    feishu_core::Request::new(WHOAMI, &[]).unwrap()
}

#[tokio::test]
async fn processes_that_need_a_token_at_once_fetch_it_once() {
    let Some(server) = RedisServer::start("processes_that_need_a_token_at_once_fetch_it_once")
    else {
        return;
    };
    let tenant = FakeTenant::start().await;
    // A slow token endpoint: every process asks while the first fetch is under way.
    tenant.set_latency(Duration::from_millis(300));
    let mut clients = Vec::new();
    for _ in 0..4 {
        clients.push(client_with(&tenant, store(&server).await));
    }
    let calls = clients.iter().map(|c| c.send::<Value>(whoami()));
    for reply in futures::future::join_all(calls).await {
        reply.unwrap();
    }
    assert_eq!(
        tenant.token_requests(),
        1,
        "one process fetched, three waited for its token"
    );
    let fetched: u64 = clients.iter().map(|c| c.stats().token_fetches).sum();
    assert_eq!(fetched, 1);

    // The same when the token is rejected: the processes that saw it rejected evict it
    // once and share the one new token.
    tenant.revoke_tokens();
    let calls = clients.iter().map(|c| c.send::<Value>(whoami()));
    for reply in futures::future::join_all(calls).await {
        reply.unwrap();
    }
    assert_eq!(tenant.token_requests(), 2);
}

#[tokio::test]
async fn a_lease_holder_that_never_stores_a_token_only_delays_the_others() {
    let Some(server) =
        RedisServer::start("a_lease_holder_that_never_stores_a_token_only_delays_the_others")
    else {
        return;
    };
    let tenant = FakeTenant::start().await;
    // A process took the lease for 400 ms and died.
    let dead = store(&server).await;
    let k = TokenKey {
        kind: TokenKind::Tenant,
        app_id: tenant.app_id().into(),
        tenant_key: None,
    };
    assert!(
        dead.begin_refresh(&k, Duration::from_millis(400))
            .await
            .unwrap()
    );
    let client = client_with(&tenant, store(&server).await);
    let started = std::time::Instant::now();
    client.send::<Value>(whoami()).await.unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(waited < Duration::from_secs(10), "{waited:?}");
    assert_eq!(tenant.token_requests(), 1);
}
