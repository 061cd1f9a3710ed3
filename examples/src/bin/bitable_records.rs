//! Dumps a Bitable table's records as JSON lines on stdout.
//!
//! With `FEISHU_APP_ID`, `FEISHU_APP_SECRET`, `FEISHU_BITABLE_APP_TOKEN` and
//! `FEISHU_BITABLE_TABLE_ID` set, it reads that table of a real tenant (a wiki node token in
//! `FEISHU_BITABLE_APP_TOKEN` is resolved to the Base's app_token first). Without them it
//! starts the in-process fake tenant of `feishu-testkit` and dumps its "All types" table.
//!
//! Records are read through search (`POST .../records/search`), or with `--list` through the
//! historic list endpoint (which sends `text_field_as_array=true`). Each line is one record:
//! `{"record_id", "fields" (raw), "typed" (by the table's field types), "created_time", ...}`.
//!
//! ```text
//! cargo run -p feishu-examples --bin bitable_records -- [--list] [--limit N]
//! ```

use feishu_core::ListRequest;
use std::io::Write;

use feishu_bitable::{AppToken, Bitable, ListRecords, Record, SearchRecords, TableSchema};
use feishu_core::{Client, Credentials};
use futures::{StreamExt, TryStreamExt};
use serde_json::json;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let list = args.iter().any(|a| a == "--list");
    let limit = args
        .iter()
        .position(|a| a == "--limit")
        .and_then(|i| args.get(i + 1))
        .map(|n| n.parse::<usize>())
        .transpose()?
        .unwrap_or(usize::MAX);

    // Keeps the fake tenant alive for the whole run when there are no credentials.
    let mut _tenant = None;
    let (client, app_token, table_id) = match (
        env("FEISHU_APP_ID"),
        env("FEISHU_APP_SECRET"),
        env("FEISHU_BITABLE_APP_TOKEN"),
        env("FEISHU_BITABLE_TABLE_ID"),
    ) {
        (Some(id), Some(secret), Some(app), Some(table)) => {
            let client = Client::builder()
                .credentials(Credentials::self_built(id, secret))
                .build()?;
            (client, app, table)
        }
        _ => {
            eprintln!(
                "no FEISHU_* credentials in the environment: using the in-process fake tenant"
            );
            let tenant = feishu_testkit::FakeTenant::start().await;
            let client = Client::builder()
                .base_url(&tenant.base_url())
                .credentials(Credentials::self_built(
                    tenant.app_id(),
                    tenant.app_secret(),
                ))
                .build()?;
            let ids = (tenant.bitable().app_token(), tenant.bitable().table_id());
            _tenant = Some(tenant);
            (client, ids.0, ids.1)
        }
    };
    let bitable = Bitable::new(client);
    let app_token: AppToken = if app_token.starts_with("wik") {
        let resolved = bitable.resolve_wiki_node(app_token.as_str()).await?;
        eprintln!("wiki node {app_token} is Base {resolved}");
        resolved
    } else {
        app_token.into()
    };

    let schema: TableSchema = bitable.get_schema(&app_token, &table_id).await?;
    let records = if list {
        bitable
            .list_records(&app_token, &table_id)
            .automatic_fields(true)
            .page_size(ListRecords::MAX_PAGE_SIZE)
            .into_stream()
            .boxed()
    } else {
        bitable
            .search_records(&app_token, &table_id)
            .automatic_fields(true)
            .page_size(SearchRecords::MAX_PAGE_SIZE)
            .into_stream()
            .boxed()
    };
    let mut records = records.take(limit);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut n = 0usize;
    while let Some(record) = records.try_next().await? {
        writeln!(out, "{}", line(&record, &schema))?;
        n += 1;
    }
    out.flush()?;
    eprintln!("{n} records from table {table_id}");
    Ok(())
}

fn line(record: &Record, schema: &TableSchema) -> serde_json::Value {
    json!({
        "record_id": record.record_id,
        "created_time": record.created_time,
        "last_modified_time": record.last_modified_time,
        "created_by": record.created_by.as_ref().map(|p| &p.id),
        "fields": record.fields,
        "typed": record.typed_fields(schema),
    })
}
