//! Shared setup: a fake tenant and an `Approval` client talking to it over HTTP.

#![allow(dead_code, unreachable_pub)]

use feishu_approval::Approval;
use feishu_core::{Client, Credentials, RateLimits};
use feishu_testkit::FakeTenant;
use feishu_testkit::approval::ApprovalDataset;

/// A fixed "now": 2025-01-01T00:00:00Z.
pub const NOW_MS: i64 = 1_735_689_600_000;
pub const HOUR: i64 = 3_600_000;

pub async fn setup_with(spec: ApprovalDataset) -> (FakeTenant, Approval) {
    let tenant = FakeTenant::start().await;
    tenant.approval().set_dataset(spec);
    let client = Client::builder()
        .base_url(&tenant.base_url())
        .credentials(Credentials::self_built(
            tenant.app_id(),
            tenant.app_secret(),
        ))
        .rate_limits(RateLimits::disabled())
        .build()
        .expect("client");
    (tenant, Approval::new(client))
}

pub async fn setup() -> (FakeTenant, Approval) {
    setup_with(ApprovalDataset::default().now_ms(NOW_MS)).await
}

/// The `(key, value)` query pairs of a journal entry as a lookup.
pub fn q<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `[from_ms, to_ms)`.
pub fn range(from_ms: i64, to_ms: i64) -> feishu_core::TimeRange {
    feishu_core::TimeRange::from_unix_ms(from_ms, to_ms).expect("a representable range")
}

/// Unix milliseconds of `t`.
pub fn ms(t: feishu_core::time::OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).expect("in range")
}

/// A client for a fresh tenant whose calls time out after `timeout` (for "the reply was lost
/// after the write was applied": queue `Fault::Delay` longer than it, or a connection fault).
pub async fn setup_with_timeout(timeout: std::time::Duration) -> (FakeTenant, Approval) {
    // With the relay, so that `Fault::ResetConnection` and `Fault::CutReplyBody` work too.
    let tenant = FakeTenant::builder().connection_faults().start().await;
    tenant
        .approval()
        .set_dataset(ApprovalDataset::default().now_ms(NOW_MS));
    let client = Client::builder()
        .base_url(&tenant.base_url())
        .credentials(Credentials::self_built(
            tenant.app_id(),
            tenant.app_secret(),
        ))
        .rate_limits(RateLimits::disabled())
        .timeout(timeout)
        .retry_policy(
            feishu_core::RetryPolicy::default()
                .with_initial_backoff(std::time::Duration::from_millis(10)),
        )
        .build()
        .expect("client");
    (tenant, Approval::new(client))
}

/// Requests with this method and exact path the tenant received.
pub fn count(tenant: &FakeTenant, method: &str, path: &str) -> usize {
    tenant
        .journal()
        .iter()
        .filter(|e| e.method == method && e.path == path)
        .count()
}
