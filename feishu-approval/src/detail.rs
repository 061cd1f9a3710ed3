//! One approval instance as fetched:
//! `GET /open-apis/approval/v4/instances/:instance_id`
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/get>).

use std::sync::OnceLock;

use serde_json::value::RawValue;

use feishu_core::{Client, Endpoint, RateLimit, Request, Result, UserIdType};

use crate::codes::APPROVAL_CODES;
use crate::form::Form;
use crate::ids::InstanceCode;
use crate::instance::{DecodeProblem, Instance};

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/get>:
/// 1000 per minute and 50 per second.
pub(crate) const GET_INSTANCE: Endpoint = Endpoint::get(
    "approval.instances.get",
    "approval/v4/instances/{instance_id}",
)
.limit(RateLimit::per_minute(1000).and_per_second(50))
.codes(APPROVAL_CODES);

/// An instance: the reply's `data` exactly as sent, its typed fields, and what of it could
/// not be typed.
///
/// The raw JSON is the guarantee: whatever the typed [`Instance`] does not model (new fields,
/// lists of the wrong shape) is still in [`InstanceDetail::raw`], byte for byte. The reply is
/// decoded once: its `data` is kept as raw text and the typed fields are read from that text;
/// the form is parsed on the first call of [`InstanceDetail::form`] and kept.
///
/// Reading never fails on a well-formed JSON reply: a `task_list`, `comment_list` or
/// `timeline` of the wrong shape leaves its typed list empty (or short) and is reported in
/// [`InstanceDetail::problems`].
///
/// # Example
/// ```
/// use feishu_approval::{DecodeProblem, InstanceDetail, InstanceStatus};
/// let json = r#"{"instance_code":"I-1","status":"PENDING","task_list":"not a list",
///                "form":"[{\"id\":\"w1\",\"type\":\"input\",\"value\":\"Laptop\"}]"}"#;
/// let detail = InstanceDetail::from_json(json)?;
/// assert_eq!(detail.code(), "I-1");
/// assert_eq!(detail.instance().status, InstanceStatus::Pending);
/// assert_eq!(detail.form().widgets[0].value, "Laptop");
/// assert!(matches!(detail.problems(), [DecodeProblem::NotAList { field: "task_list", .. }]));
/// assert_eq!(detail.raw().get(), json);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct InstanceDetail {
    instance: Instance,
    raw: Box<RawValue>,
    problems: Vec<DecodeProblem>,
    form: OnceLock<Form>,
}

impl InstanceDetail {
    /// Reads an instance from the `data` of a reply. Never fails; see
    /// [`InstanceDetail::problems`].
    pub fn from_raw(raw: Box<RawValue>) -> InstanceDetail {
        let (instance, problems) = Instance::read(raw.get());
        InstanceDetail {
            instance,
            raw,
            problems,
            form: OnceLock::new(),
        }
    }

    /// Reads an instance from the JSON text of a reply's `data` (as kept by
    /// [`InstanceDetail::raw`]). Fails only when `json` is not JSON.
    pub fn from_json(json: &str) -> serde_json::Result<InstanceDetail> {
        RawValue::from_string(json.to_string()).map(InstanceDetail::from_raw)
    }

    /// An instance fetched as `requested`: a reply without an `instance_code` keeps the code
    /// (or uuid) it was fetched by, so that it can still be told apart.
    fn fetched(raw: Box<RawValue>, requested: &InstanceCode) -> InstanceDetail {
        let mut detail = InstanceDetail::from_raw(raw);
        if detail.instance.instance_code.as_str().is_empty() {
            detail.instance.instance_code = requested.clone();
        }
        detail
    }

    /// The typed fields.
    pub fn instance(&self) -> &Instance {
        &self.instance
    }

    /// The typed fields, by value.
    pub fn into_instance(self) -> Instance {
        self.instance
    }

    /// The instance code.
    pub fn code(&self) -> &InstanceCode {
        &self.instance.instance_code
    }

    /// The reply's `data`, exactly as Feishu sent it.
    pub fn raw(&self) -> &RawValue {
        &self.raw
    }

    /// The reply's `data`, by value.
    pub fn into_raw(self) -> Box<RawValue> {
        self.raw
    }

    /// What could not be read into [`InstanceDetail::instance`]; empty for a reply that
    /// matches the documentation.
    pub fn problems(&self) -> &[DecodeProblem] {
        &self.problems
    }

    /// The parsed form (never fails; a malformed form is reported in
    /// [`Form::warnings`]). Parsed on the first call, then kept.
    pub fn form(&self) -> &Form {
        self.form.get_or_init(|| Form::parse(&self.instance.form))
    }
}

/// Equal when the replies are equal (the typed fields follow from them).
impl PartialEq for InstanceDetail {
    fn eq(&self, other: &Self) -> bool {
        self.raw.get() == other.raw.get()
    }
}

/// Request builder for one instance; from [`crate::Approval::get_instance`].
///
/// # Example
/// ```no_run
/// use feishu_approval::Approval;
/// use feishu_core::UserIdType;
/// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
/// let detail = approval
///     .get_instance("0C1B6F9E-2D3A-4B5C-8D7E-6F5A4B3C2D1E")
///     .locale("en-US")
///     .user_id_type(UserIdType::UserId)
///     .send()
///     .await?;
/// println!("{} {}", detail.code(), detail.instance().status);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct GetInstance {
    client: Client,
    instance: InstanceCode,
    params: InstanceParams,
}

/// Optional parameters of the instance GET, shared with the batch fetch.
#[derive(Debug, Clone, Default)]
pub(crate) struct InstanceParams {
    pub(crate) locale: Option<String>,
    pub(crate) user_id: Option<String>,
    pub(crate) user_id_type: Option<UserIdType>,
    pub(crate) nested_mutable_group: Option<bool>,
}

impl InstanceParams {
    fn request(&self, instance: &InstanceCode) -> Result<Request> {
        Ok(Request::new(GET_INSTANCE, &[instance.as_str()])?
            .query_opt("locale", self.locale.as_deref())
            .query_opt("user_id", self.user_id.as_deref())
            .query_opt("user_id_type", self.user_id_type.map(UserIdType::as_str))
            .query_opt("nested_mutable_group", self.nested_mutable_group))
    }

    /// Fetches one instance with these parameters.
    pub(crate) async fn fetch(
        &self,
        client: &Client,
        instance: &InstanceCode,
    ) -> Result<InstanceDetail> {
        let raw: Box<RawValue> = client.send(self.request(instance)?).await?;
        Ok(InstanceDetail::fetched(raw, instance))
    }
}

impl GetInstance {
    pub(crate) fn new(client: Client, instance: InstanceCode) -> Self {
        GetInstance {
            client,
            instance,
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

    /// Fetches the instance. An unknown code fails with code 1390003, an instance the app may
    /// not read with 1390009.
    pub async fn send(&self) -> Result<InstanceDetail> {
        self.params.fetch(&self.client, &self.instance).await
    }
}
