//! The directory walk against the fake tenant.

mod common;

use std::collections::HashSet;

use common::{contact_for, setup, sorted};
use feishu_contact::{DepartmentIdType, UserIdType, WalkGap};
use feishu_testkit::{ContactDataset, ContactRange, FakeTenant};
use futures::TryStreamExt;

#[tokio::test]
async fn walk_from_root_yields_every_user_once() {
    let (tenant, contact) = setup().await;
    let multi = tenant.contact().multi_department_user_ids("open_id");
    assert!(
        multi.len() > 10,
        "the dataset has users in several departments"
    );
    let mut walk = contact.walk_directory().into_stream();
    let mut ids = Vec::new();
    while let Some(user) = walk.try_next().await.unwrap() {
        ids.push(user.open_id.to_string());
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
        .walk_directory()
        .user_id_type(UserIdType::UserId)
        .department_id_type(DepartmentIdType::DepartmentId)
        .concurrency(3)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<String> = users.iter().map(|u| u.user_id.to_string()).collect();
    assert_eq!(sorted(ids), sorted(tenant.contact().user_ids("user_id")));
    // department_ids come as custom ids (D001...), or 0 for root members.
    assert!(users.iter().all(|u| {
        u.department_ids
            .iter()
            .all(|d| d == "0" || d.as_str().starts_with('D'))
    }));
    let resigned = tenant.contact().resigned_user_ids("user_id");
    assert!(!resigned.is_empty());
    for u in &users {
        assert_eq!(
            u.is_resigned(),
            resigned.contains(&u.user_id.to_string()),
            "{}",
            u.user_id
        );
    }
}

#[tokio::test]
async fn walk_from_a_subtree_yields_exactly_its_users() {
    let (tenant, contact) = setup().await;
    let users: Vec<_> = contact
        .walk_directory()
        .department_id_type(DepartmentIdType::DepartmentId)
        .user_id_type(UserIdType::UnionId)
        .from_departments(["D002", "D005"])
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<String> = users.iter().map(|u| u.union_id.to_string()).collect();
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
        .walk_directory()
        .from_departments([d003.clone()])
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<String> = users.into_iter().map(|u| u.open_id.into_string()).collect();
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
        .walk_directory()
        .user_id_type(UserIdType::UserId)
        .into_stream();
    let handle = walk.report_handle();
    let mut ids = Vec::new();
    while let Some(user) = walk.try_next().await.unwrap() {
        ids.push(user.user_id.into_string());
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
        "root not visible (code 40004); walked the app's visible range: 1 departments, 2 users, 0 groups"
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
    let result: Result<Vec<_>, _> = contact.walk_directory().into_stream().try_collect().await;
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
    let result: Result<Vec<_>, _> = contact.walk_directory().into_stream().try_collect().await;
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
        .walk_directory()
        .into_stream()
        .map_ok(|u| u.open_id.into_string())
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
        .walk_directory()
        .department_id_type(DepartmentIdType::DepartmentId)
        .into_stream();
    let handle = walk.report_handle();
    let ids: Vec<String> = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        walk.map_ok(|u| u.open_id.into_string())
            .try_collect::<Vec<_>>(),
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

/// Collects a walk's user ids (of `user_id_type`) and its final report.
async fn walk_ids(
    contact: &feishu_contact::Contact,
    user_id_type: UserIdType,
) -> (Vec<String>, feishu_contact::WalkReport) {
    let mut walk = contact
        .walk_directory()
        .user_id_type(user_id_type)
        .into_stream();
    let mut ids = Vec::new();
    while let Some(user) = walk.try_next().await.unwrap() {
        ids.push(user.id(user_id_type).unwrap().to_string());
    }
    (ids, walk.report())
}

/// A range granted through user groups alone: every member once (the users of its
/// department members too), no "nothing visible".
#[tokio::test]
async fn a_range_of_groups_alone_yields_their_members() {
    let (tenant, contact) = setup().await;
    let groups = tenant.contact().group_ids();
    assert!(groups.len() >= 2);
    let range = ContactRange::default().with_groups(groups[..2].to_vec());
    tenant.contact().set_range(Some(range));
    let (ids, report) = walk_ids(&contact, UserIdType::UserId).await;
    let visible = tenant.contact().visible_user_ids("user_id");
    let direct: HashSet<String> = groups[..2]
        .iter()
        .flat_map(|g| tenant.contact().group_user_ids(g, "user_id"))
        .collect();
    assert!(visible.len() > direct.len(), "department members add users");
    assert_eq!(
        ids.len(),
        ids.iter().collect::<HashSet<_>>().len(),
        "once each"
    );
    assert_eq!(sorted(ids), visible);
    let fallback = report.fallback.unwrap();
    assert_eq!(fallback.group_ids.len(), 2);
    assert!(fallback.department_ids.is_empty() && fallback.user_ids.is_empty());
    assert!(report.gaps.is_empty(), "{:?}", report.gaps);
    // Both kinds of member were asked for, by the walk's id types.
    let asked: Vec<Vec<(String, String)>> = tenant
        .journal()
        .into_iter()
        .filter(|e| e.path.ends_with("/member/simplelist"))
        .map(|e| e.query)
        .collect();
    assert_eq!(asked.len(), 4, "users and departments of each group");
    assert!(
        asked
            .iter()
            .any(|q| q.contains(&("member_type".into(), "department".into()))
                && q.contains(&("member_id_type".into(), "open_id".into())))
    );
    assert!(
        asked
            .iter()
            .any(|q| q.contains(&("member_type".into(), "user".into()))
                && q.contains(&("member_id_type".into(), "user_id".into())))
    );
}

/// Departments, users and groups together: every visible user exactly once, overlaps
/// included, with custom department ids.
#[tokio::test]
async fn a_mixed_range_yields_every_visible_user_once() {
    let (tenant, contact) = setup().await;
    let sample = tenant.contact().sample_range();
    let groups = tenant.contact().group_ids();
    let range = sample.clone().with_groups(groups.clone());
    tenant.contact().set_range(Some(range));
    let walk = contact
        .walk_directory()
        .department_id_type(DepartmentIdType::DepartmentId)
        .into_stream();
    let handle = walk.report_handle();
    let ids: Vec<String> = walk
        .map_ok(|u| u.open_id.into_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), ids.iter().collect::<HashSet<_>>().len());
    assert_eq!(sorted(ids), tenant.contact().visible_user_ids("open_id"));
    let report = handle.get();
    assert_eq!(
        report.fallback.as_ref().unwrap().group_ids.len(),
        groups.len()
    );
    assert_eq!(
        report.message().unwrap(),
        format!(
            "root not visible (code 40004); walked the app's visible range: 1 departments, 2 \
             users, {} groups",
            groups.len()
        )
    );
    assert!(report.is_complete());
}

/// Without contact:user.employee_id:readonly, `scopes` leaves `user_ids` out: the users granted
/// one by one are not read, and the report says so with the scope to grant.
#[tokio::test]
async fn withheld_user_ids_are_reported_with_the_scope_to_grant() {
    let (tenant, contact) = setup().await;
    let range = tenant.contact().sample_range();
    tenant.contact().set_range(Some(range.clone()));
    tenant.contact().withhold_scope_user_ids(true);
    let (ids, report) = walk_ids(&contact, UserIdType::UserId).await;
    for u in &range.users {
        assert!(!ids.contains(u), "{u} cannot be seen");
    }
    assert_eq!(
        sorted(ids),
        tenant.contact().subtree_user_ids("D004", "user_id"),
        "the granted department is read in full"
    );
    assert_eq!(report.gaps, vec![WalkGap::UserIdsWithheld]);
    assert!(!report.is_complete());
    let message = report.message().unwrap();
    assert!(
        message.contains("contact:user.employee_id:readonly"),
        "{message}"
    );
}

/// A group whose members the app may not list (no contact:group:readonly) is a gap of the
/// report, named with the scope; everything else is still read.
#[tokio::test]
async fn a_group_without_its_scope_is_a_reported_gap() {
    let (tenant, contact) = setup().await;
    let groups = tenant.contact().group_ids();
    let range = tenant
        .contact()
        .sample_range()
        .with_groups([groups[0].clone()]);
    tenant.contact().set_range(Some(range));
    tenant.forbid("/open-apis/contact/v3/group/", "contact:group:readonly");
    let (ids, report) = walk_ids(&contact, UserIdType::OpenId).await;
    assert!(ids.len() >= tenant.contact().subtree_user_ids("D004", "open_id").len() + 2);
    assert_eq!(report.gaps.len(), 1);
    match &report.gaps[0] {
        WalkGap::GroupNotExpanded {
            group_id,
            code,
            scopes,
            ..
        } => {
            assert_eq!(group_id.as_str(), groups[0]);
            assert_eq!(*code, Some(99991672));
            assert_eq!(scopes, &vec!["contact:group:readonly".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    assert!(report.message().unwrap().contains("contact:group:readonly"));
}

/// A departed user is in no Contact answer: the walk lists the current directory.
#[tokio::test]
async fn departed_users_are_not_in_the_directory() {
    let (tenant, contact) = setup().await;
    let gone = tenant.contact().user_ids("user_id")[7].clone();
    tenant.contact().depart_user(&gone, 1_735_689_600);
    let (ids, _) = walk_ids(&contact, UserIdType::UserId).await;
    assert!(!ids.contains(&gone));
    assert_eq!(sorted(ids), sorted(tenant.contact().user_ids("user_id")));
}
