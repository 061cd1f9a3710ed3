//! Listing instance codes over long ranges in ≤ 10-hour slices.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{HOUR, NOW_MS, q, setup, setup_with};
use feishu_approval::list::MAX_SLICE_MS;
use feishu_testkit::approval::{APPROVAL_CODE_LEAVE, APPROVAL_CODE_PURCHASE, ApprovalDataset};
use futures::TryStreamExt;

const LIST_PATH: &str = "/open-apis/approval/v4/instances";

/// Every list request in the journal covers at most 10 hours (inclusive window).
fn assert_windows(tenant: &feishu_testkit::FakeTenant) -> usize {
    let mut n = 0;
    for e in tenant.journal().iter().filter(|e| e.path == LIST_PATH) {
        let start: i64 = q(&e.query, "start_time").unwrap().parse().unwrap();
        let end: i64 = q(&e.query, "end_time").unwrap().parse().unwrap();
        assert!(end >= start);
        assert!(
            end - start <= MAX_SLICE_MS,
            "window {start}..{end} over 10 h"
        );
        assert_eq!(e.code, Some(0));
        n += 1;
    }
    n
}

#[tokio::test]
async fn three_days_are_walked_in_slices_and_every_code_comes_once() {
    let (tenant, approval) = setup().await;
    let (from, to) = (NOW_MS - 72 * HOUR, NOW_MS);
    for code in [APPROVAL_CODE_PURCHASE, APPROVAL_CODE_LEAVE] {
        tenant.clear_journal();
        let got: Vec<String> = approval
            .list_instance_codes(code, from, to)
            .into_stream()
            .try_collect()
            .await
            .unwrap();
        let truth = tenant.approval().instance_codes(code, from, to - 1);
        assert_eq!(got, truth, "same codes, same (creation) order");
        assert_eq!(
            got.len(),
            tenant.approval().instance_count(code, from, to - 1)
        );
        assert_eq!(got.iter().collect::<HashSet<_>>().len(), got.len());
        // 72 h in 10 h slices: 8 slices, each one page (< 100 codes per slice by default).
        assert_eq!(assert_windows(&tenant), 8);
    }
    assert_eq!(
        tenant
            .approval()
            .all_instance_codes(APPROVAL_CODE_PURCHASE)
            .len(),
        240
    );
}

#[tokio::test]
async fn dense_slices_page_inside_and_boundary_codes_come_once() {
    let (tenant, approval) = setup_with(ApprovalDataset::dense(NOW_MS)).await;
    let from = NOW_MS - 24 * HOUR;
    // Instances exactly on the slice boundaries and on both range ends.
    let on_boundary =
        tenant
            .approval()
            .add_instance(APPROVAL_CODE_PURCHASE, from + 10 * HOUR, "PENDING");
    let on_start = tenant
        .approval()
        .add_instance(APPROVAL_CODE_PURCHASE, from, "APPROVED");
    let on_end = tenant
        .approval()
        .add_instance(APPROVAL_CODE_PURCHASE, NOW_MS, "APPROVED");
    assert!(
        tenant
            .approval()
            .instance_count(APPROVAL_CODE_PURCHASE, from, from + 10 * HOUR - 1)
            > 100,
        "the dataset must have > 100 instances in one slice"
    );
    tenant.clear_journal();
    let got: Vec<String> = approval
        .list_instance_codes(APPROVAL_CODE_PURCHASE, from, NOW_MS)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let truth = tenant
        .approval()
        .instance_codes(APPROVAL_CODE_PURCHASE, from, NOW_MS - 1);
    assert_eq!(got, truth);
    assert_eq!(
        got.len(),
        602,
        "600 generated + boundary + start; the end is excluded"
    );
    assert_eq!(got.iter().filter(|c| **c == on_boundary).count(), 1);
    assert_eq!(got.iter().filter(|c| **c == on_start).count(), 1);
    assert!(!got.contains(&on_end), "the range is half-open");
    let requests = assert_windows(&tenant);
    let with_token = tenant
        .journal()
        .iter()
        .filter(|e| e.path == LIST_PATH && q(&e.query, "page_token").is_some())
        .count();
    assert!(
        with_token >= 3,
        "paging inside slices happened ({with_token})"
    );
    assert!(requests >= 3 + 3);
}

#[tokio::test]
async fn small_pages_and_short_slices_give_the_same_codes() {
    let (tenant, approval) = setup().await;
    let (from, to) = (NOW_MS - 30 * HOUR, NOW_MS - 2 * HOUR);
    tenant.clear_journal();
    let got: Vec<String> = approval
        .list_instance_codes(APPROVAL_CODE_PURCHASE, from, to)
        .page_size(7)
        .slice(Duration::from_secs(3 * 3600))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        got,
        tenant
            .approval()
            .instance_codes(APPROVAL_CODE_PURCHASE, from, to - 1)
    );
    for e in tenant.journal().iter().filter(|e| e.path == LIST_PATH) {
        assert_eq!(q(&e.query, "page_size"), Some("7"));
        let s: i64 = q(&e.query, "start_time").unwrap().parse().unwrap();
        let t: i64 = q(&e.query, "end_time").unwrap().parse().unwrap();
        assert!(t - s < 3 * HOUR);
    }
    // A slice longer than 10 h is clamped.
    let b = approval
        .list_instance_codes(APPROVAL_CODE_PURCHASE, 0, 25 * HOUR)
        .slice(Duration::from_secs(24 * 3600));
    assert_eq!(b.slices().count(), 3);
}

#[tokio::test]
async fn list_errors() {
    let (tenant, approval) = setup().await;
    // Unknown approval code → 1390002, and the stream ends after it.
    let items: Vec<_> = futures::StreamExt::collect::<Vec<_>>(
        approval
            .list_instance_codes("NO-SUCH-CODE", NOW_MS - 30 * HOUR, NOW_MS)
            .into_stream(),
    )
    .await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().unwrap_err().api_code(), Some(1390002));
    // Caller errors are caught before sending.
    let before = tenant.count_path(LIST_PATH);
    for builder in [
        approval.list_instance_codes("", 0, 1),
        approval.list_instance_codes(APPROVAL_CODE_PURCHASE, 10, 5),
        approval
            .list_instance_codes(APPROVAL_CODE_PURCHASE, 0, 5)
            .page_size(101),
        approval
            .list_instance_codes(APPROVAL_CODE_PURCHASE, 0, 5)
            .page_size(0),
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
    // A slice whose public fields were emptied fails cleanly instead of overflowing.
    let builder = approval.list_instance_codes(APPROVAL_CODE_PURCHASE, 0, HOUR);
    let mut slice = builder.slices().next().unwrap();
    slice.end_ms = i64::MIN;
    let err = builder.send_page(slice, None).await.unwrap_err();
    assert!(
        matches!(err, feishu_core::Error::InvalidArgument(_)),
        "{err}"
    );
    assert_eq!(tenant.count_path(LIST_PATH), before);
    // Empty range → no request, no codes.
    let none: Vec<String> = approval
        .list_instance_codes(APPROVAL_CODE_PURCHASE, 5, 5)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(none.is_empty());
    // Missing scope → Err naming the scope.
    tenant.forbid("/open-apis/approval/", "approval:approval:readonly");
    let err = approval
        .list_instance_codes(APPROVAL_CODE_PURCHASE, NOW_MS - HOUR, NOW_MS)
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
