//! Approval v4 for the feishu-rs SDK: definitions, instance listing, instance details with
//! parsed forms, instance search, and flattening into rows.
//!
//! Start from [`Approval::new`] with a [`feishu_core::Client`]. Every call goes through the
//! core engine (tokens, retries, the `{code, msg, data}` envelope) under the client-side rate
//! limiter of its endpoint family (feishu-api.md §3.3).
//!
//! # Listing instances: 10-hour slices
//!
//! `GET /open-apis/approval/v4/instances` returns the codes of instances *created* in an
//! inclusive window `[start_time, end_time]` (Unix ms), and Feishu's docs say a window must
//! not exceed 10 hours. [`Approval::list_instance_codes`] takes any half-open range
//! `[start_ms, end_ms)` and walks it in consecutive slices of at most 10 hours
//! ([`list::time_slices`]), each sent as `start_time = slice start`,
//! `end_time = slice end - 1`, so an instance created exactly on a slice boundary belongs to
//! exactly one slice. Within a slice it pages by up to 100 codes. The stream is lazy (one
//! page in memory), yields every code once and ends after the first error.
//!
//! # Raw JSON guarantee
//!
//! An [`InstanceDetail`] holds both the typed [`Instance`] and the reply's `data` object
//! unchanged in [`InstanceDetail::raw`]; typed models keep unknown fields in `extra` maps
//! and unknown enum values in `Unknown(String)` arms. Forms arrive as JSON strings:
//! [`Form::parse`] never fails: a form that is not JSON, or a widget of an unknown type, is
//! reported in [`Form::warnings`] while [`Form::raw`] and each [`Widget::raw`] keep the data.
//!
//! # Example
//! ```no_run
//! use futures::{StreamExt, TryStreamExt};
//! use feishu_approval::Approval;
//! use feishu_core::{Client, Credentials};
//! # async fn sample() -> feishu_core::Result<()> {
//! let client = Client::builder()
//!     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
//!     .build()?;
//! let approval = Approval::new(client);
//! let now_ms = 1_735_689_600_000;
//! let codes = approval
//!     .list_instance_codes("3B68E280-CF10-4198-B4CD-2E3BB97981D8", now_ms - 3 * 86_400_000, now_ms)
//!     .into_stream();
//! let mut details = approval.get_instances(codes, 8).boxed();
//! while let Some(detail) = details.try_next().await? {
//!     println!("{} {}", detail.code(), detail.instance.status);
//!     for row in detail.form_rows() {
//!         println!("  {} = {}", row.path, row.value);
//!     }
//! }
//! # Ok(()) }
//! ```

mod codes;
mod comment;
mod definition;
mod definition_form;
mod detail;
mod fetch;
mod form;
mod form_warning;
mod instance;
pub mod list;
mod query;
pub mod rows;
mod task;
mod timeline;
mod times;
mod value;
mod widget;
mod widget_path;

use futures::stream::Stream;

use feishu_core::{Client, Result};

pub use comment::{Comment, FileRef};
pub use definition::{
    ApprovalDefinition, ApproverRange, DefinitionStatus, GetDefinition, Node, NodeType, Viewer,
};
pub use definition_form::{DefinitionForm, WidgetDefinition};
pub use detail::{GetInstance, InstanceDetail};
/// Runs every listing of this crate: `send`, `by_page`, `into_stream`.
pub use feishu_core::ListRequest;
pub use fetch::{DEFAULT_CONCURRENCY, FetchInstances};
pub use form::Form;
pub use form_warning::FormWarning;
pub use instance::{Instance, InstanceStatus};
pub use list::{ListInstanceCodes, TimeSlice};
pub use query::{
    MAX_QUERY_SPAN_MS, QueriedApproval, QueriedGroup, QueriedInstance, QueriedInstanceInfo,
    QueryInstances, QueryStatus,
};
pub use rows::{CommentRow, FormRow, TaskRow, TimelineRow};
pub use task::{Task, TaskStatus, TaskType};
pub use timeline::{CcUser, TimelineEvent, TimelineType};
pub use times::{HOUR_MS, ms_to_rfc3339, parse_rfc3339};
pub use value::{
    DateInterval, DocumentValue, PeriodValue, RemedyValue, ShiftValue, TelephoneValue, TripLeg,
    TripValue, WidgetValue,
};
pub use widget::{Widget, WidgetType};

/// Endpoint family of `GET approval/v4/approvals/:approval_code` (for rate-limit overrides).
pub const ENDPOINT_DEFINITION_GET: &str = definition::GET_DEFINITION.name();
/// Endpoint family of `GET approval/v4/instances`.
pub const ENDPOINT_INSTANCES_LIST: &str = list::LIST_INSTANCES.name();
/// Endpoint family of `GET approval/v4/instances/:instance_id`.
pub const ENDPOINT_INSTANCE_GET: &str = detail::GET_INSTANCE.name();
/// Endpoint family of `POST approval/v4/instances/query`.
pub const ENDPOINT_INSTANCES_QUERY: &str = query::QUERY_INSTANCES.name();

/// The Approval v4 API. Cheap to clone.
///
/// Scopes (any one per endpoint): `approval:approval:readonly` (or `approval:approval`,
/// `approval:definition` / `approval:instance`); the search needs
/// `approval:approval.list:readonly` and works for custom apps only. A missing scope comes
/// back as an `Err` whose [`feishu_core::ApiError::required_scopes`] names it.
#[derive(Debug, Clone)]
pub struct Approval {
    client: Client,
}

impl Approval {
    /// Wraps a client.
    pub fn new(client: Client) -> Self {
        Approval { client }
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A definition, with its form parsed on demand
    /// ([`ApprovalDefinition::form_widgets`]).
    pub fn get_definition(&self, approval_code: impl Into<String>) -> GetDefinition {
        GetDefinition::new(self.client.clone(), approval_code.into())
    }

    /// Codes of `approval_code`'s instances created in `[start_ms, end_ms)` (Unix ms), walked
    /// in ≤ 10-hour slices; see the [crate docs](crate#listing-instances-10-hour-slices).
    pub fn list_instance_codes(
        &self,
        approval_code: impl Into<String>,
        start_ms: i64,
        end_ms: i64,
    ) -> ListInstanceCodes {
        ListInstanceCodes::new(self.client.clone(), approval_code.into(), start_ms, end_ms)
    }

    /// One instance by code (or creation `uuid`).
    pub fn get_instance(&self, instance_id: impl Into<String>) -> GetInstance {
        GetInstance::new(self.client.clone(), instance_id.into())
    }

    /// Instance search with filters.
    pub fn query_instances(&self) -> QueryInstances {
        QueryInstances::new(self.client.clone())
    }

    /// A configurable concurrent fetcher (concurrency, locale, user id type).
    pub fn fetch_instances(&self) -> FetchInstances {
        FetchInstances::new(self.client.clone())
    }

    /// The details of `codes`, `concurrency` at a time, in input order; see
    /// [`FetchInstances`]. A plain list of codes works too:
    /// `futures::stream::iter(codes.into_iter().map(Ok))`.
    pub fn get_instances<S>(
        &self,
        codes: S,
        concurrency: usize,
    ) -> impl Stream<Item = Result<InstanceDetail>> + Send + 'static
    where
        S: Stream<Item = Result<String>> + Send + 'static,
    {
        self.fetch_instances()
            .concurrency(concurrency)
            .stream(codes)
    }
}
