//! Departments: the model, one department by id, and the listing of a department's children
//! (<https://open.feishu.cn/document/server-docs/contact-v3/department/overview>).

pub(crate) mod get;
pub(crate) mod model;
pub(crate) mod request;
