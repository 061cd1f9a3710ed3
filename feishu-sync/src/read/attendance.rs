//! `attendance_user_flows`: incremental over check time, one window at a time; users the app
//! may not read are skipped and named in a warning.
//!
//! Each run reads `[cursor - 1 day, now)` (first run: `start_date`, else the last 30 days) in
//! windows of `ReadOptions::attendance_window_days` (at most
//! [`feishu_attendance::DEFAULT_FLOW_WINDOW`]); after a window's flows are all emitted the
//! cursor moves to its end. The day of overlap catches punches that reach Feishu
//! late (remedies, offline devices); records are keyed by `record_id`, so overlap only
//! repeats rows an upsert absorbs.

use std::time::Duration;

use feishu_attendance::{Attendance, DEFAULT_FLOW_WINDOW, EmployeeType, SkippedUsers, UserSource};
use feishu_contact::Contact;
use feishu_core::TimeRange;
use futures::StreamExt;

use super::{Emitter, Flow, failed};
use crate::catalog::ATTENDANCE_USER_FLOWS;
use crate::config::EmployeeType as ConfigEmployeeType;
use crate::message::LogLevel;
use crate::records::AttendanceUserFlow;
use crate::state::{AttendanceProgress, AttendanceState};
use crate::{Source, SourceConfig};

const DAY_MS: i64 = 86_400_000;
const FIRST_RUN_MS: i64 = 30 * DAY_MS;
/// Ids a warning names before "...".
const IDS_IN_WARNINGS: usize = 5;

pub(crate) async fn read(source: &Source, config: &SourceConfig, em: &mut Emitter) -> Flow {
    let Some(cfg) = &config.attendance else {
        return Ok(());
    };
    let employee_type = match cfg.employee_type {
        ConfigEmployeeType::EmployeeId => EmployeeType::EmployeeId,
        ConfigEmployeeType::EmployeeNo => EmployeeType::EmployeeNo,
    };
    let now = em.now_ms;
    // The cursor moves only when the module is done; progress within a run is kept apart.
    let base = match &em.state.attendance {
        Some(s) => s.cursor_ms.saturating_sub(DAY_MS),
        None => config.attendance_start_ms().unwrap_or(now - FIRST_RUN_MS),
    };
    let (from, mut users_done) = match &em.run().attendance_progress {
        Some(p) if p.window_start_ms >= base => (p.window_start_ms, p.users_done),
        _ => (base, 0),
    };
    let mut users = match cfg.employee_ids.as_ref().filter(|ids| !ids.is_empty()) {
        Some(ids) => ids.clone(),
        None => directory_users(source, employee_type, em).await?,
    };
    // A stable order, so that `users_done` means the same users on resume.
    users.sort();
    users.dedup();
    let api = Attendance::new(source.client.clone());
    let window = DEFAULT_FLOW_WINDOW.min(Duration::from_millis(
        u64::from(em.attendance_window_days) * DAY_MS as u64,
    ));
    let window_ms = i64::try_from(window.as_millis()).unwrap_or(FIRST_RUN_MS);
    let mut skipped = SkippedUsers::default();
    let mut start = from;
    while start < now && !users.is_empty() {
        let end = start.saturating_add(window_ms).min(now);
        let todo = users.get(users_done..).unwrap_or_default();
        let range =
            TimeRange::from_unix_ms(start, end).map_err(|e| failed(ATTENDANCE_USER_FLOWS, e))?;
        // The range is at most one window long, so each batch is one chunk of users, in
        // order, over the whole range (of any length, down to a millisecond).
        let mut batches = api
            .list_user_flows(employee_type, range)
            .window(window)
            .user_ids(todo.iter().cloned())
            .concurrency(em.concurrency)
            .by_batch();
        while let Some(batch) = batches.next().await {
            let batch = batch.map_err(|e| failed(ATTENDANCE_USER_FLOWS, e))?;
            skipped.extend(batch.skipped);
            for flow in batch.flows {
                let record = AttendanceUserFlow {
                    record_id: flow.record_id.clone(),
                    user_id: Some(flow.user_id.clone()),
                    check_time: flow.check_time,
                    flow,
                };
                em.emit(record).await?;
            }
            users_done += batch.user_ids.len();
            let (window_start_ms, done) = if users_done < users.len() {
                (start, users_done)
            } else {
                (end, 0)
            };
            em.run().attendance_progress = Some(AttendanceProgress {
                window_start_ms,
                users_done: done,
            });
            em.checkpoint().await?;
        }
        users_done = 0;
        start = end;
    }
    if let Some(summary) = skipped.summary(IDS_IN_WARNINGS) {
        em.log(
            LogLevel::Warn,
            format!("{ATTENDANCE_USER_FLOWS}: {summary}"),
        )
        .await?;
    }
    em.run().attendance_progress = None;
    let previous = em
        .state
        .attendance
        .as_ref()
        .map_or(i64::MIN, |s| s.cursor_ms);
    em.state.attendance = Some(AttendanceState {
        employee_type: cfg.employee_type,
        cursor_ms: now.max(previous),
    });
    em.checkpoint().await?;
    Ok(())
}

/// Every current directory member's attendance id, by Attendance's own rules
/// ([`UserSource::directory`]); what the directory could not provide is a warning.
async fn directory_users(
    source: &Source,
    employee_type: EmployeeType,
    em: &mut Emitter,
) -> Flow<Vec<String>> {
    let walk = Contact::new(source.client.clone())
        .walk_directory()
        .concurrency(em.concurrency);
    let mut ids = UserSource::directory(walk).into_stream(employee_type);
    let mut out = Vec::new();
    while let Some(id) = ids.next().await {
        out.push(id.map_err(|e| failed(ATTENDANCE_USER_FLOWS, e))?);
    }
    for warning in ids.report().warnings(IDS_IN_WARNINGS) {
        em.log(
            LogLevel::Warn,
            format!("{ATTENDANCE_USER_FLOWS}: {warning}"),
        )
        .await?;
    }
    Ok(out)
}
