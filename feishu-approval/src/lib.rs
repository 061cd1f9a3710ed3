//! Approval v4 for the feishu-rs SDK: definitions, instance listing, instance details with
//! parsed forms, instance search, and flattening into rows.
//!
//! Start from [`Approval::new`] with a [`feishu_core::Client`]. Every call goes through the
//! core engine (tokens, retries, the `{code, msg, data}` envelope) under the client-side rate
//! limiter of its endpoint family
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval-overview>).
//!
//! | Call | What | Runs as |
//! |---|---|---|
//! | [`Approval::get_definition`] | a definition, its form parsed on demand | `send` |
//! | [`Approval::list_instance_codes`] | codes of instances created in a [`TimeRange`] | [`ListRequest`] |
//! | [`Approval::get_instance`] | one instance | `send` |
//! | [`Approval::batch_get_instances`] | many instances, concurrently, in order | `into_stream` |
//! | [`Approval::search_instances`] | the instance search (filters, custom apps only) | [`ListRequest`] |
//!
//! # Time ranges
//!
//! Every range is a half-open [`TimeRange`] `[start, end)` of [`OffsetDateTime`]s, converted to
//! Feishu's Unix milliseconds on the wire; model times are [`OffsetDateTime`]s too. Feishu does
//! not document whether the end of its windows is inclusive, so ranges are sent with their end
//! touched: nothing in the range is lost under either reading (see [`ListInstanceCodes`]).
//!
//! # Raw JSON guarantee, and replies that do not match the docs
//!
//! An [`InstanceDetail`] holds the reply's `data` unchanged ([`InstanceDetail::raw`]) next to
//! the typed [`Instance`]; typed models keep unknown fields in `extra` maps and unknown enum
//! values in `Unknown(String)` arms. A `task_list`, `comment_list` or `timeline` of the wrong
//! shape never fails an instance: its typed list stays empty or short and
//! [`InstanceDetail::problems`] says why. Forms arrive as JSON strings: [`Form::parse`] never
//! fails: a form that is not JSON, or a widget of an unknown type, is reported in
//! [`Form::warnings`] while [`Form::raw`] and each [`Widget::raw`] keep the data. In a batch,
//! an instance that cannot be fetched for a reason of its own (deleted since it was listed,
//! not readable by the app) is an [`InstanceOutcome::Unavailable`] and the batch goes on.
//!
//! # Example
//! ```no_run
//! use std::time::Duration;
//! use futures::TryStreamExt;
//! use feishu_approval::{Approval, InstanceOutcome, ListRequest};
//! use feishu_core::{Client, Credentials, TimeRange};
//! # async fn sample() -> feishu_core::Result<()> {
//! let client = Client::builder()
//!     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
//!     .build()?;
//! let approval = Approval::new(client);
//! let codes = approval
//!     .list_instance_codes(
//!         "3B68E280-CF10-4198-B4CD-2E3BB97981D8",
//!         TimeRange::last(Duration::from_secs(3 * 86_400)),
//!     )
//!     .into_stream();
//! let mut outcomes = approval.batch_get_instances(codes).into_stream();
//! while let Some(outcome) = outcomes.try_next().await? {
//!     let InstanceOutcome::Fetched(detail) = outcome else { continue };
//!     println!("{} {}", detail.code(), detail.instance().status);
//!     for row in detail.form_rows() {
//!         println!("  {} = {}", row.path, row.value);
//!     }
//! }
//! # Ok(()) }
//! ```

mod batch_get;
mod codes;
mod comment;
mod definition;
mod definition_form;
mod detail;
mod form;
mod form_warning;
mod ids;
mod instance;
mod instance_codes;
mod rows;
mod search;
mod task;
mod timeline;
mod timestamp;
mod value;
mod widget;
mod widget_path;

use futures::stream::Stream;

use feishu_core::{Client, Result, TimeRange};

pub use batch_get::{BatchGetInstances, DEFAULT_CONCURRENCY, InstanceOutcome};
pub use comment::{Comment, FileRef};
pub use definition::{
    ApprovalDefinition, ApproverRange, DefinitionStatus, GetDefinition, Node, NodeType, Viewer,
};
pub use definition_form::{DefinitionForm, WidgetDefinition};
pub use detail::{GetInstance, InstanceDetail};
/// Runs every listing of this crate: `send`, `by_page`, `into_stream`.
pub use feishu_core::ListRequest;
pub use form::Form;
pub use form_warning::FormWarning;
pub use ids::{ApprovalCode, InstanceCode};
pub use instance::{DecodeProblem, Instance, InstanceStatus};
pub use instance_codes::{ListInstanceCodes, MAX_LIST_PAGE_SIZE, MAX_SLICE};
pub use rows::{CommentRow, FormRow, TaskRow, TimelineRow, form_rows};
pub use search::{
    MAX_SEARCH_SPAN, SearchInstances, SearchStatus, SearchedApproval, SearchedGroup,
    SearchedInstance, SearchedInstanceInfo,
};
pub use task::{Task, TaskStatus, TaskType};
pub use timeline::{CcUser, TimelineEvent, TimelineType};
pub use value::{
    DateInterval, DocumentValue, PeriodValue, RemedyValue, ShiftValue, TelephoneValue, TripLeg,
    TripValue, WidgetValue, parse_rfc3339,
};
pub use widget::{Widget, WidgetType};

#[cfg(doc)]
use time::OffsetDateTime;

/// Endpoint family of `GET approval/v4/approvals/:approval_code` (for rate-limit overrides).
pub const ENDPOINT_DEFINITION_GET: &str = definition::GET_DEFINITION.name();
/// Endpoint family of `GET approval/v4/instances`.
pub const ENDPOINT_INSTANCES_LIST: &str = instance_codes::LIST_INSTANCES.name();
/// Endpoint family of `GET approval/v4/instances/:instance_id`.
pub const ENDPOINT_INSTANCE_GET: &str = detail::GET_INSTANCE.name();
/// Endpoint family of `POST approval/v4/instances/query` (the search).
pub const ENDPOINT_INSTANCES_QUERY: &str = search::SEARCH_INSTANCES.name();

/// The Approval v4 API. Cheap to clone.
///
/// Scopes (any one per endpoint): `approval:approval:readonly` (or `approval:approval`,
/// `approval:definition` / `approval:instance`); the search needs
/// `approval:approval.list:readonly` and works for custom apps only. A missing scope comes
/// back as an `Err` whose [`feishu_core::ApiError::required_scopes`] names it.
///
/// # Example
/// ```no_run
/// use feishu_approval::Approval;
/// use feishu_core::{Client, Credentials};
/// # fn sample() -> feishu_core::Result<()> {
/// let client = Client::builder()
///     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
///     .build()?;
/// let approval = Approval::new(client);
/// # let _ = approval; Ok(()) }
/// ```
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

    /// A definition, with its form parsed on demand ([`ApprovalDefinition::form_widgets`]);
    /// see [`GetDefinition`].
    pub fn get_definition(&self, approval_code: impl Into<ApprovalCode>) -> GetDefinition {
        GetDefinition::new(self.client.clone(), approval_code.into())
    }

    /// Codes of `approval_code`'s instances created in `created` (`[start, end)`), walked in
    /// slices of at most 10 hours; see [`ListInstanceCodes`].
    pub fn list_instance_codes(
        &self,
        approval_code: impl Into<ApprovalCode>,
        created: TimeRange,
    ) -> ListInstanceCodes {
        ListInstanceCodes::new(self.client.clone(), approval_code.into(), created)
    }

    /// One instance by code (or creation `uuid`); see [`GetInstance`].
    pub fn get_instance(&self, instance: impl Into<InstanceCode>) -> GetInstance {
        GetInstance::new(self.client.clone(), instance.into())
    }

    /// The details of a stream of codes, concurrently and in order, one
    /// [`InstanceOutcome`] per code; see [`BatchGetInstances`]. A listing's stream feeds it
    /// directly; so does a plain list: `futures::stream::iter(codes.into_iter().map(Ok))`.
    pub fn batch_get_instances<S, C>(&self, codes: S) -> BatchGetInstances
    where
        S: Stream<Item = Result<C>> + Send + 'static,
        C: Into<InstanceCode>,
    {
        BatchGetInstances::new(self.client.clone(), codes)
    }

    /// The instance search with filters; see [`SearchInstances`].
    pub fn search_instances(&self) -> SearchInstances {
        SearchInstances::new(self.client.clone())
    }
}
