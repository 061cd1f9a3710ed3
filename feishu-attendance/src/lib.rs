//! Typed Attendance v1 API of the Feishu / Lark Open Platform: punch flows and punch results
//! (tasks) for any number of users over any time range, reading every user the app may read
//! and reporting the ones it may not; and the shift and group definitions those records
//! refer to.
//!
//! - [`Attendance::list_user_flows`]: `POST attendance/v1/user_flows/query` ([`UserFlow`]),
//!   the valid punches in a half-open [`TimeRange`].
//! - [`Attendance::list_user_tasks`]: `POST attendance/v1/user_tasks/query` ([`UserTask`]),
//!   one result per user, work day and shift segment, for the days a [`TimeRange`] touches.
//! - [`Attendance::list_shifts`] (`GET attendance/v1/shifts`, a [`ListRequest`]),
//!   [`Attendance::get_shift`] and [`Attendance::get_shift_by_name`]: [`Shift`], what a
//!   result's `shift_id` means (on/off times, flexibility, rests).
//! - [`Attendance::list_groups`] (`GET attendance/v1/groups`, a [`ListRequest`] of
//!   [`AttendanceGroupSummary`]) and [`Attendance::get_group`]: [`AttendanceGroup`], what a
//!   result's `group_id` means (members, weekday shifts, punch methods). Shifts and groups
//!   need `attendance:rule:readonly` (or `attendance:rule`); the shift query by name is
//!   documented under `attendance:task:readonly`.
//!
//! Both split the users into chunks of at most 50 ids and the range into windows (flows: 30
//! days by default, tasks: 30 days; Feishu documents no maximum, so both are configurable),
//! run the calls with bounded concurrency under the client's rate limiter (50/s), and yield
//! a lazy stream of records ([`into_stream`](ListUserFlows::into_stream)) or of one batch per
//! call ([`by_batch`](ListUserFlows::by_batch): [`FlowBatch`], [`TaskBatch`]), with a
//! [`QueryReport`].
//!
//! # Partial permissions
//! A user the app may not read does not fail the stream: flows chunks refused with 1220004 /
//! 1220005 are halved until the refused users stand alone, tasks are asked with
//! `ignore_invalid_users`, and every user skipped is listed with why ([`SkippedUser`]) in its
//! batch and in the report ([`SkippedUsers::summary`] words a warning). An error that
//! concerns every user (the app lacks `attendance:task:readonly`, code 99991672) ends the
//! stream at once with the scope named.
//!
//! # Users
//! Users are named by [`EmployeeType`]: `employee_id` is Contact's `user_id`, `employee_no`
//! the HR number. Without explicit ids the users are the current members of the Contact
//! directory ([`Attendance::directory_users`], a [`feishu_contact`] walk by `user_id`, which
//! needs `contact:user.employee_id:readonly`). People who have left are not in the
//! directory: name them with `user_ids` to read their past punches, and add
//! `include_terminated_user(true)` when a new hire reuses a departed user's id.
//!
//! Scopes: `attendance:task:readonly` (custom apps only), and the users inside the app's
//! attendance data scope, which an attendance administrator sets.
//!
//! # Example
//! ```no_run
//! use feishu_attendance::{Attendance, EmployeeType};
//! use feishu_core::{Client, Credentials, TimeRange};
//! use futures::TryStreamExt;
//! use time::macros::datetime;
//!
//! # async fn sample() -> feishu_core::Result<()> {
//! let client = Client::builder()
//!     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
//!     .build()?;
//! let attendance = Attendance::new(client);
//! let range = TimeRange::new(
//!     datetime!(2025-01-01 00:00 +08:00),
//!     datetime!(2025-02-15 00:00 +08:00),
//! )?;
//! let mut flows = attendance
//!     .list_user_flows(EmployeeType::EmployeeId, range)
//!     .user_ids(["a1b2c3d4", "e5f6a7b8"])
//!     .into_stream();
//! while let Some(flow) = flows.try_next().await? {
//!     println!("{} punched at {:?} ({:?})", flow.user_id, flow.check_time_utc(), flow.flow_type);
//! }
//! for warning in flows.report().warnings(5) {
//!     eprintln!("{warning}");
//! }
//! # Ok(()) }
//! ```

mod bisect;
mod codes;
mod de;
mod employee;
mod fan_out;
mod group;
mod ids;
mod report;
mod shift;
mod skipped;
mod user_flow;
mod user_source;
mod user_task;

use feishu_contact::Contact;
use feishu_core::{Client, Result, TimeRange};

pub use employee::EmployeeType;
pub use fan_out::MAX_USER_IDS_PER_CALL;
/// Runs the shift and group listings: `send`, `by_page`, `into_stream`.
pub use feishu_core::ListRequest;
pub use group::model::{
    AttendanceGroup, AttendanceGroupSummary, FreePunchConfig, GroupType, PunchLocation,
    PunchMachine, SpecialDay,
};
pub use group::request::{GetGroup, ListGroups, MAX_GROUP_PAGE_SIZE};
pub use ids::{AttendanceGroupId, ShiftId};
pub use report::{QueryReport, QueryReportHandle, QueryStream};
pub use shift::model::{
    FlexibleRule, LateOffLateOnRule, OvertimeRule, PunchTimeRule, RestTimeRule, Shift,
    ShiftAttendanceTimeConfig, ShiftMiddleTimeRule,
};
pub use shift::request::{ListShifts, MAX_SHIFT_PAGE_SIZE};
pub use skipped::{SkipReason, SkippedUser, SkippedUsers};
pub use user_flow::model::{FlowType, UserFlow};
pub use user_flow::request::{DEFAULT_FLOW_WINDOW, FlowBatch, ListUserFlows};
pub use user_source::{EmployeeIdStream, UserSource, UserSourceHandle, UserSourceReport};
pub use user_task::model::{CheckResult, ResultSupplement, TaskRecord, UserTask};
pub use user_task::request::{DEFAULT_TASK_WINDOW_DAYS, ListUserTasks, TaskBatch};

/// The `time` version this crate's dates and times come from.
pub use time;

/// Entry point to Attendance v1. Cheap to clone.
///
/// # Example
/// ```no_run
/// use feishu_attendance::{Attendance, EmployeeType};
/// use feishu_core::TimeRange;
/// use futures::TryStreamExt;
/// # async fn sample(client: feishu_core::Client) -> feishu_core::Result<()> {
/// let attendance = Attendance::new(client);
/// let last_week = TimeRange::last(std::time::Duration::from_secs(7 * 86_400));
/// let flows: Vec<_> = attendance
///     .list_user_flows(EmployeeType::EmployeeId, last_week)
///     .into_stream()
///     .try_collect()
///     .await?;
/// println!("{} punches by the whole directory", flows.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Attendance {
    client: Client,
    contact: Contact,
}

impl Attendance {
    /// Wraps a client (the same client serves the Contact walk for "all users").
    ///
    /// # Example
    /// ```no_run
    /// # fn sample(client: feishu_core::Client) {
    /// let attendance = feishu_attendance::Attendance::new(client);
    /// # let _ = attendance; }
    /// ```
    pub fn new(client: Client) -> Self {
        Attendance {
            contact: Contact::new(client.clone()),
            client,
        }
    }

    /// The client this handle uses.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The default users of a query: every current member of the Contact directory, by
    /// `user_id`. Use [`UserSource::directory`] with a configured walk (subtrees,
    /// concurrency) to change it.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_attendance::EmployeeType;
    /// use futures::TryStreamExt;
    /// # async fn sample(attendance: feishu_attendance::Attendance) -> feishu_core::Result<()> {
    /// let ids: Vec<String> = attendance
    ///     .directory_users()
    ///     .into_stream(EmployeeType::EmployeeId)
    ///     .try_collect()
    ///     .await?;
    /// # let _ = ids; Ok(()) }
    /// ```
    pub fn directory_users(&self) -> UserSource {
        UserSource::directory(self.contact.walk_directory())
    }

    /// Punch flows in `range` (`[start, end)`; only the instants matter, any offset works).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_attendance::EmployeeType;
    /// use feishu_core::TimeRange;
    /// use futures::TryStreamExt;
    /// # async fn sample(attendance: feishu_attendance::Attendance) -> feishu_core::Result<()> {
    /// let today = TimeRange::last(std::time::Duration::from_secs(86_400));
    /// let flows: Vec<_> = attendance
    ///     .list_user_flows(EmployeeType::EmployeeId, today)
    ///     .user_ids(["a1b2c3d4"])
    ///     .into_stream()
    ///     .try_collect()
    ///     .await?;
    /// # let _ = flows; Ok(()) }
    /// ```
    pub fn list_user_flows(&self, employee_type: EmployeeType, range: TimeRange) -> ListUserFlows {
        ListUserFlows::new(
            self.client.clone(),
            self.directory_users(),
            employee_type,
            range,
        )
    }

    /// Punch results for the work days `range` touches (dates in the offset of its start).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_attendance::EmployeeType;
    /// use feishu_core::TimeRange;
    /// use futures::TryStreamExt;
    /// use time::macros::datetime;
    /// # async fn sample(attendance: feishu_attendance::Attendance) -> feishu_core::Result<()> {
    /// let week = TimeRange::new(datetime!(2025-01-06 0:00 +8), datetime!(2025-01-11 0:00 +8))?;
    /// let results: Vec<_> = attendance
    ///     .list_user_tasks(EmployeeType::EmployeeId, week)
    ///     .into_stream()
    ///     .try_collect()
    ///     .await?;
    /// # let _ = results; Ok(()) }
    /// ```
    pub fn list_user_tasks(&self, employee_type: EmployeeType, range: TimeRange) -> ListUserTasks {
        ListUserTasks::new(
            self.client.clone(),
            self.directory_users(),
            employee_type,
            range,
        )
    }

    /// Every shift of the tenant.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_attendance::ListRequest;
    /// # async fn sample(attendance: feishu_attendance::Attendance) -> feishu_core::Result<()> {
    /// let first_page = attendance.list_shifts().send().await?;
    /// println!("{} shifts, more: {}", first_page.items.len(), first_page.has_more);
    /// # Ok(()) }
    /// ```
    pub fn list_shifts(&self) -> ListShifts {
        ListShifts::new(self.client.clone())
    }

    /// One shift by id (the `shift_id` of a [`UserTask`] or of an [`AttendanceGroup`]).
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(attendance: feishu_attendance::Attendance, task: feishu_attendance::UserTask) -> feishu_core::Result<()> {
    /// let shift = attendance.get_shift(task.shift_id.as_str()).await?;
    /// println!("{} starts at {:?}", shift.shift_name, shift.punch_time_rule.first().map(|r| &r.on_time));
    /// # Ok(()) }
    /// ```
    pub async fn get_shift(&self, shift_id: impl Into<ShiftId>) -> Result<Shift> {
        shift::request::get_shift(&self.client, &shift_id.into()).await
    }

    /// One shift by its name (`POST shifts/query`).
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(attendance: feishu_attendance::Attendance) -> feishu_core::Result<()> {
    /// let early = attendance.get_shift_by_name("Early shift").await?;
    /// # let _ = early; Ok(()) }
    /// ```
    pub async fn get_shift_by_name(&self, shift_name: &str) -> Result<Shift> {
        shift::request::get_shift_by_name(&self.client, shift_name).await
    }

    /// Every attendance group (id and name).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_attendance::ListRequest;
    /// use futures::TryStreamExt;
    /// # async fn sample(attendance: feishu_attendance::Attendance) -> feishu_core::Result<()> {
    /// let groups: Vec<_> = attendance.list_groups().into_stream().try_collect().await?;
    /// # let _ = groups; Ok(()) }
    /// ```
    pub fn list_groups(&self) -> ListGroups {
        ListGroups::new(self.client.clone())
    }

    /// One attendance group with its settings (the `group_id` of a [`UserTask`]).
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(attendance: feishu_attendance::Attendance) -> feishu_core::Result<()> {
    /// let group = attendance.get_group("6919358128597097404").send().await?;
    /// println!("{} in {}", group.group_name, group.time_zone);
    /// # Ok(()) }
    /// ```
    pub fn get_group(&self, group_id: impl Into<AttendanceGroupId>) -> GetGroup {
        GetGroup::new(self.client.clone(), group_id.into())
    }
}
