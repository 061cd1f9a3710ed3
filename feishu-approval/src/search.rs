//! Instance search: `POST /open-apis/approval/v4/instances/query`
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/query>).
//! Custom apps only; results may lag and exclude reverted instances.

use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use feishu_core::internal::PageFetch;
use feishu_core::internal::de::{
    bool_or_false, opt_i64, opt_string, string_or_empty, vec_or_empty,
};
use feishu_core::{
    Client, Endpoint, Error, Page, RateLimit, Request, Result, TimeRange, UserIdType,
};

use crate::codes::APPROVAL_CODES;
use crate::ids::{ApprovalCode, InstanceCode, id_or_empty};
use crate::instance::InstanceStatus;
use crate::timestamp::ceil_ms;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/query>:
/// 1000 per minute and 50 per second.
pub(crate) const SEARCH_INSTANCES: Endpoint =
    Endpoint::post_read("approval.instances.query", "approval/v4/instances/query")
        .limit(RateLimit::per_minute(1000).and_per_second(50))
        .codes(APPROVAL_CODES);

/// The longest creation-time range one search may cover ("the span must not exceed 30 days",
/// per the search page).
pub const MAX_SEARCH_SPAN: Duration = Duration::from_secs(30 * 86_400);

/// Page sizes the search accepts, per its page: 5–200 (server default 10).
const PAGE_SIZES: std::ops::RangeInclusive<u32> = 5..=200;

/// The `instance_status` filter of the search (its own vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SearchStatus {
    /// `PENDING`.
    Pending,
    /// `RECALL` (withdrawn; reported as `canceled`).
    Recall,
    /// `REJECT`.
    Reject,
    /// `DELETED`.
    Deleted,
    /// `APPROVED`.
    Approved,
    /// `ALL` (same as no filter).
    All,
}

impl SearchStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchStatus::Pending => "PENDING",
            SearchStatus::Recall => "RECALL",
            SearchStatus::Reject => "REJECT",
            SearchStatus::Deleted => "DELETED",
            SearchStatus::Approved => "APPROVED",
            SearchStatus::All => "ALL",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
struct SearchBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    approval_code: Option<ApprovalCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_code: Option<InstanceCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_start_time_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_start_time_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locale: Option<String>,
}

/// Request builder for the instance search; from [`crate::Approval::search_instances`].
///
/// At least one of `user_id`, `approval_code`, `instance_code`, `instance_external_id`,
/// `group_external_id` must be set; `approval_code` and `group_external_id` are OR-ed, as
/// are `instance_code` and `instance_external_id`, other criteria AND-ed. A
/// [`ListRequest`](crate::ListRequest): one page with `send`, every hit with `into_stream`,
/// page by page with `by_page`.
///
/// # Example
/// ```no_run
/// use futures::TryStreamExt;
/// use feishu_approval::{Approval, ListRequest, SearchStatus};
/// use feishu_core::TimeRange;
/// use std::time::Duration;
/// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
/// let pending: Vec<_> = approval
///     .search_instances()
///     .approval_code("3B68E280-CF10-4198-B4CD-2E3BB97981D8")
///     .status(SearchStatus::Pending)
///     .created_in(TimeRange::last(Duration::from_secs(7 * 86_400)))
///     .page_size(100)
///     .into_stream()
///     .try_collect()
///     .await?;
/// # let _ = pending; Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct SearchInstances {
    client: Client,
    body: SearchBody,
    created: Option<TimeRange>,
    page_size: Option<u32>,
    page_token: Option<String>,
    user_id_type: Option<UserIdType>,
}

impl SearchInstances {
    pub(crate) fn new(client: Client) -> Self {
        SearchInstances {
            client,
            body: SearchBody::default(),
            created: None,
            page_size: None,
            page_token: None,
            user_id_type: None,
        }
    }

    /// Initiator id (of type [`SearchInstances::user_id_type`]).
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.body.user_id = Some(user_id.into());
        self
    }

    /// Definition code (OR-ed with `group_external_id`).
    pub fn approval_code(mut self, code: impl Into<ApprovalCode>) -> Self {
        self.body.approval_code = Some(code.into());
        self
    }

    /// Instance code (OR-ed with `instance_external_id`).
    pub fn instance_code(mut self, code: impl Into<InstanceCode>) -> Self {
        self.body.instance_code = Some(code.into());
        self
    }

    /// Third-party instance id.
    pub fn instance_external_id(mut self, id: impl Into<String>) -> Self {
        self.body.instance_external_id = Some(id.into());
        self
    }

    /// Third-party definition-group id.
    pub fn group_external_id(mut self, id: impl Into<String>) -> Self {
        self.body.group_external_id = Some(id.into());
        self
    }

    /// Title (third-party approvals only).
    pub fn instance_title(mut self, title: impl Into<String>) -> Self {
        self.body.instance_title = Some(title.into());
        self
    }

    /// Status filter.
    pub fn status(mut self, status: SearchStatus) -> Self {
        self.body.instance_status = Some(status.as_str());
        self
    }

    /// Instances created in `[start, end)`, at most [`MAX_SEARCH_SPAN`] long.
    ///
    /// The search page does not say whether `instance_start_time_to` is inclusive, so it is
    /// sent as `end` (the range's end touched, nothing in it lost) and a hit created at or
    /// after `end` is dropped from the page. Pages may therefore hold fewer hits than
    /// `page_size`, as they already may when the server filters reverted instances.
    pub fn created_in(mut self, range: TimeRange) -> Self {
        self.created = Some(range);
        self
    }

    /// `zh-CN`, `en-US` or `ja-JP`.
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.body.locale = Some(locale.into());
        self
    }

    /// Page size, 5–200 (server default 10).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Starts at a page token of an earlier search with the same criteria.
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }

    /// Id type of `user_id` (default `open_id`).
    pub fn user_id_type(mut self, user_id_type: UserIdType) -> Self {
        self.user_id_type = Some(user_id_type);
        self
    }

    fn check(&self) -> Result<()> {
        let b = &self.body;
        let ids = [
            b.user_id.as_deref(),
            b.approval_code.as_ref().map(ApprovalCode::as_str),
            b.instance_code.as_ref().map(InstanceCode::as_str),
            b.instance_external_id.as_deref(),
            b.group_external_id.as_deref(),
        ];
        if ids.iter().all(|v| v.is_none_or(str::is_empty)) {
            return Err(Error::invalid_argument(
                "filter",
                "the instance search needs one of user_id, approval_code, instance_code, \
                 instance_external_id, group_external_id",
            ));
        }
        if let Some(range) = self.created
            && range.duration() > MAX_SEARCH_SPAN
        {
            return Err(Error::invalid_argument(
                "created_in",
                format!("{range:?} is longer than the 30 days the search accepts"),
            ));
        }
        if let Some(n) = self.page_size
            && !PAGE_SIZES.contains(&n)
        {
            return Err(Error::invalid_argument(
                "page_size",
                format!("{n} is out of range: Feishu accepts 5..=200"),
            ));
        }
        Ok(())
    }

    fn request(&self, token: Option<String>) -> Result<Request> {
        self.check()?;
        let mut body = self.body.clone();
        if let Some(range) = self.created {
            body.instance_start_time_from = Some(range.start_ms().to_string());
            body.instance_start_time_to = Some(ceil_ms(range.end()).to_string());
        }
        Request::new(SEARCH_INSTANCES, &[])?
            .query_opt("page_size", self.page_size)
            .query_opt("user_id_type", self.user_id_type.map(UserIdType::as_str))
            .query_opt("page_token", token)
            .json(&body)
    }
}

impl PageFetch for SearchInstances {
    type Item = SearchedInstance;

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    /// [`Page::total`] is the server's `count`.
    fn fetch_page(
        &self,
        token: Option<String>,
    ) -> impl Future<Output = Result<Page<SearchedInstance>>> + Send + use<> {
        let client = self.client.clone();
        let request = self.request(token);
        let end = self.created.map(|range| range.end());
        async move {
            let mut page = fetch(&client, request?).await?;
            if let Some(end) = end {
                page.items
                    .retain(|hit| hit.instance.start_time.is_none_or(|t| t < end));
            }
            Ok(page)
        }
    }
}

#[derive(Debug, Deserialize)]
struct SearchPage {
    #[serde(default, deserialize_with = "opt_i64")]
    count: Option<i64>,
    #[serde(default, deserialize_with = "vec_or_empty")]
    instance_list: Vec<SearchedInstance>,
    #[serde(default, deserialize_with = "bool_or_false")]
    has_more: bool,
    #[serde(default, deserialize_with = "opt_string")]
    page_token: Option<String>,
}

async fn fetch(client: &Client, request: Request) -> Result<Page<SearchedInstance>> {
    let page: SearchPage = client.send(request).await?;
    Ok(
        Page::new(page.instance_list, page.has_more, page.page_token)
            .with_total(page.count.and_then(|c| u64::try_from(c).ok())),
    )
}

/// A nested object where `null` means "absent" (a `null` must not fail the whole page).
fn null_as_default<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One search hit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct SearchedInstance {
    /// The definition (empty when sent as `null`).
    #[serde(deserialize_with = "null_as_default")]
    pub approval: SearchedApproval,
    /// The definition group (empty when sent as `null`).
    #[serde(deserialize_with = "null_as_default")]
    pub group: SearchedGroup,
    /// The instance (empty when sent as `null`).
    #[serde(deserialize_with = "null_as_default")]
    pub instance: SearchedInstanceInfo,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The definition of a search hit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct SearchedApproval {
    /// Definition code.
    #[serde(deserialize_with = "id_or_empty")]
    pub code: ApprovalCode,
    /// Name.
    #[serde(deserialize_with = "string_or_empty")]
    pub name: String,
    /// Whether it is a third-party approval.
    #[serde(deserialize_with = "bool_or_false")]
    pub is_external: bool,
    /// Third-party settings (`batch_cc_read`), as sent.
    pub external: Option<Value>,
    /// Definition id.
    #[serde(deserialize_with = "string_or_empty")]
    pub approval_id: String,
    /// Icon URL.
    #[serde(deserialize_with = "string_or_empty")]
    pub icon: String,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The group of a search hit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct SearchedGroup {
    /// Third-party group id.
    #[serde(deserialize_with = "string_or_empty")]
    pub external_id: String,
    /// Group name.
    #[serde(deserialize_with = "string_or_empty")]
    pub name: String,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The instance of a search hit. The status arrives in lower case and maps to the same
/// [`InstanceStatus`] variants as the detail API.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct SearchedInstanceInfo {
    /// Instance code (feed to [`crate::Approval::get_instance`]).
    #[serde(deserialize_with = "id_or_empty")]
    pub code: InstanceCode,
    /// Third-party instance id.
    #[serde(deserialize_with = "string_or_empty")]
    pub external_id: String,
    /// Initiator id.
    #[serde(deserialize_with = "string_or_empty")]
    pub user_id: String,
    /// Creation time.
    #[serde(with = "crate::timestamp")]
    pub start_time: Option<OffsetDateTime>,
    /// Finish time (`None` while open).
    #[serde(with = "crate::timestamp")]
    pub end_time: Option<OffsetDateTime>,
    /// Status.
    pub status: InstanceStatus,
    /// Title (third-party only).
    #[serde(deserialize_with = "string_or_empty")]
    pub title: String,
    /// The `extra` JSON string, as sent.
    #[serde(rename = "extra", deserialize_with = "string_or_empty")]
    pub extra_json: String,
    /// Serial number.
    #[serde(deserialize_with = "string_or_empty")]
    pub serial_id: String,
    /// Links (third-party only), as sent.
    pub link: Option<Value>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
