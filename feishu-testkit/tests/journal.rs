//! The request journal and its counters.

mod common;

use common::{get, post_json, tenant_token};
use feishu_testkit::FakeTenant;
use serde_json::json;

#[tokio::test]
async fn journal_records_requests_and_answers() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    get(
        &tenant,
        "/open-apis/testkit/v1/echo/a%2Fb?k=1&k=2",
        Some(&token),
    )
    .await;
    get(&tenant, "/open-apis/testkit/v1/numbers", None).await;
    reqwest::Client::new()
        .post(tenant.url("/open-apis/testkit/v1/numbers/search?page_size=5"))
        .bearer_auth(&token)
        .header("User-Agent", "journal-test")
        .json(&json!({ "multiple_of": 2 }))
        .send()
        .await
        .unwrap();

    let journal = tenant.journal();
    assert_eq!(journal.len(), 4);

    let auth = &journal[0];
    assert_eq!(auth.method, "POST");
    assert_eq!(auth.path, "/open-apis/auth/v3/tenant_access_token/internal");
    assert_eq!(auth.body.as_ref().unwrap()["app_id"], tenant.app_id());
    assert_eq!((auth.status, auth.code), (200, Some(0)));
    assert_eq!(auth.authorization, None);

    let echo = &journal[1];
    assert_eq!(echo.method, "GET");
    assert_eq!(echo.path, "/open-apis/testkit/v1/echo/a%2Fb");
    assert_eq!(echo.segments, ["open-apis", "testkit", "v1", "echo", "a/b"]);
    assert_eq!(
        echo.query,
        [
            ("k".to_owned(), "1".to_owned()),
            ("k".to_owned(), "2".to_owned())
        ]
    );
    assert_eq!(echo.authorization.as_deref(), Some(token.as_str()));
    assert_eq!(echo.body, None);
    assert!(echo.log_id.starts_with("testkit-"));

    let unauthenticated = &journal[2];
    assert_eq!(
        (unauthenticated.status, unauthenticated.code),
        (400, Some(99991661))
    );

    let search = &journal[3];
    assert_eq!(search.body, Some(json!({ "multiple_of": 2 })));
    assert!(
        search
            .headers
            .iter()
            .any(|(k, v)| k == "user-agent" && v == "journal-test")
    );
    assert!(journal.windows(2).all(|w| w[0].at <= w[1].at));

    assert_eq!(tenant.count_path("/open-apis/testkit/v1/numbers"), 1);
    assert_eq!(tenant.count_prefix("/open-apis/testkit/v1/numbers"), 2);
    assert_eq!(tenant.count_status(200), 3);
    assert_eq!(tenant.count_status(400), 1);
    assert_eq!(tenant.token_requests(), 1);
    assert_eq!(tenant.request_count(), 4);

    tenant.clear_journal();
    assert!(tenant.journal().is_empty());
    assert_eq!(tenant.request_count(), 0);
    assert_eq!(tenant.token_requests(), 0);
}

#[tokio::test]
async fn token_requests_count_all_four_token_endpoints() {
    let tenant = FakeTenant::start().await;
    let custom = json!({ "app_id": tenant.app_id(), "app_secret": tenant.app_secret() });
    post_json(
        &tenant,
        "/open-apis/auth/v3/tenant_access_token/internal",
        custom.clone(),
    )
    .await;
    post_json(
        &tenant,
        "/open-apis/auth/v3/app_access_token/internal",
        custom,
    )
    .await;
    let store = json!({
        "app_id": tenant.store_app_id(),
        "app_secret": tenant.store_app_secret(),
        "app_ticket": tenant.current_app_ticket(),
    });
    post_json(
        &tenant,
        "/open-apis/auth/v3/app_ticket/resend",
        store.clone(),
    )
    .await;
    post_json(&tenant, "/open-apis/auth/v3/app_access_token", store).await;
    post_json(&tenant, "/open-apis/auth/v3/tenant_access_token", json!({})).await;
    assert_eq!(tenant.token_requests(), 4);
}

#[tokio::test]
async fn bodies_off_and_bounded_capacity() {
    let tenant = FakeTenant::builder()
        .journal(false)
        .journal_capacity(2)
        .start()
        .await;
    let token = tenant_token(&tenant).await;
    for _ in 0..5 {
        get(&tenant, "/open-apis/testkit/v1/echo/x", Some(&token)).await;
    }
    let journal = tenant.journal();
    assert_eq!(journal.len(), 2);
    assert!(
        journal
            .iter()
            .all(|e| e.body.is_none() && e.headers.is_empty())
    );
    assert_eq!(journal[1].authorization.as_deref(), Some(token.as_str()));
    assert_eq!(tenant.count_path("/open-apis/testkit/v1/echo/x"), 5);
    assert_eq!(tenant.request_count(), 6);
    assert_eq!(tenant.token_requests(), 1);
}

#[tokio::test]
async fn clones_share_one_tenant() {
    let tenant = FakeTenant::start().await;
    let clone = tenant.clone();
    tenant_token(&clone).await;
    assert_eq!(tenant.token_requests(), 1);
    assert_eq!(tenant.base_url(), clone.base_url());
    assert!(tenant.base_url().starts_with("http://127.0.0.1:"));
    assert_eq!(tenant.address().ip().to_string(), "127.0.0.1");
}
