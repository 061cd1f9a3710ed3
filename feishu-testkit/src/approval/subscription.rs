//! Per-definition event subscriptions: `POST /open-apis/approval/v4/approvals/:approval_code/subscribe`
//! and `…/unsubscribe`
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/subscribe>).
//! A repeat answers 1390007 "subscription existed", which the docs use for a repeated
//! unsubscribe too.

use std::sync::Mutex;

use serde_json::json;

use super::data::{ApprovalData, built};
use super::handlers::{APPROVAL_DELETED, APPROVAL_NOT_FOUND};
use crate::reply::Reply;

/// Already subscribed, or already unsubscribed.
const SUBSCRIPTION_EXISTED: i64 = 1390007;

/// Subscribes (`on`) or unsubscribes the app from `approval_code`'s events.
pub(super) fn set_subscription(data: &Mutex<ApprovalData>, approval_code: &str, on: bool) -> Reply {
    let mut data = built(data);
    match data.definition(approval_code) {
        None => return Reply::err(400, APPROVAL_NOT_FOUND, "approval code not found"),
        Some(d) if d.deleted => {
            return Reply::err(400, APPROVAL_DELETED, "approval has been deleted");
        }
        Some(_) => {}
    }
    let changed = if on {
        data.subscribed.insert(approval_code.to_string())
    } else {
        data.subscribed.remove(approval_code)
    };
    if changed {
        Reply::ok(json!({}))
    } else {
        Reply::err(400, SUBSCRIPTION_EXISTED, "subscription existed")
    }
}
