//! `attendance_user_flows`: incremental over check time, one window at a time.
//!
//! Each run reads `[cursor - 1 day, now)` (first run: `start_date`, else the last 30 days) in
//! windows of `ReadOptions::attendance_window_days` (at most
//! [`feishu_attendance::DEFAULT_FLOW_WINDOW`]); after a window's flows are all emitted the
//! cursor moves to its end. The day of overlap catches punches that reach Feishu
//! late (remedies, offline devices); records are keyed by `record_id`, so overlap only
//! repeats rows an upsert absorbs.

use feishu_attendance::{Attendance, DEFAULT_FLOW_WINDOW, EmployeeType};
use feishu_contact::Contact;
use futures::StreamExt;
use serde_json::json;
use time::OffsetDateTime;

use super::{Emitter, Flow, failed};
use crate::catalog::ATTENDANCE_USER_FLOWS;
use crate::config::EmployeeType as ConfigEmployeeType;
use crate::message::LogLevel;
use crate::state::{AttendanceProgress, AttendanceState};
use crate::{Source, SourceConfig};

const DAY_MS: i64 = 86_400_000;
const FIRST_RUN_MS: i64 = 30 * DAY_MS;

fn at(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

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
        None => all_users(source, cfg.employee_type, em).await?,
    };
    // A stable order, so that `users_done` means the same users on resume.
    users.sort();
    users.dedup();
    let api = Attendance::new(source.client.clone());
    let window =
        (DEFAULT_FLOW_WINDOW.as_millis() as i64).min(i64::from(em.attendance_window_days) * DAY_MS);
    let mut start = from;
    while start < now && !users.is_empty() {
        let end = (start + window).min(now);
        let todo = users.get(users_done..).unwrap_or_default();
        // One window per call: batches arrive in user-chunk order.
        let mut batches = Box::pin(
            api.user_flows(employee_type, at(start), at(end))
                .window(std::time::Duration::from_millis((end - start) as u64))
                .user_ids(todo.iter().cloned())
                .concurrency(em.concurrency)
                .into_batch_stream(),
        );
        while let Some(batch) = batches.next().await {
            let batch = batch.map_err(|e| failed(ATTENDANCE_USER_FLOWS, e))?;
            for flow in batch.flows {
                let data = json!({
                    "record_id": flow.record_id,
                    "user_id": flow.user_id,
                    "check_time": flow.check_time,
                    "flow": flow,
                });
                em.record(ATTENDANCE_USER_FLOWS, data).await?;
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

/// Every visible user's attendance id: Contact's `user_id`, or the employee number.
async fn all_users(
    source: &Source,
    kind: ConfigEmployeeType,
    em: &mut Emitter,
) -> Flow<Vec<String>> {
    let mut walk = Contact::new(source.client.clone())
        .walk_directory()
        .user_id_type(feishu_core::UserIdType::UserId)
        .concurrency(em.concurrency)
        .into_stream();
    let mut ids = Vec::new();
    let mut missing = 0usize;
    while let Some(user) = walk.next().await {
        let user = user.map_err(|e| failed(ATTENDANCE_USER_FLOWS, e))?;
        let id = match kind {
            ConfigEmployeeType::EmployeeId => user.user_id.into_string(),
            ConfigEmployeeType::EmployeeNo => user.employee_no,
        };
        if id.is_empty() {
            missing += 1;
        } else {
            ids.push(id);
        }
    }
    if let Some(message) = walk.report().message() {
        em.log(LogLevel::Warn, message).await?;
    }
    if missing > 0 {
        em.log(
            LogLevel::Warn,
            format!(
                "{missing} users have no {} (grant contact:user.employee_id:readonly or \
                 contact:user.employee_number:read); their check-ins are not read",
                match kind {
                    ConfigEmployeeType::EmployeeId => "user_id",
                    ConfigEmployeeType::EmployeeNo => "employee_no",
                }
            ),
        )
        .await?;
    }
    Ok(ids)
}
