//! Token acquisition, caching and refresh in every credential mode, against the fake tenant.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{builder, client, whoami};
use feishu_core::{Client, Credentials, Error, codes};
use feishu_testkit::FakeTenant;
use futures::future::join_all;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousand_concurrent_first_calls_fetch_one_token() {
    let tenant = FakeTenant::start().await;
    let client = client(&tenant);
    let calls = (0..1000).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.send::<Value>(whoami()).await })
    });
    for r in join_all(calls).await {
        r.expect("task").expect("call succeeds");
    }
    assert_eq!(tenant.token_requests(), 1);
    assert_eq!(client.stats().token_fetches, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stale_token_under_concurrency_refreshes_once() {
    // An 8 s token is refreshed at half its life (the margin is clamped to expire / 2); the
    // refreshed token then stays fresh for 4 s, plenty for 100 calls on a loaded machine.
    let tenant = FakeTenant::builder()
        .token_expire(Duration::from_secs(8))
        .start()
        .await;
    let client = client(&tenant);
    client.send::<Value>(whoami()).await.unwrap();
    assert_eq!(tenant.token_requests(), 1);
    tokio::time::sleep(Duration::from_millis(4300)).await;
    let calls = (0..100).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.send::<Value>(whoami()).await })
    });
    for r in join_all(calls).await {
        r.unwrap().unwrap();
    }
    assert_eq!(tenant.token_requests(), 2, "exactly one refresh");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn revoked_token_mid_run_refreshes_once_and_calls_succeed() {
    let tenant = FakeTenant::start().await;
    let client = client(&tenant);
    for _ in 0..5 {
        client.send::<Value>(whoami()).await.unwrap();
    }
    tenant.revoke_tokens();
    // Many callers see the revoked token rejected at once: compare-and-evict means one refresh.
    let calls = (0..100).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.send::<Value>(whoami()).await })
    });
    for r in join_all(calls).await {
        r.unwrap().unwrap();
    }
    assert_eq!(tenant.token_requests(), 2);
    let rejected = tenant
        .journal()
        .iter()
        .filter(|e| e.code == Some(codes::TENANT_TOKEN_INVALID))
        .count();
    assert!(rejected >= 1);
}

#[tokio::test]
async fn token_that_stays_rejected_is_an_auth_error_not_a_loop() {
    let tenant = FakeTenant::start().await;
    let client = client(&tenant);
    tenant.reject_all_tokens(true);
    let err = client.send::<Value>(whoami()).await.unwrap_err();
    match &err {
        Error::Auth(a) => assert_eq!(a.code(), Some(codes::TENANT_TOKEN_INVALID)),
        other => panic!("expected an auth error, got {other:?}"),
    }
    assert_eq!(err.api_code(), Some(codes::TENANT_TOKEN_INVALID));
    assert_eq!(
        tenant.token_requests(),
        2,
        "one fetch, one refresh, then give up"
    );
    assert_eq!(tenant.count_path("/open-apis/testkit/v1/whoami"), 2);
}

#[tokio::test]
async fn wrong_secret_is_a_clear_auth_error() {
    let tenant = FakeTenant::start().await;
    let client = Client::builder()
        .base_url(&tenant.base_url())
        .credentials(Credentials::self_built(
            tenant.app_id(),
            "not-the-secret-xyz",
        ))
        .build()
        .unwrap();
    let err = client.send::<Value>(whoami()).await.unwrap_err();
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert_eq!(err.api_code(), Some(10003));
    let text = err.to_string();
    assert!(text.contains("10003"), "{text}");
    assert!(!text.contains("not-the-secret-xyz"));
    assert!(!format!("{err:?}").contains("not-the-secret-xyz"));
}

#[tokio::test]
async fn store_app_with_ticket_handed_in_up_front() {
    let tenant = FakeTenant::start().await;
    let ticket = tenant.current_app_ticket().expect("ticket issued at start");
    let client = Client::builder()
        .base_url(&tenant.base_url())
        .credentials(
            Credentials::store_app(
                tenant.store_app_id(),
                tenant.store_app_secret(),
                tenant.tenant_key(),
            )
            .with_app_ticket(ticket),
        )
        .build()
        .unwrap();
    let me: Value = client.send(whoami()).await.unwrap();
    assert_eq!(me["tenant_key"], tenant.tenant_key(), "{me}");
    // app token + tenant token
    assert_eq!(tenant.token_requests(), 2);
}

#[tokio::test]
async fn store_app_requests_a_resend_and_waits_for_the_event() {
    let tenant = FakeTenant::builder()
        .issue_app_ticket_at_start(false)
        .start()
        .await;
    let client = Client::builder()
        .base_url(&tenant.base_url())
        .credentials(Credentials::store_app(
            tenant.store_app_id(),
            tenant.store_app_secret(),
            tenant.tenant_key(),
        ))
        .app_ticket_wait(Duration::from_secs(10))
        .build()
        .unwrap();
    // The app's event endpoint: deliver the ticket event once Feishu "pushes" it.
    let pusher = {
        let tenant = tenant.clone();
        let client = client.clone();
        tokio::spawn(async move {
            loop {
                if let Some(event) = tenant.app_ticket_event() {
                    let body = serde_json::to_vec(&event).unwrap();
                    client.handle_app_ticket_event(&body).unwrap();
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let me: Value = client.send(whoami()).await.unwrap();
    pusher.await.unwrap();
    assert_eq!(me["tenant_key"], tenant.tenant_key());
    assert_eq!(tenant.count_path("/open-apis/auth/v3/app_ticket/resend"), 1);
}

#[tokio::test]
async fn store_app_with_a_stale_ticket_resends_and_recovers() {
    let tenant = FakeTenant::start().await;
    let old = tenant.current_app_ticket().unwrap();
    tenant.push_app_ticket(); // the old ticket stops working
    let client = Client::builder()
        .base_url(&tenant.base_url())
        .credentials(
            Credentials::store_app(
                tenant.store_app_id(),
                tenant.store_app_secret(),
                tenant.tenant_key(),
            )
            .with_app_ticket(old),
        )
        .build()
        .unwrap();
    let delivered = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let pusher = {
        let (tenant, client, delivered) = (tenant.clone(), client.clone(), delivered.clone());
        tokio::spawn(async move {
            while tenant.count_path("/open-apis/auth/v3/app_ticket/resend") == 0 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            let body = serde_json::to_vec(&tenant.app_ticket_event().unwrap()).unwrap();
            client.handle_app_ticket_event(&body).unwrap();
            delivered.store(true, std::sync::atomic::Ordering::SeqCst);
        })
    };
    client.send::<Value>(whoami()).await.unwrap();
    pusher.await.unwrap();
    assert!(delivered.load(std::sync::atomic::Ordering::SeqCst));
    let codes: Vec<_> = tenant
        .journal()
        .iter()
        .filter(|e| e.path == "/open-apis/auth/v3/app_access_token")
        .map(|e| e.code)
        .collect();
    assert_eq!(codes, vec![Some(codes::APP_TICKET_INVALID), Some(0)]);
}

#[tokio::test]
async fn store_app_without_any_ticket_times_out_with_a_clear_error() {
    let tenant = FakeTenant::builder()
        .issue_app_ticket_at_start(false)
        .start()
        .await;
    let client = Client::builder()
        .base_url(&tenant.base_url())
        .credentials(Credentials::store_app(
            tenant.store_app_id(),
            tenant.store_app_secret(),
            tenant.tenant_key(),
        ))
        .app_ticket_wait(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client.send::<Value>(whoami()).await.unwrap_err();
    assert!(matches!(err, Error::Auth(_)));
    assert!(err.to_string().contains("handle_app_ticket_event"), "{err}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn pre_minted_app_token_and_tenant_key() {
    let tenant = FakeTenant::start().await;
    let client = Client::builder()
        .base_url(&tenant.base_url())
        .credentials(Credentials::app_access_token(
            tenant.mint_app_token(),
            tenant.tenant_key(),
        ))
        .build()
        .unwrap();
    let me: Value = client.send(whoami()).await.unwrap();
    assert_eq!(me["tenant_key"], tenant.tenant_key());
    assert_eq!(
        tenant.count_path("/open-apis/auth/v3/tenant_access_token"),
        1
    );
}

#[tokio::test]
async fn pre_minted_tenant_token_is_used_as_is_and_not_refreshed() {
    let tenant = FakeTenant::start().await;
    let token = tenant.mint_tenant_token();
    let client = Client::builder()
        .base_url(&tenant.base_url())
        .credentials(Credentials::tenant_access_token(token.clone()))
        .build()
        .unwrap();
    client.send::<Value>(whoami()).await.unwrap();
    assert_eq!(tenant.token_requests(), 0);
    let last = tenant.journal().pop().unwrap();
    assert_eq!(last.authorization.as_deref(), Some(token.as_str()));
    tenant.revoke_tokens();
    let err = client.send::<Value>(whoami()).await.unwrap_err();
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert!(err.to_string().contains("cannot refresh"), "{err}");
    assert_eq!(tenant.token_requests(), 0);
}

#[tokio::test]
async fn builder_rejects_missing_or_empty_credentials() {
    let err = Client::builder().build().unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    let err = Client::builder()
        .credentials(Credentials::self_built("cli_x", ""))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("app_secret"), "{err}");
    let tenant = FakeTenant::start().await;
    let _ = builder(&tenant).build().unwrap();
}

#[tokio::test]
async fn clients_sharing_a_token_store_fetch_one_token() {
    let tenant = FakeTenant::start().await;
    let store = Arc::new(feishu_core::InMemoryTokenStore::new());
    let make = || builder(&tenant).token_store(store.clone()).build().unwrap();
    let (a, b) = (make(), make());
    a.send::<Value>(whoami()).await.unwrap();
    b.send::<Value>(whoami()).await.unwrap();
    assert_eq!(
        tenant.token_requests(),
        1,
        "the second client reuses the stored token"
    );
    // A rejection seen by one client refreshes the token for both.
    tenant.revoke_tokens();
    b.send::<Value>(whoami()).await.unwrap();
    a.send::<Value>(whoami()).await.unwrap();
    assert_eq!(tenant.token_requests(), 2);
}
