//! The structured filter of search records: [`Filter`], its [`Condition`]s and nested
//! [`FilterGroup`]s, as the record filter guide describes them
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/record-filter-guide>).

use feishu_core::internal::wire_enum;
use serde::{Deserialize, Serialize};

wire_enum! {
    /// How the conditions of a filter (or group) combine.
    pub enum Conjunction {
        /// All conditions must hold.
        And => "and",
        /// Any condition may hold.
        Or => "or",
    }
}

wire_enum! {
    /// A filter operator. Operands are always strings: numbers as decimal strings, dates as
    /// `["ExactDate", "<Unix ms>"]` or a relative token (`["Today"]`, ...), per the record
    /// filter guide
    /// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/record-filter-guide>).
    pub enum Operator {
        /// Equal (selects: exactly one value).
        Is => "is",
        /// Not equal (not for dates).
        IsNot => "isNot",
        /// Contains (not for dates).
        Contains => "contains",
        /// Does not contain (not for dates).
        DoesNotContain => "doesNotContain",
        /// Empty cell (`value` must be `[]`).
        IsEmpty => "isEmpty",
        /// Non-empty cell (`value` must be `[]`).
        IsNotEmpty => "isNotEmpty",
        /// Greater than.
        IsGreater => "isGreater",
        /// Greater or equal (not for dates).
        IsGreaterEqual => "isGreaterEqual",
        /// Less than.
        IsLess => "isLess",
        /// Less or equal (not for dates).
        IsLessEqual => "isLessEqual",
    }
}

/// One filter condition `{field_name, operator, value}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct Condition {
    /// The field's name.
    pub field_name: String,
    /// The operator.
    pub operator: Operator,
    /// The operand(s), as strings (≤ 10); always sent, `[]` for `isEmpty` / `isNotEmpty`.
    pub value: Vec<String>,
}

impl Condition {
    /// A condition with any operator.
    pub fn new<I, S>(field_name: impl Into<String>, operator: Operator, value: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Condition {
            field_name: field_name.into(),
            operator,
            value: value.into_iter().map(Into::into).collect(),
        }
    }

    /// `field is value`.
    pub fn is(field_name: impl Into<String>, value: impl Into<String>) -> Self {
        Condition::new(field_name, Operator::Is, [value.into()])
    }

    /// `field isEmpty`.
    pub fn is_empty(field_name: impl Into<String>) -> Self {
        Condition::new(field_name, Operator::IsEmpty, Vec::<String>::new())
    }

    /// `field isNotEmpty`.
    pub fn is_not_empty(field_name: impl Into<String>) -> Self {
        Condition::new(field_name, Operator::IsNotEmpty, Vec::<String>::new())
    }

    /// `field isGreater value` (numbers as decimal strings).
    pub fn greater(field_name: impl Into<String>, value: impl Into<String>) -> Self {
        Condition::new(field_name, Operator::IsGreater, [value.into()])
    }

    /// `field isLess value`.
    pub fn less(field_name: impl Into<String>, value: impl Into<String>) -> Self {
        Condition::new(field_name, Operator::IsLess, [value.into()])
    }

    /// `field contains value`.
    pub fn contains(field_name: impl Into<String>, value: impl Into<String>) -> Self {
        Condition::new(field_name, Operator::Contains, [value.into()])
    }
}

/// A nested group of conditions (one level of nesting is allowed).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct FilterGroup {
    /// How the conditions combine.
    pub conjunction: Conjunction,
    /// The conditions.
    pub conditions: Vec<Condition>,
}

impl FilterGroup {
    /// A group.
    pub fn new(conjunction: Conjunction, conditions: Vec<Condition>) -> Self {
        FilterGroup {
            conjunction,
            conditions,
        }
    }
}

/// A search filter `{conjunction, conditions, children}`.
///
/// # Example
/// ```
/// use feishu_bitable::{Condition, Conjunction, Filter, FilterGroup};
/// let filter = Filter::and(vec![
///     Condition::is("Status", "Open"),
///     Condition::greater("Amount", "100"),
/// ])
/// .child(FilterGroup::new(Conjunction::Or, vec![Condition::is_empty("Owner")]));
/// assert_eq!(filter.conditions.len(), 2);
/// assert_eq!(
///     serde_json::to_value(&filter)?["conditions"][1]["operator"],
///     "isGreater"
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct Filter {
    /// How conditions and children combine.
    pub conjunction: Conjunction,
    /// Conditions (≤ 50).
    pub conditions: Vec<Condition>,
    /// Nested groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<FilterGroup>,
}

impl Filter {
    /// All of `conditions`.
    pub fn and(conditions: Vec<Condition>) -> Self {
        Filter {
            conjunction: Conjunction::And,
            conditions,
            children: Vec::new(),
        }
    }

    /// Any of `conditions`.
    pub fn or(conditions: Vec<Condition>) -> Self {
        Filter {
            conjunction: Conjunction::Or,
            conditions,
            children: Vec::new(),
        }
    }

    /// Adds a nested group.
    pub fn child(mut self, group: FilterGroup) -> Self {
        self.children.push(group);
        self
    }
}
