//! What the fake approval tenant contains: its definition codes and the widget, event and
//! status vocabularies its instances are generated from.

/// Definition code of the purchase approval (every widget type, a 3 × 4 `fieldList`).
pub const APPROVAL_CODE_PURCHASE: &str = "3B68E280-CF10-4198-B4CD-2E3BB97981D8";
/// Definition code of the leave approval (control groups, a small `fieldList`).
pub const APPROVAL_CODE_LEAVE: &str = "9A1E5C02-7B44-4D1F-8E3A-2C6F0B9D4E71";
/// Definition code of a deleted approval (GET answers 1390016, listing too).
pub const APPROVAL_CODE_DELETED: &str = "5D0C2B1A-0000-4000-8000-00000000DEAD";
/// The widest list window the fake accepts when
/// [`ApprovalDataset::enforce_window`](crate::approval::ApprovalDataset::enforce_window) is on.
pub const MAX_LIST_WINDOW_MS: i64 = 10 * HOUR_MS;
/// Default seed of the approval dataset.
pub const DEFAULT_APPROVAL_SEED: u64 = 0xA11_0FA1_2025;
/// Widget ids of the purchase form's `fieldList` and its four columns.
pub const PURCHASE_FIELD_LIST_ID: &str = "widget_lines";
/// Every widget type on the purchase form, in form order.
pub const PURCHASE_WIDGET_TYPES: &[&str] = &[
    "input",
    "textarea",
    "text",
    "number",
    "amount",
    "formula",
    "radio",
    "radioV2",
    "checkbox",
    "checkboxV2",
    "date",
    "dateInterval",
    "fieldList",
    "mutableGroup",
    "image",
    "imageV2",
    "attachment",
    "attachmentV2",
    "department",
    "contact",
    "connect",
    "address",
    "location",
    "account",
    "telephone",
    "serialNumber",
    "document",
    "leaveGroup",
    "leaveGroupV2",
    "workGroup",
    "tripGroup",
    "outGroup",
    "shiftGroup",
    "shiftGroupV2",
    "remedyGroup",
    "remedyGroupV2",
    "apaascorehrOnboardingGroup",
    "apaascorehrRegularateGroup",
    "apaascorehrJobAdjustGroup",
    "apaascorehrOffboardingGroup",
];
/// Every documented timeline event type; each occurs in the default dataset.
pub const TIMELINE_TYPES: &[&str] = &[
    "START",
    "PASS",
    "REJECT",
    "AUTO_PASS",
    "AUTO_REJECT",
    "REMOVE_REPEAT",
    "TRANSFER",
    "ADD_APPROVER_BEFORE",
    "ADD_APPROVER",
    "ADD_APPROVER_AFTER",
    "DELETE_APPROVER",
    "ROLLBACK_SELECTED",
    "ROLLBACK",
    "CANCEL",
    "DELETE",
    "CC",
];
/// Instance statuses of the detail API.
pub const INSTANCE_STATUSES: &[&str] = &["PENDING", "APPROVED", "REJECTED", "CANCELED", "DELETED"];

/// An hour in milliseconds.
pub(super) const HOUR_MS: i64 = 3_600_000;
/// A day in milliseconds.
pub(super) const DAY_MS: i64 = 24 * HOUR_MS;
