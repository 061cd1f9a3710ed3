//! Shared helpers of feishu-core's integration tests.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use feishu_core::page::Page;
use feishu_core::{
    ApiRequest, Client, ClientBuilder, Credentials, RateLimit, RateLimits, RetryPolicy,
};
use feishu_testkit::FakeTenant;
use serde::Deserialize;

/// A client for the tenant's custom app, with fast retries and no client-side limits.
pub fn builder(tenant: &FakeTenant) -> ClientBuilder {
    Client::builder()
        .base_url(&tenant.base_url())
        .credentials(Credentials::self_built(
            tenant.app_id(),
            tenant.app_secret(),
        ))
        .rate_limits(RateLimits::disabled())
        .retry_policy(
            RetryPolicy::default()
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(50)),
        )
}

pub fn client(tenant: &FakeTenant) -> Client {
    builder(tenant).build().expect("client builds")
}

/// `GET /open-apis/testkit/v1/whoami`.
pub fn whoami() -> ApiRequest {
    ApiRequest::get("testkit.whoami", RateLimit::UNLIMITED).path("testkit/v1/whoami")
}

/// `GET /open-apis/testkit/v1/numbers`.
pub fn numbers() -> ApiRequest {
    ApiRequest::get("testkit.numbers", RateLimit::UNLIMITED).path("testkit/v1/numbers")
}

#[derive(Debug, Deserialize)]
pub struct NumbersData {
    #[serde(default)]
    pub items: Vec<u64>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub page_token: Option<String>,
}

impl From<NumbersData> for Page<u64> {
    fn from(d: NumbersData) -> Self {
        Page::new(d.items, d.has_more, d.page_token)
    }
}
