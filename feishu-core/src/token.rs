//! Access tokens as they are cached, and where they are kept between calls ([`TokenStore`]).

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};

use crate::error::Result;

/// Which token a cache entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum TokenKind {
    /// A `tenant_access_token`.
    Tenant,
    /// An `app_access_token`.
    App,
}

/// The key of one cached token: its kind, the app, and (for store apps) the tenant.
///
/// Custom apps have one tenant token per `app_id`; store apps one per `(app_id, tenant_key)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenKey {
    /// Tenant or app token.
    pub kind: TokenKind,
    /// The app id (or `"pre-minted"` for a pre-minted app token).
    pub app_id: String,
    /// The tenant key, for tokens of a store app's tenant.
    pub tenant_key: Option<String>,
}

impl TokenKey {
    /// A string form usable as a key in an external store, e.g.
    /// `feishu:tenant:cli_123:tenant_abc`.
    pub fn to_store_key(&self) -> String {
        let kind = match self.kind {
            TokenKind::Tenant => "tenant",
            TokenKind::App => "app",
        };
        match &self.tenant_key {
            Some(t) => format!("feishu:{kind}:{}:{t}", self.app_id),
            None => format!("feishu:{kind}:{}", self.app_id),
        }
    }
}

/// A token with its lifetime, as kept in a [`TokenStore`].
#[derive(Clone)]
pub struct CachedToken {
    /// The token.
    pub token: SecretString,
    /// When Feishu stops accepting it.
    pub expires_at: SystemTime,
    /// When the client should fetch a new one (before `expires_at`).
    pub refresh_at: SystemTime,
}

impl CachedToken {
    /// Whether the token may still be used without refreshing at `now`.
    pub fn is_fresh(&self, now: SystemTime) -> bool {
        now < self.refresh_at && now < self.expires_at
    }

    /// Whether this entry holds exactly `token`.
    pub fn holds(&self, token: &SecretString) -> bool {
        self.token.expose_secret() == token.expose_secret()
    }
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("token", &"[REDACTED]")
            .field("expires_at", &self.expires_at)
            .field("refresh_at", &self.refresh_at)
            .finish()
    }
}

/// Storage for access tokens, so several processes can share one token (e.g. in Redis).
///
/// The client keeps single flight *within* a process; a shared store additionally lets other
/// processes reuse a token instead of fetching their own, and, with
/// [`begin_refresh`](Self::begin_refresh), lets one process fetch it while the others wait.
/// Implementations must be cheap to call: `get` runs before every API call.
#[async_trait]
pub trait TokenStore: Send + Sync + 'static {
    /// The cached token for `key`, if any (fresh or not: the client checks).
    async fn get(&self, key: &TokenKey) -> Result<Option<CachedToken>>;

    /// Stores `token` for `key`, replacing what was there.
    async fn put(&self, key: &TokenKey, token: CachedToken) -> Result<()>;

    /// Removes the entry for `key` only if it still holds `rejected` (compare and delete),
    /// so that two callers who saw the same token rejected cause one refresh, not two.
    /// Returns whether an entry was removed.
    async fn evict_if_matches(&self, key: &TokenKey, rejected: &SecretString) -> Result<bool>;

    /// Asks for the right to fetch the next token for `key`, held for at most `lease`, so
    /// that the processes sharing the store fetch one token between them instead of one each.
    ///
    /// `Ok(true)`: the caller fetches, calls [`put`](Self::put), then
    /// [`end_refresh`](Self::end_refresh) (also when the fetch failed). `Ok(false)`: another
    /// holder is fetching; the client polls [`get`](Self::get) for its token and asks again,
    /// so a holder that dies only delays the others until its lease runs out. The lease must
    /// run out on its own (a key with a TTL in Redis).
    ///
    /// The default grants every request: a store that only one process uses needs no lease,
    /// since the client already keeps single flight within a process.
    async fn begin_refresh(&self, key: &TokenKey, lease: Duration) -> Result<bool> {
        let _ = (key, lease);
        Ok(true)
    }

    /// Gives back a lease granted by [`begin_refresh`](Self::begin_refresh), so that a
    /// waiting process need not wait for it to run out. Only the holder's own lease is
    /// released. The default has none to give back.
    async fn end_refresh(&self, key: &TokenKey) -> Result<()> {
        let _ = key;
        Ok(())
    }
}

/// The default [`TokenStore`]: a map in this process's memory.
#[derive(Default)]
pub struct InMemoryTokenStore {
    map: Mutex<HashMap<TokenKey, CachedToken>>,
}

impl InMemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl fmt::Debug for InMemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.map.lock().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("InMemoryTokenStore")
            .field("entries", &n)
            .finish()
    }
}

#[async_trait]
impl TokenStore for InMemoryTokenStore {
    async fn get(&self, key: &TokenKey) -> Result<Option<CachedToken>> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        Ok(map.get(key).cloned())
    }

    async fn put(&self, key: &TokenKey, token: CachedToken) -> Result<()> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(key.clone(), token);
        Ok(())
    }

    async fn evict_if_matches(&self, key: &TokenKey, rejected: &SecretString) -> Result<bool> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.get(key).is_some_and(|t| t.holds(rejected)) {
            map.remove(key);
            Ok(true)
        } else {
            Ok(false)
        }
    }
}
