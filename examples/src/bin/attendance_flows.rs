//! Punch flows and results of every user for the last 7 days (or of the ids given as
//! arguments), with the users taken from the Contact directory.
//!
//! With `FEISHU_APP_ID` and `FEISHU_APP_SECRET` set it talks to Feishu (`FEISHU_BASE_URL`
//! overrides the host); without them it starts the in-process fake tenant.
//!
//! ```text
//! cargo run -p feishu-examples --bin attendance_flows [employee_id ...]
//! ```

use std::collections::BTreeMap;

use feishu_attendance::{Attendance, CheckResult, EmployeeType};
use feishu_core::TimeRange;
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let (client, _tenant) = feishu_examples::demo::client_from_env().await?;
    let attendance = Attendance::new(client);
    let ids: Vec<String> = std::env::args().skip(1).collect();

    let week = TimeRange::last(std::time::Duration::from_secs(7 * 86_400));
    let mut query = attendance
        .list_user_flows(EmployeeType::EmployeeId, week)
        .concurrency(4);
    if !ids.is_empty() {
        query = query.user_ids(ids.clone());
    }
    let mut batches = query.by_batch();
    let (mut calls, mut flows, mut per_user) = (0usize, 0usize, BTreeMap::<String, usize>::new());
    while let Some(batch) = batches.try_next().await? {
        calls += 1;
        flows += batch.flows.len();
        for f in &batch.flows {
            *per_user.entry(f.user_id.clone()).or_default() += 1;
        }
    }
    println!(
        "{flows} punches of {} users in {calls} calls",
        per_user.len()
    );
    for (user, n) in per_user.iter().take(5) {
        println!("  {user}: {n} punches");
    }
    for warning in batches.report().warnings(5) {
        println!("warning: {warning}");
    }

    let mut tasks = attendance.list_user_tasks(EmployeeType::EmployeeId, week);
    if !ids.is_empty() {
        tasks = tasks.user_ids(ids);
    }
    let results: Vec<_> = tasks.into_stream().try_collect().await?;
    let late = results
        .iter()
        .flat_map(|t| &t.records)
        .filter(|r| r.check_in_result == Some(CheckResult::Late))
        .count();
    println!("{} day results, {late} late check-ins", results.len());
    Ok(())
}
