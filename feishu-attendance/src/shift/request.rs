//! The shift reads: `GET attendance/v1/shifts`, `GET attendance/v1/shifts/:shift_id` and
//! `POST attendance/v1/shifts/query`.

use std::future::Future;

use feishu_core::internal::de::{bool_or_false, opt_string, vec_or_empty};
use feishu_core::internal::{PageFetch, check_page_size};
use feishu_core::{Client, Endpoint, Error, Page, Request, Result};
use serde::Deserialize;

use super::model::Shift;
use crate::codes::attendance;
use crate::ids::ShiftId;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/shift/list>
/// (50/s, custom apps, `attendance:rule` or `attendance:rule:readonly`).
pub(crate) const LIST_SHIFTS: Endpoint = attendance(Endpoint::get(
    "attendance.shifts.list",
    "attendance/v1/shifts",
));

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/shift/get>
/// (50/s; the shift is the whole `data`).
pub(crate) const GET_SHIFT: Endpoint = attendance(Endpoint::get(
    "attendance.shifts.get",
    "attendance/v1/shifts/{shift_id}",
));

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/shift/query>
/// (50/s, `attendance:task:readonly` as documented; `shift_name` in the query, no body).
pub(crate) const QUERY_SHIFT: Endpoint = attendance(Endpoint::post_read(
    "attendance.shifts.query",
    "attendance/v1/shifts/query",
));

/// Largest `page_size` of the shift listing (1–50, Feishu's default 10).
pub const MAX_SHIFT_PAGE_SIZE: u32 = 50;

#[derive(Deserialize)]
struct ShiftPage {
    #[serde(default, deserialize_with = "vec_or_empty")]
    shift_list: Vec<Shift>,
    #[serde(default, deserialize_with = "bool_or_false")]
    has_more: bool,
    #[serde(default, deserialize_with = "opt_string")]
    page_token: Option<String>,
}

/// Lists every shift of the tenant; built by
/// [`Attendance::list_shifts`](crate::Attendance::list_shifts).
///
/// # Example
/// ```no_run
/// use feishu_attendance::{Attendance, ListRequest};
/// use futures::TryStreamExt;
/// # async fn sample(attendance: Attendance) -> feishu_core::Result<()> {
/// let shifts: Vec<_> = attendance.list_shifts().page_size(50).into_stream().try_collect().await?;
/// for shift in &shifts {
///     let hours: Vec<_> = shift.punch_time_rule.iter().map(|r| format!("{}-{}", r.on_time, r.off_time)).collect();
///     println!("{} {} {:?}", shift.shift_id, shift.shift_name, hours);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListShifts {
    client: Client,
    page_size: Option<u32>,
    page_token: Option<String>,
}

impl ListShifts {
    pub(crate) fn new(client: Client) -> Self {
        ListShifts {
            client,
            page_size: None,
            page_token: None,
        }
    }

    /// Page size, 1..=[`MAX_SHIFT_PAGE_SIZE`]; Feishu's default is 10. Checked before any
    /// request.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Starts at this page token (resuming a listing).
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }

    fn request(&self, token: Option<String>) -> Result<Request> {
        check_page_size(self.page_size, MAX_SHIFT_PAGE_SIZE)?;
        Ok(Request::new(LIST_SHIFTS, &[])?
            .query_opt("page_size", self.page_size)
            .query_opt("page_token", token))
    }
}

impl PageFetch for ListShifts {
    type Item = Shift;

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn fetch_page(
        &self,
        page_token: Option<String>,
    ) -> impl Future<Output = Result<Page<Shift>>> + Send + use<> {
        let client = self.client.clone();
        let request = self.request(page_token);
        async move {
            let page: ShiftPage = client.send(request?).await?;
            Ok(Page::new(page.shift_list, page.has_more, page.page_token))
        }
    }
}

/// `GET shifts/:shift_id`.
pub(crate) async fn get_shift(client: &Client, shift_id: &ShiftId) -> Result<Shift> {
    let shift: Shift = client
        .send(Request::new(GET_SHIFT, &[shift_id.as_str()])?)
        .await?;
    Ok(with_id(shift, shift_id))
}

/// `POST shifts/query?shift_name=`.
pub(crate) async fn get_shift_by_name(client: &Client, name: &str) -> Result<Shift> {
    if name.trim().is_empty() {
        return Err(Error::invalid_argument("shift_name", "is empty"));
    }
    let request = Request::new(QUERY_SHIFT, &[])?.query("shift_name", name);
    client.send(request).await
}

/// A shift read by id keeps that id when the reply leaves `shift_id` out.
fn with_id(mut shift: Shift, shift_id: &ShiftId) -> Shift {
    if shift.shift_id.as_str().is_empty() {
        shift.shift_id = shift_id.clone();
    }
    shift
}
