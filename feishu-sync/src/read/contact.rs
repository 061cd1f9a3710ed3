//! `contact_users`: a full refresh over the directory walk (each user once), with a warning
//! for what the app's contact range did not let it read; one user can be read again (a user
//! no longer readable becomes a tombstone), or recorded as deleted outright.

use feishu_contact::{Contact, User, UserIdType, WalkReport};
use feishu_core::{OpenId, UnionId, UserId};
use futures::StreamExt;

use super::reader::{Flow, Out, Reader, Reread, Stop, now_ms};
use crate::catalog::CONTACT_USERS;
use crate::config::ContactConfig;
use crate::message::LogLevel;
use crate::module::Module;
use crate::records::ContactUser;
use crate::state::{ContactRun, ContactState, SyncState};
use crate::{Source, SourceConfig};

/// Codes of a user the app can no longer read: 41050, outside the contact range (the error
/// table of <https://open.feishu.cn/document/server-docs/contact-v3/user/get>), and 41012, an
/// id Contact does not know (a user who left). The table is not explicit about the second, so
/// both count; any other error stops the re-read.
const USER_GONE: [i64; 2] = [41012, 41050];

/// The contact module's reader.
pub(crate) struct ContactReader {
    api: Contact,
    config: ContactConfig,
    section: Option<ContactState>,
}

impl ContactReader {
    /// The reader of `source`'s directory, from `state`; `None` without a `contact` section.
    pub(crate) fn new(source: &Source, state: &SyncState) -> Option<Self> {
        let config: &SourceConfig = &source.config;
        let cfg = config.contact.as_ref()?;
        Some(ContactReader {
            api: Contact::new(source.client.clone()),
            config: cfg.clone(),
            section: state.contact.clone(),
        })
    }

    /// The record of `user`, keyed by the config's id type (`contact::User::id`); a user
    /// without that id is skipped with a warning.
    async fn emit(&self, user: User, out: &mut Out<ContactState>) -> Flow {
        let id_type = self.config.user_id_type;
        let Some(id) = user.id(id_type).map(str::to_string) else {
            let message = format!(
                "a user has no {id_type} (missing scope contact:user.employee_id:readonly?); skipped"
            );
            return out.log(LogLevel::Warn, message).await;
        };
        out.emit(ContactUser::of(id, user)).await
    }
}

impl Reader for ContactReader {
    type Update = ContactState;
    const MODULE: Module = Module::Contact;

    fn apply(state: &mut SyncState, update: ContactState) {
        state.contact = Some(update);
    }

    async fn read(&self, out: &mut Out<ContactState>) -> Flow {
        if self
            .section
            .as_ref()
            .is_some_and(|s| s.run == Some(ContactRun::Done))
        {
            return Ok(());
        }
        let mut walk = self
            .api
            .walk_directory()
            .user_id_type(self.config.user_id_type)
            .department_id_type(self.config.department_id_type)
            .concurrency(out.settings().concurrency);
        if let Some(ids) = self
            .config
            .department_ids
            .as_ref()
            .filter(|i| !i.is_empty())
        {
            walk = walk.from_departments(ids.iter().cloned());
        }
        let mut users = walk.into_stream();
        while let Some(user) = users.next().await {
            let user = user.map_err(|e| Stop::failed(CONTACT_USERS, &e))?;
            self.emit(user, out).await?;
        }
        log_report(out, &users.report()).await?;
        let mut section = ContactState::new(self.config.user_id_type);
        section.run = Some(ContactRun::Done);
        out.checkpoint(section).await
    }
}

/// A user to read again, or to record as deleted, by an id of the config's `user_id_type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UserTarget {
    /// Read the user again (a tombstone if they are gone).
    Read(String),
    /// The user was deleted (a `contact.user.deleted_v3` event): a tombstone, no call.
    Deleted(String),
}

impl Reread for ContactReader {
    type Target = UserTarget;

    async fn reread(&self, target: UserTarget, out: &mut Out<ContactState>) -> Flow {
        let id = match target {
            UserTarget::Read(id) => id,
            UserTarget::Deleted(id) => {
                out.emit(ContactUser::tombstone(id, now_ms())).await?;
                return out.flush().await;
            }
        };
        let got = match self.config.user_id_type {
            UserIdType::UnionId => self.api.get_user(UnionId::from(id.as_str())).send().await,
            UserIdType::UserId => self.api.get_user(UserId::from(id.as_str())).send().await,
            _ => self.api.get_user(OpenId::from(id.as_str())).send().await,
        };
        match got {
            Ok(user) => self.emit(user, out).await?,
            Err(e) if e.api_code().is_some_and(|c| USER_GONE.contains(&c)) => {
                // Gone from what a full read would return: the replica gets a tombstone.
                let message = format!(
                    "{CONTACT_USERS}: user {id} is no longer readable, recorded as deleted: {e}"
                );
                out.log(LogLevel::Info, message).await?;
                out.emit(ContactUser::tombstone(id, now_ms())).await?;
            }
            Err(e) => return Err(Stop::failed(CONTACT_USERS, &e)),
        }
        out.flush().await
    }
}

/// Warns about a walk that did not cover the whole directory: the range it fell back to, then
/// one message naming every part of the range it could not read and what to grant.
async fn log_report(out: &mut Out<ContactState>, report: &WalkReport) -> Flow {
    if let Some(fallback) = &report.fallback {
        out.log(LogLevel::Warn, format!("{CONTACT_USERS}: {fallback}"))
            .await?;
    }
    if !report.gaps.is_empty() {
        let gaps: Vec<String> = report.gaps.iter().map(ToString::to_string).collect();
        out.log(
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
