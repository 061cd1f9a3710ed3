//! One approval instance: its records in the five approval streams, its place in the watch
//! list, and the log line of one that cannot be read.

use std::collections::BTreeMap;

use feishu_approval::{InstanceDetail, InstanceStatus};
use feishu_core::time::OffsetDateTime;

use crate::catalog::{
    APPROVAL_INSTANCE_FIELDS, APPROVAL_INSTANCES, APPROVAL_INSTANCES_RAW, APPROVAL_TASKS,
    APPROVAL_TIMELINE,
};
use crate::message::LogLevel;
use crate::read::reader::{Flow, Out};
use crate::records::{
    ApprovalInstance, ApprovalInstanceField, ApprovalInstanceRaw, ApprovalTask,
    ApprovalTimelineEvent,
};

/// Approval's "instance not found" (deleted): the error table of
/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/get>.
const INSTANCE_NOT_FOUND: i64 = 1390003;
/// "No operation permission" for one instance, same table.
const INSTANCE_DENIED: i64 = 1390009;

/// Unix milliseconds of `t`.
pub(super) fn ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Whether `error` concerns one instance only (deleted, or not readable by the app), not the
/// module.
pub(super) fn is_its_own(error: &feishu_core::Error) -> bool {
    matches!(error.api_code(), Some(INSTANCE_NOT_FOUND | INSTANCE_DENIED))
}

/// Reports an instance that could not be fetched; a deleted one leaves the watch list.
pub(super) async fn unavailable<U: Send + 'static>(
    out: &mut Out<U>,
    approval_code: &str,
    instance_code: &str,
    error: &feishu_core::Error,
    pending: &mut BTreeMap<String, i64>,
) -> Flow {
    let message = if error.api_code() == Some(INSTANCE_NOT_FOUND) {
        let watched = pending.remove(instance_code).is_some();
        format!(
            "approval instance {instance_code} ({approval_code}) was deleted{}: {error}",
            if watched {
                "; it leaves the watch list"
            } else {
                " after it was listed; skipped"
            }
        )
    } else {
        format!(
            "approval instance {instance_code} ({approval_code}) skipped: it cannot be read: {error}"
        )
    };
    out.log(LogLevel::Warn, message).await
}

/// Emits the records of one instance in the selected approval streams, and keeps it in the
/// watch list while it is pending.
pub(super) async fn emit<U: Send + 'static>(
    out: &mut Out<U>,
    approval_code: &str,
    detail: InstanceDetail,
    pending: &mut BTreeMap<String, i64>,
) -> Flow {
    let i = detail.instance();
    let code = detail.code().to_string();
    let start = i.start_time.map(ms);
    if i.status == InstanceStatus::Pending {
        pending.insert(code.clone(), start.unwrap_or_default());
    } else {
        pending.remove(&code);
    }
    if out.wants(APPROVAL_INSTANCES) {
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
        out.emit(record).await?;
    }
    emit_raw(out, approval_code, &detail, start).await?;
    emit_rows(out, detail, start).await
}

/// The form, task and timeline rows of an instance.
async fn emit_rows<U: Send + 'static>(
    out: &mut Out<U>,
    detail: InstanceDetail,
    start: Option<i64>,
) -> Flow {
    if out.wants(APPROVAL_INSTANCE_FIELDS) {
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
            out.emit(record).await?;
        }
    }
    if out.wants(APPROVAL_TASKS) {
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
            out.emit(record).await?;
        }
    }
    if out.wants(APPROVAL_TIMELINE) {
        for row in detail.timeline_rows() {
            let record = ApprovalTimelineEvent {
                instance_code: row.instance_code.into_string(),
                index: row.index,
                start_time: start,
                event: row.event,
            };
            out.emit(record).await?;
        }
    }
    Ok(())
}

/// The `approval_instances_raw` record: the reply's `data` as sent, and for a reply the SDK
/// could not fully read, a `decode_error` saying what (also logged, naming the instance,
/// whether or not the raw stream is selected).
async fn emit_raw<U: Send + 'static>(
    out: &mut Out<U>,
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
        out.log(LogLevel::Warn, message).await?;
    }
    if !out.wants(APPROVAL_INSTANCES_RAW) {
        return Ok(());
    }
    let record = ApprovalInstanceRaw {
        instance_code: code.to_string(),
        approval_code: approval_code.to_string(),
        start_time: start,
        data: detail.raw().to_owned(),
        decode_error,
    };
    out.emit(record).await
}
