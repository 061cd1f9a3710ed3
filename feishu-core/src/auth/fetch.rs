//! The token endpoints of each credential mode.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::TokenProvider;
use crate::budget::RateLimit;
use crate::codes;
use crate::credentials::CredentialKind;
use crate::endpoint::Endpoint;
use crate::error::{AuthError, Error, Result};
use crate::request::Request;
use crate::token::TokenKind;
use crate::transport::Transport;

/// Feishu documents no limit for the token endpoints; this client-side one keeps a bug (or a
/// server that keeps answering expired tokens) from turning into a token storm. A healthy
/// client asks for one token per app and tenant every ~2 hours.
const TOKEN_LIMIT: RateLimit = RateLimit::per_minute(60).and_per_second(5);

/// Custom app: <https://open.feishu.cn/document/server-docs/authentication-management/access-token/tenant_access_token_internal>
const TENANT_TOKEN_INTERNAL: Endpoint = Endpoint::post_read(
    "auth.tenant_access_token.internal",
    "auth/v3/tenant_access_token/internal",
)
.limit(TOKEN_LIMIT)
.unauthenticated_flat();

/// Store app: <https://open.feishu.cn/document/server-docs/authentication-management/access-token/tenant_access_token>
const TENANT_TOKEN: Endpoint =
    Endpoint::post_read("auth.tenant_access_token", "auth/v3/tenant_access_token")
        .limit(TOKEN_LIMIT)
        .unauthenticated_flat();

/// Store app: <https://open.feishu.cn/document/server-docs/authentication-management/access-token/app_access_token>
const APP_TOKEN: Endpoint =
    Endpoint::post_read("auth.app_access_token", "auth/v3/app_access_token")
        .limit(TOKEN_LIMIT)
        .unauthenticated_flat();

/// Store app: <https://open.feishu.cn/document/server-docs/authentication-management/access-token/app_ticket_resend>
const APP_TICKET_RESEND: Endpoint =
    Endpoint::post_read("auth.app_ticket.resend", "auth/v3/app_ticket/resend")
        .limit(TOKEN_LIMIT)
        .unauthenticated_flat();

#[derive(Serialize)]
struct AppSecretBody<'a> {
    app_id: &'a str,
    app_secret: &'a str,
}

#[derive(Serialize)]
struct StoreAppTokenBody<'a> {
    app_id: &'a str,
    app_secret: &'a str,
    app_ticket: &'a str,
}

#[derive(Serialize)]
struct StoreTenantTokenBody<'a> {
    app_access_token: &'a str,
    tenant_key: &'a str,
}

/// The flat reply of the `auth/v3` endpoints.
#[derive(Deserialize)]
struct TokenReply {
    #[serde(default)]
    tenant_access_token: Option<SecretString>,
    #[serde(default)]
    app_access_token: Option<SecretString>,
    #[serde(default, deserialize_with = "crate::internal::de::opt_i64")]
    expire: Option<i64>,
}

/// A token with its lifetime (`None` when the reply had no usable `expire`).
type Fetched = (SecretString, Option<Duration>);

fn auth_error(context: &str, e: Error) -> Error {
    match e {
        Error::Api(api) => Error::auth(
            AuthError::new(context)
                .with_code(api.code(), api.msg())
                .with_log_id(api.log_id().map(str::to_string))
                .retryable(api.is_retryable()),
        ),
        other => other,
    }
}

async fn token_call(
    transport: &Transport,
    endpoint: Endpoint,
    body: &impl Serialize,
) -> Result<TokenReply> {
    let req = Request::new(endpoint, &[])?.json(body)?;
    transport
        .send_unauthenticated::<TokenReply>(&req)
        .await
        .map_err(|e| auth_error(&format!("token request to {} failed", endpoint.name()), e))
}

fn take_token(reply: TokenReply, kind: TokenKind, endpoint: &str) -> Result<Fetched> {
    let token = match kind {
        TokenKind::Tenant => reply.tenant_access_token,
        TokenKind::App => reply.app_access_token,
    };
    let token = token
        .filter(|t| !t.expose_secret().is_empty())
        .ok_or_else(|| {
            Error::auth(AuthError::new(format!(
                "{endpoint} answered code 0 without a token"
            )))
        })?;
    let expire = reply
        .expire
        .filter(|e| *e > 0)
        .map(|e| Duration::from_secs(e as u64));
    Ok((token, expire))
}

impl TokenProvider {
    pub(super) async fn fetch_tenant_token(&self, transport: &Transport) -> Result<Fetched> {
        match &self.credentials.kind {
            CredentialKind::SelfBuilt { app_id, app_secret } => {
                let body = AppSecretBody {
                    app_id,
                    app_secret: app_secret.expose_secret(),
                };
                let reply = token_call(transport, TENANT_TOKEN_INTERNAL, &body).await?;
                take_token(reply, TokenKind::Tenant, "tenant_access_token/internal")
            }
            CredentialKind::StoreApp {
                tenant_key, app_id, ..
            } => {
                let app_token = self.store_app_token(transport).await?;
                match store_tenant_token(transport, &app_token, tenant_key).await {
                    Err(e) if e.api_code() == Some(codes::APP_TOKEN_INVALID) => {
                        // The app token went stale under us: refresh it once.
                        self.store
                            .evict_if_matches(&Self::app_key(app_id), &app_token)
                            .await?;
                        let app_token = self.store_app_token(transport).await?;
                        store_tenant_token(transport, &app_token, tenant_key).await
                    }
                    other => other,
                }
            }
            CredentialKind::AppAccessToken {
                app_access_token,
                tenant_key,
            } => store_tenant_token(transport, app_access_token, tenant_key).await,
            CredentialKind::TenantAccessToken { .. } => Err(Error::Config(
                "a pre-minted tenant token is not fetched".into(),
            )),
        }
    }

    async fn store_app_token(&self, transport: &Transport) -> Result<SecretString> {
        let CredentialKind::StoreApp {
            app_id, app_secret, ..
        } = &self.credentials.kind
        else {
            return Err(Error::Config("not a store app".into()));
        };
        let key = Self::app_key(app_id);
        self.cached(transport, &key, || async {
            let ticket = self
                .app_ticket(transport, app_id, app_secret, false)
                .await?;
            match app_token_call(transport, app_id, app_secret, &ticket).await {
                Err(e) if e.api_code() == Some(codes::APP_TICKET_INVALID) => {
                    // The ticket is stale: forget it, ask for a new one, try once more.
                    self.ticket.send_if_modified(|t| match t {
                        Some(cur) if cur.expose_secret() == ticket.expose_secret() => {
                            *t = None;
                            true
                        }
                        _ => false,
                    });
                    let ticket = self.app_ticket(transport, app_id, app_secret, true).await?;
                    app_token_call(transport, app_id, app_secret, &ticket).await
                }
                other => other,
            }
        })
        .await
    }

    /// The store app's current ticket; asks Feishu to resend one and waits for it when none
    /// is known (or when `force_resend`).
    async fn app_ticket(
        &self,
        transport: &Transport,
        app_id: &str,
        app_secret: &SecretString,
        force_resend: bool,
    ) -> Result<SecretString> {
        let mut rx = self.ticket.subscribe();
        if !force_resend && let Some(t) = rx.borrow_and_update().clone() {
            return Ok(t);
        }
        let body = AppSecretBody {
            app_id,
            app_secret: app_secret.expose_secret(),
        };
        let req = Request::new(APP_TICKET_RESEND, &[])?.json(&body)?;
        transport
            .send_unauthenticated::<serde_json::Value>(&req)
            .await
            .map_err(|e| auth_error("app_ticket resend failed", e))?;
        tracing::info!(
            app_id,
            "requested an app_ticket resend; waiting for the event"
        );
        let waited = tokio::time::timeout(self.ticket_wait, rx.wait_for(|t| t.is_some())).await;
        if let Ok(Ok(t)) = waited
            && let Some(t) = t.clone()
        {
            return Ok(t);
        }
        Err(Error::auth(
            AuthError::new(format!(
                "no app_ticket arrived within {:?} after a resend; Feishu pushes it to the \
                 app's event endpoint: pass that event to Client::handle_app_ticket_event",
                self.ticket_wait
            ))
            .with_code(codes::APP_TICKET_INVALID, "app_ticket missing")
            .retryable(true),
        ))
    }
}

async fn app_token_call(
    transport: &Transport,
    app_id: &str,
    app_secret: &SecretString,
    ticket: &SecretString,
) -> Result<Fetched> {
    let body = StoreAppTokenBody {
        app_id,
        app_secret: app_secret.expose_secret(),
        app_ticket: ticket.expose_secret(),
    };
    let reply = token_call(transport, APP_TOKEN, &body).await?;
    take_token(reply, TokenKind::App, "app_access_token")
}

async fn store_tenant_token(
    transport: &Transport,
    app_token: &SecretString,
    tenant_key: &str,
) -> Result<Fetched> {
    let body = StoreTenantTokenBody {
        app_access_token: app_token.expose_secret(),
        tenant_key,
    };
    let reply = token_call(transport, TENANT_TOKEN, &body).await?;
    take_token(reply, TokenKind::Tenant, "tenant_access_token")
}
