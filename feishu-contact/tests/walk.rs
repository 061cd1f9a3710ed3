//! The directory walk against the fake tenant.

mod common;

use std::collections::HashSet;

use common::{contact_for, setup, sorted};
use feishu_contact::{DepartmentIdType, UserIdType};
use feishu_testkit::{ContactDataset, FakeTenant};
use futures::TryStreamExt;

#[tokio::test]
async fn walk_from_root_yields_every_user_once() {
    let (tenant, contact) = setup().await;
    let multi = tenant.contact().multi_department_user_ids("open_id");
    assert!(
        multi.len() > 10,
        "the dataset has users in several departments"
    );
    let mut walk = contact.walk().into_stream();
    let mut ids = Vec::new();
    while let Some(user) = walk.try_next().await.unwrap() {
        ids.push(user.open_id.clone());
    }
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no user twice");
    assert_eq!(sorted(ids), sorted(tenant.contact().user_ids("open_id")));
    let report = walk.report();
    assert_eq!(report.users_yielded, 240);
    assert_eq!(report.departments_walked, 67, "66 departments + the root");
    assert!(report.duplicates_skipped >= multi.len());
    assert!(report.fallback.is_none());
    assert_eq!(report.message(), None);
}

#[tokio::test]
async fn walk_with_user_ids_and_custom_department_ids() {
    let (tenant, contact) = setup().await;
    let users: Vec<_> = contact
        .walk()
        .user_id_type(UserIdType::UserId)
        .department_id_type(DepartmentIdType::DepartmentId)
        .concurrency(3)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<String> = users.iter().map(|u| u.user_id.clone()).collect();
    assert_eq!(sorted(ids), sorted(tenant.contact().user_ids("user_id")));
    // department_ids come as custom ids (D001...), or 0 for root members.
    assert!(users.iter().all(|u| {
        u.department_ids
            .iter()
            .all(|d| d == "0" || d.starts_with('D'))
    }));
    let resigned = tenant.contact().resigned_user_ids("user_id");
    assert!(!resigned.is_empty());
    for u in &users {
        assert_eq!(
            u.is_resigned(),
            resigned.contains(&u.user_id),
            "{}",
            u.user_id
        );
    }
}

#[tokio::test]
async fn walk_from_a_subtree_yields_exactly_its_users() {
    let (tenant, contact) = setup().await;
    let users: Vec<_> = contact
        .walk()
        .department_id_type(DepartmentIdType::DepartmentId)
        .user_id_type(UserIdType::UnionId)
        .from_departments(["D002", "D005"])
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<String> = users.iter().map(|u| u.union_id.clone()).collect();
    let mut expected: Vec<String> = tenant.contact().subtree_user_ids("D002", "union_id");
    expected.extend(tenant.contact().subtree_user_ids("D005", "union_id"));
    let expected: HashSet<String> = expected.into_iter().collect();
    assert_eq!(ids.len(), expected.len(), "each user once");
    assert_eq!(ids.into_iter().collect::<HashSet<_>>(), expected);
}

#[tokio::test]
async fn walk_with_open_department_ids_from_a_subtree() {
    let (tenant, contact) = setup().await;
    let open_ids = tenant.contact().department_ids("open_department_id");
    let d003 = open_ids[2].clone();
    let users: Vec<_> = contact
        .walk()
        .from_departments([d003.clone()])
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<String> = users.into_iter().map(|u| u.open_id).collect();
    assert_eq!(
        sorted(ids),
        tenant.contact().subtree_user_ids("D003", "open_id")
    );
}

#[tokio::test]
async fn restricted_range_walks_the_visible_range_and_says_so() {
    let (tenant, contact) = setup().await;
    let range = tenant.contact().sample_range();
    assert_eq!(range.departments, vec!["D004".to_string()]);
    assert_eq!(range.users.len(), 2);
    tenant.contact().set_range(Some(range.clone()));
    let mut walk = contact
        .walk()
        .user_id_type(UserIdType::UserId)
        .into_stream();
    let handle = walk.report_handle();
    let mut ids = Vec::new();
    while let Some(user) = walk.try_next().await.unwrap() {
        ids.push(user.user_id);
    }
    assert_eq!(ids.len(), ids.iter().collect::<HashSet<_>>().len());
    assert_eq!(
        sorted(ids.clone()),
        tenant.contact().visible_user_ids("user_id")
    );
    for u in &range.users {
        assert!(ids.contains(u), "individually granted user {u} is walked");
    }
    let report = handle.get();
    let fallback = report.fallback.clone().expect("fallback recorded");
    assert_eq!(fallback.root_error_code, 40004);
    assert_eq!(fallback.department_ids.len(), 1);
    assert_eq!(fallback.user_ids, range.users);
    assert_eq!(
        report.message().unwrap(),
        "root not visible (code 40004); walked the app's visible range: 1 departments, 2 users"
    );
    // The root was probed once and answered 40004.
    let root_calls: Vec<_> = tenant
        .journal()
        .into_iter()
        .filter(|e| e.path == "/open-apis/contact/v3/departments/0/children")
        .collect();
    assert_eq!(root_calls.len(), 1);
    assert_eq!(root_calls[0].code, Some(40004));
    assert_eq!(root_calls[0].status, 403);
}

#[tokio::test]
async fn nothing_visible_is_a_clear_error() {
    let tenant = FakeTenant::start().await;
    tenant
        .contact()
        .set_range(Some(feishu_testkit::ContactRange::default()));
    let contact = contact_for(&tenant);
    let result: Result<Vec<_>, _> = contact.walk().into_stream().try_collect().await;
    let err = result.unwrap_err();
    assert_eq!(err.api_code(), Some(40004));
    assert!(err.is_permission_denied());
    let text = err.to_string();
    assert!(text.contains("contact range is empty"), "{text}");
    assert!(text.contains("contact:contact.base:readonly"), "{text}");
}

#[tokio::test]
async fn missing_scope_names_the_scope() {
    let (tenant, contact) = setup().await;
    tenant.forbid("/open-apis/contact/v3/", "contact:contact.base:readonly");
    let result: Result<Vec<_>, _> = contact.walk().into_stream().try_collect().await;
    let err = result.unwrap_err();
    assert_eq!(err.api_code(), Some(99991672));
    let api = err.as_api().unwrap();
    assert_eq!(api.required_scopes(), vec!["contact:contact.base:readonly"]);
    assert!(err.to_string().contains("contact:contact.base:readonly"));
    // The walk stops after the first error: one call.
    assert_eq!(tenant.count_prefix("/open-apis/contact/v3/"), 1);
}

#[tokio::test]
async fn larger_tenant_walk() {
    let tenant = FakeTenant::start().await;
    tenant.contact().set_dataset(ContactDataset {
        users: 2000,
        ..ContactDataset::default()
    });
    let contact = contact_for(&tenant);
    let ids: Vec<String> = contact
        .walk()
        .into_stream()
        .map_ok(|u| u.open_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), 2000);
    assert_eq!(sorted(ids), sorted(tenant.contact().user_ids("open_id")));
}

/// Feishu refuses to list a big tree recursively (43010); the walk then goes level by level.
/// A corrupt answer with a cycle (D005 lists its own ancestor D001 as a child) must still end,
/// with every user once.
#[tokio::test]
async fn level_by_level_fallback_survives_a_department_cycle() {
    let (tenant, contact) = setup().await;
    tenant.contact().set_recursion_limit(Some(0));
    tenant.contact().link_child("D005", "D001");
    let walk = contact
        .walk()
        .department_id_type(DepartmentIdType::DepartmentId)
        .into_stream();
    let handle = walk.report_handle();
    let ids: Vec<String> = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        walk.map_ok(|u| u.open_id).try_collect::<Vec<_>>(),
    )
    .await
    .expect("the walk ends despite the cycle")
    .unwrap();
    assert_eq!(ids.len(), 240, "each user once");
    assert_eq!(sorted(ids), sorted(tenant.contact().user_ids("open_id")));
    assert_eq!(handle.get().departments_walked, 67);
    // The recursive listing was refused, then each department was listed once.
    let journal = tenant.journal();
    let refused = journal.iter().filter(|e| e.code == Some(43010)).count();
    assert_eq!(refused, 1);
    let listings = journal
        .iter()
        .filter(|e| e.path.ends_with("/children"))
        .count();
    assert_eq!(
        listings,
        1 + 1 + 67,
        "root probe, refused recursion, 67 departments once"
    );
}
