//! Shared setup: a fake tenant and a client pointed at it.

#![allow(dead_code, unreachable_pub)]

use feishu_contact::Contact;
use feishu_core::{Client, Credentials, RateLimits};
use feishu_testkit::FakeTenant;

pub async fn setup() -> (FakeTenant, Contact) {
    let tenant = FakeTenant::start().await;
    let contact = contact_for(&tenant);
    (tenant, contact)
}

pub fn contact_for(tenant: &FakeTenant) -> Contact {
    let client = Client::builder()
        .base_url(&tenant.base_url())
        .credentials(Credentials::self_built(
            tenant.app_id(),
            tenant.app_secret(),
        ))
        .rate_limits(RateLimits::disabled())
        .build()
        .expect("client");
    Contact::new(client)
}

pub fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}
