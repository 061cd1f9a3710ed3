//! The `events` section: the secrets that verify webhook events, and how a watch receives
//! events (a long connection by default, a webhook otherwise).

use std::fmt;

use feishu_core::Domain;
use feishu_events::{LongConnection, WebhookHandler};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::{CredentialsConfig, SourceConfig, non_empty, optional_secret};
use crate::error::{Result, SyncError};

/// The secrets of the app's event subscription (developer console → Events and callbacks →
/// Encryption strategy). Only a webhook needs them: the long connection is authenticated by
/// the app secret.
///
/// ```toml
/// [events]
/// # or FEISHU_ENCRYPT_KEY / FEISHU_VERIFICATION_TOKEN
/// encrypt_key = "..."
/// verification_token = "..."
/// ```
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EventsConfig {
    /// The Encrypt Key (or `FEISHU_ENCRYPT_KEY`): webhook bodies are decrypted and their
    /// signatures checked with it.
    #[serde(default, skip_serializing)]
    pub encrypt_key: Option<SecretString>,
    /// The Verification Token (or `FEISHU_VERIFICATION_TOKEN`): every webhook event must
    /// carry it.
    #[serde(default, skip_serializing)]
    pub verification_token: Option<SecretString>,
}

impl fmt::Debug for EventsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventsConfig")
            .field("encrypt_key", &self.encrypt_key.is_some())
            .field("verification_token", &self.verification_token.is_some())
            .finish()
    }
}

impl SourceConfig {
    /// The webhook handler the `events` section (or `FEISHU_ENCRYPT_KEY` /
    /// `FEISHU_VERIFICATION_TOKEN`) configures; an error naming both when neither is set.
    ///
    /// # Example
    /// ```
    /// use feishu_sync::SourceConfig;
    /// let config = SourceConfig::from_json_str(r#"{
    ///     "credentials": {"auth_type": "self_built", "app_id": "cli_1", "app_secret": "s"},
    ///     "contact": {},
    ///     "events": {"verification_token": "v-token"}
    /// }"#).unwrap();
    /// assert!(config.webhook_handler().is_ok());
    /// ```
    pub fn webhook_handler(&self) -> Result<WebhookHandler> {
        let section = self.events.clone().unwrap_or_default();
        let key = optional_secret(&section.encrypt_key, "FEISHU_ENCRYPT_KEY");
        let token = optional_secret(&section.verification_token, "FEISHU_VERIFICATION_TOKEN");
        if key.is_none() && token.is_none() {
            return Err(SyncError::config(
                "events.encrypt_key|events.verification_token",
                "a webhook needs the app's encrypt key or verification token: set one in the \
                 `events` section or in FEISHU_ENCRYPT_KEY / FEISHU_VERIFICATION_TOKEN",
            ));
        }
        let mut builder = WebhookHandler::builder();
        if let Some(key) = key {
            builder = builder.encrypt_key(key);
        }
        if let Some(token) = token {
            builder = builder.verification_token(token);
        }
        builder
            .build()
            .map_err(|e| SyncError::config("events", e.to_string()))
    }

    /// The long connection of the config's app: a self-built app's id and secret (Feishu
    /// offers the long connection to self-built apps only).
    pub fn long_connection(&self) -> Result<LongConnection> {
        let CredentialsConfig::SelfBuilt { app_id, app_secret } = &self.credentials else {
            return Err(SyncError::config(
                "credentials.auth_type",
                format!(
                    "the long connection is for self-built apps (auth_type \"self_built\"), \
                     not {:?}: receive events with a webhook instead",
                    self.credentials.auth_type()
                ),
            ));
        };
        non_empty("credentials.app_id", app_id)?;
        let secret =
            super::required_secret(app_secret, "FEISHU_APP_SECRET", "credentials.app_secret")?;
        let domain =
            Domain::parse(&self.domain).map_err(|e| SyncError::config("domain", e.to_string()))?;
        LongConnection::builder(app_id.clone(), SecretString::from(secret.expose_secret()))
            .domain(domain)
            .build()
            .map_err(|e| SyncError::config("credentials", e.to_string()))
    }
}
