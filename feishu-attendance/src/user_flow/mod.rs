//! Punch flows: the model, and the query for many users over any range
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/user_flow/query>).

pub(crate) mod model;
pub(crate) mod request;
