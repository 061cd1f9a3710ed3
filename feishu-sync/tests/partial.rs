//! Syncs of partially-permitted tenants: every readable record is there, what could not be
//! read is a warning naming what to grant, and the streams complete.

mod common;

use common::{DAY, DAYS, NOW, Tenant, opts, read_all, source, start_date, tenant};
use feishu_sync::{
    ATTENDANCE_USER_FLOWS, CONTACT_USERS, FailureKind, LogLevel, Message, SourceConfig,
    StreamStatus,
};
use feishu_testkit::{ContactRange, FakeTenant};
use serde_json::json;

/// The warnings of a run.
fn warnings(messages: &[Message]) -> Vec<&str> {
    messages
        .iter()
        .filter_map(|m| match m {
            Message::Log {
                level: LogLevel::Warn,
                message,
            } => Some(message.as_str()),
            _ => None,
        })
        .collect()
}

/// The last status of `stream`.
fn last_status<'a>(messages: &'a [Message], stream: &str) -> Option<&'a StreamStatus> {
    messages.iter().rev().find_map(|m| match m {
        Message::Status { stream: s, status } if s == stream => Some(status),
        _ => None,
    })
}

/// A range through a department, two users whose ids `scopes` withholds, and user groups:
/// every user the app can list is a record, once; the withheld users are a warning naming
/// the scope to grant; the stream completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_reads_groups_and_warns_about_withheld_user_ids() {
    let t = tenant(1, 1, 1).await;
    let contact = t.tenant.contact();
    let sample = contact.sample_range();
    let groups = contact.group_ids();
    contact.set_range(Some(
        ContactRange::default()
            .with_departments(sample.departments.clone())
            .with_users(sample.users.clone())
            .with_groups(groups.clone()),
    ));
    contact.withhold_scope_user_ids(true);
    let run = read_all(&source(&t), opts().streams([CONTACT_USERS])).await;

    let mut ids: Vec<String> = run
        .records(CONTACT_USERS)
        .iter()
        .map(|r| r["open_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    // Ground truth: the range without the two users granted alone (unless a group or the
    // department holds them too).
    contact.set_range(Some(
        ContactRange::default()
            .with_departments(sample.departments)
            .with_groups(groups),
    ));
    assert_eq!(ids, contact.visible_user_ids("open_id"));

    let warnings = warnings(&run.messages);
    let withheld = warnings
        .iter()
        .find(|w| w.contains("contact:user.employee_id:readonly"))
        .unwrap_or_else(|| panic!("no warning names the scope: {warnings:?}"));
    assert!(withheld.starts_with(CONTACT_USERS), "{withheld}");
    assert!(
        warnings.iter().any(|w| w.contains("root not visible")),
        "{warnings:?}"
    );
    assert_eq!(
        last_status(&run.messages, CONTACT_USERS),
        Some(&StreamStatus::Complete)
    );
}

/// Users outside the attendance data scope: every other user's punches are records, the
/// skipped users are one warning with their count, the first ids and what to grant, and the
/// stream completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendance_skips_refused_users_with_a_warning() {
    let t = tenant(1, 1, 1).await;
    let users = t.tenant.contact().user_ids("user_id");
    let mut outside = vec![users[3].clone(), users[70].clone(), users[200].clone()];
    t.tenant.attendance().set_out_of_scope_users(&outside);
    let run = read_all(&source(&t), opts().streams([ATTENDANCE_USER_FLOWS])).await;

    let from = NOW - DAYS * DAY;
    let expected = t
        .tenant
        .attendance()
        .flow_count("employee_id", &users, from / 1000, NOW / 1000);
    assert!(expected > 0);
    let records = run.records(ATTENDANCE_USER_FLOWS);
    assert_eq!(records.len(), expected);
    assert!(
        records
            .iter()
            .all(|r| !outside.contains(&r["user_id"].as_str().unwrap().to_string()))
    );
    outside.sort();
    let warnings = warnings(&run.messages);
    let skipped = warnings
        .iter()
        .find(|w| w.contains("user(s) skipped"))
        .unwrap_or_else(|| panic!("no skip warning: {warnings:?}"));
    assert!(
        skipped.starts_with(&format!("{ATTENDANCE_USER_FLOWS}: 3 user(s) skipped")),
        "{skipped}"
    );
    for id in &outside {
        assert!(skipped.contains(id.as_str()), "{skipped}");
    }
    assert!(skipped.contains("data permission scope"), "{skipped}");
    assert_eq!(
        last_status(&run.messages, ATTENDANCE_USER_FLOWS),
        Some(&StreamStatus::Complete)
    );
}

/// A departed user is not in the directory; listed in `employee_ids`, their punches until
/// they left are read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendance_reads_departed_users_named_in_the_config() {
    let tenant = FakeTenant::start().await;
    let users = tenant.contact().user_ids("user_id");
    let ids = vec![users[0].clone(), users[1].clone()];
    // Leaves one day before "now", inside the range read.
    tenant.contact().depart_user(&ids[1], NOW / 1000 - 86_400);
    let config = json!({
        "domain": tenant.base_url(),
        "credentials": {"auth_type": "self_built", "app_id": tenant.app_id(), "app_secret": tenant.app_secret()},
        "attendance": {"employee_type": "employee_id", "start_date": start_date(), "employee_ids": ids},
    });
    let t = Tenant {
        config: SourceConfig::from_json_str(&config.to_string()).unwrap(),
        tenant,
    };
    let run = read_all(&source(&t), opts()).await;
    let from = NOW - DAYS * DAY;
    let departed = t.tenant.attendance().flow_count(
        "employee_id",
        std::slice::from_ref(&ids[1]),
        from / 1000,
        NOW / 1000,
    );
    assert!(departed > 0, "they punched before leaving");
    let records = run.records(ATTENDANCE_USER_FLOWS);
    assert_eq!(
        records.len(),
        t.tenant
            .attendance()
            .flow_count("employee_id", &ids, from / 1000, NOW / 1000)
    );
    assert_eq!(
        records
            .iter()
            .filter(|r| r["user_id"] == ids[1].as_str())
            .count(),
        departed
    );
    assert!(warnings(&run.messages).is_empty());
}

/// The app lacks the attendance scope: the stream fails at once with the scope named; the
/// other modules complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_attendance_scope_fails_the_stream_naming_the_scope() {
    let t = tenant(1, 1, 1).await;
    t.tenant
        .forbid("/open-apis/attendance/", "attendance:task:readonly");
    let run = read_all(
        &source(&t),
        opts().streams([ATTENDANCE_USER_FLOWS, CONTACT_USERS]),
    )
    .await;
    match last_status(&run.messages, ATTENDANCE_USER_FLOWS) {
        Some(StreamStatus::Incomplete(failure)) => {
            assert_eq!(
                failure.kind,
                FailureKind::Permission {
                    scopes: vec!["attendance:task:readonly".to_string()]
                }
            );
            assert!(
                failure.message.contains("attendance:task:readonly"),
                "{failure}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        last_status(&run.messages, CONTACT_USERS),
        Some(&StreamStatus::Complete)
    );
    // Fast: the first chunk's calls, nothing narrowed down.
    assert!(
        t.tenant
            .count_path("/open-apis/attendance/v1/user_flows/query")
            <= 8
    );
}
