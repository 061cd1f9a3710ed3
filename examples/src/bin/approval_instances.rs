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

use std::time::Duration;

use feishu_approval::{Approval, InstanceOutcome, ListRequest};
use feishu_core::time::format_description::well_known::Rfc3339;
use feishu_core::{Client, Credentials, TimeRange};
use feishu_testkit::FakeTenant;
use feishu_testkit::approval::APPROVAL_CODE_PURCHASE;
use futures::TryStreamExt;

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
    let last_day = TimeRange::last(Duration::from_secs(24 * 3600));
    let codes = approval
        .list_instance_codes(approval_code.as_str(), last_day)
        .into_stream();
    let mut outcomes = approval.batch_get_instances(codes).into_stream();
    let mut count = 0;
    while let Some(outcome) = outcomes.try_next().await? {
        let detail = match outcome {
            InstanceOutcome::Fetched(detail) => detail,
            InstanceOutcome::Unavailable { code, error } => {
                eprintln!("{code}: skipped: {error}");
                continue;
            }
            other => {
                eprintln!("{}: skipped", other.code());
                continue;
            }
        };
        let i = detail.instance();
        let started = i
            .start_time
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_else(|| "-".into());
        println!("{}  {:<9}  {}", i.instance_code, i.status, started);
        count += 1;
    }
    println!("{count} instances of {approval_code} in the last day");
    Ok(())
}
