//! Approval definitions: `GET /open-apis/approval/v4/approvals/:approval_code`
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/get>).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use feishu_core::internal::de::{
    bool_or_false, opt_i64, opt_string, string_or_empty, vec_or_empty,
};
use feishu_core::{Client, Endpoint, RateLimit, Request, Result, UserIdType};

use crate::codes::APPROVAL_CODES;
use crate::definition_form::DefinitionForm;
use crate::ids::ApprovalCode;
use feishu_core::internal::wire_enum;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/get>:
/// 100 per minute.
pub(crate) const GET_DEFINITION: Endpoint = Endpoint::get(
    "approval.approvals.get",
    "approval/v4/approvals/{approval_code}",
)
.limit(RateLimit::per_minute(100))
.codes(APPROVAL_CODES);

/// An approval definition.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct ApprovalDefinition {
    /// Name.
    #[serde(deserialize_with = "string_or_empty")]
    pub approval_name: String,
    /// Status.
    pub status: DefinitionStatus,
    /// The form as the JSON string Feishu sent; see [`ApprovalDefinition::form_widgets`].
    #[serde(deserialize_with = "string_or_empty")]
    pub form: String,
    /// Nodes.
    #[serde(deserialize_with = "vec_or_empty")]
    pub node_list: Vec<Node>,
    /// Who may view instances.
    #[serde(deserialize_with = "vec_or_empty")]
    pub viewers: Vec<Viewer>,
    /// Admin open_ids (only with `with_admin_id(true)`).
    #[serde(deserialize_with = "vec_or_empty")]
    pub approval_admin_ids: Vec<String>,
    /// Widget value linkage, a JSON string.
    #[serde(deserialize_with = "string_or_empty")]
    pub form_widget_relation: String,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ApprovalDefinition {
    /// The form parsed into widget definitions (never fails; see
    /// [`DefinitionForm::warnings`]). `fieldList` columns come from `children` or `value`.
    pub fn form_widgets(&self) -> DefinitionForm {
        DefinitionForm::parse(&self.form)
    }
}

/// A node of the approval flow.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct Node {
    /// Name.
    #[serde(deserialize_with = "string_or_empty")]
    pub name: String,
    /// Whether the submitter picks the approvers.
    #[serde(deserialize_with = "bool_or_false")]
    pub need_approver: bool,
    /// Node id.
    #[serde(deserialize_with = "string_or_empty")]
    pub node_id: String,
    /// Custom node id, when set.
    #[serde(
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub custom_node_id: Option<String>,
    /// How the node decides.
    pub node_type: NodeType,
    /// Whether the submitter may pick several approvers.
    #[serde(deserialize_with = "bool_or_false")]
    pub approver_chosen_multi: bool,
    /// Where approvers may be chosen from.
    #[serde(deserialize_with = "vec_or_empty")]
    pub approver_chosen_range: Vec<ApproverRange>,
    /// Whether approving requires a signature.
    #[serde(deserialize_with = "bool_or_false")]
    pub require_signature: bool,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A range approvers may be chosen from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct ApproverRange {
    /// 0 = whole company, 1 = roles, 2 = users.
    #[serde(deserialize_with = "opt_i64")]
    pub approver_range_type: Option<i64>,
    /// Role or user ids.
    #[serde(deserialize_with = "vec_or_empty")]
    pub approver_range_ids: Vec<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Who may view a definition's instances.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct Viewer {
    /// `TENANT`, `DEPARTMENT`, `USER`, `ROLE`, `USER_GROUP`, `NONE`.
    #[serde(rename = "type", deserialize_with = "string_or_empty")]
    pub viewer_type: String,
    /// Department / user / role / group id, by type.
    #[serde(deserialize_with = "string_or_empty")]
    pub id: String,
    /// user_id when the type is `USER`.
    #[serde(deserialize_with = "string_or_empty")]
    pub user_id: String,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Request builder for a definition; from [`crate::Approval::get_definition`].
///
/// # Example
/// ```no_run
/// use feishu_approval::Approval;
/// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
/// let definition = approval
///     .get_definition("3B68E280-CF10-4198-B4CD-2E3BB97981D8")
///     .locale("en-US")
///     .send()
///     .await?;
/// for widget in definition.form_widgets().widgets {
///     println!("{} {} required={}", widget.id, widget.widget_type, widget.required);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct GetDefinition {
    client: Client,
    approval_code: ApprovalCode,
    locale: Option<String>,
    with_admin_id: Option<bool>,
    user_id_type: Option<UserIdType>,
    with_option: Option<bool>,
    user_id: Option<String>,
    nested_mutable_group: Option<bool>,
}

impl GetDefinition {
    pub(crate) fn new(client: Client, approval_code: ApprovalCode) -> Self {
        GetDefinition {
            client,
            approval_code,
            locale: None,
            with_admin_id: None,
            user_id_type: None,
            with_option: None,
            user_id: None,
            nested_mutable_group: None,
        }
    }

    /// Language of names and labels (`zh-CN`, `en-US`, ...).
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.locale = Some(locale.into());
        self
    }

    /// Whether to include `approval_admin_ids`.
    pub fn with_admin_id(mut self, with: bool) -> Self {
        self.with_admin_id = Some(with);
        self
    }

    /// Id type of user ids in the reply and of [`GetDefinition::user_id`].
    pub fn user_id_type(mut self, user_id_type: UserIdType) -> Self {
        self.user_id_type = Some(user_id_type);
        self
    }

    /// Whether to return external-data-source and leave/attendance widget options.
    pub fn with_option(mut self, with: bool) -> Self {
        self.with_option = Some(with);
        self
    }

    /// User context.
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// Whether to return full reference-Bitable widgets.
    pub fn nested_mutable_group(mut self, nested: bool) -> Self {
        self.nested_mutable_group = Some(nested);
        self
    }

    /// Fetches the definition. Unknown code → 1390002, deleted → 1390016.
    pub async fn send(&self) -> Result<ApprovalDefinition> {
        let request = Request::new(GET_DEFINITION, &[self.approval_code.as_str()])?
            .query_opt("locale", self.locale.as_deref())
            .query_opt("with_admin_id", self.with_admin_id)
            .query_opt("user_id_type", self.user_id_type.map(UserIdType::as_str))
            .query_opt("with_option", self.with_option)
            .query_opt("user_id", self.user_id.as_deref())
            .query_opt("nested_mutable_group", self.nested_mutable_group);
        self.client.send(request).await
    }
}

wire_enum! {
    /// Status of an approval definition: `ACTIVE`, `INACTIVE`, `DELETED` or `UNKNOWN`, per
    /// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/get>.
    pub enum DefinitionStatus {
        /// In use.
        Active => "ACTIVE",
        /// Disabled.
        Inactive => "INACTIVE",
        /// Deleted.
        Deleted => "DELETED",
        /// Feishu's own documented `UNKNOWN`: Feishu does not know the status. Not to be
        /// confused with [`DefinitionStatus::Unknown`], a value this SDK does not know.
        UnknownStatus => "UNKNOWN",
    }
}

wire_enum! {
    /// How a definition node decides.
    pub enum NodeType {
        /// All approvers must approve.
        And => "AND",
        /// Any approver decides.
        Or => "OR",
        /// Approvers in sequence.
        Sequential => "SEQUENTIAL",
        /// Carbon-copy node.
        CcNode => "CC_NODE",
    }
}
