//! The token provider: credentials, the cache, and the token endpoints.
//!
//! The cache is single flight: any number of concurrent callers facing a cold or stale entry
//! cause one token request. Entries are refreshed ahead of expiry by a margin kept below
//! Feishu's 30-minute re-issue window (a token is handed out again while more than 30 minutes
//! of it remain: <https://open.feishu.cn/document/server-docs/authentication-management/access-token/tenant_access_token_internal>);
//! with a larger margin the endpoint would hand back the same, already "stale" token and the
//! cache would refresh in a loop.

mod fetch;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use secrecy::SecretString;
use tokio::sync::watch;

use crate::codes;
use crate::credentials::{CredentialKind, Credentials};
use crate::error::{Error, Result};
use crate::telemetry::ClientEvent;
use crate::token::{CachedToken, TokenKey, TokenKind, TokenStore};
use crate::transport::Transport;

/// Refresh margins at or above this are clamped: see the module docs.
pub(crate) const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(29 * 60);

/// Longest lifetime trusted from an `expire` field. Feishu documents 2 hours; a larger value
/// (a misbehaving server) is treated as this, so the clock arithmetic cannot overflow and a
/// bogus value cannot pin a token in the cache for years.
pub(crate) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);

/// The lifetime assumed when a token reply has no usable `expire`: Feishu's documented two
/// hours (the refresh margin still applies), with a warning, rather than 0 (which would fetch
/// a token before every call).
pub(crate) const DEFAULT_TOKEN_LIFETIME: Duration = MAX_TOKEN_LIFETIME;

/// How long a process may hold the right to fetch a token that other processes sharing the
/// store wait for ([`TokenStore::begin_refresh`]): well above a token request's usual time;
/// a holder that takes longer (or dies) only lets the next process fetch its own.
pub(crate) const REFRESH_LEASE: Duration = Duration::from_secs(10);

/// How often a process waiting for another's token looks for it in the store.
const REFRESH_POLL: Duration = Duration::from_millis(50);

/// Gets, caches and refreshes the tokens of one set of credentials.
pub(crate) struct TokenProvider {
    credentials: Credentials,
    store: Arc<dyn TokenStore>,
    locks: Mutex<HashMap<TokenKey, Arc<tokio::sync::Mutex<()>>>>,
    margin: Duration,
    ticket: watch::Sender<Option<SecretString>>,
    ticket_wait: Duration,
}

impl TokenProvider {
    pub(crate) fn new(
        credentials: Credentials,
        store: Arc<dyn TokenStore>,
        margin: Duration,
        ticket_wait: Duration,
    ) -> Self {
        let initial_ticket = match &credentials.kind {
            CredentialKind::StoreApp { app_ticket, .. } => app_ticket.clone(),
            _ => None,
        };
        TokenProvider {
            credentials,
            store,
            locks: Mutex::new(HashMap::new()),
            margin: margin.min(MAX_REFRESH_MARGIN),
            ticket: watch::Sender::new(initial_ticket),
            ticket_wait,
        }
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Hands the store app a new `app_ticket`.
    pub(crate) fn set_ticket(&self, ticket: SecretString) {
        self.ticket.send_replace(Some(ticket));
    }

    fn tenant_key(&self) -> Option<TokenKey> {
        let (app_id, tenant_key) = match &self.credentials.kind {
            CredentialKind::SelfBuilt { app_id, .. } => (app_id.clone(), None),
            CredentialKind::StoreApp {
                app_id, tenant_key, ..
            } => (app_id.clone(), Some(tenant_key.clone())),
            CredentialKind::AppAccessToken { tenant_key, .. } => {
                ("pre-minted".to_string(), Some(tenant_key.clone()))
            }
            CredentialKind::TenantAccessToken { .. } => return None,
        };
        Some(TokenKey {
            kind: TokenKind::Tenant,
            app_id,
            tenant_key,
        })
    }

    fn app_key(app_id: &str) -> TokenKey {
        TokenKey {
            kind: TokenKind::App,
            app_id: app_id.to_string(),
            tenant_key: None,
        }
    }

    /// A usable tenant access token, from the cache or freshly fetched (single flight).
    pub(crate) async fn tenant_token(&self, transport: &Transport) -> Result<SecretString> {
        let Some(key) = self.tenant_key() else {
            return match &self.credentials.kind {
                CredentialKind::TenantAccessToken {
                    tenant_access_token,
                } => Ok(tenant_access_token.clone()),
                _ => Err(Error::Config("credentials carry no tenant token".into())),
            };
        };
        self.cached(transport, &key, || self.fetch_tenant_token(transport))
            .await
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
        self.store.evict_if_matches(&key, token).await?;
        if code == codes::APP_TOKEN_INVALID
            && let CredentialKind::StoreApp { app_id, .. } = &self.credentials.kind
        {
            let app_key = Self::app_key(app_id);
            if let Some(app) = self.store.get(&app_key).await? {
                self.store.evict_if_matches(&app_key, &app.token).await?;
            }
        }
        Ok(true)
    }

    fn lock_for(&self, key: &TokenKey) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(key.clone()).or_default().clone()
    }

    async fn cached<F, Fut>(
        &self,
        transport: &Transport,
        key: &TokenKey,
        fetch: F,
    ) -> Result<SecretString>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(SecretString, Option<Duration>)>>,
    {
        if let Some(t) = self.fresh(key).await? {
            return Ok(t);
        }
        let lock = self.lock_for(key);
        let _guard = lock.lock().await;
        if let Some(t) = self.fresh(key).await? {
            return Ok(t);
        }
        // Other processes sharing the store: one fetches, the others wait for its token.
        let waiting_since = Instant::now();
        while !self.store.begin_refresh(key, REFRESH_LEASE).await? {
            tokio::time::sleep(REFRESH_POLL).await;
            if let Some(t) = self.fresh(key).await? {
                return Ok(t);
            }
            // A store whose leases never run out must not stall the client for good.
            if waiting_since.elapsed() >= 2 * REFRESH_LEASE {
                tracing::warn!(
                    kind = ?key.kind,
                    "no token from the process holding the refresh lease; fetching one"
                );
                break;
            }
        }
        // The lease goes back once the token is stored (or the fetch failed), so that a
        // waiting process finds the token, not a free lease.
        let stored = self.fetch_and_store(key, fetch).await;
        if let Err(e) = self.store.end_refresh(key).await {
            tracing::warn!(
                kind = ?key.kind,
                error = %e,
                "could not give back the token refresh lease; it runs out on its own"
            );
        }
        let (token, expire) = stored?;
        transport.telemetry.record_token_fetch();
        transport.telemetry.emit(&ClientEvent::TokenFetched {
            kind: key.kind,
            expires_in: expire.min(MAX_TOKEN_LIFETIME),
        });
        tracing::debug!(kind = ?key.kind, expires_in_s = expire.as_secs(), "fetched access token");
        Ok(token)
    }

    /// Fetches a token and stores it; returns it with its lifetime.
    async fn fetch_and_store<F, Fut>(
        &self,
        key: &TokenKey,
        fetch: F,
    ) -> Result<(SecretString, Duration)>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(SecretString, Option<Duration>)>>,
    {
        let (token, expire) = fetch().await?;
        let expire = expire.unwrap_or_else(|| {
            tracing::warn!(
                kind = ?key.kind,
                assumed_s = DEFAULT_TOKEN_LIFETIME.as_secs(),
                "the token reply had no usable `expire`; assuming Feishu's documented lifetime"
            );
            DEFAULT_TOKEN_LIFETIME
        });
        self.store
            .put(key, self.entry(token.clone(), expire))
            .await?;
        Ok((token, expire))
    }

    async fn fresh(&self, key: &TokenKey) -> Result<Option<SecretString>> {
        Ok(self
            .store
            .get(key)
            .await?
            .filter(|t| t.is_fresh(SystemTime::now()))
            .map(|t| t.token))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::InMemoryTokenStore;

    fn provider(margin: Duration) -> TokenProvider {
        TokenProvider::new(
            Credentials::self_built("cli_x", "secret"),
            Arc::new(InMemoryTokenStore::new()),
            margin,
            Duration::from_secs(1),
        )
    }

    #[test]
    fn a_huge_expire_from_the_server_is_capped_not_a_panic() {
        let p = provider(Duration::from_secs(300));
        let secs = u64::try_from(i64::MAX).unwrap();
        let e = p.entry(SecretString::from("t-x"), Duration::from_secs(secs));
        let life = e.expires_at.duration_since(SystemTime::now()).unwrap();
        assert!(life <= MAX_TOKEN_LIFETIME, "{life:?}");
        assert!(
            life > MAX_TOKEN_LIFETIME - Duration::from_secs(60),
            "{life:?}"
        );
    }

    #[test]
    fn refresh_margin_is_clamped_below_the_reissue_window() {
        let p = provider(Duration::from_secs(3 * 60 * 60));
        let e = p.entry(SecretString::from("t-x"), Duration::from_secs(7200));
        let lead = e.expires_at.duration_since(e.refresh_at).unwrap();
        assert_eq!(lead, MAX_REFRESH_MARGIN);
        // The endpoint hands back the same token while >= 30 min remain: still fresh.
        let e = p.entry(SecretString::from("t-x"), Duration::from_secs(30 * 60));
        assert!(e.is_fresh(SystemTime::now()));
        // A short-lived token is refreshed at half its life.
        let e = p.entry(SecretString::from("t-x"), Duration::from_secs(10));
        assert_eq!(
            e.expires_at.duration_since(e.refresh_at).unwrap(),
            Duration::from_secs(5)
        );
    }
}
