//! The `realistic` preset: a tenant showing the rough edges a real one shows, which a client
//! must handle and the default tenant smooths over.

use crate::bitable::RecordShape;
use crate::contact::ContactRange;
use crate::reply::LogIdKeys;
use crate::tenant::FakeTenant;

/// When the preset's departed user left, and their successor joined: 2025-01-01 00:00 China
/// time (Unix s).
pub const REALISTIC_DEPARTURE: i64 = 1_735_660_800;

/// Turns the preset on in a started tenant (see [`FakeTenantBuilder::realistic`]).
///
/// [`FakeTenantBuilder::realistic`]: crate::FakeTenantBuilder::realistic
pub(crate) fn apply(tenant: &FakeTenant) {
    let contact = tenant.contact();
    // Part of the range comes through a user group: one that adds users the rest of the
    // range does not cover.
    let base = contact.sample_range();
    contact.set_range(Some(base.clone()));
    let before = contact.visible_user_ids("user_id");
    let group = contact
        .group_ids()
        .into_iter()
        .find(|g| {
            contact
                .group_user_ids(g, "user_id")
                .iter()
                .any(|u| !before.contains(u))
        })
        .or_else(|| contact.group_ids().into_iter().next());
    let range: ContactRange = base.with_groups(group);
    contact.set_range(Some(range));
    // One visible user outside the attendance data scope, another who left (their ids now
    // held by a successor, so their punches come back only with include_terminated_user).
    let users = contact.ordinary_visible_users(2);
    if let [outside, departing] = users.as_slice() {
        tenant.attendance().set_out_of_scope_users(&[outside]);
        contact.depart_user(departing, REALISTIC_DEPARTURE);
        contact.hire_successor(departing, REALISTIC_DEPARTURE);
    }
    tenant
        .bitable()
        .set_unflagged_list_shape(RecordShape::Historic);
    tenant.set_error_log_id_keys(LogIdKeys::Both);
}
