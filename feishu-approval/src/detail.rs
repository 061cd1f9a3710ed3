//! One approval instance as fetched:
//! `GET /open-apis/approval/v4/instances/:instance_id`
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/get>).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use feishu_core::{Client, Endpoint, RateLimit, Request, Result, UserIdType};

use crate::codes::APPROVAL_CODES;
use crate::form::Form;
use crate::instance::Instance;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/get>:
/// 1000 per minute and 50 per second.
pub(crate) const GET_INSTANCE: Endpoint = Endpoint::get(
    "approval.instances.get",
    "approval/v4/instances/{instance_id}",
)
.limit(RateLimit::per_minute(1000).and_per_second(50))
.codes(APPROVAL_CODES);

/// An instance with its typed fields and the reply's `data` object exactly as sent.
///
/// The raw JSON is the guarantee: whatever the typed [`Instance`] does not model (new
/// fields, odd shapes) is still in [`InstanceDetail::raw`], unchanged. Serialising an
/// `InstanceDetail` writes `raw`; deserialising one decodes the typed view from it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct InstanceDetail {
    /// The typed view.
    pub instance: Instance,
    /// The `data` object of the reply, unchanged.
    pub raw: Value,
}

impl InstanceDetail {
    /// Decodes the typed view of a `data` object, keeping the object.
    pub fn from_raw(raw: Value) -> serde_json::Result<InstanceDetail> {
        let instance = Instance::deserialize(&raw)?;
        Ok(InstanceDetail { instance, raw })
    }

    /// The instance code.
    pub fn code(&self) -> &str {
        &self.instance.instance_code
    }

    /// The parsed form (see [`Form`]; never fails).
    pub fn form(&self) -> Form {
        self.instance.form()
    }
}

impl Serialize for InstanceDetail {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for InstanceDetail {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let raw = Value::deserialize(d)?;
        InstanceDetail::from_raw(raw).map_err(serde::de::Error::custom)
    }
}

/// Request builder for one instance; from [`crate::Approval::get_instance`].
#[derive(Debug, Clone)]
#[must_use]
pub struct GetInstance {
    client: Client,
    instance_id: String,
    pub(crate) params: InstanceParams,
}

/// Optional parameters of the instance GET, shared with the concurrent fetcher.
#[derive(Debug, Clone, Default)]
pub(crate) struct InstanceParams {
    pub(crate) locale: Option<String>,
    pub(crate) user_id: Option<String>,
    pub(crate) user_id_type: Option<UserIdType>,
    pub(crate) nested_mutable_group: Option<bool>,
}

impl InstanceParams {
    pub(crate) fn request(&self, instance_id: &str) -> Result<Request> {
        Ok(Request::new(GET_INSTANCE, &[instance_id])?
            .query_opt("locale", self.locale.as_deref())
            .query_opt("user_id", self.user_id.as_deref())
            .query_opt("user_id_type", self.user_id_type.map(UserIdType::as_str))
            .query_opt("nested_mutable_group", self.nested_mutable_group))
    }
}

impl GetInstance {
    pub(crate) fn new(client: Client, instance_id: String) -> Self {
        GetInstance {
            client,
            instance_id,
            params: InstanceParams::default(),
        }
    }

    /// Language of names and labels (`zh-CN`, `en-US`, ...).
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.params.locale = Some(locale.into());
        self
    }

    /// The initiator's id (of type [`GetInstance::user_id_type`]).
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.params.user_id = Some(user_id.into());
        self
    }

    /// The id type of `user_id` (default `open_id`).
    pub fn user_id_type(mut self, user_id_type: UserIdType) -> Self {
        self.params.user_id_type = Some(user_id_type);
        self
    }

    /// Whether to return full reference-Bitable widget data.
    pub fn nested_mutable_group(mut self, nested: bool) -> Self {
        self.params.nested_mutable_group = Some(nested);
        self
    }

    /// Fetches the instance. Unknown code → `Err` with code 1390003.
    pub async fn send(self) -> Result<InstanceDetail> {
        self.client
            .send(self.params.request(&self.instance_id)?)
            .await
    }
}
