//! Turning a definition's events on and off for this app:
//! `POST /open-apis/approval/v4/approvals/:approval_code/subscribe` and `…/unsubscribe`
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/subscribe>,
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/unsubscribe>).

use serde_json::Value;

use feishu_core::{Client, Endpoint, Idempotency, RateLimit, Request, Result};

use crate::codes::{APPROVAL_CODES, SUBSCRIPTION_EXISTED};
use crate::ids::ApprovalCode;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/subscribe>:
/// 100 per minute. A repeat answers 1390007, read as "already subscribed", so the call is
/// safe to repeat after a timeout.
pub(crate) const SUBSCRIBE: Endpoint = Endpoint::post(
    "approval.approvals.subscribe",
    "approval/v4/approvals/{approval_code}/subscribe",
)
.idempotency(Idempotency::Idempotent)
.limit(RateLimit::per_minute(100))
.codes(APPROVAL_CODES);

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/unsubscribe>:
/// 100 per minute; a repeat answers 1390007 as well.
pub(crate) const UNSUBSCRIBE: Endpoint = Endpoint::post(
    "approval.approvals.unsubscribe",
    "approval/v4/approvals/{approval_code}/unsubscribe",
)
.idempotency(Idempotency::Idempotent)
.limit(RateLimit::per_minute(100))
.codes(APPROVAL_CODES);

/// What a subscribe or unsubscribe call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubscriptionChange {
    /// The subscription was turned on (or off).
    Applied,
    /// It already was: Feishu answered 1390007 ("subscription existed", which its docs also
    /// use for a repeated unsubscribe).
    AlreadyInPlace,
}

/// One subscribe or unsubscribe call, 1390007 read as success.
pub(crate) async fn change(
    client: &Client,
    endpoint: Endpoint,
    approval_code: &ApprovalCode,
) -> Result<SubscriptionChange> {
    let request = Request::new(endpoint, &[approval_code.as_str()])?;
    match client.send::<Value>(request).await {
        Ok(_) => Ok(SubscriptionChange::Applied),
        Err(e) if e.api_code() == Some(SUBSCRIPTION_EXISTED) => {
            Ok(SubscriptionChange::AlreadyInPlace)
        }
        Err(e) => Err(e),
    }
}
