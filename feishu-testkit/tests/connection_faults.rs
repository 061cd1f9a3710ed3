//! Connection faults through the relay: a reset after the tenant applied a request, a reply
//! cut in its body, and the same connection-level behaviour as without the relay otherwise.

mod common;

use common::{get, tenant_token};
use feishu_testkit::{FakeTenant, Fault};
use serde_json::json;

const ECHO: &str = "/open-apis/testkit/v1/echo/x";

struct Setup {
    tenant: FakeTenant,
    token: String,
    http: reqwest::Client,
    records: String,
    app: String,
    table: String,
}

async fn setup() -> Setup {
    let tenant = FakeTenant::builder().connection_faults().start().await;
    let token = tenant_token(&tenant).await;
    let app = tenant.bitable().app_token();
    let table = tenant.bitable().add_empty_table("Orders", &[("Order", 1)]);
    let records = format!("/open-apis/bitable/v1/apps/{app}/tables/{table}/records");
    Setup {
        tenant,
        token,
        // One pooled connection for every request, so a broken connection must not spoil the
        // next request's.
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .unwrap(),
        records,
        app,
        table,
    }
}

impl Setup {
    /// Creates a record and reads the whole reply, so that a cut body fails here too.
    async fn create(&self, order: &str) -> reqwest::Result<()> {
        let response = self
            .http
            .post(self.tenant.url(&self.records))
            .bearer_auth(&self.token)
            .json(&json!({ "fields": { "Order": order } }))
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        assert!(status.is_success(), "{status}: {body:?}");
        Ok(())
    }

    fn count(&self) -> u64 {
        self.tenant
            .bitable()
            .record_count(&self.app, &self.table)
            .unwrap()
    }
}

#[tokio::test]
async fn a_reset_comes_after_the_request_was_applied_and_spoils_only_its_connection() {
    let s = setup().await;
    assert!(s.tenant.base_url().starts_with("http://127.0.0.1:"));
    s.create("SO-0").await.expect("an unbroken write");

    s.tenant.fail_next(1, Fault::ResetConnection);
    let err = s
        .create("SO-1")
        .await
        .expect_err("the connection was reset");
    assert!(!err.is_connect(), "the request was sent: {err:?}");
    assert_eq!(
        s.count(),
        2,
        "the tenant applied the write before the reset"
    );
    assert_eq!(s.tenant.count_path(&s.records), 2);

    s.create("SO-2")
        .await
        .expect("the next request opens a new connection");
    assert_eq!(s.count(), 3);
    assert_eq!(s.tenant.pending_faults(), 0);
}

#[tokio::test]
async fn a_cut_body_fails_while_the_body_is_read() {
    let s = setup().await;
    s.tenant.fail_next(1, Fault::CutReplyBody);
    let response = s
        .http
        .post(s.tenant.url(&s.records))
        .bearer_auth(&s.token)
        .json(&json!({ "fields": { "Order": "SO-1" } }))
        .send()
        .await
        .expect("the head arrives whole");
    assert_eq!(response.status(), 200);
    let err = response.bytes().await.expect_err("the body stops halfway");
    assert!(err.is_body() || err.is_decode(), "{err:?}");
    assert_eq!(s.count(), 1, "applied");

    let echo = get(&s.tenant, ECHO, Some(&s.token)).await;
    assert_eq!(echo.code(), Some(0), "later requests are relayed whole");
}

#[tokio::test]
async fn many_requests_on_one_connection_pass_the_relay_unchanged() {
    let s = setup().await;
    for i in 0..50 {
        s.create(&format!("SO-{i}")).await.unwrap();
    }
    // A reply larger than the relay's buffer, then more requests on the same connection.
    let huge = s
        .http
        .get(s.tenant.url("/open-apis/testkit/v1/huge?bytes=3000000"))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 200);
    let declared = huge.content_length();
    let body = huge.bytes().await.unwrap();
    assert!(body.len() >= 3_000_000, "{}", body.len());
    assert_eq!(declared, Some(body.len() as u64));
    s.create("SO-50").await.unwrap();
    assert_eq!(s.count(), 51);
}

#[tokio::test]
async fn without_the_relay_a_connection_fault_is_refused_and_nothing_is_applied() {
    let tenant = FakeTenant::start().await;
    let token = tenant_token(&tenant).await;
    tenant.fail_next(1, Fault::ResetConnection);
    let refused = get(&tenant, ECHO, Some(&token)).await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.text.contains("connection_faults()"),
        "names the option: {}",
        refused.text
    );
    assert_eq!(get(&tenant, ECHO, Some(&token)).await.code(), Some(0));
}
