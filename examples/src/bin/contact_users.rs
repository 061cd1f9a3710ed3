//! Lists the directory: every user once (with the contact-range fallback), then enriches a
//! few ids through the user cache.
//!
//! With `FEISHU_APP_ID` and `FEISHU_APP_SECRET` set it talks to Feishu (`FEISHU_BASE_URL`
//! overrides the host); without them it starts the in-process fake tenant.
//!
//! ```text
//! cargo run -p feishu-examples --bin contact_users
//! ```

use feishu_contact::{Contact, UserIdType};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    // Keep the fake tenant alive for the whole run.
    let (client, _tenant) = feishu_examples::demo::client_from_env().await?;
    let contact = Contact::new(client);

    let mut users = contact
        .walk_directory()
        .user_id_type(UserIdType::UserId)
        .into_stream();
    let report = users.report_handle();
    let mut sample = Vec::new();
    let mut active = 0usize;
    while let Some(user) = users.try_next().await? {
        if user.is_active() {
            active += 1;
        }
        if sample.len() < 5 {
            println!(
                "{:<12} {:<16} {:<10} departments={:?}",
                user.user_id, user.name, user.employee_no, user.department_ids
            );
            sample.push(user.user_id.to_string());
        }
    }
    let report = report.get();
    println!(
        "{} users ({} active) in {} departments; {} duplicate memberships skipped",
        report.users_yielded, active, report.departments_walked, report.duplicates_skipped
    );
    if let Some(note) = report.message() {
        println!("note: {note}");
    }

    // Enrichment: resolve ids (e.g. from approval or attendance records) to users.
    let cache = contact
        .user_cache()
        .user_id_type(UserIdType::UserId)
        .build();
    sample.push("no-such-user".into());
    for (id, user) in sample.iter().zip(cache.get_many(&sample).await?) {
        match user {
            Some(u) => println!("{id} -> {} ({})", u.name, u.job_title),
            None => println!("{id} -> not found"),
        }
    }
    println!(
        "{} batch call(s) for {} ids",
        cache.batch_calls(),
        sample.len()
    );
    Ok(())
}
