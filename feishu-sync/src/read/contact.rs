//! `contact_users`: a full refresh over the directory walk (each user once).

use feishu_contact::Contact;
use futures::StreamExt;
use serde_json::json;

use super::{Emitter, Flow, failed};
use crate::catalog::CONTACT_USERS;
use crate::message::LogLevel;
use crate::state::ContactState;
use crate::{Source, SourceConfig};

pub(crate) async fn read(source: &Source, config: &SourceConfig, em: &mut Emitter) -> Flow {
    let Some(cfg) = &config.contact else {
        return Ok(());
    };
    let mut walk = Contact::new(source.client.clone())
        .walk()
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
        let data = json!({
            "id": id,
            "open_id": user.open_id,
            "union_id": user.union_id,
            "user_id": user.user_id,
            "name": user.name,
            "user": user,
        });
        em.record(CONTACT_USERS, data).await?;
    }
    if let Some(message) = users.report().message() {
        em.log(LogLevel::Warn, message).await?;
    }
    em.state.contact = Some(ContactState {
        user_id_type: cfg.user_id_type,
    });
    em.checkpoint().await?;
    Ok(())
}
