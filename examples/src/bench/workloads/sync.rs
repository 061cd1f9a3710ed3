//! W6: a full first sync of every module through feishu-sync.

use std::collections::BTreeMap;

use feishu_sync::{LogLevel, Message, ReadOptions, Source, SourceConfig, StreamStatus};
use futures::StreamExt;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::{Env, Meter, Outcome, Prepared, Res, err, with_stats};
use crate::bench::prepare::DAY_MS;

fn rfc3339(ms: i64) -> Res<String> {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(err)?
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(err)
}

/// The connector configuration of the run: every module the prepared data has.
fn config(env: &Env, data: &Prepared) -> Res<Value> {
    let o = &env.opts;
    let start = rfc3339(data.now_ms - o.sync_days * DAY_MS)?;
    let mut config = json!({
        "domain": env.base_url,
        "credentials": {
            "auth_type": "self_built",
            "app_id": env.app_id,
            "app_secret": env.app_secret.expose_secret(),
        },
        "contact": { "user_id_type": "open_id" },
        "attendance": { "employee_type": "employee_id", "start_date": start },
    });
    if !data.approval_codes.is_empty() {
        config["approval"] = json!({
            "approval_codes": data.approval_codes,
            "lookback_days": o.sync_days,
            "start_date": start,
        });
    }
    if let (Some(app), Some(table)) = (&data.app_token, data.table_ids.first()) {
        config["bitable"] = json!({ "app_token": app, "table_id": table });
    }
    Ok(config)
}

/// W6: `Source::read` of every stream of every configured module.
pub(super) async fn full_sync(env: &Env, data: &Prepared) -> Res<Outcome> {
    let config = SourceConfig::from_json_str(&config(env, data)?.to_string()).map_err(err)?;
    let client = env.client()?;
    let source = Source::with_client(config, client.clone()).map_err(err)?;
    let meter = Meter::start()?;
    let mut messages = source
        .read(
            ReadOptions::default()
                .now_ms(data.now_ms)
                .concurrency(env.opts.concurrency),
        )
        .map_err(err)?;
    let mut per_stream: BTreeMap<String, u64> = BTreeMap::new();
    let (mut items, mut failed) = (0u64, 0u64);
    let mut notes = Vec::new();
    while let Some(message) = messages.next().await {
        match message.map_err(err)? {
            Message::Record(r) => {
                items += 1;
                *per_stream.entry(r.stream).or_default() += 1;
            }
            Message::Status {
                stream,
                status: StreamStatus::Incomplete(error),
            } => {
                failed += 1;
                notes.push(format!("{stream} INCOMPLETE: {error}"));
            }
            Message::Log {
                level: LogLevel::Error,
                message,
            } => notes.push(format!("error: {message}")),
            _ => {}
        }
    }
    let measured = meter.stop()?;
    let streams: Vec<String> = per_stream.iter().map(|(s, n)| format!("{s}={n}")).collect();
    notes.insert(0, streams.join(" "));
    let out = Outcome {
        items,
        measured,
        failed,
        notes,
        ..Outcome::default()
    };
    Ok(with_stats(out, &client))
}
