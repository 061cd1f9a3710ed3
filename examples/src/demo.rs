//! A fake tenant seeded for every module, with the rough edges of a real one, and a sync config
//! that reads all of it.

use feishu_core::{Client, Credentials};
use feishu_sync::SourceConfig;
use feishu_testkit::FakeTenant;
use feishu_testkit::approval::{APPROVAL_CODE_LEAVE, APPROVAL_CODE_PURCHASE, ApprovalDataset};

/// Days of approval instances and attendance punches the demo reads.
pub const DEMO_DAYS: i64 = 3;

/// The demo tenant and the config that reads it.
#[derive(Debug)]
pub struct Demo {
    /// The fake tenant (keep it alive while syncing).
    pub tenant: FakeTenant,
    /// A config selecting every module of the tenant.
    pub config: SourceConfig,
    /// The demo's "now", Unix ms.
    pub now_ms: i64,
}

/// Starts a fake tenant with data in all four modules, "now" fixed at `now_ms`, showing what
/// a real tenant shows ([`FakeTenantBuilder::realistic`](feishu_testkit::FakeTenantBuilder::realistic)):
/// part of the contact range granted through a user group, a user outside the attendance
/// data scope, a departed user whose id a successor holds. A sync of it completes with
/// warnings.
pub async fn start(now_ms: i64) -> Demo {
    let tenant = FakeTenant::builder().realistic().start().await;
    let mut dataset = ApprovalDataset::default();
    dataset.now_ms = Some(now_ms);
    tenant.approval().set_dataset(dataset);
    let config = config_for(&tenant, now_ms);
    Demo {
        tenant,
        config,
        now_ms,
    }
}

/// A config reading every module of `tenant` (approval from `DEMO_DAYS` before `now_ms`).
pub fn config_for(tenant: &FakeTenant, now_ms: i64) -> SourceConfig {
    let start = time::OffsetDateTime::from_unix_timestamp_nanos(
        i128::from(now_ms - DEMO_DAYS * 86_400_000) * 1_000_000,
    )
    .expect("valid time")
    .format(&time::format_description::well_known::Rfc3339)
    .expect("formats");
    let json = serde_json::json!({
        "domain": tenant.base_url(),
        "credentials": {
            "auth_type": "self_built",
            "app_id": tenant.app_id(),
            "app_secret": tenant.app_secret(),
        },
        "approval": {
            "approval_codes": [APPROVAL_CODE_PURCHASE, APPROVAL_CODE_LEAVE],
            "lookback_days": 2,
            "start_date": start,
        },
        "bitable": {
            "app_token": tenant.bitable().app_token(),
            "table_id": tenant.bitable().table_id(),
        },
        // Lookbacks inside the demo's days, so a second read repeats only what the first read.
        "attendance": { "employee_type": "employee_id", "start_date": start, "lookback_days": 2 },
        "contact": { "user_id_type": "open_id" },
    });
    SourceConfig::from_json_str(&json.to_string()).expect("the demo config is valid")
}

/// A client for the tenant in `FEISHU_APP_ID` / `FEISHU_APP_SECRET` (and `FEISHU_BASE_URL`,
/// if set); without those, a fresh fake tenant and a client for it. Keep the returned tenant
/// alive while the client is in use.
pub async fn client_from_env() -> feishu_core::Result<(Client, Option<FakeTenant>)> {
    match (
        std::env::var("FEISHU_APP_ID"),
        std::env::var("FEISHU_APP_SECRET"),
    ) {
        (Ok(id), Ok(secret)) => {
            let mut builder = Client::builder().credentials(Credentials::self_built(id, secret));
            if let Ok(base) = std::env::var("FEISHU_BASE_URL") {
                builder = builder.base_url(&base);
            }
            Ok((builder.build()?, None))
        }
        _ => {
            eprintln!(
                "FEISHU_APP_ID / FEISHU_APP_SECRET not set: using the in-process fake tenant"
            );
            let tenant = FakeTenant::start().await;
            let client = Client::builder()
                .base_url(&tenant.base_url())
                .credentials(Credentials::self_built(
                    tenant.app_id(),
                    tenant.app_secret(),
                ))
                .build()?;
            Ok((client, Some(tenant)))
        }
    }
}
