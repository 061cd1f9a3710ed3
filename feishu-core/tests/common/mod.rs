//! Shared helpers of feishu-core's integration tests.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use feishu_core::internal::PageFetch;
use feishu_core::{
    Client, ClientBuilder, Credentials, Endpoint, Page, RateLimits, Request, Result, RetryPolicy,
};
use feishu_testkit::FakeTenant;

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

pub const WHOAMI: Endpoint = Endpoint::get("testkit.whoami", "testkit/v1/whoami");
pub const NUMBERS: Endpoint = Endpoint::get("testkit.numbers", "testkit/v1/numbers");
pub const NUMBERS_SEARCH: Endpoint =
    Endpoint::post_read("testkit.numbers.search", "testkit/v1/numbers/search");
pub const ECHO: Endpoint = Endpoint::get("testkit.echo", "testkit/v1/echo/{segment}");
pub const HUGE: Endpoint = Endpoint::get("testkit.huge", "testkit/v1/huge");

/// `GET /open-apis/testkit/v1/whoami`.
pub fn whoami() -> Request {
    Request::new(WHOAMI, &[]).unwrap()
}

/// `GET /open-apis/testkit/v1/numbers`.
pub fn numbers() -> Request {
    Request::new(NUMBERS, &[]).unwrap()
}

/// A listing of the testkit's numbers, written as a module crate writes one: a builder that
/// implements the core page fetch and so gets `send`, `by_page` and `into_stream`.
#[derive(Clone)]
pub struct ListNumbers {
    pub client: Client,
    pub extra: Vec<(&'static str, String)>,
    pub page_size: u32,
    pub page_token: Option<String>,
    pub search: Option<serde_json::Value>,
}

impl ListNumbers {
    pub fn new(client: &Client) -> Self {
        ListNumbers {
            client: client.clone(),
            extra: Vec::new(),
            page_size: 10,
            page_token: None,
            search: None,
        }
    }

    pub fn param(mut self, key: &'static str, value: impl ToString) -> Self {
        self.extra.push((key, value.to_string()));
        self
    }

    fn request(&self, token: Option<String>) -> Result<Request> {
        let mut req = match &self.search {
            None => Request::new(NUMBERS, &[])?,
            Some(body) => Request::new(NUMBERS_SEARCH, &[])?.json(body)?,
        }
        .query("page_size", self.page_size)
        .query_opt("page_token", token);
        for (k, v) in &self.extra {
            req = req.query(*k, v);
        }
        Ok(req)
    }
}

impl PageFetch for ListNumbers {
    type Item = u64;

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn fetch_page(
        &self,
        token: Option<String>,
    ) -> impl std::future::Future<Output = Result<Page<u64>>> + Send + use<> {
        let client = self.client.clone();
        let request = self.request(token);
        async move { client.send_page(request?).await }
    }
}
