//! The modules of a source: the unit a config selects, a reader reads, and the state keeps a
//! section for.

use std::fmt;

use serde::Serialize;

use crate::config::SourceConfig;

/// Which module a stream belongs to; also the name of the module's section in the config
/// and in the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Module {
    /// Approval v4.
    Approval,
    /// Bitable v1.
    Bitable,
    /// Attendance v1.
    Attendance,
    /// Contact v3.
    Contact,
}

impl Module {
    /// Every module, in catalog order.
    pub const ALL: [Module; 4] = [
        Module::Approval,
        Module::Bitable,
        Module::Attendance,
        Module::Contact,
    ];

    /// The module's name: `approval`, `bitable`, `attendance` or `contact` (its config and
    /// state section).
    ///
    /// # Example
    /// ```
    /// assert_eq!(feishu_sync::Module::Bitable.as_str(), "bitable");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Module::Approval => "approval",
            Module::Bitable => "bitable",
            Module::Attendance => "attendance",
            Module::Contact => "contact",
        }
    }

    /// Whether `config` selects this module (its section is present).
    pub fn is_selected(self, config: &SourceConfig) -> bool {
        match self {
            Module::Approval => config.approval.is_some(),
            Module::Bitable => config.bitable.is_some(),
            Module::Attendance => config.attendance.is_some(),
            Module::Contact => config.contact.is_some(),
        }
    }
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
