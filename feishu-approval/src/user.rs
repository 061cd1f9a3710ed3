//! A person acting on an approval (initiator, approver, commenter), named by one of the three
//! user ids; the call sends the matching `user_id_type`.

use feishu_core::{Error, OpenId, Result, UnionId, UserId, UserIdType};

/// A user named by one of Feishu's three user ids. The write calls send the id together with
/// the `user_id_type` it needs, so an `open_id` can never be sent as a `user_id`.
///
/// Built from the core's id newtypes:
///
/// ```
/// use feishu_approval::ApprovalUser;
/// use feishu_core::{OpenId, UserId, UserIdType};
/// let approver = ApprovalUser::from(UserId::from("f7cb567e"));
/// assert_eq!(approver.id_type(), UserIdType::UserId);
/// assert_eq!(approver.as_str(), "f7cb567e");
/// let initiator: ApprovalUser = OpenId::from("ou_806a18fb5bdf525e38ba219733bdbd73").into();
/// assert_eq!(initiator.id_type(), UserIdType::OpenId);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApprovalUser {
    /// By `open_id` (`ou_…`).
    OpenId(OpenId),
    /// By `union_id` (`on_…`).
    UnionId(UnionId),
    /// By the tenant's `user_id` (needs `contact:user.employee_id:readonly`).
    UserId(UserId),
}

impl ApprovalUser {
    /// The `user_id_type` that names this id.
    pub fn id_type(&self) -> UserIdType {
        match self {
            ApprovalUser::OpenId(_) => UserIdType::OpenId,
            ApprovalUser::UnionId(_) => UserIdType::UnionId,
            ApprovalUser::UserId(_) => UserIdType::UserId,
        }
    }

    /// The id as Feishu spells it.
    pub fn as_str(&self) -> &str {
        match self {
            ApprovalUser::OpenId(id) => id.as_str(),
            ApprovalUser::UnionId(id) => id.as_str(),
            ApprovalUser::UserId(id) => id.as_str(),
        }
    }

    /// Refuses an empty id before anything is sent.
    pub(crate) fn check(&self, argument: &'static str) -> Result<()> {
        if self.as_str().trim().is_empty() {
            return Err(Error::invalid_argument(argument, "the user id is empty"));
        }
        Ok(())
    }
}

impl From<OpenId> for ApprovalUser {
    fn from(id: OpenId) -> Self {
        ApprovalUser::OpenId(id)
    }
}

impl From<UnionId> for ApprovalUser {
    fn from(id: UnionId) -> Self {
        ApprovalUser::UnionId(id)
    }
}

impl From<UserId> for ApprovalUser {
    fn from(id: UserId) -> Self {
        ApprovalUser::UserId(id)
    }
}

impl From<&OpenId> for ApprovalUser {
    fn from(id: &OpenId) -> Self {
        ApprovalUser::OpenId(id.clone())
    }
}

impl From<&UnionId> for ApprovalUser {
    fn from(id: &UnionId) -> Self {
        ApprovalUser::UnionId(id.clone())
    }
}

impl From<&UserId> for ApprovalUser {
    fn from(id: &UserId) -> Self {
        ApprovalUser::UserId(id.clone())
    }
}
