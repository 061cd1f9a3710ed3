//! Where a walk starts: the root when it is visible, else the app's contact range, its user
//! groups expanded into their members.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use feishu_core::{Client, DepartmentId, DepartmentIdType, Error, ListRequest, Result, UserIdType};
use futures::TryStreamExt;

use super::report::{RangeFallback, WalkGap, WalkReportHandle};
use crate::department::request::ListChildDepartments;
use crate::group_member::ListGroupMembers;
use crate::id::GroupId;
use crate::scope::{ListScopes, Scopes};

/// The root department's id (for both department id types).
pub const ROOT_DEPARTMENT_ID: &str = "0";

/// Codes meaning "the root (or a department) is outside the app's contact range".
const RANGE_CODES: [i64; 5] = [40004, 40014, 41050, 40157, 40161];

/// The departments whose subtrees are walked and the users fetched one by one.
#[derive(Debug, Default)]
pub(super) struct Plan {
    pub(super) departments: Vec<DepartmentId>,
    pub(super) users: Vec<String>,
}

/// The app's contact range as `scopes` lists it.
struct Range {
    scopes: Scopes,
    /// Some page left the `user_ids` key out.
    user_ids_key_missing: bool,
}

/// Reads where a walk from the root starts, with the walk's id types.
pub(super) struct Planner<'a> {
    pub(super) client: &'a Client,
    pub(super) user_id_type: UserIdType,
    pub(super) department_id_type: DepartmentIdType,
}

impl Planner<'_> {
    /// The root when it is visible; else the contact range, groups expanded, recorded in
    /// the report as the fallback with its gaps.
    pub(super) async fn plan(&self, report: &WalkReportHandle) -> Result<Plan> {
        let probe = ListChildDepartments::new(self.client.clone(), ROOT_DEPARTMENT_ID.into())
            .user_id_type(self.user_id_type)
            .department_id_type(self.department_id_type)
            .page_size(1)
            .send()
            .await;
        let root_error = match probe {
            Ok(_) => {
                return Ok(Plan {
                    departments: vec![ROOT_DEPARTMENT_ID.into()],
                    users: Vec::new(),
                });
            }
            Err(e) if e.api_code().is_some_and(|c| RANGE_CODES.contains(&c)) => e,
            Err(e) => return Err(e),
        };
        let range = self.range().await?;
        if range.scopes.is_empty() {
            return Err(nothing_visible(root_error));
        }
        let mut plan = Plan {
            departments: range.scopes.department_ids.clone(),
            users: range.scopes.user_ids.clone(),
        };
        for group in &range.scopes.group_ids {
            self.expand_group(group, &mut plan, report).await?;
        }
        dedup(&mut plan.departments);
        dedup(&mut plan.users);
        let fallback = RangeFallback {
            root_error_code: root_error.api_code().unwrap_or_default(),
            department_ids: range.scopes.department_ids,
            user_ids: range.scopes.user_ids,
            group_ids: range.scopes.group_ids,
        };
        tracing::warn!(root_error = %root_error, "{fallback}");
        let mut st = report.lock();
        st.report.fallback = Some(fallback);
        if range.user_ids_key_missing {
            let gap = WalkGap::UserIdsWithheld;
            tracing::warn!("{gap}");
            st.report.gaps.push(gap);
        }
        Ok(plan)
    }

    /// Every page of `scopes`, noting whether `user_ids` was left out.
    async fn range(&self) -> Result<Range> {
        let listing = ListScopes::new(self.client.clone())
            .user_id_type(self.user_id_type)
            .department_id_type(self.department_id_type);
        let key_missing = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&key_missing);
        let pages = feishu_core::internal::pages(None, move |token| {
            let page = listing.fetch_wire_page(token);
            let flag = Arc::clone(&flag);
            async move {
                let page = page.await?;
                if page.user_ids.is_none() {
                    flag.store(true, Ordering::Relaxed);
                }
                Ok(page.into_page())
            }
        });
        let scopes: Scopes = feishu_core::internal::flatten(pages).try_collect().await?;
        Ok(Range {
            scopes,
            user_ids_key_missing: key_missing.load(Ordering::Relaxed),
        })
    }

    /// Adds a group's user and department members to the plan. A group the app may not read
    /// (a permission code: 42009, or 99991672 without `contact:group:readonly`) becomes a gap
    /// of the report; any other failure ends the walk.
    async fn expand_group(
        &self,
        group: &GroupId,
        plan: &mut Plan,
        report: &WalkReportHandle,
    ) -> Result<()> {
        let listing = ListGroupMembers::new(self.client.clone(), group.clone());
        let users = listing
            .clone()
            .user_id_type(self.user_id_type)
            .into_stream()
            .map_ok(|m| m.member_id)
            .try_collect::<Vec<String>>()
            .await;
        let departments = match &users {
            Ok(_) => {
                listing
                    .department_members(self.department_id_type)
                    .into_stream()
                    .map_ok(|m| DepartmentId::from(m.member_id))
                    .try_collect::<Vec<DepartmentId>>()
                    .await
            }
            Err(_) => Ok(Vec::new()),
        };
        match users.and_then(|u| departments.map(|d| (u, d))) {
            Ok((users, departments)) => {
                plan.users.extend(users);
                plan.departments.extend(departments);
                Ok(())
            }
            Err(e) if e.is_permission_denied() => {
                let gap = WalkGap::group(group.clone(), &e);
                tracing::warn!(error = %e, "{gap}");
                report.lock().report.gaps.push(gap);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

/// Drops repeated ids, keeping the first of each.
fn dedup<T: Clone + Eq + std::hash::Hash>(ids: &mut Vec<T>) {
    let mut seen = HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
}

/// The root's range error, explained: nothing at all is visible.
fn nothing_visible(root_error: Error) -> Error {
    const EXPLAIN: &str = "the app's contact range is empty too (contact/v3/scopes lists no \
        departments, users or user groups): add departments, users or groups to the app's \
        contact range in the developer console (Permissions → contact range) and make sure the \
        app holds contact:contact.base:readonly, plus contact:user.employee_id:readonly so \
        that individually granted users are listed";
    feishu_core::internal::annotate(root_error, EXPLAIN)
}
