//! Rate-limit budgets in Redis.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use feishu_core::budget::{Reservation, WindowRule};
use feishu_core::{BudgetKey, BudgetStore, Result};
use redis::Script;
use redis::aio::ConnectionManager;

use crate::{namespaced, redis_error};

const WHAT: &str = "redis budget store";

/// How long a key's meta hash (epoch, block, sequence) outlives its last use.
const META_KEEP: Duration = Duration::from_secs(3600);

/// The longest span sent to Redis: scores are microseconds in Lua doubles, exact below 2^53.
const MAX_SPAN: Duration = Duration::from_secs(365 * 86_400);

/// A [`BudgetStore`] in Redis, so that every process of an app spends one allowance.
///
/// The same reservation-ahead sliding-window log as the in-memory store, one sorted set per
/// budget key and window (departure times as scores), updated atomically by Lua scripts that
/// read Redis's clock (`TIME`): processes on hosts whose clocks disagree still agree on the
/// schedule. Per budget key:
///
/// - `{feishu:budget:<app>:<tenant>:<family>:<base url>}:w<length>`: the departures of one
///   window; it expires one span (plus a second) after its last departure;
/// - `{…}:meta`: a hash with the reschedule epoch, the end of a rate-limit block and a
///   sequence for unique members; it expires an hour after its last use.
///
/// The braces make a Redis Cluster hash tag: the keys of a budget share a slot, as the
/// scripts need. Each reservation is one script call (`EVALSHA`); a caller that had to wait
/// makes a second call (`HGET` of the epoch) before it sends, to learn whether a rate-limit
/// reply rescheduled it meanwhile.
///
/// # Example
/// ```no_run
/// use std::sync::Arc;
/// use feishu_core::budget::Budget;
/// use feishu_core::RateLimits;
/// use feishu_redis::RedisBudgetStore;
/// # async fn sample() -> feishu_core::Result<()> {
/// let store = RedisBudgetStore::connect("redis://127.0.0.1:6379/").await?;
/// let budget = Budget::new(Arc::new(store), RateLimits::documented());
/// # let _ = budget; Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisBudgetStore {
    connection: ConnectionManager,
    namespace: Option<String>,
    reserve: Script,
    block: Script,
}

impl RedisBudgetStore {
    /// A store over `connection` (see [`connect`](crate::connect)).
    pub fn new(connection: ConnectionManager) -> Self {
        RedisBudgetStore {
            connection,
            namespace: None,
            reserve: Script::new(include_str!("lua/reserve.lua")),
            block: Script::new(include_str!("lua/block.lua")),
        }
    }

    /// Connects to the Redis at `url`; shorthand for [`connect`](crate::connect) and
    /// [`RedisBudgetStore::new`].
    pub async fn connect(url: &str) -> Result<Self> {
        Ok(Self::new(crate::connect(url).await?))
    }

    /// Prefixes every key with `namespace:`, for Redis instances shared with other programs.
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    fn base(&self, key: &BudgetKey) -> String {
        namespaced(
            self.namespace.as_deref(),
            &format!("{{{}}}", key.to_store_key()),
        )
    }

    fn meta_key(&self, key: &BudgetKey) -> String {
        format!("{}:meta", self.base(key))
    }

    fn window_key(base: &str, length: Duration) -> String {
        if length.subsec_nanos() == 0 {
            format!("{base}:w{}s", length.as_secs())
        } else {
            format!("{base}:w{}us", length.as_micros())
        }
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.min(MAX_SPAN).as_micros()).unwrap_or(u64::MAX)
}

impl fmt::Debug for RedisBudgetStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBudgetStore")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl BudgetStore for RedisBudgetStore {
    async fn reserve(&self, key: &BudgetKey, windows: &[WindowRule]) -> Result<Reservation> {
        let base = self.base(key);
        let mut call = self.reserve.key(format!("{base}:meta"));
        call.arg(META_KEEP.as_millis() as u64);
        for w in windows {
            call.key(Self::window_key(&base, w.length))
                .arg(micros(w.span))
                .arg(w.allowance);
        }
        let (delay_us, epoch): (i64, i64) = call
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(|e| redis_error(WHAT, &e))?;
        let delay = Duration::from_micros(u64::try_from(delay_us).unwrap_or(0));
        Ok(Reservation::new(delay, u64::try_from(epoch).unwrap_or(0)))
    }

    async fn is_current(&self, key: &BudgetKey, epoch: u64) -> Result<bool> {
        let current: Option<u64> = redis::cmd("HGET")
            .arg(self.meta_key(key))
            .arg("epoch")
            .query_async(&mut self.connection.clone())
            .await
            .map_err(|e| redis_error(WHAT, &e))?;
        Ok(current.unwrap_or(0) == epoch)
    }

    async fn block(&self, key: &BudgetKey, windows: &[WindowRule], reset: Duration) -> Result<()> {
        let base = self.base(key);
        let mut call = self.block.key(format!("{base}:meta"));
        call.arg(META_KEEP.as_millis() as u64).arg(micros(reset));
        for w in windows {
            call.key(Self::window_key(&base, w.length))
                .arg(micros(w.span));
        }
        call.invoke_async::<i64>(&mut self.connection.clone())
            .await
            .map_err(|e| redis_error(WHAT, &e))?;
        Ok(())
    }
}
