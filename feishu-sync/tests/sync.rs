//! Full, incremental, resumed and faulty syncs of a seeded fake tenant.

mod common;

use std::collections::BTreeSet;

use common::{DAY, DAYS, NOW, opts, read_all, source, tenant};
use feishu_sync::{
    APPROVAL_INSTANCE_FIELDS, APPROVAL_INSTANCES, APPROVAL_INSTANCES_RAW, APPROVAL_TASKS,
    APPROVAL_TIMELINE, ATTENDANCE_GROUPS, ATTENDANCE_SHIFTS, ATTENDANCE_USER_FLOWS,
    BITABLE_RECORDS, CONTACT_USERS, FailureKind, LogLevel, Message, StreamStatus, SyncState,
};
use feishu_testkit::approval::{APPROVAL_CODE_LEAVE, APPROVAL_CODE_PURCHASE, MalformedTaskList};
use futures::StreamExt;
use serde_json::Value;

/// Rows the form of `data` flattens into, counted from the raw form independently of the SDK:
/// one per top-level widget, plus one per `fieldList` cell.
fn form_row_count(form: &Value) -> usize {
    let Some(widgets) = form.as_array() else {
        return 0;
    };
    widgets
        .iter()
        .map(|w| {
            let cells = if w["type"] == "fieldList" {
                w["value"]
                    .as_array()
                    .map(|rows| {
                        rows.iter()
                            .map(|r| r.as_array().map_or(0, Vec::len))
                            .sum::<usize>()
                    })
                    .unwrap_or(0)
            } else {
                0
            };
            1 + cells
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_sync_matches_the_tenants_ground_truth() {
    let t = tenant(40, 20, 2).await;
    let run = read_all(&source(&t), opts()).await;
    let from = NOW - DAYS * DAY;

    // Approval: every instance created in [from, NOW), once, with all its rows.
    let mut codes = Vec::new();
    for code in [APPROVAL_CODE_PURCHASE, APPROVAL_CODE_LEAVE] {
        codes.extend(t.tenant.approval().instance_codes(code, from, NOW - 1));
    }
    assert_eq!(codes.len(), 60);
    let (mut fields, mut tasks, mut timeline) = (0, 0, 0);
    for code in &codes {
        let data = t.tenant.approval().instance(code).unwrap();
        tasks += data["task_list"].as_array().map_or(0, Vec::len);
        timeline += data["timeline"].as_array().map_or(0, Vec::len);
        fields += form_row_count(&t.tenant.approval().instance_form(code).unwrap());
    }
    assert_eq!(run.records(APPROVAL_INSTANCES).len(), codes.len());
    assert_eq!(run.records(APPROVAL_INSTANCES_RAW).len(), codes.len());
    assert_eq!(run.records(APPROVAL_TASKS).len(), tasks);
    assert_eq!(run.records(APPROVAL_TIMELINE).len(), timeline);
    assert_eq!(run.records(APPROVAL_INSTANCE_FIELDS).len(), fields);
    for raw in run.records(APPROVAL_INSTANCES_RAW) {
        let code = raw["instance_code"].as_str().unwrap();
        assert_eq!(
            raw["data"],
            t.tenant.approval().instance(code).unwrap(),
            "raw kept unchanged"
        );
    }

    // Bitable, Contact, Attendance.
    let app = t.tenant.bitable().app_token();
    let table = t.tenant.bitable().table_id();
    assert_eq!(
        run.records(BITABLE_RECORDS).len() as u64,
        t.tenant.bitable().record_count(&app, &table).unwrap()
    );
    assert_eq!(
        run.records(CONTACT_USERS).len(),
        t.tenant.contact().user_ids("open_id").len()
    );
    let user_ids = t.tenant.contact().user_ids("user_id");
    let flows = t
        .tenant
        .attendance()
        .flow_count("employee_id", &user_ids, from / 1000, NOW / 1000);
    assert!(flows > 0);
    assert_eq!(run.records(ATTENDANCE_USER_FLOWS).len(), flows);
    // The definitions punch results refer to: every shift and group, with every task's
    // shift and group among them.
    let ids = |stream: &str, key: &str| -> BTreeSet<String> {
        run.records(stream)
            .iter()
            .map(|r| r[key].as_str().unwrap().to_string())
            .collect()
    };
    let shifts = ids(ATTENDANCE_SHIFTS, "shift_id");
    let groups = ids(ATTENDANCE_GROUPS, "group_id");
    assert_eq!(
        shifts,
        t.tenant.attendance().shift_ids().into_iter().collect()
    );
    assert_eq!(
        groups,
        t.tenant.attendance().group_ids().into_iter().collect()
    );
    assert!(shifts.contains(feishu_testkit::attendance::DEFAULT_SHIFT_ID));
    assert!(groups.contains(feishu_testkit::attendance::DEFAULT_GROUP_ID));
    for group in run.records(ATTENDANCE_GROUPS) {
        assert!(
            group["group"]["group_id"].is_string(),
            "the whole group: {group}"
        );
    }

    // Primary keys are unique per stream.
    for (stream, keys) in run.keys() {
        assert_eq!(
            keys.len(),
            run.records(&stream).len(),
            "{stream} has duplicate keys"
        );
    }
    // Every stream started and completed exactly once, and the run ended with a state.
    for stream in feishu_sync::catalog(&t.config) {
        let statuses: Vec<&StreamStatus> = run
            .messages
            .iter()
            .filter_map(|m| match m {
                Message::Status { stream: s, status } if s == stream.name => Some(status),
                _ => None,
            })
            .collect();
        assert_eq!(
            statuses.first(),
            Some(&&StreamStatus::Started),
            "{}",
            stream.name
        );
        assert_eq!(
            statuses.last(),
            Some(&&StreamStatus::Complete),
            "{}",
            stream.name
        );
    }
    assert!(matches!(run.messages.last(), Some(Message::State(s)) if common::run_ended(s)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clean_runs_produce_byte_identical_state() {
    let a = tenant(30, 10, 2).await;
    let b = tenant(30, 10, 2).await;
    let sa = read_all(&source(&a), opts()).await.last_state().unwrap();
    let sb = read_all(&source(&b), opts()).await.last_state().unwrap();
    // The tenants differ only in their address, which the state does not contain.
    assert_eq!(sa.to_json(), sb.to_json());
    assert!(sa.approval.values().all(|s| s.cursor_ms == Some(NOW)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_approval_picks_up_new_instances_and_late_status_changes() {
    let t = tenant(30, 0, 1).await;
    let source = source(&t);
    let first = read_all(&source, opts().streams(["approval_instances"])).await;
    let state = first.last_state().unwrap();
    let pending = &state.approval[APPROVAL_CODE_PURCHASE].pending;
    // A pending instance created before the next run's lookback window, and one inside it.
    let old = pending
        .iter()
        .find(|(_, created)| **created < NOW - DAY)
        .map(|(c, _)| c.clone())
        .expect("an old pending instance");
    let recent = pending
        .iter()
        .find(|(_, created)| **created >= NOW - DAY + 3_600_000)
        .map(|(c, _)| c.clone())
        .expect("a recent pending instance");
    t.tenant.approval().set_instance_status(&old, "APPROVED");
    t.tenant.approval().set_instance_status(&recent, "REJECTED");
    let new = t
        .tenant
        .approval()
        .add_instance(APPROVAL_CODE_PURCHASE, NOW + 600_000, "PENDING");

    let watched: Vec<String> = pending
        .iter()
        .filter(|(_, created)| **created < NOW - DAY)
        .map(|(c, _)| c.clone())
        .collect();
    let later = NOW + 3_600_000;
    let second = read_all(
        &source,
        feishu_sync::ReadOptions::default()
            .now_ms(later)
            .state(state)
            .streams(["approval_instances"]),
    )
    .await;
    let status_of = |code: &str| {
        second
            .records(APPROVAL_INSTANCES)
            .into_iter()
            .find(|r| r["instance_code"] == code)
            .map(|r| r["status"].as_str().unwrap().to_string())
    };
    assert_eq!(
        status_of(&old).as_deref(),
        Some("APPROVED"),
        "outside the lookback: watch list"
    );
    assert_eq!(
        status_of(&recent).as_deref(),
        Some("REJECTED"),
        "inside the lookback"
    );
    assert_eq!(
        status_of(&new).as_deref(),
        Some("PENDING"),
        "created since the last run"
    );
    let state = second.last_state().unwrap();
    let pending = &state.approval[APPROVAL_CODE_PURCHASE].pending;
    assert!(!pending.contains_key(&old) && !pending.contains_key(&recent));
    assert!(pending.contains_key(&new));
    // Nothing older than the lookback except the watched (pending) instances, each once.
    let mut older = Vec::new();
    for r in second.records(APPROVAL_INSTANCES) {
        let start = r["start_time"].as_i64().unwrap();
        if start < NOW - DAY {
            older.push(r["instance_code"].as_str().unwrap().to_string());
        }
    }
    older.sort();
    let mut expected = watched;
    expected.sort();
    assert_eq!(older, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_far_in_the_future_reads_no_approval_records() {
    let t = tenant(10, 0, 1).await;
    let mut state = SyncState::default();
    state.approval.insert(APPROVAL_CODE_PURCHASE.to_string(), {
        let mut s = feishu_sync::ApprovalState::default();
        s.cursor_ms = Some(NOW + 365 * DAY);
        s
    });
    let run = read_all(
        &source(&t),
        opts().state(state).streams(["approval_instances"]),
    )
    .await;
    assert!(run.records(APPROVAL_INSTANCES).is_empty());
    assert!(run.last_state().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_after_every_cut_loses_nothing() {
    let t = tenant(24, 6, 1).await;
    finalize_statuses(&t);
    let source = source(&t);
    let clean = read_all(&source, opts()).await.keys();
    let total: usize = clean.values().map(BTreeSet::len).sum();
    let options = || opts().checkpoint_every(150).attendance_window_days(1);
    let (resumed, cuts) = common::read_with_cuts(&source, options, 300).await;
    assert!(cuts >= 5, "only {cuts} cuts for {total} records");
    assert_eq!(resumed, clean);
}

/// Final statuses only, so that no instance is watched (and re-read) on every resume.
fn finalize_statuses(t: &common::Tenant) {
    for approval in [APPROVAL_CODE_PURCHASE, APPROVAL_CODE_LEAVE] {
        for code in t.tenant.approval().all_instance_codes(approval) {
            t.tenant.approval().set_instance_status(&code, "APPROVED");
        }
    }
}

fn warnings(run: &common::Run) -> Vec<&str> {
    run.messages
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_that_cannot_be_read_is_reported_and_the_run_goes_on() {
    let t = tenant(20, 10, 2).await;
    let knobs = t.tenant.approval();
    let from = NOW - DAYS * DAY;
    let as_string = knobs.add_malformed_instance(
        APPROVAL_CODE_PURCHASE,
        NOW - DAY / 5,
        MalformedTaskList::String,
    );
    let as_object = knobs.add_malformed_instance(
        APPROVAL_CODE_LEAVE,
        NOW - DAY / 3,
        MalformedTaskList::Object,
    );
    let mut expected = BTreeSet::new();
    for code in [APPROVAL_CODE_PURCHASE, APPROVAL_CODE_LEAVE] {
        expected.extend(knobs.instance_codes(code, from, NOW - 1));
    }
    let denied = knobs.instance_codes(APPROVAL_CODE_PURCHASE, from, NOW - 1)[3].clone();
    assert!(knobs.deny_instance(&denied));
    expected.remove(&denied);

    let run = read_all(&source(&t), opts()).await;

    // The run completes: every stream complete, the cursors moved, no error.
    for stream in feishu_sync::catalog(&t.config) {
        let last = run.messages.iter().rev().find_map(|m| match m {
            Message::Status { stream: s, status } if s == stream.name => Some(status),
            _ => None,
        });
        assert_eq!(last, Some(&StreamStatus::Complete), "{}", stream.name);
    }
    let state = run.last_state().unwrap();
    assert!(common::run_ended(&state));
    assert!(state.approval.values().all(|s| s.cursor_ms == Some(NOW)));
    // Every other instance is there, the malformed ones included.
    let got: BTreeSet<String> = run
        .records(APPROVAL_INSTANCES)
        .iter()
        .map(|r| r["instance_code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, expected);
    // The malformed ones: raw data unchanged, with what could not be read.
    let raws = run.records(APPROVAL_INSTANCES_RAW);
    assert_eq!(raws.len(), expected.len());
    for code in [&as_string, &as_object] {
        let raw = raws
            .iter()
            .find(|r| r["instance_code"] == code.as_str())
            .unwrap();
        assert_eq!(raw["data"], knobs.instance(code).unwrap());
        let why = raw["decode_error"].as_str().unwrap();
        assert!(why.contains("task_list"), "{why}");
        assert!(
            run.records(APPROVAL_TASKS)
                .iter()
                .all(|r| r["instance_code"] != code.as_str())
        );
    }
    assert_eq!(
        raws.iter()
            .filter(|r| r.get("decode_error").is_some())
            .count(),
        2
    );
    // Both kinds are reported by name.
    let warnings = warnings(&run);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains(denied.as_str()) && w.contains("1390009")),
        "{warnings:?}"
    );
    for code in [&as_string, &as_object] {
        assert!(
            warnings.iter().any(|w| w.contains(code.as_str())),
            "{warnings:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_do_not_change_the_record_sets() {
    let t = tenant(20, 10, 2).await;
    let source = source(&t);
    let clean = read_all(&source, opts()).await.keys();
    t.tenant.set_server_error_share(0.05);
    t.tenant.set_rate_limited_share(0.05);
    t.tenant
        .set_rate_limit_reset(std::time::Duration::from_millis(10));
    let faulty = {
        let mut stream = source.read(opts()).unwrap();
        let mut run = common::Run::default();
        let mut n = 0;
        while let Some(m) = stream.next().await {
            let m = m.unwrap();
            if m.as_record().is_some() {
                n += 1;
                if n % 400 == 0 {
                    t.tenant.revoke_tokens();
                }
            }
            run.messages.push(m);
        }
        run
    };
    let failures: Vec<_> = faulty
        .messages
        .iter()
        .filter(|m| {
            matches!(
                m,
                Message::Status {
                    status: StreamStatus::Incomplete(_),
                    ..
                }
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "streams failed under faults: {failures:?}"
    );
    assert_eq!(faulty.keys(), clean);
    assert!(t.tenant.count_status(429) > 0 && t.tenant.token_requests() > 1);
    let stats = source.client().stats();
    assert!(stats.retries > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_module_is_reported_and_the_others_complete() {
    let t = tenant(10, 0, 1).await;
    t.tenant
        .forbid("/open-apis/bitable/", "bitable:app:readonly");
    let run = read_all(&source(&t), opts()).await;
    let incomplete: Vec<String> = run
        .messages
        .iter()
        .filter_map(|m| match m {
            Message::Status {
                stream,
                status: StreamStatus::Incomplete(failure),
            } => {
                assert!(
                    matches!(&failure.kind, FailureKind::Permission { scopes } if scopes.contains(&"bitable:app:readonly".to_string())),
                    "{failure:?}"
                );
                Some(stream.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(incomplete, vec![BITABLE_RECORDS.to_string()]);
    assert!(!run.records(CONTACT_USERS).is_empty());
    assert!(!run.records(APPROVAL_INSTANCES).is_empty());
    let state = run.last_state().unwrap();
    assert!(state.bitable.as_ref().is_none_or(|b| b.tables.is_empty()));
    assert!(state.contact.is_some());
}

/// The approval codes are read side by side: the second code's listing starts before the
/// first code's ends (the list family's budget paces them, not one code after the other).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_codes_are_listed_side_by_side() {
    let t = tenant(30, 30, 2).await;
    t.tenant.clear_journal();
    read_all(&source(&t), opts().streams([APPROVAL_INSTANCES])).await;
    let journal = t.tenant.journal();
    let lists = |code: &str| -> Vec<usize> {
        journal
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.path == "/open-apis/approval/v4/instances"
                    && e.query
                        .iter()
                        .any(|(k, v)| k == "approval_code" && v == code)
            })
            .map(|(i, _)| i)
            .collect()
    };
    let (purchase, leave) = (lists(APPROVAL_CODE_PURCHASE), lists(APPROVAL_CODE_LEAVE));
    assert!(purchase.len() > 1 && leave.len() > 1);
    assert!(leave[0] < *purchase.last().unwrap() && purchase[0] < *leave.last().unwrap());
}
