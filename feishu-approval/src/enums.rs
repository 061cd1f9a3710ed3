//! Wire enums Feishu may extend: every one keeps unknown values in an `Unknown(String)` arm.

use feishu_core::internal::wire_enum;

wire_enum! {
    /// Status of an approval instance (`status`). The query API's lower-case values map to
    /// the same variants. `CANCELED` covers both a withdrawal before completion and a revoke
    /// after it (feishu-api.md §5.3).
    pub enum InstanceStatus {
        /// Waiting for approvers.
        Pending => "PENDING",
        /// Approved.
        Approved => "APPROVED",
        /// Rejected.
        Rejected => "REJECTED",
        /// Withdrawn or revoked.
        Canceled => "CANCELED",
        /// Deleted.
        Deleted => "DELETED",
    }
}

wire_enum! {
    /// Status of one approval task.
    pub enum TaskStatus {
        /// Waiting for the approver.
        Pending => "PENDING",
        /// Approved.
        Approved => "APPROVED",
        /// Rejected.
        Rejected => "REJECTED",
        /// Handed to someone else.
        Transferred => "TRANSFERRED",
        /// Finished without a decision of its own (e.g. the instance ended).
        Done => "DONE",
    }
}

wire_enum! {
    /// How a task's node decides.
    pub enum TaskType {
        /// All approvers must approve.
        And => "AND",
        /// Any approver decides.
        Or => "OR",
        /// Passed automatically.
        AutoPass => "AUTO_PASS",
        /// Rejected automatically.
        AutoReject => "AUTO_REJECT",
        /// Approvers in sequence.
        Sequential => "SEQUENTIAL",
    }
}

wire_enum! {
    /// Type of a timeline event.
    pub enum TimelineType {
        /// Submitted.
        Start => "START",
        /// Approved by an approver.
        Pass => "PASS",
        /// Rejected by an approver.
        Reject => "REJECT",
        /// Passed automatically.
        AutoPass => "AUTO_PASS",
        /// Rejected automatically.
        AutoReject => "AUTO_REJECT",
        /// A duplicate approver was removed.
        RemoveRepeat => "REMOVE_REPEAT",
        /// Transferred (`user_id_list` = transferees).
        Transfer => "TRANSFER",
        /// Approver added before the current one.
        AddApproverBefore => "ADD_APPROVER_BEFORE",
        /// Approver added in parallel.
        AddApprover => "ADD_APPROVER",
        /// Approver added after the current one.
        AddApproverAfter => "ADD_APPROVER_AFTER",
        /// Approvers removed (`user_id_list` = affected users).
        DeleteApprover => "DELETE_APPROVER",
        /// Rolled back to a chosen node.
        RollbackSelected => "ROLLBACK_SELECTED",
        /// Rolled back to the start.
        Rollback => "ROLLBACK",
        /// Withdrawn.
        Cancel => "CANCEL",
        /// Deleted.
        Delete => "DELETE",
        /// Carbon copy (`ext.user_id` = cc'd user).
        Cc => "CC",
    }
}

wire_enum! {
    /// Status of an approval definition.
    pub enum DefinitionStatus {
        /// In use.
        Active => "ACTIVE",
        /// Disabled.
        Inactive => "INACTIVE",
        /// Deleted.
        Deleted => "DELETED",
    }
}

wire_enum! {
    /// How a definition node decides.
    pub enum NodeType {
        /// All approvers must approve.
        And => "AND",
        /// Any approver decides.
        Or => "OR",
        /// Approvers in sequence.
        Sequential => "SEQUENTIAL",
        /// Carbon-copy node.
        CcNode => "CC_NODE",
    }
}

wire_enum! {
    /// A form widget's `type` (feishu-api.md §5.1, §5.4).
    pub enum WidgetType {
        /// Single-line text.
        Input => "input",
        /// Multi-line text.
        Textarea => "textarea",
        /// Static description (no value).
        Text => "text",
        /// Number.
        Number => "number",
        /// Amount (with currency).
        Amount => "amount",
        /// Computed number.
        Formula => "formula",
        /// Single choice (legacy).
        Radio => "radio",
        /// Single choice.
        RadioV2 => "radioV2",
        /// Multiple choice (legacy).
        Checkbox => "checkbox",
        /// Multiple choice.
        CheckboxV2 => "checkboxV2",
        /// Date (RFC 3339).
        Date => "date",
        /// Date range.
        DateInterval => "dateInterval",
        /// Table ("details"): rows of sub-widgets.
        FieldList => "fieldList",
        /// Reference to a Bitable.
        MutableGroup => "mutableGroup",
        /// Images (legacy).
        Image => "image",
        /// Images.
        ImageV2 => "imageV2",
        /// Attachments (legacy).
        Attachment => "attachment",
        /// Attachments.
        AttachmentV2 => "attachmentV2",
        /// Departments.
        Department => "department",
        /// Users.
        Contact => "contact",
        /// Linked approval instances.
        Connect => "connect",
        /// Address.
        Address => "address",
        /// Location.
        Location => "location",
        /// Account.
        Account => "account",
        /// Telephone number.
        Telephone => "telephone",
        /// Serial number.
        SerialNumber => "serialNumber",
        /// Cloud document.
        Document => "document",
        /// Leave control group (legacy).
        LeaveGroup => "leaveGroup",
        /// Leave control group.
        LeaveGroupV2 => "leaveGroupV2",
        /// Overtime control group.
        WorkGroup => "workGroup",
        /// Business-trip control group.
        TripGroup => "tripGroup",
        /// Going-out control group.
        OutGroup => "outGroup",
        /// Shift-swap control group (legacy).
        ShiftGroup => "shiftGroup",
        /// Shift-swap control group.
        ShiftGroupV2 => "shiftGroupV2",
        /// Punch-correction control group (legacy).
        RemedyGroup => "remedyGroup",
        /// Punch-correction control group.
        RemedyGroupV2 => "remedyGroupV2",
        /// Core HR onboarding group.
        ApaascorehrOnboardingGroup => "apaascorehrOnboardingGroup",
        /// Core HR regularisation group.
        ApaascorehrRegularateGroup => "apaascorehrRegularateGroup",
        /// Core HR job adjustment group.
        ApaascorehrJobAdjustGroup => "apaascorehrJobAdjustGroup",
        /// Core HR offboarding group.
        ApaascorehrOffboardingGroup => "apaascorehrOffboardingGroup",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_are_kept_and_known_ones_match_any_case() {
        let s: InstanceStatus = serde_json::from_str("\"pending\"").unwrap();
        assert_eq!(s, InstanceStatus::Pending);
        let s: InstanceStatus = serde_json::from_str("\"REVERTED\"").unwrap();
        assert_eq!(s, InstanceStatus::Unknown("REVERTED".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"REVERTED\"");
        let w: WidgetType = serde_json::from_str("\"radioV2\"").unwrap();
        assert_eq!(w, WidgetType::RadioV2);
        let n: WidgetType = serde_json::from_str("null").unwrap();
        assert_eq!(n, WidgetType::Unknown(String::new()));
    }
}
