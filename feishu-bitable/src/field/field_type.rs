//! A field's type: its `type` number ([`FieldType`]) and the UI sub-kind ([`UiType`]), as the
//! field guide lists them
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-field/guide>).

use std::fmt;

use feishu_core::internal::wire_enum;
use serde::{Deserialize, Serialize};

/// A field's `type` number: what decides the shape of its cells. New types appear over time:
/// an unknown number is kept in [`FieldType::Unknown`] and its values stay raw JSON.
///
/// # Example
/// ```
/// use feishu_bitable::FieldType;
/// assert_eq!(FieldType::from_code(2), FieldType::Number);
/// assert_eq!(FieldType::Flow.code(), 24);
/// assert_eq!(FieldType::from_code(99), FieldType::Unknown(99));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "i64", into = "i64")]
#[non_exhaustive]
pub enum FieldType {
    /// 1: text, email or barcode (see [`UiType`]).
    Text,
    /// 2: number, progress, currency or rating.
    Number,
    /// 3: single select.
    SingleSelect,
    /// 4: multi select.
    MultiSelect,
    /// 5: date (Unix ms on the wire).
    DateTime,
    /// 7: checkbox.
    Checkbox,
    /// 11: person.
    User,
    /// 13: phone number.
    Phone,
    /// 15: hyperlink.
    Url,
    /// 17: attachment.
    Attachment,
    /// 18: one-way link to another table.
    SingleLink,
    /// 19: lookup.
    Lookup,
    /// 20: formula.
    Formula,
    /// 21: two-way link.
    DuplexLink,
    /// 22: location.
    Location,
    /// 23: group chat.
    GroupChat,
    /// 24: flow ("流程", `ui_type` [`UiType::Stage`]): read-only, and its cell value is not
    /// documented, so it stays raw JSON.
    Flow,
    /// 1001: created time.
    CreatedTime,
    /// 1002: last modified time.
    ModifiedTime,
    /// 1003: created by.
    CreatedUser,
    /// 1004: last modified by.
    ModifiedUser,
    /// 1005: auto number.
    AutoNumber,
    /// 3001: button (read-only; it has no cell value).
    Button,
    /// A type number this SDK version does not know.
    Unknown(i64),
}

impl FieldType {
    /// The type for a wire number.
    pub fn from_code(code: i64) -> FieldType {
        match code {
            1 => FieldType::Text,
            2 => FieldType::Number,
            3 => FieldType::SingleSelect,
            4 => FieldType::MultiSelect,
            5 => FieldType::DateTime,
            7 => FieldType::Checkbox,
            11 => FieldType::User,
            13 => FieldType::Phone,
            15 => FieldType::Url,
            17 => FieldType::Attachment,
            18 => FieldType::SingleLink,
            19 => FieldType::Lookup,
            20 => FieldType::Formula,
            21 => FieldType::DuplexLink,
            22 => FieldType::Location,
            23 => FieldType::GroupChat,
            24 => FieldType::Flow,
            1001 => FieldType::CreatedTime,
            1002 => FieldType::ModifiedTime,
            1003 => FieldType::CreatedUser,
            1004 => FieldType::ModifiedUser,
            1005 => FieldType::AutoNumber,
            3001 => FieldType::Button,
            other => FieldType::Unknown(other),
        }
    }

    /// The wire number.
    pub fn code(self) -> i64 {
        match self {
            FieldType::Text => 1,
            FieldType::Number => 2,
            FieldType::SingleSelect => 3,
            FieldType::MultiSelect => 4,
            FieldType::DateTime => 5,
            FieldType::Checkbox => 7,
            FieldType::User => 11,
            FieldType::Phone => 13,
            FieldType::Url => 15,
            FieldType::Attachment => 17,
            FieldType::SingleLink => 18,
            FieldType::Lookup => 19,
            FieldType::Formula => 20,
            FieldType::DuplexLink => 21,
            FieldType::Location => 22,
            FieldType::GroupChat => 23,
            FieldType::Flow => 24,
            FieldType::CreatedTime => 1001,
            FieldType::ModifiedTime => 1002,
            FieldType::CreatedUser => 1003,
            FieldType::ModifiedUser => 1004,
            FieldType::AutoNumber => 1005,
            FieldType::Button => 3001,
            FieldType::Unknown(code) => code,
        }
    }

    /// Every documented type, in wire-number order (useful for exhaustive tests).
    pub const ALL: [FieldType; 23] = [
        FieldType::Text,
        FieldType::Number,
        FieldType::SingleSelect,
        FieldType::MultiSelect,
        FieldType::DateTime,
        FieldType::Checkbox,
        FieldType::User,
        FieldType::Phone,
        FieldType::Url,
        FieldType::Attachment,
        FieldType::SingleLink,
        FieldType::Lookup,
        FieldType::Formula,
        FieldType::DuplexLink,
        FieldType::Location,
        FieldType::GroupChat,
        FieldType::Flow,
        FieldType::CreatedTime,
        FieldType::ModifiedTime,
        FieldType::CreatedUser,
        FieldType::ModifiedUser,
        FieldType::AutoNumber,
        FieldType::Button,
    ];
}

impl From<i64> for FieldType {
    fn from(code: i64) -> Self {
        FieldType::from_code(code)
    }
}

impl From<FieldType> for i64 {
    fn from(t: FieldType) -> i64 {
        t.code()
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldType::Unknown(code) => write!(f, "unknown field type {code}"),
            known => write!(f, "{known:?} ({})", known.code()),
        }
    }
}

wire_enum! {
    /// A field's `ui_type`: the sub-kind shown in the UI (e.g. [`FieldType::Text`] is `Text`,
    /// `Email` or `Barcode`). The official SDKs' lists lag behind the field guide (neither
    /// knows `Stage`), so a value this list lacks is kept in `Unknown`.
    pub enum UiType {
        /// Plain text.
        Text => "Text",
        /// Email address (a text field).
        Email => "Email",
        /// Barcode (a text field).
        Barcode => "Barcode",
        /// Number.
        Number => "Number",
        /// Progress (a number field).
        Progress => "Progress",
        /// Currency (a number field).
        Currency => "Currency",
        /// Rating (a number field).
        Rating => "Rating",
        /// Single select.
        SingleSelect => "SingleSelect",
        /// Multi select.
        MultiSelect => "MultiSelect",
        /// Date.
        DateTime => "DateTime",
        /// Checkbox.
        Checkbox => "Checkbox",
        /// Person.
        User => "User",
        /// Group chat.
        GroupChat => "GroupChat",
        /// Flow ("流程"), the UI kind of [`FieldType::Flow`] (type 24). Field guide:
        /// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-field/guide>
        /// (ui_type list: `"Stage"：流程`).
        Stage => "Stage",
        /// Phone.
        Phone => "Phone",
        /// Hyperlink.
        Url => "Url",
        /// Attachment.
        Attachment => "Attachment",
        /// One-way link.
        SingleLink => "SingleLink",
        /// Formula.
        Formula => "Formula",
        /// Lookup.
        Lookup => "Lookup",
        /// Two-way link.
        DuplexLink => "DuplexLink",
        /// Location.
        Location => "Location",
        /// Created time.
        CreatedTime => "CreatedTime",
        /// Modified time.
        ModifiedTime => "ModifiedTime",
        /// Created by.
        CreatedUser => "CreatedUser",
        /// Modified by.
        ModifiedUser => "ModifiedUser",
        /// Auto number.
        AutoNumber => "AutoNumber",
        /// Button.
        Button => "Button",
    }
}
