//! No secret (app secret, tokens, tickets) appears in Debug, Display, errors or logs.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use feishu_core::{Client, Credentials, Error, RateLimits};
use feishu_testkit::{FakeTenant, Fault};
use serde_json::Value;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_clean(haystack: &str, secrets: &[String], what: &str) {
    for s in secrets {
        assert!(!s.is_empty());
        assert!(
            !haystack.contains(s.as_str()),
            "{what} leaks a secret: {haystack}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_secret_in_debug_display_errors_or_traces() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let tenant = FakeTenant::start().await;
    let ticket = tenant.current_app_ticket().unwrap();
    let self_built = Credentials::self_built(tenant.app_id(), tenant.app_secret());
    let store = Credentials::store_app(
        tenant.store_app_id(),
        tenant.store_app_secret(),
        tenant.tenant_key(),
    )
    .with_app_ticket(ticket.clone());
    let minted_app = tenant.mint_app_token();
    let minted_tenant = tenant.mint_tenant_token();

    let mut outputs = Vec::new();
    for creds in [
        self_built.clone(),
        store.clone(),
        Credentials::app_access_token(minted_app.clone(), tenant.tenant_key()),
        Credentials::tenant_access_token(minted_tenant.clone()),
    ] {
        outputs.push(format!("{creds:?}"));
        let client = Client::builder()
            .base_url(&tenant.base_url())
            .credentials(creds)
            .rate_limits(RateLimits::disabled())
            .retry_policy(
                feishu_core::RetryPolicy::default()
                    .with_max_attempts(2)
                    .with_initial_backoff(std::time::Duration::from_millis(5)),
            )
            .build()
            .unwrap();
        outputs.push(format!("{client:?}"));
        let _: Value = client.send(common::whoami()).await.unwrap();
        // errors of several kinds
        tenant.fail_next(1, Fault::Permission);
        let e = client.send::<Value>(common::whoami()).await.unwrap_err();
        outputs.push(format!("{e} {e:?}"));
        tenant.fail_next(1, Fault::Malformed);
        tenant.set_malformed_share(1.0);
        let e = client.send::<Value>(common::whoami()).await.unwrap_err();
        tenant.set_malformed_share(0.0);
        outputs.push(format!("{e} {e:?}"));
        outputs.push(format!("{:?}", client.stats()));
        let token = client.tenant_access_token().await.unwrap();
        outputs.push(format!("{token:?}"));
    }
    // A wrong secret's error.
    let bad = Client::builder()
        .base_url(&tenant.base_url())
        .credentials(Credentials::self_built(
            tenant.app_id(),
            "wrong-secret-0123456789",
        ))
        .build()
        .unwrap();
    let e: Error = bad.send::<Value>(common::whoami()).await.unwrap_err();
    outputs.push(format!("{e} {e:?}"));

    // Every token the tenant handed out, plus the configured secrets.
    let mut secrets: Vec<String> = tenant
        .journal()
        .iter()
        .filter_map(|e| e.authorization.clone())
        .collect();
    // App tokens travel in token-request bodies.
    for entry in tenant.journal() {
        if let Some(Value::Object(body)) = &entry.body {
            for (k, v) in body {
                if (k.contains("token") || k.contains("ticket")) && v.is_string() {
                    secrets.push(v.as_str().unwrap().to_string());
                }
            }
        }
    }
    secrets.sort();
    secrets.dedup();
    assert!(secrets.len() >= 4, "tokens seen: {}", secrets.len());
    secrets.extend([
        tenant.app_secret().to_string(),
        tenant.store_app_secret().to_string(),
        ticket,
        minted_app,
        minted_tenant,
        "wrong-secret-0123456789".to_string(),
    ]);
    for (i, out) in outputs.iter().enumerate() {
        assert_clean(out, &secrets, &format!("output #{i}"));
    }
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("feishu.request"),
        "spans are recorded: {logs:.400}"
    );
    assert_clean(&logs, &secrets, "trace output");
}
