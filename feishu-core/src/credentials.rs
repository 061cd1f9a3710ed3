//! The four ways a client can authenticate .

use std::fmt;

use secrecy::SecretString;
use serde::Deserialize;

use crate::error::{Error, Result};

/// How the client obtains its `tenant_access_token`.
///
/// Secrets are held in [`SecretString`]: `Debug` shows `[REDACTED]`, and they are wiped on drop.
///
/// # Example
/// ```
/// use feishu_core::Credentials;
/// let creds = Credentials::self_built("cli_a1b2c3", "my-app-secret");
/// assert!(!format!("{creds:?}").contains("my-app-secret"));
/// ```
#[derive(Clone)]
pub struct Credentials {
    pub(crate) kind: CredentialKind,
}

#[derive(Clone)]
pub(crate) enum CredentialKind {
    SelfBuilt {
        app_id: String,
        app_secret: SecretString,
    },
    StoreApp {
        app_id: String,
        app_secret: SecretString,
        tenant_key: String,
        app_ticket: Option<SecretString>,
    },
    AppAccessToken {
        app_access_token: SecretString,
        tenant_key: String,
    },
    TenantAccessToken {
        tenant_access_token: SecretString,
    },
}

impl Credentials {
    /// A self-built ("custom") app: `app_id` + `app_secret` are exchanged at
    /// `POST /open-apis/auth/v3/tenant_access_token/internal`.
    pub fn self_built(app_id: impl Into<String>, app_secret: impl Into<String>) -> Self {
        Credentials {
            kind: CredentialKind::SelfBuilt {
                app_id: app_id.into(),
                app_secret: SecretString::from(app_secret.into()),
            },
        }
    }

    /// A store (marketplace) app installed in the tenant `tenant_key`.
    ///
    /// The app needs an `app_ticket`, which Feishu pushes to the app's event endpoint about
    /// once an hour. Hand it over with [`Credentials::with_app_ticket`], or later with
    /// [`Client::set_app_ticket`](crate::Client::set_app_ticket) /
    /// [`Client::handle_app_ticket_event`](crate::Client::handle_app_ticket_event). When no
    /// ticket is known the client asks Feishu to resend one and waits for it.
    pub fn store_app(
        app_id: impl Into<String>,
        app_secret: impl Into<String>,
        tenant_key: impl Into<String>,
    ) -> Self {
        Credentials {
            kind: CredentialKind::StoreApp {
                app_id: app_id.into(),
                app_secret: SecretString::from(app_secret.into()),
                tenant_key: tenant_key.into(),
                app_ticket: None,
            },
        }
    }

    /// Sets the store app's current `app_ticket`. Ignored for other kinds of credentials.
    pub fn with_app_ticket(mut self, ticket: impl Into<String>) -> Self {
        if let CredentialKind::StoreApp { app_ticket, .. } = &mut self.kind {
            *app_ticket = Some(SecretString::from(ticket.into()));
        }
        self
    }

    /// A pre-minted `app_access_token` and the `tenant_key` to mint tenant tokens for.
    /// The app token cannot be refreshed: once Feishu rejects it, calls fail with
    /// [`Error::Auth`].
    pub fn app_access_token(token: impl Into<String>, tenant_key: impl Into<String>) -> Self {
        Credentials {
            kind: CredentialKind::AppAccessToken {
                app_access_token: SecretString::from(token.into()),
                tenant_key: tenant_key.into(),
            },
        }
    }

    /// A pre-minted `tenant_access_token`, used as is. It cannot be refreshed: once Feishu
    /// rejects it, calls fail with [`Error::Auth`].
    pub fn tenant_access_token(token: impl Into<String>) -> Self {
        Credentials {
            kind: CredentialKind::TenantAccessToken {
                tenant_access_token: SecretString::from(token.into()),
            },
        }
    }

    /// The app id, when the credentials carry one.
    pub fn app_id(&self) -> Option<&str> {
        match &self.kind {
            CredentialKind::SelfBuilt { app_id, .. } | CredentialKind::StoreApp { app_id, .. } => {
                Some(app_id)
            }
            _ => None,
        }
    }

    /// The tenant key, when the credentials carry one.
    pub fn tenant_key(&self) -> Option<&str> {
        match &self.kind {
            CredentialKind::StoreApp { tenant_key, .. }
            | CredentialKind::AppAccessToken { tenant_key, .. } => Some(tenant_key),
            _ => None,
        }
    }

    /// A short name of the mode: `self_built`, `store_app`, `app_access_token` or
    /// `tenant_access_token` (the names of the sync config's `auth_type`).
    pub fn mode(&self) -> &'static str {
        match &self.kind {
            CredentialKind::SelfBuilt { .. } => "self_built",
            CredentialKind::StoreApp { .. } => "store_app",
            CredentialKind::AppAccessToken { .. } => "app_access_token",
            CredentialKind::TenantAccessToken { .. } => "tenant_access_token",
        }
    }

    /// What identifies pre-minted credentials (the token), for hashing into a budget scope.
    /// Never shown or stored as is.
    pub(crate) fn secret_fingerprint_input(&self) -> &str {
        use secrecy::ExposeSecret;
        match &self.kind {
            CredentialKind::SelfBuilt { app_id, .. } | CredentialKind::StoreApp { app_id, .. } => {
                app_id
            }
            CredentialKind::AppAccessToken {
                app_access_token, ..
            } => app_access_token.expose_secret(),
            CredentialKind::TenantAccessToken {
                tenant_access_token,
            } => tenant_access_token.expose_secret(),
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        let empty = |what: &str| Err(Error::Config(format!("credentials: {what} is empty")));
        use secrecy::ExposeSecret;
        match &self.kind {
            CredentialKind::SelfBuilt { app_id, app_secret }
            | CredentialKind::StoreApp {
                app_id, app_secret, ..
            } if app_id.trim().is_empty() || app_secret.expose_secret().is_empty() => {
                empty(if app_id.trim().is_empty() {
                    "app_id"
                } else {
                    "app_secret"
                })
            }
            CredentialKind::StoreApp { tenant_key, .. }
            | CredentialKind::AppAccessToken { tenant_key, .. }
                if tenant_key.trim().is_empty() =>
            {
                empty("tenant_key")
            }
            CredentialKind::AppAccessToken {
                app_access_token, ..
            } if app_access_token.expose_secret().is_empty() => empty("app_access_token"),
            CredentialKind::TenantAccessToken {
                tenant_access_token,
            } if tenant_access_token.expose_secret().is_empty() => empty("tenant_access_token"),
            _ => Ok(()),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Credentials");
        d.field("mode", &self.mode());
        if let Some(app_id) = self.app_id() {
            d.field("app_id", &app_id);
        }
        if let Some(tenant_key) = self.tenant_key() {
            d.field("tenant_key", &tenant_key);
        }
        d.finish_non_exhaustive()
    }
}

/// The `app_ticket` event Feishu pushes to a store app (v1 event envelope), parsed.
///
/// # Example
/// ```
/// use feishu_core::AppTicketEvent;
/// let body = br#"{"ts":"1","uuid":"u","token":"v","type":"event_callback",
///   "event":{"app_id":"cli_1","type":"app_ticket","app_ticket":"tkt_1"}}"#;
/// let event = AppTicketEvent::from_json(body).unwrap();
/// assert_eq!(event.app_id(), "cli_1");
/// assert!(!format!("{event:?}").contains("tkt_1"));
/// ```
#[derive(Clone)]
pub struct AppTicketEvent {
    app_id: String,
    ticket: SecretString,
}

impl AppTicketEvent {
    /// Parses the event body. Anything other than an `app_ticket` event is an
    /// [`Error::InvalidArgument`] (encrypted bodies must be decrypted first).
    pub fn from_json(body: &[u8]) -> Result<Self> {
        #[derive(Deserialize)]
        struct Envelope {
            event: Option<Inner>,
        }
        #[derive(Deserialize)]
        struct Inner {
            app_id: Option<String>,
            #[serde(rename = "type")]
            kind: Option<String>,
            app_ticket: Option<String>,
        }
        let env: Envelope = serde_json::from_slice(body).map_err(|e| {
            Error::invalid_argument("app_ticket event", format!("not valid JSON: {e}"))
        })?;
        let inner = env
            .event
            .ok_or_else(|| Error::invalid_argument("app_ticket event", "it has no `event`"))?;
        if inner.kind.as_deref() != Some("app_ticket") {
            return Err(Error::invalid_argument(
                "app_ticket event",
                format!("expected an app_ticket event, got type {:?}", inner.kind),
            ));
        }
        match (inner.app_id, inner.app_ticket) {
            (Some(app_id), Some(t)) if !t.is_empty() => Ok(AppTicketEvent {
                app_id,
                ticket: SecretString::from(t),
            }),
            _ => Err(Error::invalid_argument(
                "app_ticket event",
                "it lacks app_id or app_ticket",
            )),
        }
    }

    /// The app the ticket belongs to.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The ticket.
    pub fn ticket(&self) -> &SecretString {
        &self.ticket
    }
}

impl fmt::Debug for AppTicketEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppTicketEvent")
            .field("app_id", &self.app_id)
            .field("ticket", &"[REDACTED]")
            .finish()
    }
}
