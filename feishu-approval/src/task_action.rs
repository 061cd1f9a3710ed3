//! Acting on one approval task: approve, reject, transfer
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/task/approve>,
//! `…/task/reject`, `…/task/transfer`).
//!
//! None of them carries a request id, so none is repeated once it may have reached Feishu:
//! after a timeout or a reset connection the call fails with
//! [`Error::write_may_have_applied`](feishu_core::Error::write_may_have_applied) and the
//! caller reads the instance to learn whether the task is still pending.

use serde_json::{Map, Value, json};

use feishu_core::{Client, Endpoint, Error, RateLimit, Request, Result};

use crate::codes::APPROVAL_CODES;
use crate::detail::InstanceDetail;
use crate::form_check::CheckedForm;
use crate::ids::{ApprovalCode, InstanceCode, TaskId};
use crate::task::Task;
use crate::user::ApprovalUser;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/task/approve>:
/// 100 per minute; no request id (not retried once sent).
pub(crate) const APPROVE_TASK: Endpoint =
    Endpoint::post("approval.tasks.approve", "approval/v4/tasks/approve")
        .limit(RateLimit::per_minute(100))
        .codes(APPROVAL_CODES);

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/task/reject>:
/// 100 per minute; no request id.
pub(crate) const REJECT_TASK: Endpoint =
    Endpoint::post("approval.tasks.reject", "approval/v4/tasks/reject")
        .limit(RateLimit::per_minute(100))
        .codes(APPROVAL_CODES);

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/task/transfer>:
/// 100 per minute; no request id.
pub(crate) const TRANSFER_TASK: Endpoint =
    Endpoint::post("approval.tasks.transfer", "approval/v4/tasks/transfer")
        .limit(RateLimit::per_minute(100))
        .codes(APPROVAL_CODES);

/// The task an action applies to: its definition, its instance and its id (`task_list[].id`
/// of the instance GET).
///
/// # Example
/// ```
/// use feishu_approval::TaskRef;
/// let task = TaskRef::new(
///     "7C468A54-8745-2245-9675-08B7C63E7A85",
///     "81D31358-93AF-92D6-7425-01A5D67C4E71",
///     "7452828080402153491",
/// );
/// assert_eq!(task.task_id, "7452828080402153491");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TaskRef {
    /// The definition.
    pub approval_code: ApprovalCode,
    /// The instance.
    pub instance_code: InstanceCode,
    /// The task.
    pub task_id: TaskId,
}

impl TaskRef {
    /// A task by its three ids.
    pub fn new(
        approval_code: impl Into<ApprovalCode>,
        instance_code: impl Into<InstanceCode>,
        task_id: impl Into<TaskId>,
    ) -> Self {
        TaskRef {
            approval_code: approval_code.into(),
            instance_code: instance_code.into(),
            task_id: task_id.into(),
        }
    }

    fn body(&self, actor: &ApprovalUser) -> Result<Map<String, Value>> {
        actor.check("user_id")?;
        for (name, value) in [
            ("approval_code", self.approval_code.as_str()),
            ("instance_code", self.instance_code.as_str()),
            ("task_id", self.task_id.as_str()),
        ] {
            if value.trim().is_empty() {
                return Err(Error::invalid_argument(name, "is empty"));
            }
        }
        let mut body = Map::new();
        body.insert("approval_code".into(), json!(self.approval_code));
        body.insert("instance_code".into(), json!(self.instance_code));
        body.insert("task_id".into(), json!(self.task_id));
        body.insert("user_id".into(), json!(actor.as_str()));
        Ok(body)
    }
}

impl InstanceDetail {
    /// The [`TaskRef`] of one of this instance's tasks (e.g. one whose status is
    /// [`Pending`](crate::TaskStatus::Pending)), for the task actions.
    ///
    /// # Example
    /// ```
    /// use feishu_approval::{InstanceDetail, TaskStatus};
    /// let detail = InstanceDetail::from_json(r#"{"approval_code":"A-1","instance_code":"I-1",
    ///     "task_list":[{"id":"T-1","status":"PENDING","open_id":"ou_1"}]}"#)?;
    /// let task = &detail.instance().task_list[0];
    /// assert_eq!(task.status, TaskStatus::Pending);
    /// let task_ref = detail.task_ref(task);
    /// assert_eq!((task_ref.instance_code.as_str(), task_ref.task_id.as_str()), ("I-1", "T-1"));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn task_ref(&self, task: &Task) -> TaskRef {
        TaskRef::new(
            self.instance().approval_code.clone(),
            self.code().clone(),
            task.id.as_str(),
        )
    }
}

/// Approves or rejects a task; from [`crate::Approval::approve_task`] and
/// [`crate::Approval::reject_task`].
///
/// Not idempotent (Feishu gives these calls no request id): the SDK does not repeat one that
/// may have reached Feishu. After a timeout or a broken connection the error's
/// [`write_may_have_applied`](Error::write_may_have_applied) is `true`: read the instance
/// ([`crate::Approval::get_instance`]) and act again only if the task is still pending:
///
/// ```no_run
/// use feishu_approval::{Approval, TaskRef, TaskStatus};
/// use feishu_core::OpenId;
/// # async fn sample(approval: Approval, task: TaskRef, me: OpenId) -> feishu_core::Result<()> {
/// match approval.approve_task(task.clone(), me.clone()).send().await {
///     Err(e) if e.write_may_have_applied() => {
///         let detail = approval.get_instance(&task.instance_code).send().await?;
///         let still_pending = detail.instance().task_list.iter()
///             .any(|t| t.id == task.task_id.as_str() && t.status == TaskStatus::Pending);
///         if still_pending {
///             approval.approve_task(task, me).send().await?;
///         }
///     }
///     other => other?,
/// }
/// # Ok(()) }
/// ```
///
/// # Example
/// ```no_run
/// use feishu_approval::{Approval, TaskRef};
/// use feishu_core::UserId;
/// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
/// let task = TaskRef::new("7C468A54-8745-2245-9675-08B7C63E7A85", "81D31358-93AF-92D6-7425-01A5D67C4E71", "7452828080402153491");
/// approval
///     .approve_task(task, UserId::from("f7cb567e"))
///     .comment("OK, within budget")
///     .send()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct DecideTask {
    client: Client,
    endpoint: Endpoint,
    task: TaskRef,
    approver: ApprovalUser,
    comment: Option<String>,
    form: Option<CheckedForm>,
}

impl DecideTask {
    pub(crate) fn approve(client: Client, task: TaskRef, approver: ApprovalUser) -> Self {
        DecideTask::new(client, APPROVE_TASK, task, approver)
    }

    pub(crate) fn reject(client: Client, task: TaskRef, approver: ApprovalUser) -> Self {
        DecideTask::new(client, REJECT_TASK, task, approver)
    }

    fn new(client: Client, endpoint: Endpoint, task: TaskRef, approver: ApprovalUser) -> Self {
        DecideTask {
            client,
            endpoint,
            task,
            approver,
            comment: None,
            form: None,
        }
    }

    /// The approver's comment.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Widget values the process's branch conditions need (checked against the definition
    /// like a creation form).
    pub fn form(mut self, form: CheckedForm) -> Self {
        self.form = Some(form);
        self
    }

    /// Sends the decision. Errors: 1390003 (unknown instance), 1390010 (unknown task),
    /// 1390009 (the user may not act on it), 1390018 (the node needs a handwritten
    /// signature); a task that is no longer pending is refused by Feishu.
    pub async fn send(&self) -> Result<()> {
        let mut body = self.task.body(&self.approver)?;
        if let Some(comment) = &self.comment {
            body.insert("comment".into(), json!(comment));
        }
        if let Some(form) = &self.form {
            body.insert("form".into(), json!(form.as_json()));
        }
        let request = Request::new(self.endpoint, &[])?
            .query("user_id_type", self.approver.id_type())
            .json(&body)?;
        self.client.send::<Value>(request).await.map(drop)
    }
}

/// Hands a task to someone else; from [`crate::Approval::transfer_task`]. Not idempotent,
/// like [`DecideTask`].
///
/// # Example
/// ```no_run
/// use feishu_approval::{Approval, TaskRef};
/// use feishu_core::OpenId;
/// # async fn sample(approval: Approval, task: TaskRef) -> feishu_core::Result<()> {
/// approval
///     .transfer_task(
///         task,
///         OpenId::from("ou_3cda9c969f737aaa05e6915dce306cb9"),
///         OpenId::from("ou_806a18fb5bdf525e38ba219733bdbd73"),
///     )
///     .comment("on leave this week")
///     .send()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct TransferTask {
    client: Client,
    task: TaskRef,
    approver: ApprovalUser,
    to: ApprovalUser,
    comment: Option<String>,
}

impl TransferTask {
    pub(crate) fn new(
        client: Client,
        task: TaskRef,
        approver: ApprovalUser,
        to: ApprovalUser,
    ) -> Self {
        TransferTask {
            client,
            task,
            approver,
            to,
            comment: None,
        }
    }

    /// A comment.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Sends the transfer. The current approver and the new one must be named by the same
    /// kind of id (one `user_id_type` covers both).
    pub async fn send(&self) -> Result<()> {
        self.to.check("transfer_user_id")?;
        if self.to.id_type() != self.approver.id_type() {
            return Err(Error::invalid_argument(
                "transfer_user_id",
                format!(
                    "named by {} while the approver is named by {}; use the same kind of id",
                    self.to.id_type(),
                    self.approver.id_type()
                ),
            ));
        }
        let mut body = self.task.body(&self.approver)?;
        body.insert("transfer_user_id".into(), json!(self.to.as_str()));
        if let Some(comment) = &self.comment {
            body.insert("comment".into(), json!(comment));
        }
        let request = Request::new(TRANSFER_TASK, &[])?
            .query("user_id_type", self.approver.id_type())
            .json(&body)?;
        self.client.send::<Value>(request).await.map(drop)
    }
}
