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

use super::{Emitter, Flow, failed};
use crate::catalog::{
    APPROVAL_INSTANCE_FIELDS, APPROVAL_INSTANCES, APPROVAL_INSTANCES_RAW, APPROVAL_TASKS,
    APPROVAL_TIMELINE,
};
use crate::message::LogLevel;
use crate::records::{
    ApprovalInstance, ApprovalInstanceField, ApprovalInstanceRaw, ApprovalTask,
    ApprovalTimelineEvent,
};
use crate::{Source, SourceConfig};

const DAY_MS: i64 = 86_400_000;

/// Approval's "instance not found" (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/get>):
/// deleted between listing and fetching.
const INSTANCE_NOT_FOUND: i64 = 1390003;

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
            let mut outcomes = api
                .batch_get_instances(codes)
                .concurrency(em.concurrency)
                .into_stream();
            while let Some(outcome) = outcomes.next().await {
                if let Some(detail) = fetched(em, code, outcome).await? {
                    emit_instance(em, code, detail).await?;
                }
            }
            em.checkpoint().await?;
        }

        // 2. The window [from, now), minus what this run already did.
        let window_start = progress.map_or(from, |p| p.max(from));
        if window_start < now {
            read_window(em, &api, code, (window_start, now)).await?;
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

/// The instances of `approval_code` created in `[start, end)` (Unix ms), checkpointing the
/// run's progress on the way.
///
/// The list page documents its codes "by default in creation order"
/// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/list>),
/// so once an instance is emitted every instance created before it has been: a run cut after
/// it resumes at its creation time.
async fn read_window(
    em: &mut Emitter,
    api: &Approval,
    approval_code: &str,
    (start, end): (i64, i64),
) -> Flow {
    let window = TimeRange::new(at(start), at(end)).map_err(|e| failed(APPROVAL_INSTANCES, e))?;
    let codes = api.list_instance_codes(approval_code, window).into_stream();
    let mut outcomes = api
        .batch_get_instances(codes)
        .concurrency(em.concurrency)
        .into_stream();
    while let Some(outcome) = outcomes.next().await {
        let Some(detail) = fetched(em, approval_code, outcome).await? else {
            continue;
        };
        let created = detail.instance().start_time.map(ms);
        emit_instance(em, approval_code, detail).await?;
        if em.since_checkpoint >= em.checkpoint_every {
            if let Some(created) = created {
                let done = em
                    .run()
                    .approval_progress
                    .entry(approval_code.to_string())
                    .or_insert(created);
                *done = (*done).max(created);
            }
            em.checkpoint().await?;
        }
    }
    Ok(())
}

/// The detail of a batch outcome. An instance unavailable for a reason of its own (deleted
/// after it was listed, not readable by the app) is reported in a log message naming it and
/// skipped, and a deleted one leaves the pending watch list; an error of the whole batch
/// stops the module.
async fn fetched(
    em: &mut Emitter,
    approval_code: &str,
    outcome: feishu_core::Result<InstanceOutcome>,
) -> Flow<Option<InstanceDetail>> {
    match outcome.map_err(|e| failed(APPROVAL_INSTANCES, e))? {
        InstanceOutcome::Fetched(detail) => Ok(Some(*detail)),
        InstanceOutcome::Unavailable { code, error } => {
            let why = if error.api_code() == Some(INSTANCE_NOT_FOUND) {
                if let Some(st) = em.state.approval.get_mut(approval_code) {
                    st.pending.remove(code.as_str());
                }
                "it disappeared after listing"
            } else {
                "it cannot be read"
            };
            let message =
                format!("approval instance {code} ({approval_code}) skipped: {why}: {error}");
            em.log(LogLevel::Warn, message).await?;
            Ok(None)
        }
        other => {
            let message = format!(
                "approval instance {} ({approval_code}) skipped: unknown outcome",
                other.code()
            );
            em.log(LogLevel::Warn, message).await?;
            Ok(None)
        }
    }
}

async fn emit_instance(em: &mut Emitter, approval_code: &str, detail: InstanceDetail) -> Flow {
    let i = detail.instance();
    let code = detail.code().to_string();
    let start = i.start_time.map(ms);
    if em.wants(APPROVAL_INSTANCES) {
        let record = ApprovalInstance {
            instance_code: code.clone(),
            approval_code: approval_code.to_string(),
            approval_name: Some(i.approval_name.clone()),
            status: Some(i.status.as_str().to_string()),
            start_time: start,
            end_time: i.end_time.map(ms),
            user_id: Some(i.user_id.clone()),
            open_id: Some(i.open_id.clone()),
            department_id: Some(i.department_id.clone()),
            serial_number: Some(i.serial_number.clone()),
            uuid: Some(i.uuid.clone()),
            reverted: Some(i.reverted),
            form_parse_ok: Some(!detail.form().is_malformed()),
        };
        em.emit(record).await?;
    }
    if em.wants(APPROVAL_INSTANCE_FIELDS) {
        for row in detail.form_rows() {
            let record = ApprovalInstanceField {
                instance_code: row.instance_code.into_string(),
                widget_path: row.path,
                widget_id: Some(row.widget_id),
                name: Some(row.name),
                widget_type: Some(row.widget_type),
                value: row.value,
                ext: row.ext,
                parent_widget_id: row.parent_widget_id,
                row_index: row.row_index,
                start_time: start,
            };
            em.emit(record).await?;
        }
    }
    if em.wants(APPROVAL_TASKS) {
        for row in detail.task_rows() {
            // Task ids are unique per instance; fall back to the index if one is missing.
            let task_id = if row.task.id.is_empty() {
                format!("#{}", row.index)
            } else {
                row.task.id.clone()
            };
            let record = ApprovalTask {
                instance_code: row.instance_code.into_string(),
                task_id,
                index: Some(row.index),
                start_time: start,
                task: row.task,
            };
            em.emit(record).await?;
        }
    }
    if em.wants(APPROVAL_TIMELINE) {
        for row in detail.timeline_rows() {
            let record = ApprovalTimelineEvent {
                instance_code: row.instance_code.into_string(),
                index: row.index,
                start_time: start,
                event: row.event,
            };
            em.emit(record).await?;
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
    emit_raw(em, approval_code, &detail, start).await
}

/// The `approval_instances_raw` record: the reply's `data` as sent, and for a reply the SDK
/// could not fully read, a `decode_error` saying what (also logged, naming the instance,
/// whether or not the raw stream is selected).
async fn emit_raw(
    em: &mut Emitter,
    approval_code: &str,
    detail: &InstanceDetail,
    start: Option<i64>,
) -> Flow {
    let code = detail.code();
    let decode_error = (!detail.problems().is_empty()).then(|| {
        let problems: Vec<String> = detail.problems().iter().map(ToString::to_string).collect();
        problems.join("; ")
    });
    if let Some(why) = &decode_error {
        let message = format!(
            "approval instance {code} ({approval_code}) was not fully readable; \
             its raw record carries the data: {why}"
        );
        em.log(LogLevel::Warn, message).await?;
    }
    if !em.wants(APPROVAL_INSTANCES_RAW) {
        return Ok(());
    }
    let record = ApprovalInstanceRaw {
        instance_code: code.to_string(),
        approval_code: approval_code.to_string(),
        start_time: start,
        data: detail.raw().to_owned(),
        decode_error,
    };
    em.emit(record).await
}
