//! Approval v4 for the feishu-rs SDK: definitions, instance listing, instance details with
//! parsed forms, instance search, flattening into rows, and the writes applications make:
//! creating instances from a checked form, task actions, recalls, comments and event
//! subscriptions.
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
//! | [`Approval::create_instance`] | a new instance from a [`FormInput`] checked against the definition | `send` |
//! | [`Approval::approve_task`], [`Approval::reject_task`] | decide a task | `send` |
//! | [`Approval::transfer_task`] | hand a task to someone else | `send` |
//! | [`Approval::cancel_instance`] | recall an instance | `send` |
//! | [`Approval::create_comment`] | comment on an instance | `send` |
//! | [`Approval::list_comments`] | an instance's comments and replies | [`ListRequest`] |
//! | [`Approval::subscribe`], [`Approval::unsubscribe`] | a definition's events for this app | `async fn` |
//!
//! # Writes and retries
//!
//! Feishu gives only the instance creation an idempotency key (its `uuid`). So:
//!
//! - [`CreateInstance`] sends a `uuid` (generated per builder, or yours) and is retried after a
//!   timeout or a reset connection like a read; a repeat that Feishu refuses as "uuid already
//!   used" is answered with the instance that uuid created ([`CreatedInstance::recovered`]).
//! - Subscribing and unsubscribing are naturally idempotent (a repeat answers "already done",
//!   read as success) and retried.
//! - Approve, reject, transfer, recall and comment carry no request id: the SDK never sends
//!   one again once it may have reached Feishu. A timeout or a broken connection then fails
//!   with [`feishu_core::Error::write_may_have_applied`] `true`: read the instance before
//!   acting again. Rate-limit answers are retried for every call (Feishu did not process
//!   the request).
//!
//! Form values are checked before anything is sent: a widget id the definition does not
//! have, a value of the wrong type, an unknown option id or a missing required widget is an
//! [`feishu_core::Error::InvalidArgument`] naming the widget, not a Feishu error code.
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
mod cancel;
mod codes;
mod comment;
mod create;
mod definition;
mod definition_form;
mod detail;
mod form;
mod form_check;
mod form_input;
mod form_warning;
mod ids;
mod instance;
mod instance_codes;
mod instance_comment;
mod request_uuid;
mod rows;
mod search;
mod subscription;
mod task;
mod task_action;
mod timeline;
mod timestamp;
mod user;
mod value;
mod widget;
mod widget_path;

use futures::stream::Stream;

use feishu_core::{Client, Result, TimeRange};

pub use batch_get::{BatchGetInstances, DEFAULT_CONCURRENCY, InstanceOutcome};
pub use cancel::CancelInstance;
pub use comment::{Comment, FileRef};
pub use create::{CreateInstance, CreatedInstance, MAX_UUID_LEN};
pub use definition::{
    ApprovalDefinition, ApproverRange, DefinitionStatus, GetDefinition, Node, NodeType, Viewer,
};
pub use definition_form::{DefinitionForm, WidgetDefinition};
pub use detail::{GetInstance, InstanceDetail};
/// Runs every listing of this crate: `send`, `by_page`, `into_stream`.
pub use feishu_core::ListRequest;
pub use form::Form;
pub use form_check::CheckedForm;
pub use form_input::{FormInput, WidgetInput};
pub use form_warning::FormWarning;
pub use ids::{ApprovalCode, CommentId, InstanceCode, TaskId};
pub use instance::{DecodeProblem, Instance, InstanceStatus};
pub use instance_codes::{ListInstanceCodes, MAX_LIST_PAGE_SIZE, MAX_SLICE};
pub use instance_comment::{
    AtInfo, CreateComment, InstanceComment, ListComments, MAX_COMMENT_PAGE_SIZE,
};
pub use rows::{CommentRow, FormRow, TaskRow, TimelineRow, form_rows};
pub use search::{
    MAX_SEARCH_SPAN, SearchInstances, SearchStatus, SearchedApproval, SearchedGroup,
    SearchedInstance, SearchedInstanceInfo,
};
pub use subscription::SubscriptionChange;
pub use task::{Task, TaskStatus, TaskType};
pub use task_action::{DecideTask, TaskRef, TransferTask};
pub use timeline::{CcUser, TimelineEvent, TimelineType};
pub use user::ApprovalUser;
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
/// Endpoint family of `POST approval/v4/instances` (create; 100 per minute).
pub const ENDPOINT_INSTANCE_CREATE: &str = create::CREATE_INSTANCE.name();
/// Endpoint family of `POST approval/v4/tasks/approve` (100 per minute).
pub const ENDPOINT_TASK_APPROVE: &str = task_action::APPROVE_TASK.name();
/// Endpoint family of `POST approval/v4/tasks/reject` (100 per minute).
pub const ENDPOINT_TASK_REJECT: &str = task_action::REJECT_TASK.name();
/// Endpoint family of `POST approval/v4/tasks/transfer` (100 per minute).
pub const ENDPOINT_TASK_TRANSFER: &str = task_action::TRANSFER_TASK.name();
/// Endpoint family of `POST approval/v4/instances/cancel` (100 per minute).
pub const ENDPOINT_INSTANCE_CANCEL: &str = cancel::CANCEL_INSTANCE.name();
/// Endpoint family of `POST approval/v4/instances/:instance_id/comments` (1000 per minute
/// and 50 per second).
pub const ENDPOINT_COMMENT_CREATE: &str = instance_comment::CREATE_COMMENT.name();
/// Endpoint family of `GET approval/v4/instances/:instance_id/comments`.
pub const ENDPOINT_COMMENTS_LIST: &str = instance_comment::LIST_COMMENTS.name();
/// Endpoint family of `POST approval/v4/approvals/:approval_code/subscribe` (100 per minute).
pub const ENDPOINT_SUBSCRIBE: &str = subscription::SUBSCRIBE.name();
/// Endpoint family of `POST approval/v4/approvals/:approval_code/unsubscribe`.
pub const ENDPOINT_UNSUBSCRIBE: &str = subscription::UNSUBSCRIBE.name();

/// The Approval v4 API. Cheap to clone.
///
/// Scopes (any one per endpoint): `approval:approval:readonly` (or `approval:approval`,
/// `approval:definition` / `approval:instance`); the search needs
/// `approval:approval.list:readonly` and works for custom apps only. Writes: creating and
/// recalling need `approval:approval` or `approval:instance`; task actions `approval:task`
/// (or `approval:approval`); comments `approval:instance.comment`; subscriptions
/// `approval:definition` (or `approval:approval`). A missing scope comes
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

    /// A new instance of `approval_code` started by `initiator` (by `user_id` or `open_id`)
    /// with a form checked by [`FormInput::check`]; see [`CreateInstance`] (idempotent through
    /// its `uuid`).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_approval::{Approval, FormInput, WidgetInput};
    /// use feishu_core::UserId;
    /// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
    /// let code = "3B68E280-CF10-4198-B4CD-2E3BB97981D8";
    /// let form = FormInput::new()
    ///     .set("widget_reason", WidgetInput::text("team offsite"))
    ///     .check(&approval.get_definition(code).send().await?.form_widgets())?;
    /// let created = approval.create_instance(code, UserId::from("f7cb567e"), form).send().await?;
    /// println!("{}", created.instance_code);
    /// # Ok(()) }
    /// ```
    pub fn create_instance(
        &self,
        approval_code: impl Into<ApprovalCode>,
        initiator: impl Into<ApprovalUser>,
        form: CheckedForm,
    ) -> CreateInstance {
        CreateInstance::new(
            self.client.clone(),
            approval_code.into(),
            initiator.into(),
            form,
        )
    }

    /// Approves `task` as `approver`; see [`DecideTask`] (not retried once sent).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_approval::{Approval, TaskStatus};
    /// use feishu_core::OpenId;
    /// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
    /// let detail = approval.get_instance("81D31358-93AF-92D6-7425-01A5D67C4E71").send().await?;
    /// for task in detail.instance().task_list.iter().filter(|t| t.status == TaskStatus::Pending) {
    ///     let approver = OpenId::from(task.open_id.as_str());
    ///     approval.approve_task(detail.task_ref(task), approver).comment("OK").send().await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn approve_task(&self, task: TaskRef, approver: impl Into<ApprovalUser>) -> DecideTask {
        DecideTask::approve(self.client.clone(), task, approver.into())
    }

    /// Rejects `task` as `approver`; see [`DecideTask`] (not retried once sent).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_approval::{Approval, TaskRef};
    /// use feishu_core::UserId;
    /// # async fn sample(approval: Approval, task: TaskRef) -> feishu_core::Result<()> {
    /// approval.reject_task(task, UserId::from("f7cb567e")).comment("over budget").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn reject_task(&self, task: TaskRef, approver: impl Into<ApprovalUser>) -> DecideTask {
        DecideTask::reject(self.client.clone(), task, approver.into())
    }

    /// Hands `task` from `approver` to `to` (both named by the same kind of id); see
    /// [`TransferTask`] (not retried once sent).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_approval::{Approval, TaskRef};
    /// use feishu_core::UserId;
    /// # async fn sample(approval: Approval, task: TaskRef) -> feishu_core::Result<()> {
    /// approval
    ///     .transfer_task(task, UserId::from("f7cb567e"), UserId::from("579fd9c4"))
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn transfer_task(
        &self,
        task: TaskRef,
        approver: impl Into<ApprovalUser>,
        to: impl Into<ApprovalUser>,
    ) -> TransferTask {
        TransferTask::new(self.client.clone(), task, approver.into(), to.into())
    }

    /// Recalls an instance on behalf of its initiator; see [`CancelInstance`] (not retried
    /// once sent).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_approval::Approval;
    /// use feishu_core::OpenId;
    /// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
    /// approval
    ///     .cancel_instance(
    ///         "3B68E280-CF10-4198-B4CD-2E3BB97981D8",
    ///         "81D31358-93AF-92D6-7425-01A5D67C4E71",
    ///         OpenId::from("ou_806a18fb5bdf525e38ba219733bdbd73"),
    ///     )
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn cancel_instance(
        &self,
        approval_code: impl Into<ApprovalCode>,
        instance: impl Into<InstanceCode>,
        initiator: impl Into<ApprovalUser>,
    ) -> CancelInstance {
        CancelInstance::new(
            self.client.clone(),
            approval_code.into(),
            instance.into(),
            initiator.into(),
        )
    }

    /// A comment on `instance` by `author`; see [`CreateComment`] (not retried once sent).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_approval::Approval;
    /// use feishu_core::UserId;
    /// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
    /// let id = approval
    ///     .create_comment("81D31358-93AF-92D6-7425-01A5D67C4E71", UserId::from("f7cb567e"), "received")
    ///     .send()
    ///     .await?;
    /// # let _ = id; Ok(()) }
    /// ```
    pub fn create_comment(
        &self,
        instance: impl Into<InstanceCode>,
        author: impl Into<ApprovalUser>,
        text: impl Into<String>,
    ) -> CreateComment {
        CreateComment::new(
            self.client.clone(),
            instance.into(),
            author.into(),
            text.into(),
        )
    }

    /// The comments of `instance` as `viewer` sees them; see [`ListComments`].
    ///
    /// # Example
    /// ```no_run
    /// use feishu_approval::{Approval, ListRequest};
    /// use feishu_core::UserId;
    /// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
    /// let first = approval
    ///     .list_comments("81D31358-93AF-92D6-7425-01A5D67C4E71", UserId::from("f7cb567e"))
    ///     .send()
    ///     .await?;
    /// println!("{} comments", first.items.len());
    /// # Ok(()) }
    /// ```
    pub fn list_comments(
        &self,
        instance: impl Into<InstanceCode>,
        viewer: impl Into<ApprovalUser>,
    ) -> ListComments {
        ListComments::new(self.client.clone(), instance.into(), viewer.into())
    }

    /// Turns on this app's events for `approval_code` (needed once per app and definition,
    /// besides adding the events in the developer console). A repeat is not an error:
    /// [`SubscriptionChange::AlreadyInPlace`].
    ///
    /// # Example
    /// ```no_run
    /// use feishu_approval::{Approval, SubscriptionChange};
    /// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
    /// match approval.subscribe("3B68E280-CF10-4198-B4CD-2E3BB97981D8").await? {
    ///     SubscriptionChange::Applied => println!("subscribed"),
    ///     _ => println!("was already subscribed"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn subscribe(
        &self,
        approval_code: impl Into<ApprovalCode>,
    ) -> Result<SubscriptionChange> {
        subscription::change(&self.client, subscription::SUBSCRIBE, &approval_code.into()).await
    }

    /// Turns this app's events for `approval_code` off; a repeat is
    /// [`SubscriptionChange::AlreadyInPlace`].
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(approval: feishu_approval::Approval) -> feishu_core::Result<()> {
    /// approval.unsubscribe("3B68E280-CF10-4198-B4CD-2E3BB97981D8").await?;
    /// # Ok(()) }
    /// ```
    pub async fn unsubscribe(
        &self,
        approval_code: impl Into<ApprovalCode>,
    ) -> Result<SubscriptionChange> {
        subscription::change(
            &self.client,
            subscription::UNSUBSCRIBE,
            &approval_code.into(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use feishu_core::{Idempotency, RateLimit};

    use super::*;

    /// The retry class and the documented limit of every write: a change here changes what
    /// the SDK may send twice.
    #[test]
    fn writes_declare_their_retry_class_and_limit() {
        let per_minute_100 = RateLimit::per_minute(100);
        let cases = [
            (
                create::CREATE_INSTANCE,
                Idempotency::WithToken,
                per_minute_100,
            ),
            (
                task_action::APPROVE_TASK,
                Idempotency::NotIdempotent,
                per_minute_100,
            ),
            (
                task_action::REJECT_TASK,
                Idempotency::NotIdempotent,
                per_minute_100,
            ),
            (
                task_action::TRANSFER_TASK,
                Idempotency::NotIdempotent,
                per_minute_100,
            ),
            (
                cancel::CANCEL_INSTANCE,
                Idempotency::NotIdempotent,
                per_minute_100,
            ),
            (
                instance_comment::CREATE_COMMENT,
                Idempotency::NotIdempotent,
                RateLimit::per_minute(1000).and_per_second(50),
            ),
            (
                subscription::SUBSCRIBE,
                Idempotency::Idempotent,
                per_minute_100,
            ),
            (
                subscription::UNSUBSCRIBE,
                Idempotency::Idempotent,
                per_minute_100,
            ),
        ];
        for (endpoint, idempotency, limit) in cases {
            assert_eq!(
                endpoint.idempotency_kind(),
                idempotency,
                "{}",
                endpoint.name()
            );
            assert_eq!(endpoint.rate_limit(), limit, "{}", endpoint.name());
        }
        assert_eq!(
            instance_comment::LIST_COMMENTS.idempotency_kind(),
            Idempotency::Read
        );
    }
}
