//! Punch results (tasks): the model, and the query for many users over any range of work days
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/user_task/query>).

pub(crate) mod model;
pub(crate) mod request;
