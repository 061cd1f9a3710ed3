//! User ids from email addresses and mobile numbers: the `users/batch_get_id` call
//! (<https://open.feishu.cn/document/server-docs/contact-v3/user/batch_get_id>) and a
//! resolver that batches and caches it.

pub(crate) mod contact_point;
pub(crate) mod request;
pub(crate) mod resolver;
