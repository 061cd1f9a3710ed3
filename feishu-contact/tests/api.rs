//! The typed endpoints against the fake tenant: id types, models, paging, errors.

mod common;

use common::{setup, sorted};
use feishu_contact::{
    DepartmentIdType, GroupMemberType, OpenId, ROOT_DEPARTMENT_ID, ScopeEntry, Scopes, UserId,
    UserIdType,
};
use feishu_core::ListRequest;
use futures::TryStreamExt;

#[tokio::test]
async fn child_departments_direct_and_recursive() {
    let (tenant, contact) = setup().await;
    let direct: Vec<_> = contact
        .list_child_departments(ROOT_DEPARTMENT_ID)
        .department_id_type(DepartmentIdType::DepartmentId)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = direct.iter().map(|d| d.department_id.as_str()).collect();
    assert_eq!(ids, ["D001", "D002", "D003"]);
    assert!(direct.iter().all(|d| d.parent_department_id == "0"));
    assert!(
        direct
            .iter()
            .all(|d| d.open_department_id.as_str().starts_with("od-"))
    );

    // Recursive, small pages: 66 departments over 14 pages of 5.
    tenant.clear_journal();
    let all: Vec<_> = contact
        .list_child_departments("0")
        .fetch_child(true)
        .page_size(5)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 66);
    assert_eq!(
        tenant.count_path("/open-apis/contact/v3/departments/0/children"),
        14
    );
    let open: Vec<String> = all
        .iter()
        .map(|d| d.open_department_id.to_string())
        .collect();
    assert_eq!(open, tenant.contact().department_ids("open_department_id"));
    // parent ids follow department_id_type (open by default).
    let d004 = &all[3];
    assert_eq!(d004.department_id, "D004");
    assert_eq!(d004.parent_department_id, all[0].open_department_id);
    assert!(!d004.is_deleted());
    assert_eq!(d004.i18n_name.as_ref().unwrap().zh_cn, d004.name);
}

#[tokio::test]
async fn department_leaders_follow_user_id_type() {
    let (_tenant, contact) = setup().await;
    let page = contact
        .list_child_departments("D001")
        .department_id_type(DepartmentIdType::DepartmentId)
        .user_id_type(UserIdType::UserId)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    let with_leader = page
        .items
        .iter()
        .find(|d| !d.leaders.is_empty())
        .expect("a led department");
    let leader = &with_leader.leaders[0];
    assert!(leader.is_main());
    assert_eq!(leader.leader_id, with_leader.leader_user_id);
    assert!(
        !leader.leader_id.starts_with("ou_"),
        "a user_id, not an open_id"
    );
    assert!(with_leader.member_count.unwrap() >= 1);
    assert!(with_leader.extra.is_empty());
}

#[tokio::test]
async fn users_by_department_and_get_and_batch() {
    let (tenant, contact) = setup().await;
    let members: Vec<_> = contact
        .list_department_users("D007")
        .department_id_type(DepartmentIdType::DepartmentId)
        .page_size(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!members.is_empty());
    assert!(
        members
            .iter()
            .all(|u| u.department_ids.contains(&"D007".into()))
    );

    let first = &members[0];
    let by_union = contact
        .get_user(first.union_id.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(by_union.open_id, first.open_id);
    assert_eq!(
        by_union.id(UserIdType::UserId),
        Some(first.user_id.as_str())
    );
    assert!(by_union.status.is_some());
    assert!(by_union.primary_department_id().is_some());
    assert!(by_union.avatar.is_some());

    // 120 ids (plus a duplicate and two unknown ones) → 3 calls, unknown ids omitted.
    let mut ids = tenant.contact().user_ids("user_id")[..120].to_vec();
    ids.push(ids[0].clone());
    ids.push("nobody".into());
    ids.push("nobody-else".into());
    tenant.clear_journal();
    let users = contact
        .batch_get_users(ids.iter().map(UserId::from))
        .send()
        .await
        .unwrap();
    assert_eq!(users.len(), 120);
    let calls: Vec<_> = tenant
        .journal()
        .into_iter()
        .filter(|e| e.path == "/open-apis/contact/v3/users/batch")
        .collect();
    assert_eq!(calls.len(), 3);
    for call in &calls {
        let n = call.query.iter().filter(|(k, _)| k == "user_ids").count();
        assert!(n <= 50, "{n} ids in one call");
    }
    let got: Vec<String> = users.into_iter().map(|u| u.user_id.into_string()).collect();
    assert_eq!(sorted(got), sorted(ids[..120].to_vec()));
}

#[tokio::test]
async fn scopes_lists_the_range() {
    let (tenant, contact) = setup().await;
    // All members: the first-level departments and the root's direct users.
    let all: Scopes = contact
        .list_scopes()
        .department_id_type(DepartmentIdType::DepartmentId)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.department_ids, ["D001", "D002", "D003"]);
    assert_eq!(all.user_ids.len(), 2);
    // ... and every user group.
    let groups: Vec<String> = all.group_ids.iter().map(|g| g.to_string()).collect();
    assert_eq!(groups, tenant.contact().group_ids());
    assert!(!groups.is_empty());

    let range = tenant.contact().sample_range();
    tenant.contact().set_range(Some(range.clone()));
    let entries: Vec<_> = contact
        .list_scopes()
        .user_id_type(UserIdType::UserId)
        .department_id_type(DepartmentIdType::DepartmentId)
        .page_size(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        entries,
        vec![
            ScopeEntry::User(range.users[0].clone()),
            ScopeEntry::User(range.users[1].clone()),
            ScopeEntry::Department("D004".into()),
        ]
    );
}

#[tokio::test]
async fn documented_errors_are_clear() {
    let (tenant, contact) = setup().await;
    // page_size over Feishu's maximum (50; the server would answer 40011): refused before
    // any request, naming the argument.
    for listing in [
        contact
            .list_child_departments("0")
            .page_size(51)
            .send()
            .await
            .map(drop),
        contact
            .list_department_users("0")
            .page_size(0)
            .send()
            .await
            .map(drop),
    ] {
        let err = listing.unwrap_err();
        assert!(err.to_string().contains("page_size"), "{err}");
        assert!(!err.is_retryable());
    }
    let err = contact
        .list_scopes()
        .page_size(101)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, feishu_core::Error::InvalidArgument(_)),
        "{err}"
    );
    let err = contact
        .list_group_members("g1")
        .page_size(101)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, feishu_core::Error::InvalidArgument(_)),
        "{err}"
    );
    assert_eq!(tenant.count_prefix("/open-apis/contact/"), 0);

    // Unknown user → 41012; out of range → 41050 with a hint.
    let err = contact
        .get_user(OpenId::from("ou_nobody"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(41012));

    let range = tenant.contact().sample_range();
    tenant.contact().set_range(Some(range));
    let outside = {
        let visible = tenant.contact().visible_user_ids("open_id");
        tenant
            .contact()
            .user_ids("open_id")
            .into_iter()
            .find(|id| !visible.contains(id))
            .unwrap()
    };
    let err = contact
        .get_user(OpenId::from(outside))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(41050));
    assert!(err.is_permission_denied());
    assert!(
        err.to_string().contains("outside the app's contact range"),
        "{err}"
    );

    // A department outside the range → 40004 (HTTP 403).
    let err = contact
        .list_department_users("D001")
        .department_id_type(DepartmentIdType::DepartmentId)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(40004));
    assert_eq!(err.as_api().unwrap().http_status(), 403);
    assert!(err.to_string().contains("department is outside"), "{err}");

    // Scope missing → names the scope.
    tenant.forbid("/open-apis/contact/v3/users", "contact:user.base:readonly");
    let err = contact
        .get_user(OpenId::from("x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.as_api().unwrap().required_scopes(),
        vec!["contact:user.base:readonly"]
    );
    assert!(
        err.as_api()
            .unwrap()
            .hint()
            .unwrap()
            .contains("contact:user.base:readonly")
    );
}

#[tokio::test]
async fn ids_are_single_path_segments() {
    let (tenant, contact) = setup().await;
    let err = contact
        .list_child_departments("a/b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(40004));
    let last = tenant.journal().pop().unwrap();
    assert_eq!(
        last.path,
        "/open-apis/contact/v3/departments/a%2Fb/children"
    );
    let err = contact
        .get_user(OpenId::from(".."))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, feishu_core::Error::InvalidArgument(_)),
        "{err}"
    );
}

#[tokio::test]
async fn group_members_users_and_departments() {
    let (tenant, contact) = setup().await;
    let group = tenant.contact().group_ids()[0].clone();
    let users: Vec<_> = contact
        .list_group_members(group.as_str())
        .user_id_type(UserIdType::UserId)
        .page_size(3)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<String> = users.iter().map(|m| m.member_id.clone()).collect();
    assert_eq!(ids, tenant.contact().group_user_ids(&group, "user_id"));
    assert!(users.iter().all(|m| m.member_type == GroupMemberType::User));
    let departments: Vec<_> = contact
        .list_group_members(group.as_str())
        .department_members(DepartmentIdType::DepartmentId)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!departments.is_empty());
    assert!(
        departments.iter().all(|m| {
            m.member_type == GroupMemberType::Department && m.member_id.starts_with('D')
        })
    );

    // A group outside a restricted range → 42009, a permission error with a hint.
    tenant
        .contact()
        .set_range(Some(tenant.contact().sample_range()));
    let err = contact
        .list_group_members(group.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(42009));
    assert!(err.is_permission_denied());
    assert!(err.to_string().contains("contact range"), "{err}");
}
