//! Shifts: the model, and the calls that read them
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/shift/list>).

pub(crate) mod model;
pub(crate) mod request;
