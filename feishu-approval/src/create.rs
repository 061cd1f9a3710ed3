//! Creating an instance: `POST /open-apis/approval/v4/instances`
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/create>),
//! made idempotent by its `uuid`.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use feishu_core::internal::annotate;
use feishu_core::{Client, DepartmentId, Endpoint, Error, Idempotency, RateLimit, Request, Result};

use crate::codes::{APPROVAL_CODES, UUID_CONFLICT};
use crate::detail::InstanceParams;
use crate::form_check::CheckedForm;
use crate::ids::{ApprovalCode, InstanceCode};
use crate::user::ApprovalUser;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/create>:
/// 100 per minute. The body's `uuid` ("one uuid creates at most one instance") makes a repeat
/// harmless, so the call is retried after a timeout with the same uuid.
pub(crate) const CREATE_INSTANCE: Endpoint =
    Endpoint::post("approval.instances.create", "approval/v4/instances")
        .idempotency(Idempotency::WithToken)
        .limit(RateLimit::per_minute(100))
        .codes(APPROVAL_CODES);

/// Longest `uuid` the create call accepts (its field table: 1–64 characters).
pub const MAX_UUID_LEN: usize = 64;

/// Most CC entries per list (`node_cc_*_list`: "maximum length 20").
const MAX_CC_ENTRIES: usize = 20;

/// What [`CreateInstance::send`] created (or found already created by an earlier attempt).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedInstance {
    /// The new instance's code.
    pub instance_code: InstanceCode,
    /// The `uuid` the instance was created with (fetch it by this too).
    pub uuid: String,
    /// `true` when Feishu refused the uuid as already used and the instance was found by it:
    /// an earlier attempt of this same call (its reply lost to a timeout or a reset
    /// connection) had created it.
    pub recovered: bool,
}

#[derive(Deserialize)]
struct CreateReply {
    instance_code: InstanceCode,
}

/// Request builder for a new instance; from [`crate::Approval::create_instance`].
///
/// # Idempotency
///
/// Every builder carries a `uuid`, generated when it is made (or set with
/// [`uuid`](Self::uuid)): one builder is one logical creation. The SDK retries the call after
/// a timeout or a reset connection with the same uuid, and sending the same builder again is
/// safe too. Feishu answers a repeated uuid with an error (code 60012) instead of the
/// instance; the SDK then fetches the instance by its uuid
/// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/get>:
/// "if a uuid was given at creation, it can be passed instead of the code") and returns it
/// with [`CreatedInstance::recovered`] set. The uuid is a business key, unique in the tenant:
/// a uuid already used by an instance of another definition or initiator fails with 60012.
///
/// # Example
/// ```no_run
/// use feishu_approval::{Approval, FormInput, WidgetInput};
/// use feishu_core::OpenId;
/// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
/// let code = "3B68E280-CF10-4198-B4CD-2E3BB97981D8";
/// let definition = approval.get_definition(code).send().await?;
/// let form = FormInput::new()
///     .set("widget_item", WidgetInput::text("Laptop"))
///     .set("widget_amount", WidgetInput::amount(1299.0, "CNY"))
///     .check(&definition.form_widgets())?;
/// let initiator = OpenId::from("ou_806a18fb5bdf525e38ba219733bdbd73");
/// let created = approval
///     .create_instance(code, initiator, form)
///     .uuid("purchase-2025-0042")
///     .send()
///     .await?;
/// println!("created {} (uuid {})", created.instance_code, created.uuid);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct CreateInstance {
    client: Client,
    approval_code: ApprovalCode,
    initiator: ApprovalUser,
    form: CheckedForm,
    uuid: String,
    department_id: Option<DepartmentId>,
    node_approvers: Vec<(String, Vec<ApprovalUser>)>,
    node_cc: Vec<(String, Vec<ApprovalUser>)>,
    flags: Map<String, Value>,
}

impl CreateInstance {
    pub(crate) fn new(
        client: Client,
        approval_code: ApprovalCode,
        initiator: ApprovalUser,
        form: CheckedForm,
    ) -> Self {
        CreateInstance {
            client,
            approval_code,
            initiator,
            form,
            uuid: crate::request_uuid::new_uuid(),
            department_id: None,
            node_approvers: Vec::new(),
            node_cc: Vec::new(),
            flags: Map::new(),
        }
    }

    /// The idempotency key (1–64 characters, unique in the tenant, compared ignoring case)
    /// instead of the generated one: keep it with your own record to make re-running a job
    /// safe.
    pub fn uuid(mut self, uuid: impl Into<String>) -> Self {
        self.uuid = uuid.into();
        self
    }

    /// The uuid this call sends.
    pub fn request_uuid(&self) -> &str {
        &self.uuid
    }

    /// The initiator's department (the tenant's custom `department_id`, not the root);
    /// Feishu's default is the initiator's first department.
    pub fn department_id(mut self, department_id: impl Into<DepartmentId>) -> Self {
        self.department_id = Some(department_id.into());
        self
    }

    /// Approvers of a node where the initiator picks them (`node_key`: the `node_id` or
    /// `custom_node_id` of the definition's node), by `user_id` or `open_id`.
    pub fn node_approvers<I, U>(mut self, node_key: impl Into<String>, users: I) -> Self
    where
        I: IntoIterator<Item = U>,
        U: Into<ApprovalUser>,
    {
        let users = users.into_iter().map(Into::into).collect();
        self.node_approvers.push((node_key.into(), users));
        self
    }

    /// CC recipients of a node where the initiator picks them (`node_key`: its `node_id`).
    pub fn node_cc<I, U>(mut self, node_key: impl Into<String>, users: I) -> Self
    where
        I: IntoIterator<Item = U>,
        U: Into<ApprovalUser>,
    {
        let users = users.into_iter().map(Into::into).collect();
        self.node_cc.push((node_key.into(), users));
        self
    }

    /// Whether the initiator may resubmit within the instance after it is sent back.
    pub fn allow_resubmit(mut self, allow: bool) -> Self {
        self.flags.insert("allow_resubmit".into(), json!(allow));
        self
    }

    /// Whether the instance offers "submit again" (a new instance with the same form).
    pub fn allow_submit_again(mut self, allow: bool) -> Self {
        self.flags.insert("allow_submit_again".into(), json!(allow));
        self
    }

    /// Whether the initiator is kept from recalling the instance (Feishu's default `false`).
    pub fn forbid_revoke(mut self, forbid: bool) -> Self {
        self.flags.insert("forbid_revoke".into(), json!(forbid));
        self
    }

    fn body(&self) -> Result<Value> {
        let uuid_len = self.uuid.chars().count();
        if !(1..=MAX_UUID_LEN).contains(&uuid_len) {
            return Err(Error::invalid_argument(
                "uuid",
                format!("{uuid_len} characters; Feishu accepts 1..={MAX_UUID_LEN}"),
            ));
        }
        self.initiator.check("initiator")?;
        let mut body = self.flags.clone();
        body.insert("approval_code".into(), json!(self.approval_code));
        let initiator_key = match &self.initiator {
            ApprovalUser::UserId(_) => "user_id",
            ApprovalUser::OpenId(_) => "open_id",
            _ => {
                return Err(Error::invalid_argument(
                    "initiator",
                    "the create call names the initiator by user_id or open_id, not union_id",
                ));
            }
        };
        body.insert(initiator_key.into(), json!(self.initiator.as_str()));
        body.insert("form".into(), json!(self.form.as_json()));
        body.insert("uuid".into(), json!(self.uuid));
        if let Some(department) = &self.department_id {
            body.insert("department_id".into(), json!(department));
        }
        node_lists(&mut body, "node_approver", &self.node_approvers, None)?;
        node_lists(&mut body, "node_cc", &self.node_cc, Some(MAX_CC_ENTRIES))?;
        Ok(Value::Object(body))
    }

    /// Creates the instance, or returns the one an earlier attempt with this uuid created.
    ///
    /// Errors: 1390001 (a parameter or a widget value Feishu refuses; its message may name the
    /// widget), 1390002 (unknown definition), 1390013 (free-process definitions are not
    /// supported), 1390015 (the definition is disabled), 60012 (the uuid belongs to another
    /// instance). After a timeout the SDK has already retried with the same uuid; if the
    /// error still says [`write_may_have_applied`](Error::write_may_have_applied) or is a
    /// timeout, sending this builder again is safe.
    pub async fn send(&self) -> Result<CreatedInstance> {
        let request = Request::new(CREATE_INSTANCE, &[])?.json(&self.body()?)?;
        match self.client.send::<CreateReply>(request).await {
            Ok(reply) => Ok(CreatedInstance {
                instance_code: reply.instance_code,
                uuid: self.uuid.clone(),
                recovered: false,
            }),
            Err(e) if is_uuid_conflict(&e) => self.recover(e).await,
            Err(e) => Err(e),
        }
    }

    /// After "uuid already used": the instance holding the uuid, when it is this call's.
    async fn recover(&self, conflict: Error) -> Result<CreatedInstance> {
        let by_uuid = InstanceCode::from(self.uuid.as_str());
        let detail = match InstanceParams::default()
            .fetch(&self.client, &by_uuid)
            .await
        {
            Ok(detail) => detail,
            Err(lookup) => {
                let note = format!(
                    "the instance holding uuid {:?} could not be read: {lookup}",
                    self.uuid
                );
                return Err(annotate(conflict, &note));
            }
        };
        let found = detail.instance();
        let same_definition =
            found.approval_code.as_str().is_empty() || found.approval_code == self.approval_code;
        let same_initiator = match &self.initiator {
            ApprovalUser::UserId(id) => found.user_id.is_empty() || found.user_id == id.as_str(),
            ApprovalUser::OpenId(id) => found.open_id.is_empty() || found.open_id == id.as_str(),
            _ => true,
        };
        if !(same_definition && same_initiator) {
            let note = format!(
                "uuid {:?} already belongs to instance {} of another definition or initiator; choose another uuid",
                self.uuid,
                detail.code()
            );
            return Err(annotate(conflict, &note));
        }
        tracing::debug!(uuid = %self.uuid, instance = %detail.code(), "instance found by its uuid after a repeat");
        Ok(CreatedInstance {
            instance_code: detail.code().clone(),
            uuid: self.uuid.clone(),
            recovered: true,
        })
    }
}

/// Feishu's "uuid already used" answer: 60012 as documented, or (the v4 error table does not
/// list the code) a refusal whose message names the uuid.
fn is_uuid_conflict(e: &Error) -> bool {
    e.as_api().is_some_and(|api| {
        api.code() == UUID_CONFLICT || api.msg().to_ascii_lowercase().contains("uuid")
    })
}

/// `<prefix>_user_id_list` / `<prefix>_open_id_list` entries `{key, value: [ids]}`.
fn node_lists(
    body: &mut Map<String, Value>,
    prefix: &str,
    nodes: &[(String, Vec<ApprovalUser>)],
    max: Option<usize>,
) -> Result<()> {
    let mut by_user = Vec::new();
    let mut by_open = Vec::new();
    for (key, users) in nodes {
        if key.trim().is_empty() {
            return Err(Error::invalid_argument(
                prefix.to_string(),
                "a node key is empty",
            ));
        }
        let mut user_ids = Vec::new();
        let mut open_ids = Vec::new();
        for user in users {
            user.check("node user")?;
            match user {
                ApprovalUser::UserId(id) => user_ids.push(id.as_str()),
                ApprovalUser::OpenId(id) => open_ids.push(id.as_str()),
                _ => {
                    return Err(Error::invalid_argument(
                        prefix.to_string(),
                        "node users are named by user_id or open_id, not union_id",
                    ));
                }
            }
        }
        if !user_ids.is_empty() {
            by_user.push(json!({ "key": key, "value": user_ids }));
        }
        if !open_ids.is_empty() {
            by_open.push(json!({ "key": key, "value": open_ids }));
        }
    }
    for (suffix, list) in [("user_id_list", by_user), ("open_id_list", by_open)] {
        if let Some(max) = max.filter(|max| list.len() > *max) {
            return Err(Error::invalid_argument(
                format!("{prefix}_{suffix}"),
                format!("{} entries; Feishu accepts at most {max}", list.len()),
            ));
        }
        if !list.is_empty() {
            body.insert(format!("{prefix}_{suffix}"), Value::Array(list));
        }
    }
    Ok(())
}
