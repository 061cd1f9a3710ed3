//! Recalling an instance: `POST /open-apis/approval/v4/instances/cancel`
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/cancel>).

use serde_json::{Value, json};

use feishu_core::{Client, Endpoint, Error, RateLimit, Request, Result};

use crate::codes::APPROVAL_CODES;
use crate::ids::{ApprovalCode, InstanceCode};
use crate::user::ApprovalUser;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/cancel>:
/// 100 per minute; no request id (not retried once sent).
pub(crate) const CANCEL_INSTANCE: Endpoint =
    Endpoint::post("approval.instances.cancel", "approval/v4/instances/cancel")
        .limit(RateLimit::per_minute(100))
        .codes(APPROVAL_CODES);

/// Recalls (cancels) an instance on behalf of its initiator; from
/// [`crate::Approval::cancel_instance`].
///
/// Only possible where the definition's admin settings allow recalling; Feishu documents that
/// recalling a pending instance ends it. Not idempotent: the SDK does not repeat a call that
/// may have reached Feishu; after a timeout
/// [`write_may_have_applied`](Error::write_may_have_applied) is `true` and the instance's
/// status (`CANCELED` or not) tells what happened.
///
/// # Example
/// ```no_run
/// use feishu_approval::Approval;
/// use feishu_core::UserId;
/// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
/// approval
///     .cancel_instance(
///         "7C468A54-8745-2245-9675-08B7C63E7A85",
///         "81D31358-93AF-92D6-7425-01A5D67C4E71",
///         UserId::from("f7cb567e"),
///     )
///     .send()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct CancelInstance {
    client: Client,
    approval_code: ApprovalCode,
    instance_code: InstanceCode,
    initiator: ApprovalUser,
}

impl CancelInstance {
    pub(crate) fn new(
        client: Client,
        approval_code: ApprovalCode,
        instance_code: InstanceCode,
        initiator: ApprovalUser,
    ) -> Self {
        CancelInstance {
            client,
            approval_code,
            instance_code,
            initiator,
        }
    }

    /// Sends the recall. Errors: 1390003 (unknown instance), 1390009 (the user is not the
    /// initiator, or recalling is not allowed).
    pub async fn send(&self) -> Result<()> {
        self.initiator.check("user_id")?;
        for (name, value) in [
            ("approval_code", self.approval_code.as_str()),
            ("instance_code", self.instance_code.as_str()),
        ] {
            if value.trim().is_empty() {
                return Err(Error::invalid_argument(name, "is empty"));
            }
        }
        let body = json!({
            "approval_code": self.approval_code,
            "instance_code": self.instance_code,
            "user_id": self.initiator.as_str(),
        });
        let request = Request::new(CANCEL_INSTANCE, &[])?
            .query("user_id_type", self.initiator.id_type())
            .json(&body)?;
        self.client.send::<Value>(request).await.map(drop)
    }
}
