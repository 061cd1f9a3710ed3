//! Typed Attendance v1 API of the Feishu / Lark Open Platform: punch flows and punch results
//! (tasks) for any number of users over any time range.
//!
//! - [`Attendance::user_flows`] — `POST attendance/v1/user_flows/query` ([`UserFlow`]): the
//!   valid punches in `[from, to)`.
//! - [`Attendance::user_tasks`] — `POST attendance/v1/user_tasks/query` ([`UserTask`]): one
//!   result per user, day and shift segment, dates inclusive.
//!
//! Both split the users into calls of at most 50 ids and the range into windows (flows: 30
//! days by default, tasks: 30 days; Feishu documents no maximum, so both are configurable),
//! run the calls with bounded concurrency under the client's rate limiter (50/s), and yield
//! a lazy stream, per item or per call ([`FlowBatch`], [`TaskBatch`]).
//!
//! Users are named by [`EmployeeType`]: `employee_id` is Contact's `user_id`, `employee_no`
//! the HR number. Without explicit ids the users come from a
//! [`feishu_contact`] directory walk (with `user_id_type=user_id`, which needs
//! `contact:user.employee_id:readonly`).
//!
//! Scopes: `attendance:task:readonly`, custom apps only, and the users must be inside the
//! app's attendance data scope (else 1220005 / 1220004).
//!
//! # Example
//! ```no_run
//! use feishu_attendance::{Attendance, EmployeeType};
//! use feishu_core::{Client, Credentials};
//! use futures::TryStreamExt;
//! use time::macros::datetime;
//!
//! # async fn sample() -> feishu_core::Result<()> {
//! let client = Client::builder()
//!     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
//!     .build()?;
//! let attendance = Attendance::new(client);
//! let mut flows = attendance
//!     .user_flows(
//!         EmployeeType::EmployeeId,
//!         datetime!(2025-01-01 00:00 +08:00),
//!         datetime!(2025-02-15 00:00 +08:00),
//!     )
//!     .user_ids(["a1b2c3d4", "e5f6a7b8"])
//!     .into_stream();
//! while let Some(flow) = flows.try_next().await? {
//!     println!("{} punched at {:?} ({:?})", flow.user_id, flow.check_time_utc(), flow.flow_type);
//! }
//! # Ok(()) }
//! ```

mod common;
mod de;
mod flow;
mod flows;
mod task;
mod tasks;

use feishu_contact::Contact;
use feishu_core::Client;
use time::{Date, OffsetDateTime};

pub use common::{EmployeeType, MAX_USER_IDS_PER_CALL};
pub use flow::{FlowType, UserFlow};
pub use flows::{DEFAULT_FLOW_WINDOW, FlowBatch, QueryUserFlows, TimeWindow, split_time_range};
pub use task::{CheckResult, ResultSupplement, TaskRecord, UserTask};
pub use tasks::{
    DEFAULT_TASK_WINDOW_DAYS, DateWindow, QueryUserTasks, TaskBatch, split_date_range, yyyymmdd,
};

/// The `time` version this crate's dates and times come from.
pub use time;

/// Entry point to Attendance v1. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Attendance {
    client: Client,
    contact: Contact,
}

impl Attendance {
    /// Wraps a client (the same client serves the Contact walk for "all users").
    pub fn new(client: Client) -> Self {
        Attendance {
            contact: Contact::new(client.clone()),
            client,
        }
    }

    /// Punch flows in `[from, to)` (only the instants matter; any offset works). `from == to`
    /// yields nothing; `to < from` is an error.
    pub fn user_flows(
        &self,
        employee_type: EmployeeType,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> QueryUserFlows {
        QueryUserFlows::new(
            self.client.clone(),
            self.contact.walk_directory(),
            employee_type,
            from,
            to,
        )
    }

    /// Punch results for the work days `from..=to` (`to < from` is an error).
    pub fn user_tasks(&self, employee_type: EmployeeType, from: Date, to: Date) -> QueryUserTasks {
        QueryUserTasks::new(
            self.client.clone(),
            self.contact.walk_directory(),
            employee_type,
            from,
            to,
        )
    }
}
