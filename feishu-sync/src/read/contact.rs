//! `contact_users`: a full refresh over the directory walk (each user once), with a warning
//! for what the app's contact range did not let it read.

use feishu_contact::{Contact, WalkReport};
use futures::StreamExt;

use super::{Emitter, Flow, failed};
use crate::catalog::CONTACT_USERS;
use crate::message::LogLevel;
use crate::records::ContactUser;
use crate::state::ContactState;
use crate::{Source, SourceConfig};

pub(crate) async fn read(source: &Source, config: &SourceConfig, em: &mut Emitter) -> Flow {
    let Some(cfg) = &config.contact else {
        return Ok(());
    };
    let mut walk = Contact::new(source.client.clone())
        .walk_directory()
        .user_id_type(cfg.user_id_type)
        .department_id_type(cfg.department_id_type)
        .concurrency(em.concurrency);
    if let Some(ids) = cfg.department_ids.as_ref().filter(|ids| !ids.is_empty()) {
        walk = walk.from_departments(ids.iter().cloned());
    }
    let mut users = walk.into_stream();
    while let Some(user) = users.next().await {
        let user = user.map_err(|e| failed(CONTACT_USERS, e))?;
        let id = user.id(cfg.user_id_type).unwrap_or_default().to_string();
        if id.is_empty() {
            em.log(
                LogLevel::Warn,
                format!(
                    "a user has no {} (missing scope contact:user.employee_id:readonly?); skipped",
                    cfg.user_id_type
                ),
            )
            .await?;
            continue;
        }
        let record = ContactUser {
            id,
            open_id: Some(user.open_id.to_string()),
            union_id: Some(user.union_id.to_string()),
            user_id: Some(user.user_id.to_string()),
            name: Some(user.name.clone()),
            user,
        };
        em.emit(record).await?;
    }
    log_report(em, &users.report()).await?;
    em.state.contact = Some(ContactState {
        user_id_type: cfg.user_id_type,
    });
    em.checkpoint().await?;
    Ok(())
}

/// Warns about a walk that did not cover the whole directory: the range it fell back to, then
/// one message naming every part of the range it could not read and what to grant.
async fn log_report(em: &mut Emitter, report: &WalkReport) -> Flow {
    if let Some(fallback) = &report.fallback {
        em.log(LogLevel::Warn, format!("{CONTACT_USERS}: {fallback}"))
            .await?;
    }
    if !report.gaps.is_empty() {
        let gaps: Vec<String> = report.gaps.iter().map(ToString::to_string).collect();
        em.log(
            LogLevel::Warn,
            format!(
                "{CONTACT_USERS}: {} part(s) of the app's contact range could not be read, the \
                 users in them are missing: {}",
                gaps.len(),
                gaps.join("; ")
            ),
        )
        .await?;
    }
    Ok(())
}
