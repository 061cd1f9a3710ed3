//! `Source::reread`: one approval instance or one user read again, as a change event asks.

mod common;

use common::{NOW, opts, read_all, source, tenant};
use feishu_sync::{APPROVAL_INSTANCES, CONTACT_USERS, LogLevel, Message, Target};
use feishu_testkit::approval::APPROVAL_CODE_PURCHASE;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_and_a_user_are_read_again_with_their_state_updates() {
    let t = tenant(20, 0, 1).await;
    let source = source(&t);
    let first = read_all(&source, opts().streams([APPROVAL_INSTANCES, CONTACT_USERS])).await;
    let state = first.last_state().unwrap();
    let section = &state.approval[APPROVAL_CODE_PURCHASE];
    let mut pending = section.pending.keys().cloned();
    let (approved, deleted) = (pending.next().unwrap(), pending.next().unwrap());
    t.tenant
        .approval()
        .set_instance_status(&approved, "APPROVED");
    assert!(t.tenant.approval().delete_instance(&deleted));
    let user = t.tenant.contact().user_ids("open_id")[7].clone();

    t.tenant.clear_journal();
    let targets = [
        Target::ApprovalInstance {
            approval_code: APPROVAL_CODE_PURCHASE.into(),
            instance_code: approved.clone(),
        },
        Target::ApprovalInstance {
            approval_code: APPROVAL_CODE_PURCHASE.into(),
            instance_code: deleted.clone(),
        },
        Target::ContactUser { id: user.clone() },
    ];
    let mut stream = source.reread(targets, opts().state(state.clone())).unwrap();
    let mut run = common::Run::default();
    while let Some(m) = futures::StreamExt::next(&mut stream).await {
        run.messages.push(m.unwrap());
    }

    let instances = run.records(APPROVAL_INSTANCES);
    assert_eq!(instances.len(), 1);
    assert_eq!(instances[0]["instance_code"], approved.as_str());
    assert_eq!(instances[0]["status"], "APPROVED");
    let users = run.records(CONTACT_USERS);
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["id"], user.as_str());
    assert!(run.messages.iter().any(|m| matches!(m,
        Message::Log { level: LogLevel::Warn, message } if message.contains(deleted.as_str()))));
    // Only the three objects were asked for: no listing, no walk.
    assert_eq!(t.tenant.request_count(), 3, "{:?}", t.tenant.journal());
    let after = run.last_state().unwrap();
    let section = &after.approval[APPROVAL_CODE_PURCHASE];
    assert!(!section.pending.contains_key(&approved) && !section.pending.contains_key(&deleted));
    assert_eq!(section.cursor_ms, Some(NOW), "the cursor stays");
    assert_eq!(after.contact, state.contact);
}
