//! [`Sort`]: one sort key of a record listing or search.

use serde::{Deserialize, Serialize};

/// A sort key `{field_name, desc}`. Search sends it as is; list records sends it as
/// `"<field_name> ASC|DESC"`.
///
/// # Example
/// ```
/// use feishu_bitable::Sort;
/// assert_eq!(serde_json::to_string(&Sort::desc("Amount"))?, r#"{"field_name":"Amount","desc":true}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sort {
    /// The field's name.
    pub field_name: String,
    /// Descending when true.
    #[serde(default)]
    pub desc: bool,
}

impl Sort {
    /// Ascending by `field_name`.
    pub fn asc(field_name: impl Into<String>) -> Self {
        Sort {
            field_name: field_name.into(),
            desc: false,
        }
    }

    /// Descending by `field_name`.
    pub fn desc(field_name: impl Into<String>) -> Self {
        Sort {
            field_name: field_name.into(),
            desc: true,
        }
    }

    /// The list endpoint's form: `"<field_name> ASC"` or `"<field_name> DESC"`.
    pub(crate) fn to_list_form(&self) -> String {
        let dir = if self.desc { "DESC" } else { "ASC" };
        format!("{} {dir}", self.field_name)
    }
}
