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
