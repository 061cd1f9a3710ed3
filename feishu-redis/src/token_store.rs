//! Access tokens in Redis.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use feishu_core::{CachedToken, Result, TokenKey, TokenStore};
use redis::Script;
use redis::aio::ConnectionManager;
use secrecy::{ExposeSecret, SecretString};

use crate::{namespaced, redis_error};

const WHAT: &str = "redis token store";

/// A [`TokenStore`] in Redis, so that every process of an app uses one token.
///
/// Each token is a hash under [`TokenKey::to_store_key`] (optionally namespaced) with the
/// token and its expiry and refresh times in milliseconds since the Unix epoch; the key
/// expires with the token. Removing a rejected token compares and deletes in one script, so
/// two processes that saw the same token rejected cause one refresh, not two.
///
/// When the token is due, one process fetches it and the others wait for it: the fetching
/// process holds a lease, a key `refresh-lease:<token key>` (namespaced like the token) set
/// with `SET NX PX` to this store's holder id, which it deletes (compare and delete) once
/// the token is stored, and which otherwise runs out after the client's lease time.
///
/// Tokens travel to Redis in clear: protect it as you would the app secret (a password, TLS,
/// a private network). In this process they stay [`SecretString`]s, and neither `Debug` nor an
/// error ever shows one. An entry that cannot be read back (written by something else) counts
/// as missing and is replaced by the next token.
///
/// # Example
/// ```no_run
/// use std::sync::Arc;
/// use feishu_core::{Client, Credentials};
/// use feishu_redis::RedisTokenStore;
/// # async fn sample() -> feishu_core::Result<()> {
/// let redis = feishu_redis::connect("redis://127.0.0.1:6379/").await?;
/// let client = Client::builder()
///     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
///     .token_store(Arc::new(RedisTokenStore::new(redis).with_namespace("billing")))
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisTokenStore {
    connection: ConnectionManager,
    namespace: Option<String>,
    evict: Script,
    end_refresh: Script,
    /// Who holds a refresh lease taken by this store (and its clones).
    holder: Arc<str>,
}

impl RedisTokenStore {
    /// A store over `connection` (see [`connect`](crate::connect)).
    pub fn new(connection: ConnectionManager) -> Self {
        RedisTokenStore {
            connection,
            namespace: None,
            evict: Script::new(include_str!("lua/evict_if_matches.lua")),
            end_refresh: Script::new(include_str!("lua/end_refresh.lua")),
            holder: holder_id().into(),
        }
    }

    /// Prefixes every key with `namespace:`, for Redis instances shared with other programs.
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    fn redis_key(&self, key: &TokenKey) -> String {
        namespaced(self.namespace.as_deref(), &key.to_store_key())
    }

    /// Token keys start with `feishu:`, so a lease key never names a token.
    fn lease_key(&self, key: &TokenKey) -> String {
        namespaced(
            self.namespace.as_deref(),
            &format!("refresh-lease:{}", key.to_store_key()),
        )
    }
}

/// An id no other store holds: this process, the time and a counter.
fn holder_id() -> String {
    static STORES: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = STORES.fetch_add(1, Ordering::Relaxed);
    format!("{}-{nanos}-{n}", std::process::id())
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

fn unix_ms(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

fn from_unix_ms(ms: i64) -> Option<SystemTime> {
    let ms = u64::try_from(ms).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_millis(ms))
}

#[async_trait]
impl TokenStore for RedisTokenStore {
    async fn get(&self, key: &TokenKey) -> Result<Option<CachedToken>> {
        let redis_key = self.redis_key(key);
        let (token, expires_at, refresh_at): (Option<String>, Option<String>, Option<String>) =
            redis::cmd("HMGET")
                .arg(&redis_key)
                .arg(&["token", "expires_at", "refresh_at"])
                .query_async(&mut self.connection.clone())
                .await
                .map_err(|e| redis_error(WHAT, &e))?;
        let Some(token) = token else {
            return Ok(None);
        };
        let token = SecretString::from(token);
        let time = |v: Option<String>| v.and_then(|s| s.parse::<i64>().ok()).and_then(from_unix_ms);
        match (time(expires_at), time(refresh_at)) {
            (Some(expires_at), Some(refresh_at)) => Ok(Some(CachedToken {
                token,
                expires_at,
                refresh_at,
            })),
            _ => {
                tracing::warn!(key = %redis_key, "unreadable token entry in Redis; treated as missing");
                Ok(None)
            }
        }
    }

    async fn put(&self, key: &TokenKey, token: CachedToken) -> Result<()> {
        let redis_key = self.redis_key(key);
        let expires_at = unix_ms(token.expires_at);
        redis::pipe()
            .atomic()
            .cmd("HSET")
            .arg(&redis_key)
            .arg("token")
            .arg(token.token.expose_secret())
            .arg("expires_at")
            .arg(expires_at)
            .arg("refresh_at")
            .arg(unix_ms(token.refresh_at))
            .ignore()
            .cmd("PEXPIREAT")
            .arg(&redis_key)
            .arg(expires_at)
            .ignore()
            .query_async::<()>(&mut self.connection.clone())
            .await
            .map_err(|e| redis_error(WHAT, &e))
    }

    async fn evict_if_matches(&self, key: &TokenKey, rejected: &SecretString) -> Result<bool> {
        let removed: i64 = self
            .evict
            .key(self.redis_key(key))
            .arg(rejected.expose_secret())
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(|e| redis_error(WHAT, &e))?;
        Ok(removed == 1)
    }

    async fn begin_refresh(&self, key: &TokenKey, lease: Duration) -> Result<bool> {
        let lease_ms = u64::try_from(lease.as_millis()).unwrap_or(u64::MAX).max(1);
        let granted: Option<String> = redis::cmd("SET")
            .arg(self.lease_key(key))
            .arg(&*self.holder)
            .arg("NX")
            .arg("PX")
            .arg(lease_ms)
            .query_async(&mut self.connection.clone())
            .await
            .map_err(|e| redis_error(WHAT, &e))?;
        Ok(granted.is_some())
    }

    async fn end_refresh(&self, key: &TokenKey) -> Result<()> {
        let _: i64 = self
            .end_refresh
            .key(self.lease_key(key))
            .arg(&*self.holder)
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(|e| redis_error(WHAT, &e))?;
        Ok(())
    }
}
