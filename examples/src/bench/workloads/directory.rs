//! The directory: W3 (the Contact walk) and W4 (attendance flows of every user).

use feishu_attendance::{Attendance, EmployeeType};
use feishu_contact::Contact;
use feishu_core::TimeRange;
use futures::{StreamExt, TryStreamExt};

use super::{Env, Meter, Outcome, Prepared, Res, err, with_stats};

/// W3: every user of the directory through the Contact walk.
pub(super) async fn contact_walk(env: &Env) -> Res<Outcome> {
    let client = env.client()?;
    let meter = Meter::start()?;
    let mut users = Contact::new(client.clone())
        .walk_directory()
        .concurrency(env.opts.concurrency)
        .into_stream();
    let mut items = 0u64;
    while let Some(user) = users.next().await {
        user.map_err(err)?;
        items += 1;
    }
    let measured = meter.stop()?;
    let report = users.report();
    let out = Outcome {
        items,
        measured,
        notes: vec![format!(
            "{} departments, {} duplicates skipped",
            report.departments_walked, report.duplicates_skipped
        )],
        ..Outcome::default()
    };
    Ok(with_stats(out, &client))
}

/// W4: punch flows of every prepared user over `attendance_days`.
pub(super) async fn attendance_flows(env: &Env, data: &Prepared) -> Res<Outcome> {
    let o = &env.opts;
    let to_s = data.now_ms / 1000;
    let from_s = to_s - o.attendance_days * 86_400;
    let at = |s: i64| time::OffsetDateTime::from_unix_timestamp(s).map_err(err);
    let range = TimeRange::new(at(from_s)?, at(to_s)?).map_err(err)?;
    let client = env.client()?;
    let meter = Meter::start()?;
    let mut query = Attendance::new(client.clone())
        .list_user_flows(EmployeeType::EmployeeId, range)
        .concurrency(o.concurrency);
    if let Some(ids) = &data.user_ids {
        query = query.user_ids(ids.clone());
    }
    let items = query
        .into_stream()
        .try_fold(0u64, |n, _| async move { Ok(n + 1) })
        .await
        .map_err(err)?;
    let measured = meter.stop()?;
    let out = Outcome {
        items,
        measured,
        notes: vec![format!(
            "{} users, {} days",
            data.user_ids.as_ref().map_or(0, Vec::len),
            o.attendance_days
        )],
        ..Outcome::default()
    };
    Ok(with_stats(out, &client))
}
