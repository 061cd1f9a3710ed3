//! Lists the instances of one approval definition created during the last day, printing
//! code, status and start time.
//!
//! With `FEISHU_APP_ID`, `FEISHU_APP_SECRET` and `FEISHU_APPROVAL_CODE` set it talks to
//! Feishu; without them it starts the in-process fake tenant (`feishu-testkit`) and runs
//! against its generated data.
//!
//! ```text
//! cargo run -p feishu-examples --bin approval_instances
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use feishu_approval::{Approval, ms_to_rfc3339};
use feishu_core::{Client, Credentials};
use feishu_testkit::FakeTenant;
use feishu_testkit::approval::APPROVAL_CODE_PURCHASE;
use futures::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    // Keeps the fake tenant alive while the demo runs.
    let mut _tenant = None;
    let (client, approval_code) = match (
        env("FEISHU_APP_ID"),
        env("FEISHU_APP_SECRET"),
        env("FEISHU_APPROVAL_CODE"),
    ) {
        (Some(id), Some(secret), Some(code)) => (
            Client::builder()
                .credentials(Credentials::self_built(id, secret))
                .build()?,
            code,
        ),
        _ => {
            eprintln!(
                "no FEISHU_APP_ID / FEISHU_APP_SECRET / FEISHU_APPROVAL_CODE: using the fake tenant"
            );
            let tenant = FakeTenant::start().await;
            let client = Client::builder()
                .base_url(&tenant.base_url())
                .credentials(Credentials::self_built(
                    tenant.app_id(),
                    tenant.app_secret(),
                ))
                .build()?;
            _tenant = Some(tenant);
            (client, APPROVAL_CODE_PURCHASE.to_string())
        }
    };
    let approval = Approval::new(client);
    let now_ms = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis())?;
    let day_ms = 24 * 3_600_000;
    let codes = approval
        .list_instance_codes(&approval_code, now_ms - day_ms, now_ms + 1)
        .into_stream();
    let mut details = approval.get_instances(codes, 8).boxed();
    let mut count = 0;
    while let Some(detail) = details.next().await {
        let detail = detail?;
        let i = &detail.instance;
        let started = i
            .start_time
            .and_then(ms_to_rfc3339)
            .unwrap_or_else(|| "-".into());
        println!("{}  {:<9}  {}", i.instance_code, i.status, started);
        count += 1;
    }
    println!("{count} instances of {approval_code} in the last day");
    Ok(())
}
