//! The pagination adapter over GET and POST listings of the fake tenant.

mod common;

use common::{ListNumbers, client};
use feishu_core::{Client, Error, ListRequest, Page};
use feishu_testkit::FakeTenant;
use futures::{StreamExt, TryStreamExt};

fn numbers_stream(
    client: &Client,
    extra: &'static [(&'static str, &'static str)],
    start: Option<String>,
) -> impl futures::Stream<Item = feishu_core::Result<u64>> + Send + 'static {
    let mut listing = ListNumbers::new(client);
    listing.page_token = start;
    for (k, v) in extra {
        listing = listing.param(k, v);
    }
    listing.into_stream()
}

#[tokio::test]
async fn walks_several_pages_lazily() {
    let tenant = FakeTenant::start().await;
    let client = client(&tenant);
    let stream = numbers_stream(&client, &[("total", "35")], None);
    assert_eq!(
        tenant.request_count(),
        0,
        "nothing is sent before the first poll"
    );
    let all: Vec<u64> = stream.try_collect().await.unwrap();
    assert_eq!(all, (0..35).collect::<Vec<_>>());
    assert_eq!(tenant.count_path("/open-apis/testkit/v1/numbers"), 4);
}

#[tokio::test]
async fn repeated_page_token_is_an_error_not_a_loop() {
    let tenant = FakeTenant::start().await;
    let client = client(&tenant);
    let results: Vec<_> =
        numbers_stream(&client, &[("total", "100"), ("repeat_token_at", "3")], None)
            .collect()
            .await;
    let (ok, err): (Vec<_>, Vec<_>) = results.into_iter().partition(|r| r.is_ok());
    assert_eq!(ok.len(), 30);
    assert_eq!(err.len(), 1);
    assert!(matches!(err[0], Err(Error::Pagination(_))));
}

#[tokio::test]
async fn has_more_with_an_empty_token_ends_the_stream() {
    let tenant = FakeTenant::start().await;
    let client = client(&tenant);
    let all: Vec<u64> = numbers_stream(&client, &[("total", "100"), ("empty_token_at", "2")], None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 20);
}

#[tokio::test]
async fn error_on_page_three_yields_pages_one_and_two_then_the_error_then_ends() {
    let tenant = FakeTenant::start().await;
    let client = client(&tenant);
    let results: Vec<_> = numbers_stream(&client, &[("total", "100"), ("fail_at", "3")], None)
        .collect()
        .await;
    assert_eq!(results.len(), 21);
    for (i, r) in results[..20].iter().enumerate() {
        assert_eq!(*r.as_ref().unwrap(), i as u64);
    }
    let err = results[20].as_ref().unwrap_err();
    assert!(err.api_code().is_some(), "{err:?}");
    assert_eq!(tenant.count_path("/open-apis/testkit/v1/numbers"), 3);
}

#[tokio::test]
async fn a_listing_resumes_from_a_page_token() {
    let tenant = FakeTenant::start().await;
    let client = client(&tenant);
    let listing = ListNumbers::new(&client).param("total", 30);
    let first: Page<u64> = listing.send().await.unwrap();
    let pages: Vec<Page<u64>> = listing.by_page().take(1).try_collect().await.unwrap();
    assert_eq!(
        pages[0], first,
        "send() fetches the page by_page() starts with"
    );
    let token = pages[0].next_token().unwrap().to_string();
    let rest: Vec<u64> = numbers_stream(&client, &[("total", "30")], Some(token))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rest, (10..30).collect::<Vec<_>>());
}

#[tokio::test]
async fn post_search_pages_with_params_in_the_query_and_filters_in_the_body() {
    let tenant = FakeTenant::start().await;
    let client = client(&tenant);
    let mut listing = ListNumbers::new(&client);
    listing.page_size = 7;
    listing.search = Some(serde_json::json!({"multiple_of": 3, "total": 60}));
    let stream = listing.into_stream();
    let all: Vec<u64> = stream.try_collect().await.unwrap();
    assert_eq!(all, (0..60).step_by(3).collect::<Vec<u64>>());
    let journal = tenant.journal();
    let searches: Vec<_> = journal
        .iter()
        .filter(|e| e.path.ends_with("/numbers/search"))
        .collect();
    assert_eq!(searches.len(), 3, "20 items in pages of 7");
    assert!(
        searches
            .iter()
            .all(|e| e.method == "POST" && e.body.is_some())
    );
    assert!(searches[1].query.iter().any(|(k, _)| k == "page_token"));
}
