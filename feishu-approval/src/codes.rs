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
    // 1390001 parameter error, 1390002 definition not found, 1390003 instance not found.
    .never_retry(&[1390001, 1390002, 1390003]);

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
