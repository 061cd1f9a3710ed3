//! Users: the model, and the calls that read them
//! (<https://open.feishu.cn/document/server-docs/contact-v3/user/overview>).

pub(crate) mod model;
pub(crate) mod request;
