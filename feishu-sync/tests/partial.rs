//! Syncs of partially-permitted tenants: every readable record is there, what could not be
//! read is a warning naming what to grant, and the streams complete.

mod common;

use common::{opts, read_all, source, tenant};
use feishu_sync::{CONTACT_USERS, LogLevel, Message, StreamStatus};
use feishu_testkit::ContactRange;

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
