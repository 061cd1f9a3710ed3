//! State that stays correct and small: resumption robust to the directory changing and to
//! the listing order, a bounded approval watch list, and the attendance lookback.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{DAY, DAYS, NOW, Tenant, opts, read_all, read_with_cuts, source, start_date};
use feishu_sync::{
    APPROVAL_INSTANCES, ATTENDANCE_USER_FLOWS, ApprovalState, LogLevel, Message, ReadOptions,
    SourceConfig, SyncState,
};
use feishu_testkit::approval::{APPROVAL_CODE_PURCHASE, ApprovalDataset};
use feishu_testkit::{ContactRange, FakeTenant};
use futures::StreamExt;
use serde_json::json;

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

/// A tenant whose config selects one module's section only.
async fn tenant_with(section: &str, value: serde_json::Value) -> Tenant {
    let tenant = FakeTenant::builder().start().await;
    let mut dataset = ApprovalDataset::default();
    dataset.now_ms = Some(NOW);
    tenant.approval().set_dataset(dataset.instances(40, 20));
    let mut config = json!({
        "domain": tenant.base_url(),
        "credentials": {"auth_type": "self_built", "app_id": tenant.app_id(), "app_secret": tenant.app_secret()},
    });
    config[section] = value;
    let config = SourceConfig::from_json_str(&config.to_string()).unwrap();
    Tenant { tenant, config }
}

/// Item 5: Feishu documents creation order only "by default". With the listing shuffled
/// within each slice, runs cut every few records and resumed lose no instance (a resumption
/// lists the slice again and skips what it emitted).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_resumes_without_loss_when_the_listing_is_shuffled() {
    let t = tenant_with(
        "approval",
        json!({"approval_codes": [APPROVAL_CODE_PURCHASE], "lookback_days": 1, "start_date": start_date()}),
    )
    .await;
    for code in t
        .tenant
        .approval()
        .all_instance_codes(APPROVAL_CODE_PURCHASE)
    {
        t.tenant.approval().set_instance_status(&code, "APPROVED");
    }
    t.tenant.approval().shuffle_listing(Some(0x5eed));
    let source = source(&t);
    let options = || opts().streams([APPROVAL_INSTANCES]).checkpoint_every(2);
    let clean = read_all(&source, options()).await.keys();
    let expected =
        t.tenant
            .approval()
            .instance_count(APPROVAL_CODE_PURCHASE, NOW - DAYS * DAY, NOW - 1);
    assert_eq!(clean[APPROVAL_INSTANCES].len(), expected);
    let (resumed, cuts) = read_with_cuts(&source, options, 5).await;
    assert!(cuts >= 5, "only {cuts} cuts");
    assert_eq!(resumed, clean);
}

/// The state after the first checkpoint that covers records, and the records it covers.
async fn first_covered_state(
    source: &feishu_sync::Source,
    options: ReadOptions,
) -> (SyncState, Vec<serde_json::Value>) {
    let mut stream = source.read(options).unwrap();
    let mut records = Vec::new();
    loop {
        match stream.next().await.unwrap().unwrap() {
            Message::Record(r) => records.push(r.data),
            Message::State(s) if !records.is_empty() => return (s, records),
            _ => {}
        }
    }
}

/// Item 4: attendance progress is the last user id done. Users leave the directory and
/// others join it (the contact range widens) between the cut and the resumption: every user
/// present both times has all their punches (a count of users done would skip some).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendance_resumes_by_user_id_when_the_directory_changes() {
    let t = tenant_with(
        "attendance",
        json!({"employee_type": "employee_id", "start_date": start_date()}),
    )
    .await;
    // The app starts with part of the directory: every department but a few.
    let contact = t.tenant.contact();
    let mut departments = contact.department_ids("department_id");
    departments.sort_by_key(|d| contact.subtree_user_ids(d, "user_id").len());
    let (mut granted, mut users) = (Vec::new(), BTreeSet::new());
    for d in departments {
        if users.len() > 120 {
            break;
        }
        users.extend(contact.subtree_user_ids(&d, "user_id"));
        granted.push(d);
    }
    contact.set_range(Some(ContactRange::default().with_departments(granted)));
    let before: BTreeSet<String> = contact.visible_user_ids("user_id").into_iter().collect();
    assert!(
        before.len() > 100,
        "several calls of 50 users: {}",
        before.len()
    );
    let source = source(&t);
    let options = || opts().concurrency(1);
    let (state, first) = first_covered_state(&source, options()).await;

    // Three of the users done leave; the range widens to the whole directory.
    let done: Vec<&String> = before.iter().take(50).collect();
    let departed: Vec<String> = [done[1], done[20], done[40]].into_iter().cloned().collect();
    for user in &departed {
        contact.depart_user(user, NOW / 1000 - 4 * 86_400);
    }
    contact.set_range(None);
    let after: BTreeSet<String> = contact.user_ids("user_id").into_iter().collect();
    assert!(after.len() > before.len());

    let second = read_all(&source, options().state(state)).await;
    let mut records: BTreeMap<String, String> = BTreeMap::new();
    // The definition streams (shifts, groups) come first; only punches matter here.
    let first_flows = first.iter().filter(|r| r.get("check_time").is_some());
    for r in first_flows.chain(second.records(ATTENDANCE_USER_FLOWS)) {
        let id = r["record_id"].as_str().unwrap().to_string();
        records.insert(id, r["user_id"].as_str().unwrap().to_string());
    }
    let both: Vec<String> = before.intersection(&after).cloned().collect();
    let expected = t.tenant.attendance().flow_count(
        "employee_id",
        &both,
        (NOW - DAYS * DAY) / 1000,
        NOW / 1000,
    );
    assert!(expected > 0);
    let got = records.values().filter(|u| both.contains(u)).count();
    assert_eq!(got, expected, "every user present both times is read whole");
}

/// Item 6: the watch list drops an instance deleted since (with a warning saying it leaves
/// the list) and one older than `pending_max_age_days` (with a warning naming it, and without
/// fetching it); a watched instance within the bound is fetched. The next run warns about
/// neither again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_list_drops_deleted_and_too_old_instances() {
    let t = tenant_with(
        "approval",
        json!({"approval_codes": [APPROVAL_CODE_PURCHASE], "lookback_days": 1,
               "pending_max_age_days": 180}),
    )
    .await;
    let knobs = t.tenant.approval();
    let old = knobs.add_instance(APPROVAL_CODE_PURCHASE, NOW - 200 * DAY, "PENDING");
    let gone = knobs.add_instance(APPROVAL_CODE_PURCHASE, NOW - 20 * DAY, "PENDING");
    let watched = knobs.add_instance(APPROVAL_CODE_PURCHASE, NOW - 30 * DAY, "PENDING");
    assert!(knobs.delete_instance(&gone));
    let mut section = ApprovalState::default();
    section.cursor_ms = Some(NOW - DAY);
    section.pending = [
        (old.clone(), NOW - 200 * DAY),
        (gone.clone(), NOW - 20 * DAY),
        (watched.clone(), NOW - 30 * DAY),
    ]
    .into();
    let mut state = SyncState::default();
    state
        .approval
        .insert(APPROVAL_CODE_PURCHASE.to_string(), section);
    let source = source(&t);
    t.tenant.clear_journal();
    let run = read_all(&source, opts().state(state).streams([APPROVAL_INSTANCES])).await;

    let warned = warnings(&run.messages);
    assert!(
        warned.iter().any(|w| w.contains(old.as_str())
            && w.contains("pending_max_age_days")
            && w.contains("180 days")),
        "{warned:?}"
    );
    assert!(
        warned
            .iter()
            .any(|w| w.contains(gone.as_str()) && w.contains("leaves the watch list")),
        "{warned:?}"
    );
    let fetched_old = t
        .tenant
        .count_path(&format!("/open-apis/approval/v4/instances/{old}"));
    assert_eq!(fetched_old, 0, "an instance past the bound is not fetched");
    assert!(
        run.records(APPROVAL_INSTANCES)
            .iter()
            .any(|r| r["instance_code"] == watched.as_str())
    );
    let state = run.last_state().unwrap();
    let pending = &state.approval[APPROVAL_CODE_PURCHASE].pending;
    assert!(pending.contains_key(&watched));
    assert!(!pending.contains_key(&old) && !pending.contains_key(&gone));

    let again = read_all(&source, opts().state(state).streams([APPROVAL_INSTANCES])).await;
    let warned = warnings(&again.messages);
    assert!(
        !warned
            .iter()
            .any(|w| w.contains(old.as_str()) || w.contains(gone.as_str())),
        "{warned:?}"
    );
}

/// Item 8: each run re-reads `lookback_days` (default 7) before the cursor, so punches filed
/// late with back-dated check times, days before the cursor, are read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendance_rereads_its_lookback_for_back_dated_punches() {
    let t = tenant_with(
        "attendance",
        json!({"employee_type": "employee_id", "start_date": start_date()}),
    )
    .await;
    let source = source(&t);
    let first = read_all(&source, opts()).await;
    let state = first.last_state().unwrap();
    assert_eq!(state.attendance.as_ref().unwrap().cursor_ms, Some(NOW));
    let later = NOW + 3_600_000;
    let second = read_all(&source, ReadOptions::default().now_ms(later).state(state)).await;

    let users = t.tenant.contact().user_ids("user_id");
    let flows = |from: i64, to: i64| {
        t.tenant
            .attendance()
            .flow_count("employee_id", &users, from / 1000, to / 1000)
    };
    let records = second.records(ATTENDANCE_USER_FLOWS);
    assert_eq!(records.len(), flows(NOW - 7 * DAY, later));
    let back_dated = flows(NOW - 7 * DAY, NOW - DAY);
    assert!(back_dated > 0);
    let older = records
        .iter()
        .filter(|r| r["check_time"].as_i64().unwrap() * 1000 < NOW - DAY)
        .count();
    assert_eq!(older, back_dated, "days before the cursor are read again");
}
