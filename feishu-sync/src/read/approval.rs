//! The approval streams: incremental over instance creation time, per approval code.
//!
//! Each run lists the codes created since `cursor - lookback_days` (first run: `start_date`,
//! else now - `lookback_days`), fetches the details concurrently in creation order and emits
//! the five approval streams from each detail. Instances seen `PENDING` are remembered in the
//! state; those that have fallen out of the lookback are re-fetched first in later runs until
//! they reach a final status, so a late approval is never missed.

use feishu_approval::{Approval, InstanceDetail, InstanceOutcome, InstanceStatus, ListRequest};
use feishu_core::TimeRange;
use feishu_core::time::OffsetDateTime;
use futures::{StreamExt, stream};
use serde_json::{Value, json};

use super::{Emitter, Flow, failed};
use crate::catalog::{
    APPROVAL_INSTANCE_FIELDS, APPROVAL_INSTANCES, APPROVAL_INSTANCES_RAW, APPROVAL_TASKS,
    APPROVAL_TIMELINE,
};
use crate::{Source, SourceConfig};

const DAY_MS: i64 = 86_400_000;

/// The instant of `ms` Unix milliseconds (the epoch for an unrepresentable one).
fn at(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Unix milliseconds of `t`.
fn ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub(crate) async fn read(source: &Source, config: &SourceConfig, em: &mut Emitter) -> Flow {
    let Some(cfg) = &config.approval else {
        return Ok(());
    };
    let api = Approval::new(source.client.clone());
    let lookback = i64::from(cfg.lookback_days) * DAY_MS;
    let start_date = config.approval_start_ms();
    for code in &cfg.approval_codes {
        let done_key = format!("approval:{code}");
        if em.run().completed.contains(&done_key) {
            continue; // finished earlier in this (resumed) run
        }
        let st = em.state.approval.entry(code.clone()).or_default().clone();
        let now = em.now_ms;
        // The cursor moves only when a code is done, so `from` is the same on every resume
        // of a run; progress within the run is kept apart.
        let from = match st.cursor_ms {
            Some(c) => c.saturating_sub(lookback),
            None => start_date.unwrap_or(now - lookback),
        };
        let progress = em.run().approval_progress.get(code).copied();

        // 1. Pending instances older than this run's window.
        let watch: Vec<String> = st
            .pending
            .iter()
            .filter(|(_, created)| **created < from)
            .map(|(c, _)| c.clone())
            .collect();
        if !watch.is_empty() {
            let codes = stream::iter(watch.into_iter().map(Ok));
            let mut details = api
                .batch_get_instances(codes)
                .concurrency(em.concurrency)
                .into_stream();
            while let Some(detail) = details.next().await {
                if let Some(detail) = skip_deleted(em, detail).await? {
                    emit_instance(em, code, detail).await?;
                }
            }
            em.checkpoint().await?;
        }

        // 2. The window [from, now), in creation order, minus what this run already did.
        let window_start = progress.map_or(from, |p| p.max(from));
        if window_start < now {
            let window = TimeRange::new(at(window_start), at(now))
                .map_err(|e| failed(APPROVAL_INSTANCES, e))?;
            let codes = api.list_instance_codes(code.clone(), window).into_stream();
            let mut details = api
                .batch_get_instances(codes)
                .concurrency(em.concurrency)
                .into_stream();
            while let Some(detail) = details.next().await {
                let Some(detail) = skip_deleted(em, detail).await? else {
                    continue;
                };
                let created = detail.instance().start_time.map(ms);
                emit_instance(em, code, detail).await?;
                if em.since_checkpoint >= em.checkpoint_every {
                    // Everything created before this instance has been emitted.
                    if let Some(created) = created {
                        let done = em
                            .run()
                            .approval_progress
                            .entry(code.clone())
                            .or_insert(created);
                        *done = (*done).max(created);
                    }
                    em.checkpoint().await?;
                }
            }
        }
        let entry = em.state.approval.entry(code.clone()).or_default();
        entry.cursor_ms = Some(entry.cursor_ms.unwrap_or(i64::MIN).max(now));
        let run = em.run();
        run.approval_progress.remove(code);
        run.completed.insert(done_key);
        em.checkpoint().await?;
    }
    Ok(())
}

/// Approval's "instance not found": deleted between listing and fetching.
const INSTANCE_NOT_FOUND: i64 = 1390003;

/// An instance deleted since it was listed is logged and skipped; other errors stop the module.
async fn skip_deleted(
    em: &mut Emitter,
    outcome: feishu_core::Result<InstanceOutcome>,
) -> Flow<Option<InstanceDetail>> {
    match outcome.and_then(InstanceOutcome::into_result) {
        Ok(d) => Ok(Some(d)),
        Err(e) if e.api_code() == Some(INSTANCE_NOT_FOUND) => {
            em.log(
                crate::message::LogLevel::Warn,
                format!("an approval instance disappeared after listing; skipped: {e}"),
            )
            .await?;
            Ok(None)
        }
        Err(e) => Err(failed(APPROVAL_INSTANCES, e)),
    }
}

async fn emit_instance(em: &mut Emitter, approval_code: &str, detail: InstanceDetail) -> Flow {
    let i = detail.instance();
    let code = detail.code().to_string();
    let start = i.start_time.map(ms);
    let form = detail.form();
    if em.wants(APPROVAL_INSTANCES) {
        em.record(
            APPROVAL_INSTANCES,
            json!({
                "instance_code": code,
                "approval_code": approval_code,
                "approval_name": i.approval_name,
                "status": i.status.as_str(),
                "start_time": start,
                "end_time": i.end_time.map(ms),
                "user_id": i.user_id,
                "open_id": i.open_id,
                "department_id": i.department_id,
                "serial_number": i.serial_number,
                "uuid": i.uuid,
                "reverted": i.reverted,
                "form_parse_ok": !form.is_malformed(),
            }),
        )
        .await?;
    }
    if em.wants(APPROVAL_INSTANCE_FIELDS) {
        for row in detail.form_rows() {
            em.record(
                APPROVAL_INSTANCE_FIELDS,
                json!({
                    "instance_code": row.instance_code,
                    "widget_path": row.path,
                    "widget_id": row.widget_id,
                    "name": row.name,
                    "type": row.widget_type,
                    "value": row.value,
                    "ext": row.ext,
                    "parent_widget_id": row.parent_widget_id,
                    "row_index": row.row_index,
                    "start_time": start,
                }),
            )
            .await?;
        }
    }
    if em.wants(APPROVAL_TASKS) {
        for row in detail.task_rows() {
            let task = serde_json::to_value(&row.task).unwrap_or(Value::Null);
            // Task ids are unique per instance; fall back to the index if one is missing.
            let task_id = if row.task.id.is_empty() {
                format!("#{}", row.index)
            } else {
                row.task.id.clone()
            };
            em.record(
                APPROVAL_TASKS,
                json!({
                    "instance_code": row.instance_code,
                    "task_id": task_id,
                    "index": row.index,
                    "start_time": start,
                    "task": task,
                }),
            )
            .await?;
        }
    }
    if em.wants(APPROVAL_TIMELINE) {
        for row in detail.timeline_rows() {
            let event = serde_json::to_value(&row.event).unwrap_or(Value::Null);
            em.record(
                APPROVAL_TIMELINE,
                json!({
                    "instance_code": row.instance_code,
                    "index": row.index,
                    "start_time": start,
                    "event": event,
                }),
            )
            .await?;
        }
    }
    let entry = em
        .state
        .approval
        .entry(approval_code.to_string())
        .or_default();
    if i.status == InstanceStatus::Pending {
        entry
            .pending
            .insert(code.clone(), start.unwrap_or_default());
    } else {
        entry.pending.remove(&code);
    }
    // The raw record is built only when asked for: it is the one place the reply becomes a
    // JSON value.
    if em.wants(APPROVAL_INSTANCES_RAW) {
        let mut data = serde_json::Map::with_capacity(4);
        data.insert("instance_code".into(), Value::String(code));
        data.insert(
            "approval_code".into(),
            Value::String(approval_code.to_string()),
        );
        data.insert("start_time".into(), json!(start));
        let raw = serde_json::from_str(detail.raw().get()).unwrap_or(Value::Null);
        data.insert("data".into(), raw);
        em.record(APPROVAL_INSTANCES_RAW, Value::Object(data))
            .await?;
    }
    Ok(())
}
