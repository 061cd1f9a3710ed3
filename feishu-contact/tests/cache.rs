//! The enrichment cache: batching, coalescing, not-found answers.

mod common;

use std::time::Duration;

use common::setup;
use feishu_contact::UserIdType;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_lookups_share_two_batch_calls() {
    let (tenant, contact) = setup().await;
    let cache = contact
        .user_cache()
        .user_id_type(UserIdType::UserId)
        .batch_window(Duration::from_millis(20))
        .build();
    let ids: Vec<String> = tenant.contact_user_ids("user_id")[..60].to_vec();
    tenant.clear_journal();
    let mut tasks = Vec::new();
    for i in 0..500 {
        let cache = cache.clone();
        let id = ids[i % 60].clone();
        tasks.push(tokio::spawn(async move {
            let user = cache.get(&id).await.unwrap().expect("known user");
            assert_eq!(user.user_id, id);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let batch_calls = tenant.count_path("/open-apis/contact/v3/users/batch");
    assert!(batch_calls <= 2, "{batch_calls} batch calls");
    assert_eq!(batch_calls, cache.batch_calls());
    for entry in tenant.journal() {
        let n = entry.query.iter().filter(|(k, _)| k == "user_ids").count();
        assert!(n <= 50);
    }
    assert_eq!(cache.len(), 60);
    // Hits need no call.
    let again = cache.get_many(&ids[..10]).await.unwrap();
    assert!(again.iter().all(Option::is_some));
    assert_eq!(
        tenant.count_path("/open-apis/contact/v3/users/batch"),
        batch_calls
    );
}

#[tokio::test]
async fn unknown_ids_are_not_found() {
    let (tenant, contact) = setup().await;
    let cache = contact.user_cache().build();
    let known = tenant.contact_user_ids("open_id")[0].clone();
    let answers = cache
        .get_many([known.as_str(), "ou_missing", "", "../x"])
        .await
        .unwrap();
    assert_eq!(answers[0].as_ref().unwrap().open_id, known);
    assert!(answers[1].is_none());
    assert!(answers[2].is_none());
    assert!(answers[3].is_none());
    // Not-found answers are cached too.
    let calls = cache.batch_calls();
    assert_eq!(cache.get("ou_missing").await.unwrap(), None);
    assert_eq!(cache.batch_calls(), calls);
}

#[tokio::test]
async fn failed_batches_reach_every_waiter_and_are_not_cached() {
    let (tenant, contact) = setup().await;
    let cache = contact
        .user_cache()
        .user_id_type(UserIdType::UserId)
        .build();
    let ids = tenant.contact_user_ids("user_id");
    tenant.forbid(
        "/open-apis/contact/v3/users/batch",
        "contact:contact.base:readonly",
    );
    let (a, b) = tokio::join!(cache.get(&ids[0]), cache.get(&ids[0]));
    for r in [a, b] {
        let err = r.unwrap_err();
        assert_eq!(err.api_code(), Some(99991672));
    }
    assert_eq!(cache.batch_calls(), 1);
    tenant.allow_all();
    assert!(cache.get(&ids[0]).await.unwrap().is_some());
}

#[tokio::test]
async fn primed_users_need_no_call() {
    let (tenant, contact) = setup().await;
    let cache = contact.user_cache().build();
    let user = contact
        .user(tenant.contact_user_ids("open_id")[5].clone())
        .send()
        .await
        .unwrap();
    cache.insert(user.clone());
    assert_eq!(cache.get(&user.open_id).await.unwrap(), Some(user));
    assert_eq!(cache.batch_calls(), 0);
}
