//! `attendance_user_flows`: incremental over check time, one window at a time, the users of
//! each window in id order; users the app may not read are skipped and named in a warning.
//!
//! Each run reads `[cursor - lookback_days, now)` (first run: `start_date`, else the last 30
//! days) in windows of `ReadOptions::attendance_window_days` (at most
//! [`feishu_attendance::DEFAULT_FLOW_WINDOW`]). The lookback (default 7 days) catches
//! corrections filed later with back-dated check times; records are keyed by `record_id`, so
//! it only repeats rows an upsert absorbs. Progress inside a window is the last user id done,
//! not a count, so users who join or leave the directory before a resumption shift nothing.

use std::time::Duration;

use feishu_attendance::{Attendance, DEFAULT_FLOW_WINDOW, ListRequest, SkippedUsers, UserSource};
use feishu_contact::Contact;
use feishu_core::TimeRange;
use futures::StreamExt;

use super::reader::{Flow, Out, Reader, Stop};
use crate::catalog::{ATTENDANCE_GROUPS, ATTENDANCE_SHIFTS, ATTENDANCE_USER_FLOWS};
use crate::config::AttendanceConfig;
use crate::message::LogLevel;
use crate::module::Module;
use crate::records::{AttendanceGroup, AttendanceShift, AttendanceUserFlow};
use crate::state::{AttendanceRun, AttendanceState, SyncState};
use crate::{Source, SourceConfig};

const DAY_MS: i64 = 86_400_000;
const FIRST_RUN_MS: i64 = 30 * DAY_MS;
/// Ids a warning names before "...".
const IDS_IN_WARNINGS: usize = 5;

/// The attendance module's reader.
pub(crate) struct AttendanceReader {
    api: Attendance,
    contact: Contact,
    config: AttendanceConfig,
    start_ms: Option<i64>,
    section: AttendanceState,
}

/// Where a window stands: its start, and the last user id done in it.
struct Position {
    window_start: i64,
    after_user: Option<String>,
}

impl AttendanceReader {
    /// The reader of `source`'s attendance settings, from `state`; `None` without an
    /// `attendance` section.
    pub(crate) fn new(source: &Source, state: &SyncState) -> Option<Self> {
        let config: &SourceConfig = &source.config;
        let cfg = config.attendance.as_ref()?;
        let section = state
            .attendance
            .clone()
            .unwrap_or_else(|| AttendanceState::new(cfg.employee_type));
        Some(AttendanceReader {
            api: Attendance::new(source.client.clone()),
            contact: Contact::new(source.client.clone()),
            config: cfg.clone(),
            start_ms: config.attendance_start_ms(),
            section,
        })
    }

    /// The users, sorted by id: the config's, or every current directory member by
    /// Attendance's own rules ([`UserSource::directory`]); what the directory could not
    /// provide is a warning.
    async fn users(&self, out: &mut Out<AttendanceState>) -> Flow<Vec<String>> {
        let mut users = match self.config.employee_ids.as_ref().filter(|i| !i.is_empty()) {
            Some(ids) => ids.clone(),
            None => {
                let walk = self
                    .contact
                    .walk_directory()
                    .concurrency(out.settings().concurrency);
                let mut ids = UserSource::directory(walk).into_stream(self.config.employee_type);
                let mut all = Vec::new();
                while let Some(id) = ids.next().await {
                    all.push(id.map_err(|e| Stop::failed(ATTENDANCE_USER_FLOWS, &e))?);
                }
                for warning in ids.report().warnings(IDS_IN_WARNINGS) {
                    out.log(
                        LogLevel::Warn,
                        format!("{ATTENDANCE_USER_FLOWS}: {warning}"),
                    )
                    .await?;
                }
                all
            }
        };
        users.sort();
        users.dedup();
        Ok(users)
    }
}

impl Reader for AttendanceReader {
    type Update = AttendanceState;
    const MODULE: Module = Module::Attendance;

    fn apply(state: &mut SyncState, update: AttendanceState) {
        state.attendance = Some(update);
    }

    async fn read(&self, out: &mut Out<AttendanceState>) -> Flow {
        let mut section = self.section.clone();
        let now = match &section.run {
            Some(AttendanceRun::Done) => return Ok(()),
            Some(AttendanceRun::Reading { now_ms, .. }) => *now_ms,
            None => out.settings().now_ms,
        };
        // The cursor moves only when the run completes: `base` is the same on every
        // resumption of a run.
        let lookback = i64::from(self.config.lookback_days) * DAY_MS;
        let base = match section.cursor_ms {
            Some(cursor) => cursor.saturating_sub(lookback),
            None => self.start_ms.unwrap_or(now - FIRST_RUN_MS),
        };
        let mut at = match section.run.take() {
            Some(AttendanceRun::Reading {
                window_start_ms,
                after_user,
                ..
            }) if window_start_ms >= base => Position {
                window_start: window_start_ms,
                after_user,
            },
            _ => Position {
                window_start: base,
                after_user: None,
            },
        };
        self.read_definitions(out).await?;
        let users = self.users(out).await?;
        let days = u64::from(out.settings().attendance_window_days);
        let window = DEFAULT_FLOW_WINDOW.min(Duration::from_secs(days * 86_400));
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(FIRST_RUN_MS);
        let mut skipped = SkippedUsers::default();
        while at.window_start < now && !users.is_empty() {
            let end = at.window_start.saturating_add(window_ms).min(now);
            let span = (&mut at, end, window);
            self.read_window(&users, span, now, &mut section, &mut skipped, out)
                .await?;
            at = Position {
                window_start: end,
                after_user: None,
            };
        }
        if let Some(summary) = skipped.summary(IDS_IN_WARNINGS) {
            out.log(
                LogLevel::Warn,
                format!("{ATTENDANCE_USER_FLOWS}: {summary}"),
            )
            .await?;
        }
        section.cursor_ms = Some(section.cursor_ms.unwrap_or(i64::MIN).max(now));
        section.run = Some(AttendanceRun::Done);
        out.checkpoint(section).await
    }
}

impl AttendanceReader {
    /// The full-refresh streams of the definitions punches refer to: every shift, and every
    /// group with its settings (one detail call per group). Read again on a resumption of a
    /// run (they are keyed, so a repeat only updates rows).
    async fn read_definitions(&self, out: &mut Out<AttendanceState>) -> Flow {
        if out.wants(ATTENDANCE_SHIFTS) {
            let mut shifts = self.api.list_shifts().into_stream();
            while let Some(shift) = shifts.next().await {
                let shift = shift.map_err(|e| Stop::failed(ATTENDANCE_SHIFTS, &e))?;
                let record = AttendanceShift {
                    shift_id: shift.shift_id.to_string(),
                    shift_name: Some(shift.shift_name.clone()).filter(|n| !n.is_empty()),
                    shift,
                };
                out.emit(record).await?;
            }
        }
        if out.wants(ATTENDANCE_GROUPS) {
            let mut groups = self.api.list_groups().into_stream();
            while let Some(summary) = groups.next().await {
                let summary = summary.map_err(|e| Stop::failed(ATTENDANCE_GROUPS, &e))?;
                let group = self
                    .api
                    .get_group(summary.group_id)
                    .employee_type(self.config.employee_type)
                    .send()
                    .await
                    .map_err(|e| Stop::failed(ATTENDANCE_GROUPS, &e))?;
                let non_empty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
                let record = AttendanceGroup {
                    group_id: group.group_id.to_string(),
                    group_name: non_empty(&group.group_name),
                    time_zone: non_empty(&group.time_zone),
                    group,
                };
                out.emit(record).await?;
            }
        }
        Ok(())
    }

    /// One window `[at.window_start, end)`, for the users after `at.after_user`, one call of
    /// up to 50 users at a time (in id order), each followed by a checkpoint.
    async fn read_window(
        &self,
        users: &[String],
        (at, end, window): (&mut Position, i64, Duration),
        now: i64,
        section: &mut AttendanceState,
        skipped: &mut SkippedUsers,
        out: &mut Out<AttendanceState>,
    ) -> Flow {
        let todo: Vec<String> = users
            .iter()
            .filter(|u| at.after_user.as_ref().is_none_or(|done| *u > done))
            .cloned()
            .collect();
        if todo.is_empty() {
            return Ok(());
        }
        let range = TimeRange::from_unix_ms(at.window_start, end)
            .map_err(|e| Stop::failed(ATTENDANCE_USER_FLOWS, &e))?;
        // The range is at most one window long, so each batch is one chunk of users, in
        // order, over the whole range.
        let mut batches = self
            .api
            .list_user_flows(self.config.employee_type, range)
            .window(window)
            .user_ids(todo)
            .concurrency(out.settings().concurrency)
            .by_batch();
        while let Some(batch) = batches.next().await {
            let batch = batch.map_err(|e| Stop::failed(ATTENDANCE_USER_FLOWS, &e))?;
            skipped.extend(batch.skipped);
            for flow in batch.flows {
                let record = AttendanceUserFlow {
                    record_id: flow.record_id.clone(),
                    user_id: Some(flow.user_id.clone()),
                    check_time: flow.check_time,
                    flow,
                };
                out.emit(record).await?;
            }
            if let Some(last) = batch.user_ids.into_iter().max() {
                at.after_user = Some(last);
            }
            section.run = Some(AttendanceRun::Reading {
                now_ms: now,
                window_start_ms: at.window_start,
                after_user: at.after_user.clone(),
            });
            out.checkpoint(section.clone()).await?;
        }
        Ok(())
    }
}
