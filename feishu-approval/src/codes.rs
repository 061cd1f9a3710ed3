//! Approval's documented error codes, shared by its endpoint declarations: the error tables of
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/get>
//! and its sibling pages, and the legacy codes of
//! <https://open.feishu.cn/document/ukTMukTMukTM/ugjM14COyUjL4ITN>.

use feishu_core::CodeTable;

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
