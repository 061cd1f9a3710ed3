//! Lookups over HTTP: one department and one user by every id type, user ids by email and
//! mobile (batched at 50 per list, in input order, cached by the resolver).

mod common;

use std::time::Duration;

use common::setup;
use feishu_contact::{Contact, ContactPoint, DepartmentIdType, MAX_LOOKUPS_PER_LIST, UserIdType};
use feishu_core::{Client, Credentials, Error, OpenId, RateLimits, RetryPolicy, UnionId, UserId};
use feishu_testkit::contact::ContactRange;
use feishu_testkit::{FakeTenant, LostReply};
use serde_json::Value;

const BATCH_GET_ID: &str = "/open-apis/contact/v3/users/batch_get_id";

fn bodies(tenant: &FakeTenant, path: &str) -> Vec<Value> {
    tenant
        .journal()
        .into_iter()
        .filter(|e| e.path == path)
        .filter_map(|e| e.body)
        .collect()
}

#[tokio::test]
async fn a_department_by_either_id() {
    let (tenant, contact) = setup().await;
    let by_custom = contact
        .get_department("D004")
        .department_id_type(DepartmentIdType::DepartmentId)
        .user_id_type(UserIdType::UserId)
        .send()
        .await
        .unwrap();
    assert_eq!(by_custom.department_id, "D004");
    assert!(by_custom.open_department_id.as_str().starts_with("od-"));
    assert!(!by_custom.leader_user_id.starts_with("ou_"), "a user_id");
    let by_open = contact
        .get_department(by_custom.open_department_id.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(by_open.department_id, "D004");
    assert_eq!(by_open.name, by_custom.name);
    assert!(
        by_open.leader_user_id.starts_with("ou_"),
        "open_id by default"
    );
    let query = tenant.journal().last().unwrap().query.clone();
    assert!(query.contains(&("department_id_type".into(), "open_department_id".into())));

    let err = contact.get_department("od-nope").send().await.unwrap_err();
    assert_eq!(err.api_code(), Some(40015));
    tenant.clear_journal();
    for bad in ["", "a/b", "-x", "部门"] {
        let err = contact.get_department(bad).send().await.unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{bad:?}: {err}");
    }
    assert_eq!(tenant.request_count(), 0, "refused before any request");
    tenant
        .contact()
        .set_range(Some(ContactRange::default().with_departments(["D004"])));
    let err = contact.get_department("0").send().await.unwrap_err();
    assert!(err.is_permission_denied(), "{err}");
    assert_eq!(err.api_code(), Some(40004));
}

#[tokio::test]
async fn a_user_by_each_of_the_three_ids() {
    let (tenant, contact) = setup().await;
    let user_id = tenant.contact().user_ids("user_id")[5].clone();
    let open_id = tenant.contact().user_ids("open_id")[5].clone();
    let union_id = tenant.contact().user_ids("union_id")[5].clone();
    let by_user = contact
        .get_user(UserId::from(user_id.as_str()))
        .send()
        .await
        .unwrap();
    let by_open = contact
        .get_user(OpenId::from(open_id.as_str()))
        .send()
        .await
        .unwrap();
    let by_union = contact
        .get_user(UnionId::from(union_id.as_str()))
        .send()
        .await
        .unwrap();
    for user in [&by_user, &by_open, &by_union] {
        assert_eq!(
            (
                user.user_id.as_str(),
                user.open_id.as_str(),
                user.union_id.as_str()
            ),
            (user_id.as_str(), open_id.as_str(), union_id.as_str())
        );
        assert_eq!(user.name, by_user.name);
    }
    // Ids inside the user follow the id type it was asked by.
    if !by_user.leader_user_id.is_empty() {
        assert!(!by_user.leader_user_id.starts_with("ou_"));
        assert!(by_open.leader_user_id.starts_with("ou_"));
        assert!(by_union.leader_user_id.starts_with("on_"));
    }
    let sent: Vec<String> = tenant
        .journal()
        .into_iter()
        .filter(|e| e.path.starts_with("/open-apis/contact/v3/users/"))
        .map(|e| {
            e.query
                .iter()
                .find(|(k, _)| k == "user_id_type")
                .unwrap()
                .1
                .clone()
        })
        .collect();
    assert_eq!(sent, ["user_id", "open_id", "union_id"]);
}

#[tokio::test]
async fn user_ids_by_email_and_mobile_in_input_order() {
    let (tenant, contact) = setup().await;
    let knobs = tenant.contact();
    let all_resigned = knobs.resigned_user_ids("user_id");
    let resigned = all_resigned[0].clone();
    let ids: Vec<String> = knobs
        .user_ids("user_id")
        .into_iter()
        .filter(|id| !all_resigned.contains(id))
        .collect();
    let email = |id: &str| knobs.email_of(id).unwrap();
    let points = vec![
        ContactPoint::email(email(&ids[1]).to_uppercase()),
        ContactPoint::mobile(format!("+86{}", knobs.mobile_of(&ids[2]).unwrap())),
        ContactPoint::email("nobody@example.com"),
        ContactPoint::email(format!("{}@corp.example.com", ids[3])),
        ContactPoint::email(email(&resigned)),
        ContactPoint::email(email(&ids[1])),
    ];
    let found = contact
        .batch_get_user_ids::<UserId>(points.clone())
        .send()
        .await
        .unwrap();
    let got: Vec<Option<String>> = found
        .iter()
        .map(|l| l.user_id.as_ref().map(|i| i.to_string()))
        .collect();
    assert_eq!(
        got,
        [
            Some(ids[1].clone()),
            Some(ids[2].clone()),
            None,
            None,
            None,
            Some(ids[1].clone())
        ],
        "enterprise addresses and resigned users are not found"
    );
    assert_eq!(found[0].query, points[0]);
    assert!(found[0].status.as_ref().is_some_and(|s| s.is_activated));
    let sent = bodies(&tenant, BATCH_GET_ID);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0]["emails"].as_array().unwrap().len(),
        4,
        "a repeat is asked once"
    );
    assert_eq!(sent[0]["include_resigned"], false);

    let with_resigned = contact
        .batch_get_user_ids::<OpenId>([ContactPoint::email(email(&resigned))])
        .include_resigned(true)
        .send()
        .await
        .unwrap();
    assert!(with_resigned[0].is_found());
    assert!(with_resigned[0].status.as_ref().unwrap().is_resigned);
    let query = tenant.journal().last().unwrap().query.clone();
    assert!(query.contains(&("user_id_type".into(), "open_id".into())));

    let err = contact
        .batch_get_user_ids::<OpenId>([ContactPoint::mobile("  ")])
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
}

#[tokio::test]
async fn many_lookups_are_split_at_fifty_per_list() {
    let (tenant, contact) = setup().await;
    let knobs = tenant.contact();
    let ids: Vec<String> = knobs.visible_user_ids("user_id")[..120].to_vec();
    let mut points: Vec<ContactPoint> = ids
        .iter()
        .map(|id| ContactPoint::email(knobs.email_of(id).unwrap()))
        .collect();
    points.extend(
        ids[..30]
            .iter()
            .map(|id| ContactPoint::mobile(knobs.mobile_of(id).unwrap())),
    );
    let found = contact
        .batch_get_user_ids::<UserId>(points)
        .concurrency(2)
        .send()
        .await
        .unwrap();
    let resigned = knobs.resigned_user_ids("user_id");
    for (lookup, id) in found.iter().zip(ids.iter().chain(&ids[..30])) {
        let expected = (!resigned.contains(id)).then(|| id.clone());
        assert_eq!(
            lookup.user_id.as_ref().map(|i| i.to_string()),
            expected,
            "{}",
            lookup.query
        );
    }
    let sent = bodies(&tenant, BATCH_GET_ID);
    assert_eq!(
        sent.len(),
        3,
        "120 emails: 50 + 50 + 20, the 30 numbers ride along"
    );
    for body in &sent {
        for list in ["emails", "mobiles"] {
            let n = body[list].as_array().map_or(0, Vec::len);
            assert!(n <= MAX_LOOKUPS_PER_LIST, "{n} {list} in one call");
        }
    }
}

#[tokio::test]
async fn the_resolver_caches_found_and_missing() {
    let (tenant, contact) = setup().await;
    let knobs = tenant.contact();
    let resigned = knobs.resigned_user_ids("user_id");
    let ids: Vec<String> = knobs
        .user_ids("user_id")
        .into_iter()
        .filter(|id| !resigned.contains(id))
        .collect();
    let emails: Vec<String> = ids[..3]
        .iter()
        .map(|id| knobs.email_of(id).unwrap())
        .collect();
    let resolver = contact.user_id_resolver::<UserId>().build();
    let first = resolver
        .resolve_emails([&emails[0], &emails[1], "ghost@example.com"].map(String::from))
        .await
        .unwrap();
    assert_eq!(first[0].user_id.as_ref().unwrap(), ids[0].as_str());
    assert!(!first[2].is_found());
    assert_eq!((resolver.lookup_calls(), resolver.len()), (1, 3));
    // Known answers (found or not) need no call; only the new address is asked.
    let second = resolver
        .resolve_emails([&emails[2], "ghost@example.com", &emails[0]].map(String::from))
        .await
        .unwrap();
    assert_eq!(second[0].user_id.as_ref().unwrap(), ids[2].as_str());
    assert!(!second[1].is_found());
    assert_eq!(second[2].user_id, first[0].user_id);
    assert_eq!(resolver.lookup_calls(), 2);
    let sent = bodies(&tenant, BATCH_GET_ID);
    assert_eq!(sent[1]["emails"], serde_json::json!([emails[2]]));
    let third = resolver.resolve_emails([emails[1].clone()]).await.unwrap();
    assert!(third[0].is_found());
    assert_eq!(bodies(&tenant, BATCH_GET_ID).len(), 2);
}

/// A lookup is a read: a reply lost to a timeout, a reset connection or a cut body is simply
/// asked again.
#[tokio::test]
async fn a_lookup_is_retried_like_a_read() {
    for loss in LostReply::all(Duration::from_secs(4)) {
        let tenant = FakeTenant::builder().connection_faults().start().await;
        let client = Client::builder()
            .base_url(&tenant.base_url())
            .credentials(Credentials::self_built(
                tenant.app_id(),
                tenant.app_secret(),
            ))
            .rate_limits(RateLimits::disabled())
            .timeout(Duration::from_secs(1))
            .retry_policy(RetryPolicy::default().with_initial_backoff(Duration::from_millis(10)))
            .build()
            .unwrap();
        let contact = Contact::new(client);
        let resigned = tenant.contact().resigned_user_ids("user_id");
        let id = tenant
            .contact()
            .user_ids("user_id")
            .into_iter()
            .find(|id| !resigned.contains(id))
            .unwrap();
        tenant.fail_next(1, loss.fault());
        let found = contact
            .batch_get_user_ids::<UserId>([ContactPoint::email(
                tenant.contact().email_of(&id).unwrap(),
            )])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{loss:?}: {e:?}"));
        assert_eq!(found[0].user_id.as_ref().unwrap(), id.as_str(), "{loss:?}");
        assert_eq!(bodies(&tenant, BATCH_GET_ID).len(), 2, "{loss:?}");
    }
}
