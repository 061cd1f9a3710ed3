//! The ids Contact names things by: the core's user and department ids, [`GroupId`], the
//! [`UserIdentifier`] rule that a user id says its own `user_id_type`, and their lenient
//! decoding.

use feishu_core::{OpenId, UnionId, UserId, UserIdType};

feishu_core::internal::id_type! {
    /// A user group's id (`g128187`), as `contact/v3/scopes` lists granted groups
    /// (<https://open.feishu.cn/document/server-docs/contact-v3/group/overview>).
    GroupId
}

mod sealed {
    /// Only the core's three user ids name a user.
    pub trait Sealed {}
    impl Sealed for feishu_core::OpenId {}
    impl Sealed for feishu_core::UnionId {}
    impl Sealed for feishu_core::UserId {}
}

/// A user id that knows its kind: a call taking one sends the matching `user_id_type`, so an
/// `open_id` can never be sent as a `user_id`. Implemented by [`OpenId`], [`UnionId`] and
/// [`UserId`] only.
///
/// # Example
/// ```
/// use feishu_contact::UserIdentifier;
/// use feishu_core::{OpenId, UserId, UserIdType};
/// assert_eq!(<OpenId as UserIdentifier>::ID_TYPE, UserIdType::OpenId);
/// assert_eq!(<UserId as UserIdentifier>::ID_TYPE, UserIdType::UserId);
/// ```
pub trait UserIdentifier:
    sealed::Sealed + AsRef<str> + Into<String> + Clone + Send + Sync + 'static
{
    /// The `user_id_type` that names ids of this kind.
    const ID_TYPE: UserIdType;
}

impl UserIdentifier for OpenId {
    const ID_TYPE: UserIdType = UserIdType::OpenId;
}

impl UserIdentifier for UnionId {
    const ID_TYPE: UserIdType = UserIdType::UnionId;
}

impl UserIdentifier for UserId {
    const ID_TYPE: UserIdType = UserIdType::UserId;
}

pub(crate) use feishu_core::internal::de::{id_or_empty as lenient_id, id_vec as lenient_ids};
