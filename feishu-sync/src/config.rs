//! The source configuration, as other tools write it (JSON or TOML).
//!
//! ```json
//! {
//!   "domain": "feishu",
//!   "credentials": { "auth_type": "self_built", "app_id": "cli_a1b2", "app_secret": "..." },
//!   "approval": { "approval_codes": ["3B68E280-..."], "lookback_days": 7 },
//!   "bitable": { "app_token": "bascn...", "table_ids": ["tbl...", "tbl..."] },
//!   "attendance": { "employee_type": "employee_id", "lookback_days": 7 },
//!   "contact": { "department_id_type": "open_department_id", "user_id_type": "open_id" }
//! }
//! ```
//!
//! A module is selected when its section is present. An optional `events` section holds the
//! webhook secrets a watch needs ([`EventsConfig`]). Secrets may be left out of the file and
//! come from the environment instead: `FEISHU_APP_SECRET`, `FEISHU_APP_TICKET`,
//! `FEISHU_APP_ACCESS_TOKEN`, `FEISHU_TENANT_ACCESS_TOKEN`, `FEISHU_ENCRYPT_KEY`,
//! `FEISHU_VERIFICATION_TOKEN`.

use std::fmt;
use std::path::Path;

pub use feishu_attendance::EmployeeType;
use feishu_core::{Client, Credentials, DepartmentIdType, Domain, UserIdType};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{Result, SyncError};

mod events;
mod parse_error;

pub use events::EventsConfig;
use parse_error::Format;

/// The whole source configuration.
///
/// # Example
/// ```
/// use feishu_sync::SourceConfig;
/// let config = SourceConfig::from_json_str(r#"{
///     "domain": "lark",
///     "credentials": {"auth_type": "self_built", "app_id": "cli_1", "app_secret": "s"},
///     "contact": {}
/// }"#).unwrap();
/// assert!(config.contact.is_some());
/// assert!(config.approval.is_none());
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SourceConfig {
    /// `"feishu"`, `"lark"`, or a base URL.
    #[serde(default = "default_domain")]
    pub domain: String,
    /// How to authenticate.
    pub credentials: CredentialsConfig,
    /// Approval: present = selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<ApprovalConfig>,
    /// Bitable/Base: present = selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bitable: Option<BitableConfig>,
    /// Attendance: present = selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendance: Option<AttendanceConfig>,
    /// Contact: present = selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactConfig>,
    /// Change events, for `watch` (optional: the long connection needs nothing here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<EventsConfig>,
}

fn default_domain() -> String {
    "feishu".to_string()
}

/// The four credential modes, tagged by `auth_type`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "auth_type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum CredentialsConfig {
    /// A self-built (custom) app.
    SelfBuilt {
        /// App id.
        app_id: String,
        /// App secret (or `FEISHU_APP_SECRET`).
        #[serde(default, skip_serializing)]
        app_secret: Option<SecretString>,
    },
    /// A store app installed in a tenant.
    StoreApp {
        /// App id.
        app_id: String,
        /// App secret (or `FEISHU_APP_SECRET`).
        #[serde(default, skip_serializing)]
        app_secret: Option<SecretString>,
        /// The tenant the app is installed in.
        tenant_key: String,
        /// The latest app_ticket, if known (or `FEISHU_APP_TICKET`).
        #[serde(default, skip_serializing)]
        app_ticket: Option<SecretString>,
    },
    /// A pre-minted app access token and a tenant key.
    AppAccessToken {
        /// The token (or `FEISHU_APP_ACCESS_TOKEN`).
        #[serde(default, skip_serializing)]
        app_access_token: Option<SecretString>,
        /// The tenant to mint tenant tokens for.
        tenant_key: String,
    },
    /// A pre-minted tenant access token.
    TenantAccessToken {
        /// The token (or `FEISHU_TENANT_ACCESS_TOKEN`).
        #[serde(default, skip_serializing)]
        tenant_access_token: Option<SecretString>,
    },
}

/// Approval module settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ApprovalConfig {
    /// Approval definition codes to sync (at least one).
    pub approval_codes: Vec<String>,
    /// Each run re-reads instances created since `cursor - lookback_days` (default 7).
    #[serde(default = "default_lookback")]
    pub lookback_days: u32,
    /// First run starts here (RFC 3339); default: now - `lookback_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// The watch list's age bound (default 180 days): a pending instance created longer ago
    /// leaves the watch list, with a warning, and is no longer re-fetched.
    #[serde(default = "default_pending_max_age")]
    pub pending_max_age_days: u32,
}

fn default_lookback() -> u32 {
    7
}

fn default_pending_max_age() -> u32 {
    180
}

/// Bitable module settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BitableConfig {
    /// The Base's app token (not a wiki node token; see feishu-bitable's docs).
    pub app_token: String,
    /// One table: shorthand for `table_ids = [table_id]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_id: Option<String>,
    /// The tables to read, side by side; with neither this nor `table_id`, every table of
    /// the Base (listed at the start of each read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_ids: Option<Vec<String>>,
    /// A view to read through (one table only: a view belongs to its table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view_id: Option<String>,
}

impl BitableConfig {
    /// The tables the config names; `None` = every table of the Base.
    pub fn tables(&self) -> Option<Vec<String>> {
        match (&self.table_id, &self.table_ids) {
            (Some(one), _) => Some(vec![one.clone()]),
            (None, Some(ids)) if !ids.is_empty() => Some(ids.clone()),
            _ => None,
        }
    }
}

/// Attendance module settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AttendanceConfig {
    /// How `employee_ids` are to be read.
    pub employee_type: EmployeeType,
    /// Users to sync; empty or absent = every user visible to the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_ids: Option<Vec<String>>,
    /// First run starts here (RFC 3339); default: 30 days ago.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// Each run re-reads punches since `cursor - lookback_days` (default 7), to catch
    /// corrections filed later with back-dated check times.
    #[serde(default = "default_lookback")]
    pub lookback_days: u32,
}

/// Contact module settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ContactConfig {
    /// Departments to walk; empty or absent = from the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_ids: Option<Vec<String>>,
    /// How `department_ids` are to be read.
    #[serde(default)]
    pub department_id_type: DepartmentIdType,
    /// Which id users are keyed by.
    #[serde(default)]
    pub user_id_type: UserIdType,
}

impl fmt::Debug for SourceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceConfig")
            .field("domain", &self.domain)
            .field("credentials", &self.credentials)
            .field("approval", &self.approval)
            .field("bitable", &self.bitable)
            .field("attendance", &self.attendance)
            .field("contact", &self.contact)
            .field("events", &self.events)
            .finish()
    }
}

impl fmt::Debug for CredentialsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsConfig")
            .field("auth_type", &self.auth_type())
            .finish_non_exhaustive()
    }
}

impl CredentialsConfig {
    /// The `auth_type` tag.
    pub fn auth_type(&self) -> &'static str {
        match self {
            CredentialsConfig::SelfBuilt { .. } => "self_built",
            CredentialsConfig::StoreApp { .. } => "store_app",
            CredentialsConfig::AppAccessToken { .. } => "app_access_token",
            CredentialsConfig::TenantAccessToken { .. } => "tenant_access_token",
        }
    }
}

/// The secret from the file, else from the environment variable `env`.
fn optional_secret(value: &Option<SecretString>, env: &str) -> Option<SecretString> {
    if let Some(v) = value
        && !v.expose_secret().is_empty()
    {
        return Some(v.clone());
    }
    match std::env::var(env) {
        Ok(v) if !v.is_empty() => Some(SecretString::from(v)),
        _ => None,
    }
}

/// Like [`optional_secret`], with an error naming the field and the variable when absent.
fn required_secret(value: &Option<SecretString>, env: &str, field: &str) -> Result<SecretString> {
    optional_secret(value, env).ok_or_else(|| {
        SyncError::config(
            field,
            format!("is missing: set it in the config or in the {env} environment variable"),
        )
    })
}

fn parse_date(field: &str, value: &Option<String>) -> Result<Option<i64>> {
    match value {
        None => Ok(None),
        Some(s) => OffsetDateTime::parse(s, &Rfc3339)
            .map(|t| Some((t.unix_timestamp_nanos() / 1_000_000) as i64))
            .map_err(|e| {
                SyncError::config(
                    field,
                    format!("{s:?} is not an RFC 3339 date-time ({e}); e.g. 2026-01-01T00:00:00Z"),
                )
            }),
    }
}

fn at_most(field: &str, value: u32, max: u32) -> Result<()> {
    if value > max {
        return Err(SyncError::config(field, format!("must be at most {max}")));
    }
    Ok(())
}

fn validate_bitable(b: &BitableConfig) -> Result<()> {
    non_empty("bitable.app_token", &b.app_token)?;
    if let Some(t) = &b.table_id {
        non_empty("bitable.table_id", t)?;
        if b.table_ids.is_some() {
            return Err(SyncError::config(
                "bitable.table_ids",
                "set either table_id (one table) or table_ids, not both",
            ));
        }
    }
    for (i, t) in b.table_ids.iter().flatten().enumerate() {
        non_empty(&format!("bitable.table_ids[{i}]"), t)?;
    }
    if let Some(v) = &b.view_id {
        non_empty("bitable.view_id", v)?;
        if b.tables().is_none_or(|t| t.len() != 1) {
            return Err(SyncError::config(
                "bitable.view_id",
                "a view belongs to one table: name exactly one in table_id or table_ids",
            ));
        }
    }
    Ok(())
}

fn non_empty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(SyncError::config(field, "must not be empty"));
    }
    Ok(())
}

impl SourceConfig {
    /// Parses and validates a JSON config.
    ///
    /// Errors name the field and the line, and never quote a value (the value may be a
    /// secret).
    pub fn from_json_str(s: &str) -> Result<Self> {
        let config: SourceConfig = serde_json::from_str(s).map_err(|e| {
            // serde_json appends the position to its message; it is reported separately.
            let text = e.to_string();
            let position = format!(" at line {} column {}", e.line(), e.column());
            let message = text.strip_suffix(&position).unwrap_or(&text);
            let offset = parse_error::offset_of(s, e.line(), e.column());
            parse_error::describe(s, Format::Json, message, offset)
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Parses and validates a TOML config.
    ///
    /// Errors name the field and the line, and never quote a value (the value may be a
    /// secret).
    pub fn from_toml_str(s: &str) -> Result<Self> {
        let config: SourceConfig = toml::from_str(s).map_err(|e| {
            let offset = e.span().map_or(s.len(), |span| span.start);
            parse_error::describe(s, Format::Toml, e.message(), offset)
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Reads a config file: TOML when it ends in `.toml`, JSON otherwise.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            SyncError::config("config", format!("cannot read {}: {e}", path.display()))
        })?;
        if path.extension().is_some_and(|e| e == "toml") {
            Self::from_toml_str(&text)
        } else {
            Self::from_json_str(&text)
        }
    }

    /// Checks everything that can be checked without a request.
    pub fn validate(&self) -> Result<()> {
        Domain::parse(&self.domain).map_err(|e| SyncError::config("domain", e.to_string()))?;
        self.credentials()?;
        if self.approval.is_none()
            && self.bitable.is_none()
            && self.attendance.is_none()
            && self.contact.is_none()
        {
            return Err(SyncError::config(
                "approval|bitable|attendance|contact",
                "select at least one module by adding its section",
            ));
        }
        if let Some(a) = &self.approval {
            if a.approval_codes.is_empty() {
                return Err(SyncError::config(
                    "approval.approval_codes",
                    "must list at least one approval code",
                ));
            }
            for (i, code) in a.approval_codes.iter().enumerate() {
                non_empty(&format!("approval.approval_codes[{i}]"), code)?;
            }
            at_most("approval.lookback_days", a.lookback_days, 3650)?;
            at_most(
                "approval.pending_max_age_days",
                a.pending_max_age_days,
                3650,
            )?;
            if a.pending_max_age_days == 0 {
                return Err(SyncError::config(
                    "approval.pending_max_age_days",
                    "must be at least 1",
                ));
            }
            parse_date("approval.start_date", &a.start_date)?;
        }
        if let Some(b) = &self.bitable {
            validate_bitable(b)?;
        }
        if let Some(a) = &self.attendance {
            at_most("attendance.lookback_days", a.lookback_days, 3650)?;
            parse_date("attendance.start_date", &a.start_date)?;
            for (i, id) in a.employee_ids.iter().flatten().enumerate() {
                non_empty(&format!("attendance.employee_ids[{i}]"), id)?;
            }
        }
        if let Some(c) = &self.contact {
            for (i, id) in c.department_ids.iter().flatten().enumerate() {
                non_empty(&format!("contact.department_ids[{i}]"), id)?;
            }
        }
        Ok(())
    }

    /// The SDK credentials, with secrets taken from the environment where the file has none.
    pub fn credentials(&self) -> Result<Credentials> {
        Ok(match &self.credentials {
            CredentialsConfig::SelfBuilt { app_id, app_secret } => {
                non_empty("credentials.app_id", app_id)?;
                let s = required_secret(app_secret, "FEISHU_APP_SECRET", "credentials.app_secret")?;
                Credentials::self_built(app_id.clone(), s.expose_secret())
            }
            CredentialsConfig::StoreApp {
                app_id,
                app_secret,
                tenant_key,
                app_ticket,
            } => {
                non_empty("credentials.app_id", app_id)?;
                non_empty("credentials.tenant_key", tenant_key)?;
                let s = required_secret(app_secret, "FEISHU_APP_SECRET", "credentials.app_secret")?;
                let mut c =
                    Credentials::store_app(app_id.clone(), s.expose_secret(), tenant_key.clone());
                if let Some(t) = optional_secret(app_ticket, "FEISHU_APP_TICKET") {
                    c = c.with_app_ticket(t.expose_secret());
                }
                c
            }
            CredentialsConfig::AppAccessToken {
                app_access_token,
                tenant_key,
            } => {
                non_empty("credentials.tenant_key", tenant_key)?;
                let t = required_secret(
                    app_access_token,
                    "FEISHU_APP_ACCESS_TOKEN",
                    "credentials.app_access_token",
                )?;
                Credentials::app_access_token(t.expose_secret(), tenant_key.clone())
            }
            CredentialsConfig::TenantAccessToken {
                tenant_access_token,
            } => {
                let t = required_secret(
                    tenant_access_token,
                    "FEISHU_TENANT_ACCESS_TOKEN",
                    "credentials.tenant_access_token",
                )?;
                Credentials::tenant_access_token(t.expose_secret())
            }
        })
    }

    /// A client for this config with default settings.
    pub fn client(&self) -> Result<Client> {
        let domain =
            Domain::parse(&self.domain).map_err(|e| SyncError::config("domain", e.to_string()))?;
        Client::builder()
            .domain(domain)
            .credentials(self.credentials()?)
            .build()
            .map_err(SyncError::from)
    }

    pub(crate) fn approval_start_ms(&self) -> Option<i64> {
        self.approval.as_ref().and_then(|a| {
            parse_date("approval.start_date", &a.start_date)
                .ok()
                .flatten()
        })
    }

    pub(crate) fn attendance_start_ms(&self) -> Option<i64> {
        self.attendance.as_ref().and_then(|a| {
            parse_date("attendance.start_date", &a.start_date)
                .ok()
                .flatten()
        })
    }
}
