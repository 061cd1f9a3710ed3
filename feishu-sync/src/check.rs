//! `Source::check`: a token, then one cheap call per selected module.

use std::time::Duration;

use feishu_approval::Approval;
use feishu_attendance::Attendance;
use feishu_bitable::Bitable;
use feishu_contact::Contact;
use feishu_core::ListRequest;
use feishu_core::{Client, Error, TimeRange};
use futures::StreamExt;
use serde::Serialize;

use crate::Source;
use crate::module::Module;

/// The result of probing one module.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ModuleCheck {
    /// The module.
    pub module: Module,
    /// Whether the probe succeeded.
    pub ok: bool,
    /// Feishu's code on failure.
    pub code: Option<i64>,
    /// What failed (Feishu's msg or the SDK's error text).
    pub message: Option<String>,
    /// Scopes Feishu says are missing.
    pub scopes_to_grant: Vec<String>,
    /// Feishu log id of the failing reply.
    pub log_id: Option<String>,
}

/// The result of [`Source::check`].
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct CheckReport {
    /// Whether a tenant token could be obtained; `Some(reason)` when not.
    pub auth_error: Option<String>,
    /// One entry per selected module (empty when authentication failed).
    pub modules: Vec<ModuleCheck>,
}

impl CheckReport {
    /// Whether authentication and every module probe succeeded.
    pub fn is_ok(&self) -> bool {
        self.auth_error.is_none() && self.modules.iter().all(|m| m.ok)
    }

    /// A one-line-per-module human summary.
    pub fn summary(&self) -> String {
        if let Some(e) = &self.auth_error {
            return format!("authentication: FAILED: {e}");
        }
        let mut lines = vec!["authentication: ok".to_string()];
        for m in &self.modules {
            let name = m.module.as_str();
            if m.ok {
                lines.push(format!("{name}: ok"));
            } else {
                let mut line = format!(
                    "{name}: FAILED: {}",
                    m.message.as_deref().unwrap_or("unknown error")
                );
                if !m.scopes_to_grant.is_empty() {
                    line.push_str(&format!(
                        " (grant one of: {})",
                        m.scopes_to_grant.join(", ")
                    ));
                }
                lines.push(line);
            }
        }
        lines.join("\n")
    }
}

fn outcome(module: Module, result: Result<(), Error>) -> ModuleCheck {
    match result {
        Ok(_) => ModuleCheck {
            module,
            ok: true,
            code: None,
            message: None,
            scopes_to_grant: Vec::new(),
            log_id: None,
        },
        Err(e) => ModuleCheck {
            module,
            ok: false,
            code: e.api_code(),
            message: Some(e.to_string()),
            scopes_to_grant: e.as_api().map(|a| a.required_scopes()).unwrap_or_default(),
            log_id: e.log_id().map(str::to_string),
        },
    }
}

impl Source {
    /// Gets a token, then probes each selected module with one cheap call.
    ///
    /// # Example
    /// ```no_run
    /// # async fn sample(source: &feishu_sync::Source) {
    /// let report = source.check().await;
    /// println!("{}", report.summary());
    /// # }
    /// ```
    pub async fn check(&self) -> CheckReport {
        if let Err(e) = self.client.tenant_access_token().await {
            return CheckReport {
                auth_error: Some(e.to_string()),
                modules: Vec::new(),
            };
        }
        let c = &self.client;
        let mut modules = Vec::new();
        if let Some(a) = &self.config.approval {
            let code = a.approval_codes.first().cloned().unwrap_or_default();
            let probe = Approval::new(c.clone()).get_definition(code).send().await;
            modules.push(outcome(Module::Approval, probe.map(drop)));
        }
        if let Some(b) = &self.config.bitable {
            let bitable = Bitable::new(c.clone());
            // The fields of the first table named, else the Base's table list.
            let probe = match b.tables().and_then(|t| t.into_iter().next()) {
                Some(table) => bitable
                    .list_fields(&b.app_token, table)
                    .page_size(1)
                    .send()
                    .await
                    .map(drop),
                None => bitable
                    .list_tables(&b.app_token)
                    .page_size(1)
                    .send()
                    .await
                    .map(drop),
            };
            modules.push(outcome(Module::Bitable, probe));
        }
        if let Some(a) = &self.config.attendance {
            let result = match a.employee_ids.as_ref().and_then(|ids| ids.first()) {
                Some(id) => {
                    let mut batches = Attendance::new(c.clone())
                        .list_user_flows(
                            a.employee_type,
                            TimeRange::last(Duration::from_secs(86_400)),
                        )
                        .user_ids([id.clone()])
                        .by_batch();
                    batches.next().await.transpose().map(drop)
                }
                // Default "all users" needs the contact range.
                None => scopes_probe(c).await,
            };
            modules.push(outcome(Module::Attendance, result));
        }
        if self.config.contact.is_some() {
            modules.push(outcome(Module::Contact, scopes_probe(c).await));
        }
        CheckReport {
            auth_error: None,
            modules,
        }
    }
}

async fn scopes_probe(client: &Client) -> Result<(), Error> {
    Contact::new(client.clone())
        .list_scopes()
        .page_size(1)
        .send()
        .await
        .map(drop)
}
