//! Search records: `POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/search`
//! (feishu-api.md §6.7), with its structured filter and sort.

use feishu_core::internal::PageRequest;
use feishu_core::{Client, Endpoint, Request, Result, UserIdType};
use serde::{Deserialize, Serialize};

use crate::codes::{BITABLE_CODES, BITABLE_LIMIT};
use crate::paging::MAX_RECORD_PAGE_SIZE;
use crate::record::{Common, Record};
use feishu_core::internal::check_page_size;
use feishu_core::internal::wire_enum;

/// <https://open.feishu.cn/document/server-docs/docs/bitable-v1/app-table-record/search>
pub(crate) const SEARCH_RECORDS: Endpoint = Endpoint::post_read(
    "bitable.records.search",
    "bitable/v1/apps/{app_token}/tables/{table_id}/records/search",
)
.limit(BITABLE_LIMIT)
.codes(BITABLE_CODES);

wire_enum! {
    /// How the conditions of a filter group combine.
    pub enum Conjunction {
        /// All conditions must hold.
        And => "and",
        /// Any condition may hold.
        Or => "or",
    }
}

wire_enum! {
    /// A filter operator. Values are always strings (see feishu-api.md §6.7 for the encoding
    /// per field type: numbers as decimal strings, dates as `["ExactDate", "<ms>"]`, ...).
    pub enum Operator {
        /// Equal (selects: exactly one value).
        Is => "is",
        /// Not equal.
        IsNot => "isNot",
        /// Contains.
        Contains => "contains",
        /// Does not contain.
        DoesNotContain => "doesNotContain",
        /// Empty cell (`value` must be `[]`).
        IsEmpty => "isEmpty",
        /// Non-empty cell (`value` must be `[]`).
        IsNotEmpty => "isNotEmpty",
        /// Greater than.
        IsGreater => "isGreater",
        /// Greater or equal.
        IsGreaterEqual => "isGreaterEqual",
        /// Less than.
        IsLess => "isLess",
        /// Less or equal.
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
    /// A condition.
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
/// use feishu_bitable::{Condition, Filter};
/// let filter = Filter::and(vec![
///     Condition::is("Status", "Open"),
///     Condition::greater("Amount", "100"),
/// ]);
/// assert_eq!(filter.conditions.len(), 2);
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

/// A sort key `{field_name, desc}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
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
}

#[derive(Serialize)]
struct SearchBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    view_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field_names: Option<&'a [String]>,
    #[serde(skip_serializing_if = "<[Sort]>::is_empty")]
    sort: &'a [Sort],
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<&'a Filter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    automatic_fields: Option<bool>,
}

/// Searches records (`POST .../records/search`). Built by
/// [`Bitable::search_records`](crate::Bitable::search_records).
///
/// `page_size` (1..=500) is checked client-side; the other limits (≤ 50 conditions, ≤ 10
/// values each, ≤ 200 field names, ≤ 100 sort keys) are left to the server, which answers
/// `1254018` / `1254024` / `1254016`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct SearchRecords {
    client: Client,
    app_token: String,
    table_id: String,
    common: Common,
    filter: Option<Filter>,
    sort: Vec<Sort>,
}

impl SearchRecords {
    pub(crate) fn new(client: Client, app_token: &str, table_id: &str) -> Self {
        SearchRecords {
            client,
            app_token: app_token.to_string(),
            table_id: table_id.to_string(),
            common: Common::default(),
            filter: None,
            sort: Vec::new(),
        }
    }

    /// Only records of this view (ignored by Feishu with a filter or sort).
    pub fn view_id(mut self, view_id: impl Into<String>) -> Self {
        self.common.view_id = Some(view_id.into());
        self
    }

    /// Only these fields in `fields` (names must match exactly; ≤ 200).
    pub fn field_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.common.field_names = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// The filter.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Adds a sort key (earlier keys win).
    pub fn sort(mut self, sort: Sort) -> Self {
        self.sort.push(sort);
        self
    }

    /// Include `created_by`, `created_time`, `last_modified_by`, `last_modified_time`.
    pub fn automatic_fields(mut self, yes: bool) -> Self {
        self.common.automatic_fields = Some(yes);
        self
    }

    /// Id type of person values (`open_id` by default).
    pub fn user_id_type(mut self, id_type: UserIdType) -> Self {
        self.common.user_id_type = Some(id_type);
        self
    }

    /// Records per page, 1..=500 (Feishu's default is 20), checked client-side.
    pub fn page_size(mut self, n: u32) -> Self {
        self.common.page_size = Some(n);
        self
    }

    /// Starts at this page token (resume from a checkpoint).
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.common.page_token = Some(token.into());
        self
    }
}

impl PageRequest for SearchRecords {
    type Item = Record;

    fn client(&self) -> &Client {
        &self.client
    }

    fn start_token(&self) -> Option<String> {
        self.common.page_token.clone()
    }

    fn page_request(&self, token: Option<String>) -> Result<Request> {
        let c = &self.common;
        check_page_size(c.page_size, MAX_RECORD_PAGE_SIZE)?;
        let body = SearchBody {
            view_id: c.view_id.as_deref(),
            field_names: c.field_names.as_deref(),
            sort: &self.sort,
            filter: self.filter.as_ref(),
            automatic_fields: c.automatic_fields,
        };
        let req = Request::new(SEARCH_RECORDS, &[&self.app_token, &self.table_id])?
            .query_opt("user_id_type", c.user_id_type.map(UserIdType::as_str))
            .query_opt("page_size", c.page_size)
            .query_opt("page_token", token)
            .json(&body)?;
        Ok(req)
    }
}
