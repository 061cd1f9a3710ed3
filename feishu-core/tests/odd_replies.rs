//! Odd but possible server behaviour, over HTTP: throttles under other codes, error blocks
//! with both log id spellings, token replies without `expire`, listings that never end.

mod common;

use std::time::Duration;

use common::{ListNumbers, builder, client, whoami};
use feishu_core::{Error, ListRequest, MAX_EMPTY_PAGES};
use feishu_testkit::{ExpireField, FakeTenant, Fault, LogIdKeys};
use futures::StreamExt;
use serde_json::Value;

#[tokio::test]
async fn method_and_app_rate_limit_codes_are_waited_out_like_99991400() {
    let tenant = FakeTenant::start().await;
    tenant.set_rate_limit_reset(Duration::from_millis(300));
    let client = client(&tenant);
    client.send::<Value>(whoami()).await.unwrap();
    for (name, fault) in [
        ("1000004", Fault::MethodRateLimited),
        ("1000005", Fault::AppRateLimited),
    ] {
        tenant.fail_next(1, fault);
        let started = std::time::Instant::now();
        client.send::<Value>(whoami()).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(280), "{name}");
    }
    let stats = client.stats();
    assert_eq!(stats.rate_limited, 2);
    assert_eq!(stats.families["testkit.whoami"].rate_limited, 2);
}

#[tokio::test]
async fn an_error_block_with_both_log_id_spellings_is_kept() {
    let tenant = FakeTenant::start().await;
    tenant.set_error_log_id_keys(LogIdKeys::Both);
    let client = client(&tenant);
    tenant.fail_next(1, Fault::Permission);
    let err = client.send::<Value>(whoami()).await.unwrap_err();
    let api = err.as_api().expect("an API error");
    assert!(api.detail().log_id().is_some(), "{api:?}");
    assert!(!api.detail().permission_violations().is_empty(), "{api:?}");
    assert!(!api.required_scopes().is_empty());
}

#[tokio::test]
async fn a_token_reply_without_expire_is_cached_not_fetched_per_call() {
    for field in [ExpireField::Omitted, ExpireField::Unparsable] {
        let tenant = FakeTenant::start().await;
        tenant.set_token_expire_field(field);
        let client = client(&tenant);
        for _ in 0..5 {
            client.send::<Value>(whoami()).await.unwrap();
        }
        assert_eq!(tenant.token_requests(), 1, "{field:?}");
    }
}

#[tokio::test]
async fn a_server_that_pages_empty_forever_ends_with_a_clear_error() {
    let tenant = FakeTenant::start().await;
    let client = builder(&tenant).build().unwrap();
    let listing = ListNumbers::new(&client)
        .param("total", 25)
        .param("endless_from", 2);
    let results: Vec<_> = listing.into_stream().collect().await;
    let (items, errors): (Vec<_>, Vec<_>) = results.into_iter().partition(|r| r.is_ok());
    assert_eq!(items.len(), 10, "page 1's items are all yielded");
    assert_eq!(errors.len(), 1);
    assert!(
        matches!(&errors[0], Err(Error::Pagination(m)) if m.contains("empty pages")),
        "{errors:?}"
    );
    let pages = tenant.count_path("/open-apis/testkit/v1/numbers");
    assert_eq!(pages, 1 + MAX_EMPTY_PAGES, "bounded, not endless");
}
