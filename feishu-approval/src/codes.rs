//! Approval's documented error codes, shared by its endpoint declarations: the error tables of
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/get>
//! and its sibling pages, and the legacy codes of
//! <https://open.feishu.cn/document/ukTMukTMukTM/ugjM14COyUjL4ITN>.

use feishu_core::{CodeTable, Error};

/// Codes the transport acts on for Approval v4 endpoints.
pub(crate) const APPROVAL_CODES: CodeTable = CodeTable::new()
    // 1395001: "There have been some errors. Please try again later".
    .transient(&[1395001])
    .permission(&[
        (
            1390009,
            "the app lacks permission on this approval definition",
        ),
        (
            60009,
            "the app lacks permission on this approval definition",
        ),
    ])
    // 1390001 parameter error, 1390002 definition not found, 1390003 instance not found,
    // 1390010 task not found, 60012 uuid already used.
    .never_retry(&[1390001, 1390002, 1390003, 1390010, UUID_CONFLICT])
    .hints(&[
        (
            1390001,
            "a parameter or a form value was refused; the message may name the widget (compare with the definition's form)",
        ),
        (1390002, "no approval definition has this code"),
        (1390003, "no instance has this code (or creation uuid)"),
        (1390004, "the user id is unknown (check the user_id_type it was sent with)"),
        (
            SUBSCRIPTION_EXISTED,
            "already subscribed (or already unsubscribed): nothing to do",
        ),
        (1390010, "the task id is not a task of this instance (read task_list[].id of the instance)"),
        (1390013, "definitions with a free (initiator-chosen) process cannot be used through the API"),
        (1390015, "the approval definition is disabled: enable it in the approval admin console"),
        (1390016, "the approval definition was deleted"),
        (1390018, "this node requires a handwritten signature, which the API cannot give"),
        (
            UUID_CONFLICT,
            "this uuid was already used to create an instance; one uuid creates at most one instance",
        ),
    ]);

/// "uuid conflict": the create call's `uuid` already created an instance. The create page
/// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/create>)
/// names 60012 in the `uuid` field's description; its error table does not list it.
pub(crate) const UUID_CONFLICT: i64 = 60012;

/// "subscription existed": a repeated subscribe or unsubscribe, per the error tables of
/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/subscribe>
/// and its unsubscribe sibling ("already subscribed or already unsubscribed, no need to repeat").
pub(crate) const SUBSCRIPTION_EXISTED: i64 = 1390007;

/// Codes that concern one instance, not the whole module: 1390003 "instance code not found"
/// (an instance deleted after it was listed) and 1390009 "no operation permission" (an
/// instance the app may not read), with their legacy equivalents 60003 and 60009.
const ONE_INSTANCE: [i64; 4] = [1390003, 1390009, 60003, 60009];

/// Whether `error`, from fetching one instance, concerns that instance alone: a batch goes on
/// past it. A bad id given by the caller counts too; anything else (authentication, a scope
/// the app lacks, exhausted rate-limit retries, a broken reply) would fail every instance
/// alike.
pub(crate) fn concerns_one_instance(error: &Error) -> bool {
    matches!(error, Error::InvalidArgument(_))
        || error.api_code().is_some_and(|c| ONE_INSTANCE.contains(&c))
}
