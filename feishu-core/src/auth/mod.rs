//! Access tokens: fetching them in each credential mode, caching them, refreshing them once
//! when Feishu rejects them.
//!
//! The cache is single flight: any number of concurrent callers facing a cold or stale entry
//! cause one token request. Entries are refreshed ahead of expiry by a margin kept below
//! Feishu's 30-minute re-issue window (feishu-api.md §2.4): with a larger margin the endpoint
//! would hand back the same, already "stale" token and the cache would refresh in a loop.

mod store;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

pub use store::{CachedToken, InMemoryTokenStore, TokenKey, TokenKind, TokenStore};

use crate::client::ClientInner;
use crate::codes;
use crate::credentials::CredentialKind;
use crate::error::{AuthError, Error, Result};
use crate::rate_limit::RateLimit;
use crate::request::ApiRequest;
use crate::stats::ClientEvent;

/// Refresh margins at or above this are clamped: see the module docs.
pub(crate) const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(29 * 60);

/// Longest lifetime trusted from an `expire` field. Feishu documents 2 hours; a larger value
/// (a misbehaving server) is treated as this, so the clock arithmetic cannot overflow and a
/// bogus value cannot pin a token in the cache for years.
pub(crate) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);

pub(crate) struct TokenManager {
    pub(crate) store: Arc<dyn TokenStore>,
    locks: Mutex<HashMap<TokenKey, Arc<tokio::sync::Mutex<()>>>>,
    margin: Duration,
    ticket: watch::Sender<Option<SecretString>>,
    ticket_wait: Duration,
}

impl TokenManager {
    pub(crate) fn new(
        store: Arc<dyn TokenStore>,
        margin: Duration,
        initial_ticket: Option<SecretString>,
        ticket_wait: Duration,
    ) -> Self {
        TokenManager {
            store,
            locks: Mutex::new(HashMap::new()),
            margin: margin.min(MAX_REFRESH_MARGIN),
            ticket: watch::Sender::new(initial_ticket),
            ticket_wait,
        }
    }

    fn lock_for(&self, key: &TokenKey) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(key.clone()).or_default().clone()
    }

    pub(crate) fn set_ticket(&self, ticket: SecretString) {
        self.ticket.send_replace(Some(ticket));
    }

    fn entry(&self, token: SecretString, expire: Duration) -> CachedToken {
        let now = SystemTime::now();
        let expire = expire.min(MAX_TOKEN_LIFETIME);
        // A token that lives shorter than twice the margin is refreshed at half its life.
        let margin = self.margin.min(expire / 2);
        CachedToken {
            token,
            expires_at: now + expire,
            refresh_at: now + expire.saturating_sub(margin),
        }
    }
}

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
    #[serde(default, deserialize_with = "lenient_i64")]
    expire: Option<i64>,
}

fn lenient_i64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn auth_error(context: &str, e: Error) -> Error {
    match e {
        Error::Api(api) => Error::auth(
            AuthError::new(context)
                .with_code(api.code, api.msg.clone())
                .with_log_id(api.log_id.clone())
                .retryable(api.is_retryable()),
        ),
        other => other,
    }
}

impl ClientInner {
    fn tenant_key(&self) -> Option<TokenKey> {
        match &self.credentials.kind {
            CredentialKind::SelfBuilt { app_id, .. } => Some(TokenKey {
                kind: TokenKind::Tenant,
                app_id: app_id.clone(),
                tenant_key: None,
            }),
            CredentialKind::StoreApp {
                app_id, tenant_key, ..
            } => Some(TokenKey {
                kind: TokenKind::Tenant,
                app_id: app_id.clone(),
                tenant_key: Some(tenant_key.clone()),
            }),
            CredentialKind::AppAccessToken { tenant_key, .. } => Some(TokenKey {
                kind: TokenKind::Tenant,
                app_id: "pre-minted".to_string(),
                tenant_key: Some(tenant_key.clone()),
            }),
            CredentialKind::TenantAccessToken { .. } => None,
        }
    }

    fn app_key(app_id: &str) -> TokenKey {
        TokenKey {
            kind: TokenKind::App,
            app_id: app_id.to_string(),
            tenant_key: None,
        }
    }

    /// A usable tenant access token, from the cache or freshly fetched (single flight).
    pub(crate) async fn tenant_token(&self) -> Result<SecretString> {
        let Some(key) = self.tenant_key() else {
            if let CredentialKind::TenantAccessToken {
                tenant_access_token,
            } = &self.credentials.kind
            {
                return Ok(tenant_access_token.clone());
            }
            return Err(Error::Config("credentials carry no tenant token".into()));
        };
        self.cached(&key, || self.fetch_tenant_token()).await
    }

    /// Called when an API rejected `token` with a token-invalid code. Evicts it if it is
    /// still the cached one and says whether a retry can get a different token.
    pub(crate) async fn reject_tenant_token(
        &self,
        token: &SecretString,
        code: i64,
    ) -> Result<bool> {
        let Some(key) = self.tenant_key() else {
            return Ok(false);
        };
        self.tokens.store.evict_if_matches(&key, token).await?;
        if code == codes::APP_TOKEN_INVALID
            && let CredentialKind::StoreApp { app_id, .. } = &self.credentials.kind
        {
            let app_key = Self::app_key(app_id);
            if let Some(app) = self.tokens.store.get(&app_key).await? {
                self.tokens
                    .store
                    .evict_if_matches(&app_key, &app.token)
                    .await?;
            }
        }
        Ok(true)
    }

    async fn cached<F, Fut>(&self, key: &TokenKey, fetch: F) -> Result<SecretString>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(SecretString, Duration)>>,
    {
        if let Some(t) = self.tokens.store.get(key).await?
            && t.is_fresh(SystemTime::now())
        {
            return Ok(t.token);
        }
        let lock = self.tokens.lock_for(key);
        let _guard = lock.lock().await;
        if let Some(t) = self.tokens.store.get(key).await?
            && t.is_fresh(SystemTime::now())
        {
            return Ok(t.token);
        }
        let (token, expire) = fetch().await?;
        let entry = self.tokens.entry(token.clone(), expire);
        self.tokens.store.put(key, entry).await?;
        self.stats.record_token_fetch();
        self.emit(&ClientEvent::TokenFetched {
            kind: key.kind,
            expires_in: expire,
        });
        tracing::debug!(kind = ?key.kind, expires_in_s = expire.as_secs(), "fetched access token");
        Ok(token)
    }

    async fn token_call(
        &self,
        endpoint: &'static str,
        path: &str,
        body: &impl Serialize,
    ) -> Result<TokenReply> {
        let req = ApiRequest::post_read(endpoint, RateLimit::UNLIMITED)
            .path(path)
            .json(body)
            .unauthenticated_flat();
        self.execute_unauthenticated::<TokenReply>(&req)
            .await
            .map_err(|e| auth_error(&format!("token request to {endpoint} failed"), e))
    }

    fn take_token(
        reply: TokenReply,
        kind: TokenKind,
        endpoint: &str,
    ) -> Result<(SecretString, Duration)> {
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
        let expire = reply.expire.unwrap_or(0).max(0) as u64;
        Ok((token, Duration::from_secs(expire)))
    }

    async fn fetch_tenant_token(&self) -> Result<(SecretString, Duration)> {
        match &self.credentials.kind {
            CredentialKind::SelfBuilt { app_id, app_secret } => {
                let body = AppSecretBody {
                    app_id,
                    app_secret: app_secret.expose_secret(),
                };
                let reply = self
                    .token_call(
                        "auth.tenant_access_token.internal",
                        "auth/v3/tenant_access_token/internal",
                        &body,
                    )
                    .await?;
                Self::take_token(reply, TokenKind::Tenant, "tenant_access_token/internal")
            }
            CredentialKind::StoreApp { tenant_key, .. } => {
                let app_token = self.store_app_token().await?;
                match self.store_tenant_token(&app_token, tenant_key).await {
                    Err(e) if e.api_code() == Some(codes::APP_TOKEN_INVALID) => {
                        // The app token went stale under us: refresh it once.
                        if let CredentialKind::StoreApp { app_id, .. } = &self.credentials.kind {
                            self.tokens
                                .store
                                .evict_if_matches(&Self::app_key(app_id), &app_token)
                                .await?;
                        }
                        let app_token = self.store_app_token().await?;
                        self.store_tenant_token(&app_token, tenant_key).await
                    }
                    other => other,
                }
            }
            CredentialKind::AppAccessToken {
                app_access_token,
                tenant_key,
            } => self.store_tenant_token(app_access_token, tenant_key).await,
            CredentialKind::TenantAccessToken { .. } => Err(Error::Config(
                "a pre-minted tenant token is not fetched".into(),
            )),
        }
    }

    async fn store_tenant_token(
        &self,
        app_token: &SecretString,
        tenant_key: &str,
    ) -> Result<(SecretString, Duration)> {
        let body = StoreTenantTokenBody {
            app_access_token: app_token.expose_secret(),
            tenant_key,
        };
        let reply = self
            .token_call(
                "auth.tenant_access_token",
                "auth/v3/tenant_access_token",
                &body,
            )
            .await?;
        Self::take_token(reply, TokenKind::Tenant, "tenant_access_token")
    }

    async fn store_app_token(&self) -> Result<SecretString> {
        let CredentialKind::StoreApp {
            app_id, app_secret, ..
        } = &self.credentials.kind
        else {
            return Err(Error::Config("not a store app".into()));
        };
        let key = Self::app_key(app_id);
        self.cached(&key, || async {
            let mut resent = false;
            loop {
                let ticket = self.app_ticket(app_id, app_secret, resent).await?;
                let body = StoreAppTokenBody {
                    app_id,
                    app_secret: app_secret.expose_secret(),
                    app_ticket: ticket.expose_secret(),
                };
                match self
                    .token_call("auth.app_access_token", "auth/v3/app_access_token", &body)
                    .await
                {
                    Err(e) if e.api_code() == Some(codes::APP_TICKET_INVALID) && !resent => {
                        // The ticket is stale: forget it, ask for a new one, try once more.
                        self.tokens.ticket.send_if_modified(|t| match t {
                            Some(cur) if cur.expose_secret() == ticket.expose_secret() => {
                                *t = None;
                                true
                            }
                            _ => false,
                        });
                        resent = true;
                    }
                    Err(e) => return Err(e),
                    Ok(reply) => {
                        return Self::take_token(reply, TokenKind::App, "app_access_token");
                    }
                }
            }
        })
        .await
    }

    /// The store app's current ticket; asks Feishu to resend one and waits for it when none
    /// is known.
    async fn app_ticket(
        &self,
        app_id: &str,
        app_secret: &SecretString,
        force_resend: bool,
    ) -> Result<SecretString> {
        let mut rx = self.tokens.ticket.subscribe();
        if !force_resend && let Some(t) = rx.borrow_and_update().clone() {
            return Ok(t);
        }
        let body = AppSecretBody {
            app_id,
            app_secret: app_secret.expose_secret(),
        };
        let req = ApiRequest::post_read("auth.app_ticket.resend", RateLimit::UNLIMITED)
            .path("auth/v3/app_ticket/resend")
            .json(&body)
            .unauthenticated_flat();
        self.execute_unauthenticated::<serde_json::Value>(&req)
            .await
            .map_err(|e| auth_error("app_ticket resend failed", e))?;
        tracing::info!(
            app_id,
            "requested an app_ticket resend; waiting for the event"
        );
        let waited =
            tokio::time::timeout(self.tokens.ticket_wait, rx.wait_for(|t| t.is_some())).await;
        match waited {
            Ok(Ok(t)) => Ok(t.clone().expect("wait_for checked Some")),
            _ => Err(Error::auth(
                AuthError::new(format!(
                    "no app_ticket arrived within {:?} after a resend; Feishu pushes it to the \
                     app's event endpoint: pass that event to Client::handle_app_ticket_event",
                    self.tokens.ticket_wait
                ))
                .with_code(codes::APP_TICKET_INVALID, "app_ticket missing")
                .retryable(true),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manager(margin: Duration) -> TokenManager {
        TokenManager::new(
            Arc::new(InMemoryTokenStore::new()),
            margin,
            None,
            Duration::from_secs(1),
        )
    }

    #[test]
    fn a_huge_expire_from_the_server_is_capped_not_a_panic() {
        let m = manager(Duration::from_secs(300));
        let secs = u64::try_from(i64::MAX).unwrap();
        let e = m.entry(SecretString::from("t-x"), Duration::from_secs(secs));
        let life = e.expires_at.duration_since(SystemTime::now()).unwrap();
        assert!(life <= MAX_TOKEN_LIFETIME, "{life:?}");
        assert!(
            life > MAX_TOKEN_LIFETIME - Duration::from_secs(60),
            "{life:?}"
        );
    }

    #[test]
    fn refresh_margin_is_clamped_below_the_reissue_window() {
        let m = manager(Duration::from_secs(3 * 60 * 60));
        let e = m.entry(SecretString::from("t-x"), Duration::from_secs(7200));
        let lead = e.expires_at.duration_since(e.refresh_at).unwrap();
        assert_eq!(lead, MAX_REFRESH_MARGIN);
        // The endpoint hands back the same token while >= 30 min remain: still fresh.
        let e = m.entry(SecretString::from("t-x"), Duration::from_secs(30 * 60));
        assert!(e.is_fresh(SystemTime::now()));
        // A short-lived token is refreshed at half its life.
        let e = m.entry(SecretString::from("t-x"), Duration::from_secs(10));
        assert_eq!(
            e.expires_at.duration_since(e.refresh_at).unwrap(),
            Duration::from_secs(5)
        );
    }
}
