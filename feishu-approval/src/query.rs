//! Instance search: `POST /open-apis/approval/v4/instances/query` (§5.5). Custom apps only;
//! results may lag and exclude reverted instances.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use feishu_core::internal::PageFetch;
use feishu_core::internal::de::{
    bool_or_false, opt_i64, opt_string, string_or_empty, vec_or_empty,
};
use feishu_core::{Client, Endpoint, Error, Page, RateLimit, Request, Result, UserIdType};

use crate::codes::APPROVAL_CODES;
use crate::instance::InstanceStatus;
use crate::times::{HOUR_MS, opt_ms};

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/query>: 1000 per minute
/// and 50 per second.
pub(crate) const QUERY_INSTANCES: Endpoint =
    Endpoint::post_read("approval.instances.query", "approval/v4/instances/query")
        .limit(RateLimit::per_minute(1000).and_per_second(50))
        .codes(APPROVAL_CODES);

/// Longest `instance_start_time_from` .. `_to` span the endpoint accepts.
pub const MAX_QUERY_SPAN_MS: i64 = 30 * 24 * HOUR_MS;

/// The `instance_status` filter of the query endpoint (its own vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QueryStatus {
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

impl QueryStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryStatus::Pending => "PENDING",
            QueryStatus::Recall => "RECALL",
            QueryStatus::Reject => "REJECT",
            QueryStatus::Deleted => "DELETED",
            QueryStatus::Approved => "APPROVED",
            QueryStatus::All => "ALL",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
struct QueryBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    approval_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_code: Option<String>,
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

/// Request builder for the instance search; from [`crate::Approval::query_instances`].
/// At least one of `user_id`, `approval_code`, `instance_code`, `instance_external_id`,
/// `group_external_id` must be set; other criteria are AND-ed.
///
/// # Example
/// ```no_run
/// use futures::TryStreamExt;
/// use feishu_approval::{Approval, ListRequest, QueryStatus};
/// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
/// let pending: Vec<_> = approval
///     .query_instances()
///     .approval_code("3B68E280-CF10-4198-B4CD-2E3BB97981D8")
///     .status(QueryStatus::Pending)
///     .page_size(100)
///     .into_stream()
///     .try_collect()
///     .await?;
/// # let _ = pending; Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct QueryInstances {
    client: Client,
    body: QueryBody,
    page_size: Option<u32>,
    user_id_type: Option<UserIdType>,
}

impl QueryInstances {
    pub(crate) fn new(client: Client) -> Self {
        QueryInstances {
            client,
            body: QueryBody::default(),
            page_size: None,
            user_id_type: None,
        }
    }

    /// Initiator id (of type [`QueryInstances::user_id_type`]).
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.body.user_id = Some(user_id.into());
        self
    }

    /// Definition code (OR-ed with `group_external_id`).
    pub fn approval_code(mut self, code: impl Into<String>) -> Self {
        self.body.approval_code = Some(code.into());
        self
    }

    /// Instance code (OR-ed with `instance_external_id`).
    pub fn instance_code(mut self, code: impl Into<String>) -> Self {
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
    pub fn status(mut self, status: QueryStatus) -> Self {
        self.body.instance_status = Some(status.as_str());
        self
    }

    /// Creation time range, Unix ms, inclusive; at most 30 days.
    pub fn start_time_range(mut self, from_ms: i64, to_ms: i64) -> Self {
        self.body.instance_start_time_from = Some(from_ms.to_string());
        self.body.instance_start_time_to = Some(to_ms.to_string());
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

    /// Id type of `user_id` (default `open_id`).
    pub fn user_id_type(mut self, user_id_type: UserIdType) -> Self {
        self.user_id_type = Some(user_id_type);
        self
    }

    fn check(&self) -> Result<()> {
        let b = &self.body;
        if [
            &b.user_id,
            &b.approval_code,
            &b.instance_code,
            &b.instance_external_id,
            &b.group_external_id,
        ]
        .iter()
        .all(|v| v.as_deref().is_none_or(str::is_empty))
        {
            return Err(Error::invalid_argument(
                "filter",
                "the instance query needs one of user_id, approval_code, instance_code, \
                 instance_external_id, group_external_id",
            ));
        }
        if let (Some(from), Some(to)) = (&b.instance_start_time_from, &b.instance_start_time_to) {
            let (from, to): (i64, i64) = (from.parse().unwrap_or(0), to.parse().unwrap_or(0));
            // `checked_sub`: extreme caller values (i64::MIN..i64::MAX) must not overflow.
            if to < from
                || to
                    .checked_sub(from)
                    .is_none_or(|span| span > MAX_QUERY_SPAN_MS)
            {
                return Err(Error::invalid_argument(
                    "start_time_range",
                    format!("[{from}, {to}] must be ordered and at most 30 days"),
                ));
            }
        }
        if let Some(n) = self.page_size
            && !(5..=200).contains(&n)
        {
            return Err(Error::invalid_argument(
                "page_size",
                format!("{n} is outside 5..=200"),
            ));
        }
        Ok(())
    }

    fn request(&self, token: Option<String>) -> Result<Request> {
        self.check()?;
        Request::new(QUERY_INSTANCES, &[])?
            .query_opt("page_size", self.page_size)
            .query_opt("user_id_type", self.user_id_type.map(UserIdType::as_str))
            .query_opt("page_token", token)
            .json(&self.body)
    }
}

impl PageFetch for QueryInstances {
    type Item = QueriedInstance;

    fn start_token(&self) -> Option<String> {
        None
    }

    /// [`Page::total`] is the server's `count`.
    fn fetch_page(
        &self,
        token: Option<String>,
    ) -> impl std::future::Future<Output = Result<Page<QueriedInstance>>> + Send + use<> {
        let client = self.client.clone();
        let request = self.request(token);
        async move { fetch(&client, request?).await }
    }
}

#[derive(Debug, Deserialize)]
struct QueryPage {
    #[serde(default, deserialize_with = "opt_i64")]
    count: Option<i64>,
    #[serde(default, deserialize_with = "vec_or_empty")]
    instance_list: Vec<QueriedInstance>,
    #[serde(default, deserialize_with = "bool_or_false")]
    has_more: bool,
    #[serde(default, deserialize_with = "opt_string")]
    page_token: Option<String>,
}

async fn fetch(client: &Client, request: Request) -> Result<Page<QueriedInstance>> {
    let page: QueryPage = client.send(request).await?;
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
pub struct QueriedInstance {
    /// The definition (empty when sent as `null`).
    #[serde(deserialize_with = "null_as_default")]
    pub approval: QueriedApproval,
    /// The definition group (empty when sent as `null`).
    #[serde(deserialize_with = "null_as_default")]
    pub group: QueriedGroup,
    /// The instance (empty when sent as `null`).
    #[serde(deserialize_with = "null_as_default")]
    pub instance: QueriedInstanceInfo,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The definition of a search hit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct QueriedApproval {
    /// Definition code.
    #[serde(deserialize_with = "string_or_empty")]
    pub code: String,
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
pub struct QueriedGroup {
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
pub struct QueriedInstanceInfo {
    /// Instance code (feed to [`crate::Approval::get_instance`]).
    #[serde(deserialize_with = "string_or_empty")]
    pub code: String,
    /// Third-party instance id.
    #[serde(deserialize_with = "string_or_empty")]
    pub external_id: String,
    /// Initiator id.
    #[serde(deserialize_with = "string_or_empty")]
    pub user_id: String,
    /// Creation time, Unix ms.
    #[serde(deserialize_with = "opt_ms")]
    pub start_time: Option<i64>,
    /// Finish time, Unix ms (`None` while open).
    #[serde(deserialize_with = "opt_ms")]
    pub end_time: Option<i64>,
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
