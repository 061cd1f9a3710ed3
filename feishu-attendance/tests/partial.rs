//! Partially-permitted tenants: users outside the app's attendance data scope, unknown ids,
//! departed users, a missing API scope.

use std::collections::HashSet;

use feishu_attendance::{
    Attendance, EmployeeType, FlowBatch, SkipReason, SkippedUser, UserFlow, UserTask,
};
use feishu_core::{Client, Credentials, RateLimits, TimeRange};
use feishu_testkit::FakeTenant;
use futures::TryStreamExt;
use time::OffsetDateTime;
use time::macros::datetime;

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

fn range(from: OffsetDateTime, to: OffsetDateTime) -> TimeRange {
    TimeRange::new(from, to).unwrap()
}

/// Two working weeks, China time.
fn fortnight() -> TimeRange {
    range(
        datetime!(2025-01-06 00:00 +08:00),
        datetime!(2025-01-20 00:00 +08:00),
    )
}

fn secs(r: &TimeRange) -> (i64, i64) {
    (r.start_secs(), r.end_secs_ceil())
}

fn flows_calls(tenant: &FakeTenant) -> Vec<Vec<String>> {
    tenant
        .journal()
        .into_iter()
        .filter(|e| e.path == FLOWS_PATH)
        .map(|e| {
            e.body.unwrap()["user_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

/// 130 users with three outside the data scope (two in one chunk) and an unknown id: every
/// other user's punches are read, the four are reported with their code, and narrowing them
/// down costs a logarithmic number of calls per refused id.
#[tokio::test]
async fn refused_users_are_narrowed_down_and_reported() {
    let (tenant, attendance) = setup().await;
    let mut ids: Vec<String> = tenant.contact().user_ids("user_id")[..130].to_vec();
    let outside = vec![ids[5].clone(), ids[60].clone(), ids[61].clone()];
    tenant.attendance().set_out_of_scope_users(&outside);
    ids.push("nobody".into());
    let mut stream = attendance
        .list_user_flows(EmployeeType::EmployeeId, fortnight())
        .user_ids(ids.clone())
        .concurrency(1)
        .by_batch();
    let mut batches: Vec<FlowBatch> = Vec::new();
    while let Some(batch) = stream.try_next().await.unwrap() {
        batches.push(batch);
    }

    // Every readable punch, once: the ground truth counts refused ids as 0.
    let (from, to) = secs(&fortnight());
    let flows: Vec<&UserFlow> = batches.iter().flat_map(|b| &b.flows).collect();
    assert_eq!(
        flows.len(),
        tenant
            .attendance()
            .flow_count("employee_id", &ids, from, to)
    );
    let unique: HashSet<&str> = flows.iter().map(|f| f.record_id.as_str()).collect();
    assert_eq!(unique.len(), flows.len());
    assert!(flows.iter().all(|f| !outside.contains(&f.user_id)));

    // The skipped users, per batch and in the report, with their codes.
    let per_batch: Vec<Vec<SkippedUser>> = batches.iter().map(|b| b.skipped.clone()).collect();
    let refused = |id: &str, code| SkippedUser::new(id, SkipReason::Refused(code));
    let mut second_chunk = vec![refused(&ids[60], 1220005), refused(&ids[61], 1220005)];
    second_chunk.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    assert_eq!(
        per_batch,
        vec![
            vec![refused(&ids[5], 1220005)],
            second_chunk,
            vec![refused("nobody", 1220004)],
        ]
    );
    let report = stream.report();
    let mut expected: Vec<&str> = outside.iter().map(String::as_str).collect();
    expected.push("nobody");
    expected.sort();
    assert_eq!(report.skipped.ids().collect::<Vec<_>>(), expected);
    let summary = report.skipped.summary(2).unwrap();
    assert!(
        summary.starts_with("4 user(s) skipped (first 2: "),
        "{summary}"
    );
    assert!(summary.contains("data permission scope"), "{summary}");

    // Narrowing: a chunk of 50 with one refused id takes one call per halving level, two
    // per level below; never a call per id.
    let calls = flows_calls(&tenant);
    assert_eq!(calls.len(), report.calls);
    let levels = 6; // ceil(log2(50))
    let bound = 3 + 2 * levels * 4;
    assert!(calls.len() <= bound, "{} calls > {bound}", calls.len());
    assert!(calls.len() < ids.len() / 2, "not one call per id");
    for id in &expected {
        let alone = calls.iter().filter(|c| c.len() == 1 && c[0] == *id).count();
        assert_eq!(alone, 1, "{id} asked alone once");
    }
}

/// The same query gives the same records and the same report however many calls run at once.
#[tokio::test]
async fn results_and_reports_are_deterministic() {
    let (tenant, attendance) = setup().await;
    let ids: Vec<String> = tenant.contact().user_ids("user_id")[..120].to_vec();
    tenant
        .attendance()
        .set_out_of_scope_users(&[&ids[3], &ids[77], &ids[119]]);
    let run = |concurrency: usize| {
        let query = attendance
            .list_user_flows(EmployeeType::EmployeeId, fortnight())
            .user_ids(ids.clone())
            .window(std::time::Duration::from_secs(3 * 86_400))
            .concurrency(concurrency);
        async move {
            let mut stream = query.by_batch();
            let mut batches = Vec::new();
            while let Some(b) = stream.try_next().await.unwrap() {
                batches.push(b);
            }
            (batches, stream.report().skipped)
        }
    };
    let (one, one_skipped) = run(1).await;
    let (many, many_skipped) = run(8).await;
    assert_eq!(one, many);
    assert_eq!(one_skipped, many_skipped);
    assert_eq!(one_skipped.len(), 3);
    // Every batch of a chunk lists the chunk's refused users, whichever window learnt them.
    for batch in &one {
        let expected: Vec<&String> = [&ids[3], &ids[77], &ids[119]]
            .into_iter()
            .filter(|id| batch.user_ids.contains(id))
            .collect();
        let got: Vec<&String> = batch.skipped.iter().map(|s| &s.user_id).collect();
        assert_eq!(got.len(), expected.len());
    }
}

/// A later window does not narrow down again what an earlier one learnt.
#[tokio::test]
async fn later_windows_leave_known_refused_users_out() {
    let (tenant, attendance) = setup().await;
    let ids: Vec<String> = tenant.contact().user_ids("user_id")[..40].to_vec();
    tenant.attendance().set_out_of_scope_users(&[&ids[17]]);
    let flows: Vec<UserFlow> = attendance
        .list_user_flows(EmployeeType::EmployeeId, fortnight())
        .user_ids(ids.clone())
        .window(std::time::Duration::from_secs(7 * 86_400))
        .concurrency(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let (from, to) = secs(&fortnight());
    assert_eq!(
        flows.len(),
        tenant
            .attendance()
            .flow_count("employee_id", &ids, from, to)
    );
    let calls = flows_calls(&tenant);
    let second_window = calls.last().unwrap();
    assert_eq!(
        second_window.len(),
        39,
        "the second window asks the 39 others at once"
    );
    assert!(!second_window.contains(&ids[17]));
}

/// `user_tasks/query` lists the users it skipped; they come out in the batch and the report.
#[tokio::test]
async fn tasks_report_invalid_and_unauthorized_users() {
    let (tenant, attendance) = setup().await;
    let mut ids: Vec<String> = tenant.contact().user_ids("user_id")[..60].to_vec();
    tenant
        .attendance()
        .set_out_of_scope_users(&[&ids[2], &ids[55]]);
    ids.push("nobody".into());
    let mut stream = attendance
        .list_user_tasks(EmployeeType::EmployeeId, fortnight())
        .user_ids(ids.clone())
        .by_batch();
    let mut tasks: Vec<UserTask> = Vec::new();
    let mut skipped = Vec::new();
    while let Some(batch) = stream.try_next().await.unwrap() {
        tasks.extend(batch.results);
        skipped.extend(batch.skipped);
    }
    assert_eq!(
        tasks.len(),
        tenant
            .attendance()
            .task_count("employee_id", &ids, 20250106, 20250119)
    );
    let mut expected = vec![
        SkippedUser::new(ids[2].clone(), SkipReason::Unauthorized),
        SkippedUser::new(ids[55].clone(), SkipReason::Unauthorized),
        SkippedUser::new("nobody", SkipReason::InvalidId),
    ];
    expected.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    skipped.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    assert_eq!(skipped, expected);
    let report = stream.report();
    assert_eq!(report.skipped.iter().collect::<Vec<_>>(), expected);
    assert_eq!(
        report.calls, 2,
        "one call per chunk: Feishu skipped them itself"
    );
    assert_eq!(tenant.count_path(TASKS_PATH), 2);
}

/// The app lacks the attendance scope: that concerns every user, so the stream fails at once
/// with the scope named, without narrowing anything down.
#[tokio::test]
async fn a_missing_scope_fails_fast_with_the_scope_named() {
    let (tenant, attendance) = setup().await;
    let ids: Vec<String> = tenant.contact().user_ids("user_id")[..130].to_vec();
    tenant.forbid("/open-apis/attendance/", "attendance:task:readonly");
    let mut stream = attendance
        .list_user_flows(EmployeeType::EmployeeId, fortnight())
        .user_ids(ids)
        .into_stream();
    let mut errors = Vec::new();
    while let Some(item) = futures::StreamExt::next(&mut stream).await {
        errors.push(item.unwrap_err());
    }
    assert_eq!(errors.len(), 1, "one error, then the stream ends");
    let err = &errors[0];
    assert_eq!(err.api_code(), Some(99991672));
    assert_eq!(
        err.as_api().unwrap().required_scopes(),
        ["attendance:task:readonly"]
    );
    let calls = flows_calls(&tenant);
    assert!(calls.iter().all(|c| c.len() >= 30), "no chunk was halved");
    assert!(stream.report().skipped.is_empty());
}

/// A departed user is not in the directory, so the default users miss them; named
/// explicitly, their punches until they left are read, and with a successor reusing the id,
/// `include_terminated_user` reads both.
#[tokio::test]
async fn departed_users_are_read_by_explicit_id() {
    let (tenant, attendance) = setup().await;
    let ids: Vec<String> = tenant.contact().user_ids("user_id")[..5].to_vec();
    let gone = ids[1].clone();
    // Leaves on Monday 13 January, China time.
    tenant
        .contact()
        .depart_user(&gone, datetime!(2025-01-13 00:00 +08:00).unix_timestamp());
    let (from, to) = secs(&fortnight());

    // The directory no longer lists them.
    let default_users: HashSet<String> = attendance
        .list_user_flows(EmployeeType::EmployeeId, fortnight())
        .into_stream()
        .map_ok(|f| f.user_id)
        .try_collect()
        .await
        .unwrap();
    assert!(!default_users.contains(&gone));

    // Named explicitly: their first week.
    let theirs: Vec<UserFlow> = attendance
        .list_user_flows(EmployeeType::EmployeeId, fortnight())
        .user_ids([gone.clone()])
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let expected =
        tenant
            .attendance()
            .flow_count("employee_id", std::slice::from_ref(&gone), from, to);
    assert!(expected > 0);
    assert_eq!(theirs.len(), expected);

    // A successor takes the id on Wednesday: without include_terminated_user only the
    // current holder, with it both.
    tenant
        .contact()
        .hire_successor(&gone, datetime!(2025-01-15 00:00 +08:00).unix_timestamp());
    let read = |include: bool| {
        attendance
            .list_user_flows(EmployeeType::EmployeeId, fortnight())
            .user_ids([gone.clone()])
            .include_terminated_user(include)
            .into_stream()
            .try_collect::<Vec<UserFlow>>()
    };
    let current = read(false).await.unwrap();
    let all = read(true).await.unwrap();
    let one = std::slice::from_ref(&gone);
    assert_eq!(
        current.len(),
        tenant.attendance().flow_count("employee_id", one, from, to)
    );
    assert_eq!(
        all.len(),
        tenant
            .attendance()
            .flow_count_including_terminated("employee_id", one, from, to)
    );
    assert!(all.len() > current.len());
}

/// Directory users without an employee number cannot be asked about by `employee_no`: they
/// are listed in the report, not an error.
#[tokio::test]
async fn directory_users_without_an_employee_no_are_reported() {
    let (tenant, attendance) = setup().await;
    tenant.contact().set_withheld_user_fields(&["employee_no"]);
    let mut stream = attendance
        .list_user_flows(EmployeeType::EmployeeNo, fortnight())
        .into_stream();
    assert!(stream.try_next().await.unwrap().is_none());
    let report = stream.report();
    assert_eq!(report.users.without_employee_no.len(), 240);
    let warnings = report.warnings(3);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("contact:user.employee_number:read"),
        "{warnings:?}"
    );
    assert_eq!(tenant.count_path(FLOWS_PATH), 0);
}
