//! Listing instance codes over long ranges in ≤ 10-hour slices, safe at slice boundaries
//! whichever way the server reads `end_time`.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{HOUR, NOW_MS, q, range, setup, setup_with};
use feishu_approval::{Approval, InstanceCode, ListRequest, MAX_SLICE};
use feishu_core::TimeRange;
use feishu_testkit::FakeTenant;
use feishu_testkit::approval::{
    APPROVAL_CODE_LEAVE, APPROVAL_CODE_PURCHASE, ApprovalDataset, WindowEnd,
};
use futures::{StreamExt, TryStreamExt};

const LIST_PATH: &str = "/open-apis/approval/v4/instances";

/// The `(start_time, end_time)` of every list request in the journal; each is answered and
/// spans at most 10 hours.
fn windows(tenant: &FakeTenant) -> Vec<(i64, i64)> {
    let max = i64::try_from(MAX_SLICE.as_millis()).unwrap();
    let mut out = Vec::new();
    for e in tenant.journal().iter().filter(|e| e.path == LIST_PATH) {
        let start: i64 = q(&e.query, "start_time").unwrap().parse().unwrap();
        let end: i64 = q(&e.query, "end_time").unwrap().parse().unwrap();
        assert!(start < end && end - start <= max, "window {start}..{end}");
        assert_eq!(e.code, Some(0));
        out.push((start, end));
    }
    out
}

async fn list(approval: &Approval, code: &str, created: TimeRange) -> Vec<InstanceCode> {
    approval
        .list_instance_codes(code, created)
        .into_stream()
        .try_collect()
        .await
        .unwrap()
}

fn strings(codes: &[InstanceCode]) -> Vec<String> {
    codes.iter().map(ToString::to_string).collect()
}

#[tokio::test]
async fn three_days_are_walked_in_touching_slices_and_every_code_comes_once() {
    let (tenant, approval) = setup().await;
    let (from, to) = (NOW_MS - 72 * HOUR, NOW_MS);
    for code in [APPROVAL_CODE_PURCHASE, APPROVAL_CODE_LEAVE] {
        tenant.clear_journal();
        let got = list(&approval, code, range(from, to)).await;
        let truth = tenant.approval().instance_codes(code, from, to - 1);
        assert_eq!(strings(&got), truth, "same codes, same order");
        // 72 h in 10 h slices: 8 slices of one page each, each ending where the next starts.
        let w = windows(&tenant);
        assert_eq!(w.len(), 8);
        assert_eq!((w[0].0, w[7].1), (from, to));
        assert!(w.windows(2).all(|p| p[0].1 == p[1].0), "{w:?}");
    }
}

/// Instances on both range ends, on a slice boundary and in a slice's last millisecond.
struct Edges {
    from: i64,
    on_start: String,
    last_ms: String,
    on_boundary: String,
    on_end: String,
}

fn add_edges(tenant: &FakeTenant) -> Edges {
    let from = NOW_MS - 24 * HOUR;
    let add = |at: i64| {
        tenant
            .approval()
            .add_instance(APPROVAL_CODE_PURCHASE, at, "PENDING")
    };
    Edges {
        from,
        on_start: add(from),
        last_ms: add(from + 10 * HOUR - 1),
        on_boundary: add(from + 10 * HOUR),
        on_end: add(NOW_MS),
    }
}

#[tokio::test]
async fn slice_boundaries_lose_and_repeat_nothing_under_either_reading_of_end_time() {
    let (tenant, approval) = setup_with(ApprovalDataset::dense(NOW_MS)).await;
    let e = add_edges(&tenant);
    // [from, NOW) as the default inclusive window reads [from, NOW - 1].
    let truth = tenant
        .approval()
        .instance_codes(APPROVAL_CODE_PURCHASE, e.from, NOW_MS - 1);
    assert!(truth.len() > 600, "dense: several pages per slice");
    for end in [WindowEnd::Inclusive, WindowEnd::Exclusive] {
        tenant.approval().set_window_end(end);
        tenant.clear_journal();
        let got = strings(&list(&approval, APPROVAL_CODE_PURCHASE, range(e.from, NOW_MS)).await);
        let mut expected = truth.clone();
        if end == WindowEnd::Inclusive {
            // The range's end is touched, never cut short.
            expected.push(e.on_end.clone());
        }
        assert_eq!(got, expected, "{end:?}");
        for edge in [&e.on_start, &e.last_ms, &e.on_boundary] {
            assert_eq!(got.iter().filter(|c| *c == edge).count(), 1, "{end:?}");
        }
        let paged = tenant
            .journal()
            .iter()
            .filter(|j| j.path == LIST_PATH && q(&j.query, "page_token").is_some())
            .count();
        assert!(paged >= 3, "paging inside slices happened ({paged})");
    }
}

#[tokio::test]
async fn a_shuffled_listing_still_yields_every_code_once() {
    let (tenant, approval) = setup_with(ApprovalDataset::dense(NOW_MS)).await;
    let e = add_edges(&tenant);
    let truth: HashSet<String> = tenant
        .approval()
        .instance_codes(APPROVAL_CODE_PURCHASE, e.from, NOW_MS - 1)
        .into_iter()
        .collect();
    tenant.approval().shuffle_listing(Some(7));
    for end in [WindowEnd::Inclusive, WindowEnd::Exclusive] {
        tenant.approval().set_window_end(end);
        let got = strings(
            &approval
                .list_instance_codes(APPROVAL_CODE_PURCHASE, range(e.from, NOW_MS))
                .page_size(37)
                .into_stream()
                .try_collect::<Vec<_>>()
                .await
                .unwrap(),
        );
        let unique: HashSet<String> = got.iter().cloned().collect();
        assert_eq!(unique.len(), got.len(), "{end:?}: a code came twice");
        let mut expected = truth.clone();
        if end == WindowEnd::Inclusive {
            expected.insert(e.on_end.clone());
        }
        assert_eq!(unique, expected, "{end:?}");
    }
}

#[tokio::test]
async fn small_pages_and_short_slices_give_the_same_codes() {
    let (tenant, approval) = setup().await;
    let (from, to) = (NOW_MS - 30 * HOUR, NOW_MS - 2 * HOUR);
    tenant.clear_journal();
    let listing = approval
        .list_instance_codes(APPROVAL_CODE_PURCHASE, range(from, to))
        .page_size(7)
        .slice_len(Duration::from_secs(3 * 3600));
    assert_eq!(listing.slices().count(), 10);
    let got: Vec<InstanceCode> = listing.into_stream().try_collect().await.unwrap();
    assert_eq!(
        strings(&got),
        tenant
            .approval()
            .instance_codes(APPROVAL_CODE_PURCHASE, from, to - 1)
    );
    for e in tenant.journal().iter().filter(|e| e.path == LIST_PATH) {
        assert_eq!(q(&e.query, "page_size"), Some("7"));
    }
    assert!(windows(&tenant).iter().all(|(s, t)| t - s <= 3 * HOUR));
    // A slice longer than 10 h is clamped.
    let long = approval
        .list_instance_codes(APPROVAL_CODE_PURCHASE, range(0, 25 * HOUR))
        .slice_len(Duration::from_secs(24 * 3600));
    let slices: Vec<TimeRange> = long.slices().collect();
    assert_eq!(slices.len(), 3);
    assert_eq!(slices[0].duration(), MAX_SLICE);
}

#[tokio::test]
async fn a_month_of_mostly_quiet_slices_yields_no_empty_pages() {
    let (tenant, approval) = setup().await;
    let created = range(NOW_MS - 30 * 24 * HOUR, NOW_MS);
    tenant.clear_journal();
    let pages: Vec<_> = approval
        .list_instance_codes(APPROVAL_CODE_LEAVE, created)
        .by_page()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(windows(&tenant).len(), 72, "every slice asked once");
    assert!(pages.iter().all(|p| !p.items.is_empty()));
    let total: usize = pages.iter().map(|p| p.items.len()).sum();
    assert_eq!(
        total,
        tenant
            .approval()
            .all_instance_codes(APPROVAL_CODE_LEAVE)
            .len()
    );
    assert!(pages.last().unwrap().next_token().is_none());
}

#[tokio::test]
async fn by_page_resumes_at_any_page_token_and_send_is_one_page() {
    let (tenant, approval) = setup_with(ApprovalDataset::dense(NOW_MS)).await;
    let created = range(NOW_MS - 20 * HOUR, NOW_MS);
    let listing = approval
        .list_instance_codes(APPROVAL_CODE_PURCHASE, created)
        .page_size(50);
    let pages: Vec<_> = listing.clone().by_page().try_collect().await.unwrap();
    assert!(pages.len() > 4);
    let all: Vec<InstanceCode> = pages.iter().flat_map(|p| p.items.clone()).collect();
    assert_eq!(
        strings(&all),
        tenant
            .approval()
            .instance_codes(APPROVAL_CODE_PURCHASE, created.start_ms(), NOW_MS - 1)
    );
    for (i, page) in pages.iter().enumerate().take(pages.len() - 1) {
        let token = page.next_token().unwrap();
        let rest: Vec<InstanceCode> = listing
            .clone()
            .page_token(token)
            .into_stream()
            .try_collect()
            .await
            .unwrap();
        let before: usize = pages[..=i].iter().map(|p| p.items.len()).sum();
        assert_eq!(rest, all[before..], "resumed after page {i}");
    }
    // `send` fetches one page, the same every time.
    let first = listing.send().await.unwrap();
    assert_eq!(first.items, pages[0].items);
    assert_eq!(listing.send().await.unwrap(), first);
}

#[tokio::test]
async fn list_errors() {
    let (tenant, approval) = setup().await;
    let created = range(NOW_MS - 30 * HOUR, NOW_MS);
    // Unknown approval code → 1390002, and the stream ends after it.
    let items: Vec<_> = approval
        .list_instance_codes("NO-SUCH-CODE", created)
        .into_stream()
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().unwrap_err().api_code(), Some(1390002));
    // Caller errors are caught before sending.
    let before = tenant.count_path(LIST_PATH);
    for builder in [
        approval.list_instance_codes("", created),
        approval
            .list_instance_codes(APPROVAL_CODE_PURCHASE, created)
            .page_size(101),
        approval
            .list_instance_codes(APPROVAL_CODE_PURCHASE, created)
            .page_size(0),
        approval
            .list_instance_codes(APPROVAL_CODE_PURCHASE, created)
            .page_token("not-a-token"),
        approval
            .list_instance_codes(APPROVAL_CODE_PURCHASE, created)
            .page_token(format!("{}:", NOW_MS)),
    ] {
        let err = builder
            .into_stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap_err();
        assert!(
            matches!(err, feishu_core::Error::InvalidArgument(_)),
            "{err}"
        );
    }
    // Empty range → no request, no codes.
    let none = list(&approval, APPROVAL_CODE_PURCHASE, range(5, 5)).await;
    assert!(none.is_empty());
    assert_eq!(tenant.count_path(LIST_PATH), before);
    // Missing scope → Err naming the scope.
    tenant.forbid("/open-apis/approval/", "approval:approval:readonly");
    let err = approval
        .list_instance_codes(APPROVAL_CODE_PURCHASE, range(NOW_MS - HOUR, NOW_MS))
        .into_stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(99991672));
    assert!(err.is_permission_denied());
    assert_eq!(
        err.as_api().unwrap().required_scopes(),
        vec!["approval:approval:readonly".to_string()]
    );
}
