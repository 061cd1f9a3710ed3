//! The enrichment cache: batching, coalescing, not-found answers.

mod common;

use std::time::Duration;

use common::{setup, sorted};
use feishu_contact::{OpenId, UserIdType};

/// Every lookup registers during the first poll of `get_many` and the window's timer cannot
/// run before the test task yields (one thread), so the count is exact whatever the load.
#[tokio::test(flavor = "current_thread")]
async fn lookups_within_one_window_share_two_batch_calls() {
    let (tenant, contact) = setup().await;
    let cache = contact
        .user_cache()
        .user_id_type(UserIdType::UserId)
        .batch_window(Duration::from_millis(20))
        .build();
    let ids: Vec<String> = tenant.contact().user_ids("user_id")[..60].to_vec();
    tenant.clear_journal();
    let wanted: Vec<&String> = (0..500).map(|i| &ids[i % 60]).collect();
    let users = cache
        .get_many(wanted.iter().map(|s| s.as_str()))
        .await
        .unwrap();
    for (user, id) in users.iter().zip(&wanted) {
        assert_eq!(
            user.as_ref().expect("known user").user_id.as_str(),
            id.as_str()
        );
    }
    // 50 ids at once (a full batch), then the other 10 after the window.
    let sizes: Vec<usize> = tenant
        .journal()
        .iter()
        .filter(|e| e.path == "/open-apis/contact/v3/users/batch")
        .map(|e| e.query.iter().filter(|(k, _)| k == "user_ids").count())
        .collect();
    assert_eq!(sizes, vec![50, 10]);
    assert_eq!(cache.batch_calls(), 2);
    assert_eq!(cache.len(), 60);
    // Hits need no call.
    let again = cache.get_many(&ids[..10]).await.unwrap();
    assert!(again.iter().all(Option::is_some));
    assert_eq!(tenant.count_path("/open-apis/contact/v3/users/batch"), 2);
}

/// Many tasks on several threads: however the lookups interleave with the batches, no id is
/// asked for twice and no call carries more than 50 ids (no timing assumption).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_lookups_ask_for_each_id_once() {
    let (tenant, contact) = setup().await;
    let cache = contact
        .user_cache()
        .user_id_type(UserIdType::UserId)
        .batch_window(Duration::from_millis(5))
        .build();
    let ids: Vec<String> = tenant.contact().user_ids("user_id")[..60].to_vec();
    tenant.clear_journal();
    let mut tasks = Vec::new();
    for i in 0..500 {
        let cache = cache.clone();
        let id = ids[i % 60].clone();
        tasks.push(tokio::spawn(async move {
            let user = cache.get(&id).await.unwrap().expect("known user");
            assert_eq!(user.user_id, id.as_str());
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut asked: Vec<String> = Vec::new();
    for entry in tenant.journal() {
        if entry.path != "/open-apis/contact/v3/users/batch" {
            continue;
        }
        let n = entry.query.iter().filter(|(k, _)| k == "user_ids").count();
        assert!((1..=50).contains(&n), "{n} ids in one call");
        asked.extend(
            entry
                .query
                .iter()
                .filter(|(k, _)| k == "user_ids")
                .map(|(_, v)| v.clone()),
        );
    }
    asked.sort();
    assert_eq!(asked, sorted(ids), "every id asked for exactly once");
    assert_eq!(
        cache.batch_calls(),
        tenant.count_path("/open-apis/contact/v3/users/batch")
    );
    assert!(cache.batch_calls() >= 2);
    assert_eq!(cache.len(), 60);
}

/// A caller that gives up, and a runtime that goes away with the batch in flight, must not
/// leave the id pending forever: a later lookup calls again and gets the user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_batch_releases_its_ids() {
    let (tenant, contact) = setup().await;
    let cache = contact
        .user_cache()
        .user_id_type(UserIdType::UserId)
        .build();
    let id = tenant.contact().user_ids("user_id")[3].clone();
    tenant.set_latency(Duration::from_secs(30));
    let (other, other_id) = (cache.clone(), id.clone());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let gave_up = rt.block_on(async {
            tokio::time::timeout(Duration::from_millis(200), other.get(&other_id)).await
        });
        assert!(gave_up.is_err(), "the answer is 30 s away");
        drop(rt); // cancels the batch (or the window timer) mid-flight
    })
    .join()
    .unwrap();
    tenant.set_latency(Duration::ZERO);
    let user = tokio::time::timeout(Duration::from_secs(20), cache.get(&id))
        .await
        .expect("the id is not stuck behind the cancelled batch")
        .unwrap()
        .expect("known user");
    assert_eq!(user.user_id, id.as_str());
}

#[test]
fn lookups_outside_a_runtime_are_an_error() {
    let client = feishu_core::Client::builder()
        .base_url("http://127.0.0.1:9")
        .credentials(feishu_core::Credentials::self_built("cli_x", "secret"))
        .build()
        .unwrap();
    let cache = feishu_contact::Contact::new(client).user_cache().build();
    let err = futures::executor::block_on(cache.get("ou_x")).unwrap_err();
    assert!(matches!(err, feishu_core::Error::Config(_)), "{err}");
    assert!(cache.is_empty());
}

#[tokio::test]
async fn users_without_the_cache_id_are_an_error_not_a_miss() {
    let (tenant, contact) = setup().await;
    let cache = contact
        .user_cache()
        .user_id_type(UserIdType::UserId)
        .build();
    let id = tenant.contact().user_ids("user_id")[7].clone();
    tenant.contact().set_withheld_user_fields(&["user_id"]);
    let err = cache.get(&id).await.unwrap_err();
    assert!(matches!(err, feishu_core::Error::Config(_)), "{err}");
    assert!(
        err.to_string()
            .contains("contact:user.employee_id:readonly"),
        "{err}"
    );
    assert!(cache.is_empty(), "not cached as not found");
    tenant.contact().set_withheld_user_fields(&[]);
    assert_eq!(cache.get(&id).await.unwrap().unwrap().user_id, id.as_str());
}

#[tokio::test]
async fn unknown_ids_are_not_found() {
    let (tenant, contact) = setup().await;
    let cache = contact.user_cache().build();
    let known = tenant.contact().user_ids("open_id")[0].clone();
    let answers = cache
        .get_many([known.as_str(), "ou_missing", "", "../x"])
        .await
        .unwrap();
    assert_eq!(answers[0].as_ref().unwrap().open_id, known.as_str());
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
    let ids = tenant.contact().user_ids("user_id");
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
        .get_user(OpenId::from(
            tenant.contact().user_ids("open_id")[5].clone(),
        ))
        .send()
        .await
        .unwrap();
    cache.insert(user.clone());
    assert_eq!(cache.get(&user.open_id).await.unwrap(), Some(user));
    assert_eq!(cache.batch_calls(), 0);
}
