//! Feishu's documented limits for every endpoint the fake tenant serves, each taken from the
//! "接口频率限制" row of the endpoint's page (the page is named in a comment; its URL is
//! `https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/` + the name unless noted).

use super::family::FamilyLimit;

/// Tier 4: 1000 per minute and 50 per second.
fn tier4(family: &str) -> FamilyLimit {
    FamilyLimit::new(family).per_second(50).per_minute(1000)
}

/// The documented families, specific templates before the ones they overlap
/// (`users/batch` before `users/:user_id`).
pub(super) fn documented() -> Vec<FamilyLimit> {
    vec![
        // approval-v4/approval/get
        FamilyLimit::new("GET /open-apis/approval/v4/approvals/:approval_code").per_minute(100),
        // approval-v4/instance/list
        FamilyLimit::new("GET /open-apis/approval/v4/instances").per_minute(100),
        // approval-v4/instance/query
        tier4("POST /open-apis/approval/v4/instances/query"),
        // approval-v4/instance/get
        tier4("GET /open-apis/approval/v4/instances/:instance_id"),
        // bitable-v1/app/get
        FamilyLimit::new("GET /open-apis/bitable/v1/apps/:app_token").per_second(20),
        // bitable-v1/app-table/list
        FamilyLimit::new("GET /open-apis/bitable/v1/apps/:app_token/tables").per_second(20),
        // bitable-v1/app-table-view/list
        FamilyLimit::new("GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/views")
            .per_second(20),
        // bitable-v1/app-table-field/list
        FamilyLimit::new("GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields")
            .per_second(20),
        // bitable-v1/app-table-record/list
        FamilyLimit::new("GET /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records")
            .per_second(20),
        // bitable-v1/app-table-record/search
        FamilyLimit::new(
            "POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/search",
        )
        .per_second(20),
        // bitable-v1/app-table-record/batch_get names no limit of its own: Bitable's reads
        // are 20 per second.
        FamilyLimit::new(
            "POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_get",
        )
        .per_second(20),
        // bitable-v1/app-table-record/{create,update,delete,batch_create,batch_update,
        // batch_delete}: 50 per second each.
        FamilyLimit::new("POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records")
            .per_second(50),
        FamilyLimit::new(
            "PUT /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/:record_id",
        )
        .per_second(50),
        FamilyLimit::new(
            "DELETE /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/:record_id",
        )
        .per_second(50),
        FamilyLimit::new(
            "POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_create",
        )
        .per_second(50),
        FamilyLimit::new(
            "POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_update",
        )
        .per_second(50),
        FamilyLimit::new(
            "POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_delete",
        )
        .per_second(50),
        // bitable-v1/app-table/{create,delete}, bitable-v1/app-table-field/{create,update,
        // delete}: 10 per second each.
        FamilyLimit::new("POST /open-apis/bitable/v1/apps/:app_token/tables").per_second(10),
        FamilyLimit::new("DELETE /open-apis/bitable/v1/apps/:app_token/tables/:table_id")
            .per_second(10),
        FamilyLimit::new("POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields")
            .per_second(10),
        FamilyLimit::new(
            "PUT /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields/:field_id",
        )
        .per_second(10),
        FamilyLimit::new(
            "DELETE /open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields/:field_id",
        )
        .per_second(10),
        // https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/drive-v1/file/subscribe
        tier4("POST /open-apis/drive/v1/files/:file_token/subscribe"),
        // https://open.feishu.cn/document/ukTMukTMukTM/uUDN04SN0QjL1QDN/wiki-v2/space/get_node
        FamilyLimit::new("GET /open-apis/wiki/v2/spaces/get_node").per_minute(100),
        // attendance-v1/user_flow/query
        FamilyLimit::new("POST /open-apis/attendance/v1/user_flows/query").per_second(50),
        // attendance-v1/user_task/query
        FamilyLimit::new("POST /open-apis/attendance/v1/user_tasks/query").per_second(50),
        // contact-v3/department/children
        tier4("GET /open-apis/contact/v3/departments/:department_id/children"),
        // contact-v3/user/find_by_department
        tier4("GET /open-apis/contact/v3/users/find_by_department"),
        // contact-v3/user/batch
        tier4("GET /open-apis/contact/v3/users/batch"),
        // contact-v3/user/get
        tier4("GET /open-apis/contact/v3/users/:user_id"),
        // contact-v3/scope/list
        tier4("GET /open-apis/contact/v3/scopes"),
        // contact-v3/group-member/simplelist
        tier4("GET /open-apis/contact/v3/group/:group_id/member/simplelist"),
    ]
}
