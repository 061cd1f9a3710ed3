//! Shared setup: a fake tenant and a client pointed at it.

#![allow(dead_code, unreachable_pub)]

use feishu_bitable::Bitable;
use feishu_core::{Client, Credentials, RateLimits, RetryPolicy};
use feishu_testkit::FakeTenant;

/// A fresh tenant and a Bitable handle on it (client-side rate limits off, no retries so
/// error tests see the first answer).
pub async fn setup() -> (FakeTenant, Bitable) {
    let tenant = FakeTenant::start().await;
    let bitable = bitable_for(&tenant);
    (tenant, bitable)
}

pub fn bitable_for(tenant: &FakeTenant) -> Bitable {
    let client = Client::builder()
        .base_url(&tenant.base_url())
        .credentials(Credentials::self_built(
            tenant.app_id(),
            tenant.app_secret(),
        ))
        .rate_limits(RateLimits::disabled())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    Bitable::new(client)
}

/// Path of the records endpoint of a table.
pub fn records_path(app: &str, table: &str) -> String {
    format!("/open-apis/bitable/v1/apps/{app}/tables/{table}/records")
}

/// A Bitable handle whose client retries quickly and gives up on an attempt after
/// `timeout`: with a fault that delays the reply longer, the server applies the write and the
/// client sees a timeout.
pub fn retrying_bitable(tenant: &FakeTenant, timeout: std::time::Duration) -> Bitable {
    let client = Client::builder()
        .base_url(&tenant.base_url())
        .credentials(Credentials::self_built(
            tenant.app_id(),
            tenant.app_secret(),
        ))
        .rate_limits(RateLimits::disabled())
        .timeout(timeout)
        .retry_policy(
            RetryPolicy::default()
                .with_initial_backoff(std::time::Duration::from_millis(20))
                .with_max_backoff(std::time::Duration::from_millis(200)),
        )
        .build()
        .expect("client");
    Bitable::new(client)
}
