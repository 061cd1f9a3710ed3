//! The ids users pass around: an approval definition's code and an instance's code.

use feishu_core::internal::id_type;

id_type! {
    /// The code of an approval definition (GUID-like, `3B68E280-CF10-4198-B4CD-2E3BB97981D8`):
    /// in the admin console URL of the definition, or returned when it is created
    /// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/overview-of-approval-resources>).
    ///
    /// ```
    /// use feishu_approval::ApprovalCode;
    /// let code = ApprovalCode::from("3B68E280-CF10-4198-B4CD-2E3BB97981D8");
    /// assert_eq!(code.to_string(), "3B68E280-CF10-4198-B4CD-2E3BB97981D8");
    /// assert_eq!(serde_json::to_string(&code).unwrap(), "\"3B68E280-CF10-4198-B4CD-2E3BB97981D8\"");
    /// ```
    ApprovalCode
}

id_type! {
    /// The code of an approval instance (a GUID). Where an API fetches one instance, the
    /// caller-chosen `uuid` given at its creation works as well.
    ///
    /// ```
    /// use feishu_approval::InstanceCode;
    /// let code: InstanceCode = "0C1B6F9E-2D3A-4B5C-8D7E-6F5A4B3C2D1E".into();
    /// assert_eq!(code, "0C1B6F9E-2D3A-4B5C-8D7E-6F5A4B3C2D1E");
    /// ```
    InstanceCode
}

id_type! {
    /// The id of one approval task (`task_list[].id` of an instance), the handle of the task
    /// actions ([`TaskRef`](crate::TaskRef)).
    ///
    /// ```
    /// use feishu_approval::TaskId;
    /// assert_eq!(TaskId::from("7452828080402153491").as_str(), "7452828080402153491");
    /// ```
    TaskId
}

id_type! {
    /// The id of a comment on an instance, returned when it is created and listed with it.
    ///
    /// ```
    /// use feishu_approval::CommentId;
    /// assert_eq!(CommentId::from("7081516627711606803").to_string(), "7081516627711606803");
    /// ```
    CommentId
}

pub(crate) use feishu_core::internal::de::{id_or_empty, opt_id};
