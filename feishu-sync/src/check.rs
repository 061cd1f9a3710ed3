//! `Source::check`: a token, then one cheap call per selected module.

use serde::Serialize;
use serde_json::{Value, json};

use feishu_core::{ApiRequest, Error, RateLimit};

use crate::Source;
use crate::catalog::Module;
use crate::config::EmployeeType;

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
            let name = serde_json::to_value(m.module)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
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

fn outcome(module: Module, result: Result<Value, Error>) -> ModuleCheck {
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
            let req = ApiRequest::get("approval.approvals.get", RateLimit::per_minute(100))
                .path("approval/v4/approvals")
                .segment(code);
            modules.push(outcome(Module::Approval, c.send::<Value>(req).await));
        }
        if let Some(b) = &self.config.bitable {
            let req = ApiRequest::get("bitable.fields.list", RateLimit::per_second(20))
                .path("bitable/v1/apps")
                .segment(&b.app_token)
                .path("tables")
                .segment(&b.table_id)
                .path("fields")
                .query("page_size", 1);
            modules.push(outcome(Module::Bitable, c.send::<Value>(req).await));
        }
        if let Some(a) = &self.config.attendance {
            let result = match a.employee_ids.as_ref().and_then(|ids| ids.first()) {
                Some(id) => {
                    let now = crate::read::now_ms() / 1000;
                    let employee_type = match a.employee_type {
                        EmployeeType::EmployeeId => "employee_id",
                        EmployeeType::EmployeeNo => "employee_no",
                    };
                    let req = ApiRequest::post_read(
                        "attendance.user_flows.query",
                        RateLimit::per_second(50),
                    )
                    .path("attendance/v1/user_flows/query")
                    .query("employee_type", employee_type)
                    .json(&json!({
                        "user_ids": [id],
                        "check_time_from": (now - 86_400).to_string(),
                        "check_time_to": now.to_string(),
                    }));
                    c.send::<Value>(req).await
                }
                // Default "all users" needs the contact range.
                None => c.send::<Value>(scopes_probe()).await,
            };
            modules.push(outcome(Module::Attendance, result));
        }
        if self.config.contact.is_some() {
            modules.push(outcome(
                Module::Contact,
                c.send::<Value>(scopes_probe()).await,
            ));
        }
        CheckReport {
            auth_error: None,
            modules,
        }
    }
}

fn scopes_probe() -> ApiRequest {
    ApiRequest::get(
        "contact.scopes",
        RateLimit::per_minute(1000).and_per_second(50),
    )
    .path("contact/v3/scopes")
    .query("page_size", 1)
}
