//! Shifts and groups over HTTP: the listings page, the reads type every documented field
//! they model, and the ids in punch results resolve to them.

use std::collections::HashSet;

use feishu_attendance::{
    Attendance, AttendanceGroup, EmployeeType, GroupType, ListRequest, Shift, ShiftId,
};
use feishu_core::{Client, Credentials, Error, RateLimits, TimeRange};
use feishu_testkit::FakeTenant;
use feishu_testkit::attendance::{DEFAULT_GROUP_ID, DEFAULT_SHIFT_ID};
use futures::TryStreamExt;
use time::macros::datetime;

async fn setup() -> (FakeTenant, Attendance) {
    let tenant = FakeTenant::start().await;
    let client = Client::builder()
        .base_url(&tenant.base_url())
        .credentials(Credentials::self_built(
            tenant.app_id(),
            tenant.app_secret(),
        ))
        .rate_limits(RateLimits::disabled())
        .build()
        .unwrap();
    (tenant, Attendance::new(client))
}

#[tokio::test]
async fn shifts_are_listed_page_by_page_and_read_by_id_or_name() {
    let (tenant, attendance) = setup().await;
    let pages: Vec<_> = attendance
        .list_shifts()
        .page_size(5)
        .by_page()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 3);
    let ids: Vec<String> = pages
        .into_iter()
        .flat_map(|p| p.items)
        .map(|s| s.shift_id.into_string())
        .collect();
    assert_eq!(ids, tenant.attendance().shift_ids());

    let day = attendance.get_shift(DEFAULT_SHIFT_ID).await.unwrap();
    assert_eq!(day.shift_id, DEFAULT_SHIFT_ID);
    assert_eq!(day.punch_times, Some(1));
    let rule = &day.punch_time_rule[0];
    assert_eq!(
        (rule.on_minutes(), rule.off_minutes()),
        (Some(540), Some(1080))
    );
    assert_eq!(day.rest_time_rule[0].rest_begin_time, "12:00");
    assert_eq!(
        day.shift_attendance_time_config
            .as_ref()
            .unwrap()
            .attendance_time,
        Some(1.0)
    );
    assert!(
        day.extra.contains_key("late_off_late_on_setting"),
        "kept, not lost"
    );

    let night = attendance.get_shift_by_name("Night shift").await.unwrap();
    assert!(
        night.punch_time_rule[0].off_minutes().unwrap() > 24 * 60,
        "ends the next day"
    );
    let flexible = attendance.get_shift_by_name("Flexible day").await.unwrap();
    assert!(flexible.is_flexible);
    assert_eq!(flexible.flexible_rule[0].flexible_late_minutes, Some(60));

    let err = attendance
        .get_shift("7300000000000009999")
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1220001));
    let err = attendance.get_shift_by_name(" ").await.unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)));
    let err = attendance
        .list_shifts()
        .page_size(51)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)));
}

#[tokio::test]
async fn groups_are_listed_and_read_with_either_employee_type() {
    let (tenant, attendance) = setup().await;
    let groups: Vec<_> = attendance
        .list_groups()
        .page_size(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<String> = groups.iter().map(|g| g.group_id.to_string()).collect();
    assert_eq!(ids, tenant.attendance().group_ids());

    let hq = attendance.get_group(DEFAULT_GROUP_ID).send().await.unwrap();
    assert_eq!(hq.group_type, Some(GroupType::Fixed));
    assert_eq!(hq.time_zone, "Asia/Shanghai");
    let user_ids: HashSet<String> = tenant.contact().user_ids("user_id").into_iter().collect();
    assert_eq!(hq.bind_user_ids.len(), user_ids.len());
    assert!(hq.bind_user_ids.iter().all(|id| user_ids.contains(id)));
    let query = tenant.journal().last().unwrap().query.clone();
    assert!(query.contains(&("employee_type".into(), "employee_id".into())));
    assert!(query.contains(&("dept_type".into(), "open_id".into())));
    // Every shift the group names can be read.
    let shift_ids: Vec<ShiftId> = hq.shift_ids().into_iter().cloned().collect();
    assert_eq!(shift_ids.len(), 2, "the weekday shift and a special day's");
    for id in shift_ids {
        attendance.get_shift(id).await.unwrap();
    }

    let by_no = attendance
        .get_group(DEFAULT_GROUP_ID)
        .employee_type(EmployeeType::EmployeeNo)
        .send()
        .await
        .unwrap();
    assert!(by_no.bind_user_ids.iter().all(|id| id.starts_with('E')));
    let free = attendance.get_group(ids[2].as_str()).send().await.unwrap();
    assert_eq!(free.group_type, Some(GroupType::Free));
    assert_eq!(free.free_punch_cfg.unwrap().work_hours, Some(480));
    let err = attendance.get_group("nope").send().await.unwrap_err();
    assert_eq!(err.api_code(), Some(1220001));
}

#[tokio::test]
async fn the_ids_in_punch_results_resolve() {
    let (tenant, attendance) = setup().await;
    let users = tenant.contact().user_ids("user_id")[..5].to_vec();
    let week = TimeRange::new(
        datetime!(2025-01-06 00:00 +08:00),
        datetime!(2025-01-11 00:00 +08:00),
    )
    .unwrap();
    let tasks: Vec<_> = attendance
        .list_user_tasks(EmployeeType::EmployeeId, week)
        .user_ids(users)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!tasks.is_empty());
    let groups: HashSet<String> = attendance
        .list_groups()
        .into_stream()
        .map_ok(|g| g.group_id.into_string())
        .try_collect()
        .await
        .unwrap();
    for task in &tasks {
        assert!(groups.contains(&task.group_id), "{}", task.group_id);
        let shift = attendance.get_shift(task.shift_id.as_str()).await.unwrap();
        let on = shift.punch_time_rule[0].on_minutes().unwrap();
        let scheduled = task.records[0].check_in_shift_time.unwrap();
        assert_eq!(
            (scheduled + 8 * 3600) % 86_400,
            i64::from(on) * 60,
            "the shift explains the result"
        );
    }
}

#[test]
fn models_survive_a_json_round_trip() {
    let shift: Shift = serde_json::from_str(
        r#"{"shift_id":"s1","shift_name":"Day","punch_times":"1","is_flexible":0,
            "punch_time_rule":[{"on_time":"9:00","off_time":"18:00","no_need_on":true}],
            "brand_new":{"x":1}}"#,
    )
    .unwrap();
    assert_eq!(shift.punch_times, Some(1), "numbers may be strings");
    let back: Shift = serde_json::from_str(&serde_json::to_string(&shift).unwrap()).unwrap();
    assert_eq!(back, shift);
    let group: AttendanceGroup = serde_json::from_str(
        r#"{"group_id":"g1","group_type":7,"effect_time":"1704038400","bind_user_ids":["a",1]}"#,
    )
    .unwrap();
    assert_eq!(group.group_type, Some(GroupType::Unknown(7)));
    assert_eq!(group.effect_time, Some(1_704_038_400));
    assert_eq!(group.bind_user_ids, ["a", "1"]);
    let json = serde_json::to_value(&group).unwrap();
    assert_eq!(
        json["effect_time"], "1704038400",
        "written back as Feishu sends it"
    );
    let back: AttendanceGroup = serde_json::from_value(json).unwrap();
    assert_eq!(back, group);
}
