//! The ids of the attendance rules that punch results refer to.

feishu_core::internal::id_type! {
    /// A shift's id (`shift_id` of a shift, of a punch result, of a group's schedule)
    /// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/shift/get>).
    ///
    /// ```
    /// use feishu_attendance::ShiftId;
    /// assert_eq!(ShiftId::from("6919358778597097404").as_str(), "6919358778597097404");
    /// ```
    ShiftId
}

feishu_core::internal::id_type! {
    /// An attendance group's id (`group_id` of a group and of a punch result)
    /// (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/attendance-v1/group/get>).
    /// Not a Contact user group.
    ///
    /// ```
    /// use feishu_attendance::AttendanceGroupId;
    /// assert_eq!(AttendanceGroupId::from("6919358128597097404").to_string(), "6919358128597097404");
    /// ```
    AttendanceGroupId
}

pub(crate) use feishu_core::internal::de::{id_or_empty as lenient_id, id_vec as lenient_ids};
