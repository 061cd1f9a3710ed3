//! Flows and tasks against the fake tenant: batching, windowing, counts, errors.

use std::collections::HashSet;
use std::time::Duration;

use feishu_attendance::{Attendance, EmployeeType, FlowType, SkipReason, SkippedUser, UserFlow};
use feishu_core::{Client, Credentials, RateLimits, TimeRange};
use feishu_testkit::FakeTenant;
use futures::TryStreamExt;
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::{date, datetime};

const DAY: i64 = 86_400;
const FLOWS_PATH: &str = "/open-apis/attendance/v1/user_flows/query";
const TASKS_PATH: &str = "/open-apis/attendance/v1/user_tasks/query";

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

fn calls(tenant: &FakeTenant, path: &str) -> Vec<feishu_testkit::JournalEntry> {
    tenant
        .journal()
        .into_iter()
        .filter(|e| e.path == path)
        .collect()
}

fn secs(v: &Value) -> i64 {
    v.as_str().expect("a decimal string").parse().unwrap()
}

fn range(from: OffsetDateTime, to: OffsetDateTime) -> TimeRange {
    TimeRange::new(from, to).unwrap()
}

/// The work days `first..=last` as a range: midnight to midnight, China time.
fn days(first: time::Date, last: time::Date) -> TimeRange {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap();
    range(
        first.midnight().assume_offset(offset),
        last.next_day().unwrap().midnight().assume_offset(offset),
    )
}

#[tokio::test]
async fn flows_for_130_users_over_45_days() {
    let (tenant, attendance) = setup().await;
    let ids: Vec<String> = tenant.contact().user_ids("user_id")[..130].to_vec();
    let from = datetime!(2025-01-01 00:00 +08:00);
    let to = datetime!(2025-02-15 00:00 +08:00); // 45 days
    let query = attendance
        .list_user_flows(EmployeeType::EmployeeId, range(from, to))
        .user_ids(ids.clone())
        .include_terminated_user(true)
        .concurrency(3);
    // 45 days in 30-day windows: [0, 30d), [30d, 45d).
    let windows = query.windows().unwrap();
    assert_eq!(windows.len(), 2);
    assert_eq!(windows[0].duration(), Duration::from_secs(30 * DAY as u64));
    assert_eq!(windows[1].duration(), Duration::from_secs(15 * DAY as u64));
    assert_eq!(windows[0].end(), windows[1].start());

    let flows: Vec<UserFlow> = query.into_stream().try_collect().await.unwrap();

    // 3 chunks of ids (50, 50, 30) × 2 windows.
    let journal = calls(&tenant, FLOWS_PATH);
    assert_eq!(journal.len(), 6);
    let mut per_window: std::collections::BTreeMap<(i64, i64), usize> = Default::default();
    let mut asked: HashSet<String> = HashSet::new();
    for call in &journal {
        assert_eq!(call.method, "POST");
        assert_eq!(call.status, 200);
        assert!(
            call.query
                .contains(&("employee_type".into(), "employee_id".into()))
        );
        assert!(
            call.query
                .contains(&("include_terminated_user".into(), "true".into()))
        );
        let body = call.body.as_ref().unwrap();
        let n = body["user_ids"].as_array().unwrap().len();
        assert!(n <= 50 && n > 0, "{n} ids");
        for id in body["user_ids"].as_array().unwrap() {
            asked.insert(id.as_str().unwrap().to_string());
        }
        let (f, t) = (secs(&body["check_time_from"]), secs(&body["check_time_to"]));
        assert!(t > f && t - f <= 30 * DAY, "window {f}..{t}");
        assert!(f >= from.unix_timestamp() && t <= to.unix_timestamp());
        *per_window.entry((f, t)).or_default() += n;
    }
    assert_eq!(asked.len(), 130);
    // Each window covered all 130 users, and the windows tile the range.
    let keys: Vec<(i64, i64)> = per_window.keys().copied().collect();
    assert_eq!(
        keys,
        vec![
            (from.unix_timestamp(), from.unix_timestamp() + 30 * DAY),
            (from.unix_timestamp() + 30 * DAY, to.unix_timestamp()),
        ]
    );
    assert!(per_window.values().all(|&n| n == 130));

    // Every flow once, and as many as the tenant has.
    let expected = tenant.attendance().flow_count(
        "employee_id",
        &ids,
        from.unix_timestamp(),
        to.unix_timestamp(),
    );
    assert!(
        expected > 130 * 30 * 2 / 2,
        "a realistic amount of punches: {expected}"
    );
    assert_eq!(flows.len(), expected);
    let records: HashSet<&str> = flows.iter().map(|f| f.record_id.as_str()).collect();
    assert_eq!(records.len(), flows.len(), "no flow twice");
    assert!(flows.iter().all(|f| {
        let t = f.check_time.unwrap();
        t >= from.unix_timestamp() && t < to.unix_timestamp()
    }));
    assert!(
        flows
            .iter()
            .any(|f| f.flow_type == Some(FlowType::QuickPunch))
    );
    assert!(flows.iter().all(|f| ids.contains(&f.user_id)));
    assert!(flows[0].check_time_utc().is_some());
}

#[tokio::test]
async fn window_boundaries_never_duplicate() {
    let (tenant, attendance) = setup().await;
    let ids: Vec<String> = tenant.contact().user_ids("user_id")[..20].to_vec();
    let from = datetime!(2025-03-03 09:00 +08:00);
    let to = datetime!(2025-03-15 18:00 +08:00);
    // Odd window length (7h13m) so that window edges cut through working hours.
    let flows: Vec<UserFlow> = attendance
        .list_user_flows(EmployeeType::EmployeeId, range(from, to))
        .user_ids(ids.clone())
        .window(Duration::from_secs(7 * 3600 + 13 * 60))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let expected = tenant.attendance().flow_count(
        "employee_id",
        &ids,
        from.unix_timestamp(),
        to.unix_timestamp(),
    );
    assert_eq!(flows.len(), expected);
    let records: HashSet<&str> = flows.iter().map(|f| f.record_id.as_str()).collect();
    assert_eq!(records.len(), expected);
    let windows = range(from, to)
        .split(Duration::from_secs(7 * 3600 + 13 * 60))
        .count();
    assert_eq!(calls(&tenant, FLOWS_PATH).len(), windows);
}

#[tokio::test]
async fn all_users_come_from_the_directory() {
    let (tenant, attendance) = setup().await;
    let from = datetime!(2025-01-06 00:00 +08:00);
    let to = datetime!(2025-01-13 00:00 +08:00);
    let flows: Vec<UserFlow> = attendance
        .list_user_flows(EmployeeType::EmployeeId, range(from, to))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let all = tenant.contact().user_ids("user_id");
    assert_eq!(
        flows.len(),
        tenant.attendance().flow_count(
            "employee_id",
            &all,
            from.unix_timestamp(),
            to.unix_timestamp()
        )
    );
    // The walk asked Contact for user_id; 240 users → 5 calls.
    let finds = tenant
        .journal()
        .into_iter()
        .filter(|e| e.path == "/open-apis/contact/v3/users/find_by_department")
        .collect::<Vec<_>>();
    assert!(!finds.is_empty());
    assert!(
        finds
            .iter()
            .all(|e| e.query.contains(&("user_id_type".into(), "user_id".into())))
    );
    let journal = calls(&tenant, FLOWS_PATH);
    assert_eq!(journal.len(), 5);
    let asked: HashSet<String> = journal
        .iter()
        .flat_map(|c| {
            c.body.as_ref().unwrap()["user_ids"]
                .as_array()
                .unwrap()
                .clone()
        })
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(asked, all.into_iter().collect());
}

#[tokio::test]
async fn employee_no_from_the_directory() {
    let (tenant, attendance) = setup().await;
    let tasks: Vec<_> = attendance
        .list_user_tasks(
            EmployeeType::EmployeeNo,
            days(date!(2025 - 01 - 06), date!(2025 - 01 - 10)),
        )
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let nos = tenant.contact().user_ids("employee_no");
    assert_eq!(
        tasks.len(),
        tenant
            .attendance()
            .task_count("employee_no", &nos, 20250106, 20250110)
    );
    assert_eq!(tasks.len(), 240 * 5);
    assert!(tasks.iter().all(|t| t.user_id.starts_with('E')));
    for call in calls(&tenant, TASKS_PATH) {
        assert!(
            call.query
                .contains(&("employee_type".into(), "employee_no".into()))
        );
    }
}

#[tokio::test]
async fn tasks_for_130_users_over_45_days() {
    let (tenant, attendance) = setup().await;
    let ids: Vec<String> = tenant.contact().user_ids("user_id")[..130].to_vec();
    // 45 days: 2025-01-01 00:00 up to 2025-02-15 00:00 (China time).
    let query = attendance
        .list_user_tasks(
            EmployeeType::EmployeeId,
            days(date!(2025 - 01 - 01), date!(2025 - 02 - 14)),
        )
        .user_ids(ids.clone());
    let windows = query.windows().unwrap();
    assert_eq!(
        windows,
        vec![
            date!(2025 - 01 - 01)..=date!(2025 - 01 - 30),
            date!(2025 - 01 - 31)..=date!(2025 - 02 - 14),
        ]
    );
    let batches: Vec<_> = query.by_batch().try_collect().await.unwrap();
    assert_eq!(batches.len(), 6);
    let journal = calls(&tenant, TASKS_PATH);
    assert_eq!(journal.len(), 6);
    for call in &journal {
        let body = call.body.as_ref().unwrap();
        assert!(body["user_ids"].as_array().unwrap().len() <= 50);
        let f = body["check_date_from"].as_i64().expect("a number");
        let t = body["check_date_to"].as_i64().expect("a number");
        assert!(
            [(20250101, 20250130), (20250131, 20250214)].contains(&(f, t)),
            "{f}..{t}"
        );
        assert!(
            call.query
                .contains(&("ignore_invalid_users".into(), "true".into()))
        );
    }
    let results: Vec<_> = batches.into_iter().flat_map(|b| b.results).collect();
    assert_eq!(
        results.len(),
        tenant
            .attendance()
            .task_count("employee_id", &ids, 20250101, 20250214)
    );
    let unique: HashSet<&str> = results.iter().map(|r| r.result_id.as_str()).collect();
    assert_eq!(unique.len(), results.len());
    let first = &results[0];
    assert!(first.date().is_some());
    assert!(first.records[0].check_in_result.is_some());
}

#[tokio::test]
async fn unknown_users_in_tasks_are_listed() {
    let (tenant, attendance) = setup().await;
    let mut ids: Vec<String> = tenant.contact().user_ids("user_id")[..3].to_vec();
    ids.push("nobody".into());
    let mut stream = attendance
        .list_user_tasks(
            EmployeeType::EmployeeId,
            days(date!(2025 - 01 - 06), date!(2025 - 01 - 06)),
        )
        .user_ids(ids)
        .by_batch();
    let mut batches = Vec::new();
    while let Some(batch) = stream.try_next().await.unwrap() {
        batches.push(batch);
    }
    assert_eq!(batches.len(), 1);
    assert_eq!(
        batches[0].skipped,
        vec![SkippedUser::new("nobody", SkipReason::InvalidId)]
    );
    assert_eq!(batches[0].results.len(), 3);
    let report = stream.report();
    assert_eq!(report.skipped.ids().collect::<Vec<_>>(), ["nobody"]);
    assert_eq!(report.calls, 1);
}

#[tokio::test]
async fn documented_errors_are_clear() {
    let (tenant, attendance) = setup().await;
    let ids: Vec<String> = tenant.contact().user_ids("user_id")[..2].to_vec();
    let from = datetime!(2025-01-01 00:00 UTC);
    let to = datetime!(2025-03-01 00:00 UTC);

    // A window longer than the tenant accepts → 1220001.
    let err = attendance
        .list_user_flows(EmployeeType::EmployeeId, range(from, to))
        .user_ids(ids.clone())
        .window(Duration::from_secs(40 * DAY as u64))
        .concurrency(1)
        .into_stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1220001));
    assert!(err.to_string().contains("time span too long"), "{err}");
    // With one call at a time, the stream stopped at the first failure.
    assert_eq!(calls(&tenant, FLOWS_PATH).len(), 1);

    // Tasks without ignore_invalid_users: an unknown user fails the call, 1220004, with the
    // hint of what to do.
    let err = attendance
        .list_user_tasks(
            EmployeeType::EmployeeId,
            days(date!(2025 - 01 - 06), date!(2025 - 01 - 07)),
        )
        .user_ids(["nobody"])
        .ignore_invalid_users(false)
        .into_stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(1220004));
    assert!(err.is_permission_denied());
    assert!(err.to_string().contains("data permission scope"), "{err}");

    // A reversed range cannot even be built.
    assert!(matches!(
        TimeRange::new(to, from),
        Err(feishu_core::Error::InvalidArgument(_))
    ));

    // Missing scope → the scope to grant.
    tenant.forbid("/open-apis/attendance/", "attendance:task:readonly");
    let err = attendance
        .list_user_flows(
            EmployeeType::EmployeeId,
            range(from, datetime!(2025-01-02 00:00 UTC)),
        )
        .user_ids(ids)
        .into_stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(
        err.as_api().unwrap().required_scopes(),
        vec!["attendance:task:readonly"]
    );
    assert!(err.to_string().contains("attendance:task:readonly"));

    // The default "all users" needs Contact: its missing scope surfaces the same way.
    tenant.allow_all();
    tenant.forbid("/open-apis/contact/v3/", "contact:contact.base:readonly");
    let err = attendance
        .list_user_flows(
            EmployeeType::EmployeeId,
            range(from, datetime!(2025-01-02 00:00 UTC)),
        )
        .into_stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(
        err.as_api().unwrap().required_scopes(),
        vec!["contact:contact.base:readonly"]
    );
}

#[tokio::test]
async fn empty_range_and_no_users_make_no_calls() {
    let (tenant, attendance) = setup().await;
    let t = datetime!(2025-01-01 00:00 UTC);
    let flows: Vec<_> = attendance
        .list_user_flows(EmployeeType::EmployeeId, range(t, t))
        .user_ids(["a"])
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(flows.is_empty());
    let flows: Vec<_> = attendance
        .list_user_flows(
            EmployeeType::EmployeeId,
            range(t, datetime!(2025-01-02 00:00 UTC)),
        )
        .user_ids(Vec::<String>::new())
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(flows.is_empty());
    assert_eq!(tenant.count_prefix("/open-apis/attendance/"), 0);
}

#[tokio::test]
async fn too_many_windows_and_unwritable_dates_are_refused_before_any_call() {
    let (tenant, attendance) = setup().await;
    // A 1 s window over 20 years: ~631M calls per chunk.
    let err = attendance
        .list_user_flows(
            EmployeeType::EmployeeId,
            range(
                datetime!(2005-01-01 00:00 UTC),
                datetime!(2025-01-01 00:00 UTC),
            ),
        )
        .user_ids(["a"])
        .window(Duration::from_secs(1))
        .into_stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(err, feishu_core::Error::InvalidArgument(_)),
        "{err}"
    );
    assert!(err.to_string().contains("longer window"), "{err}");
    // A window under a second: Feishu counts in seconds.
    let err = attendance
        .list_user_flows(
            EmployeeType::EmployeeId,
            range(
                datetime!(2025-01-01 00:00 UTC),
                datetime!(2025-01-02 00:00 UTC),
            ),
        )
        .user_ids(["a"])
        .window(Duration::from_millis(999))
        .into_stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("window"), "{err}");
    // Year 999 has no yyyyMMdd form.
    let err = attendance
        .list_user_tasks(
            EmployeeType::EmployeeId,
            days(date!(0999 - 12 - 30), date!(1000 - 01 - 02)),
        )
        .user_ids(["a"])
        .into_stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(err, feishu_core::Error::InvalidArgument(_)),
        "{err}"
    );
    assert_eq!(tenant.count_prefix("/open-apis/attendance/"), 0);
}

/// A range of any length works: under a second, a second, with windows whose edges fall
/// inside a second. Each piece is sent as the whole seconds covering it, and a punch is kept
/// only by the piece that holds its instant.
#[tokio::test]
async fn sub_second_ranges_and_windows_read_every_punch_once() {
    let (tenant, attendance) = setup().await;
    let ids: Vec<String> = tenant.contact().user_ids("user_id")[..10].to_vec();
    let from = datetime!(2025-03-03 00:00:00.250 +08:00);
    let to = datetime!(2025-03-08 00:00:00.750 +08:00);
    let flows: Vec<UserFlow> = attendance
        .list_user_flows(EmployeeType::EmployeeId, range(from, to))
        .user_ids(ids.clone())
        .window(Duration::from_millis(9 * 3_600_000 + 333))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    // Punches fall on whole seconds: those in [from, to) are those in [ceil(from), ceil(to)).
    let expected = tenant.attendance().flow_count(
        "employee_id",
        &ids,
        from.unix_timestamp() + 1,
        to.unix_timestamp() + 1,
    );
    assert!(expected > 0);
    assert_eq!(flows.len(), expected);
    let unique: HashSet<&str> = flows.iter().map(|f| f.record_id.as_str()).collect();
    assert_eq!(unique.len(), expected);
    for call in calls(&tenant, FLOWS_PATH) {
        let body = call.body.unwrap();
        assert!(secs(&body["check_time_to"]) > secs(&body["check_time_from"]));
    }

    // 500 ms: one call over the second that holds it.
    tenant.clear_journal();
    let t = datetime!(2025-03-03 09:00:00.100 +08:00);
    let flows: Vec<UserFlow> = attendance
        .list_user_flows(
            EmployeeType::EmployeeId,
            range(t, t + time::Duration::milliseconds(500)),
        )
        .user_ids(ids)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(
        flows.is_empty(),
        "no punch instant lies inside (x.1 s, x.6 s)"
    );
    let sent = calls(&tenant, FLOWS_PATH);
    assert_eq!(sent.len(), 1);
    let body = sent[0].body.as_ref().unwrap();
    assert_eq!(secs(&body["check_time_from"]), t.unix_timestamp());
    assert_eq!(secs(&body["check_time_to"]), t.unix_timestamp() + 1);
}
