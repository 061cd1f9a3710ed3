//! The rate-limit budget: Feishu's limits, modelled exactly, shared by everyone who spends
//! them.
//!
//! # The model
//!
//! Feishu limits each API per app per tenant in fixed windows, per second and per minute
//! (<https://open.feishu.cn/document/ukTMukTMukTM/uUzN04SN3QjL1cDN>); where both are given,
//! reaching either throttles. A [`RateLimit`] states those windows. The budget lets a whole
//! window's allowance go at once and never more than the allowance within *any* interval of
//! the window's length, so it is safe however the server aligns its windows: 50 list calls
//! at 100/min leave at once; 291 detail calls at 50/s & 1000/min leave in six bursts of up to
//! 50, a second (plus the safety margin) apart.
//!
//! It works as a reservation-ahead sliding-window log (see [`BudgetStore`]): a caller is
//! given its exact departure time (now if the windows have room, else when the oldest of
//! their last `allowance` departures leaves them), sleeps once, and sends. No polling, no
//! retry loop per waiter, one timer per waiting request.
//!
//! # The safety margin
//!
//! Windows are kept a little longer than their nominal length
//! ([`RateLimits::with_safety_margin`], 3 % by default: 30 ms of a second, 1.8 s of a minute),
//! because Feishu counts arrivals and latency jitter shifts them.
//!
//! # Sharing
//!
//! - In a process: every client with the same [`BudgetScope`] (base URL, app, tenant) shares
//!   one budget ([`Budget::shared`] uses [`InMemoryBudgetStore::shared`]), so two clients of
//!   one app no longer send twice the allowance.
//! - Across processes: a shared [`BudgetStore`] (the `feishu-redis` crate has one) keeps the
//!   logs where every process reserves from them.
//!
//! # Rate-limit replies and the server's figures
//!
//! A 429 (or code 99991400) is reported with [`Budget::on_rate_limited`]: the family is
//! blocked until `x-ogw-ratelimit-reset`, its windows count as full until then, and the
//! requests already waiting are rescheduled onto the window's rate after the reset instead of
//! each sleeping the reset and returning at once. `x-ogw-ratelimit-limit` is reported with
//! [`Budget::observe_limit_header`]: the budget follows the server's figure (plans differ),
//! except that it never raises a limit the user set with [`RateLimits::with_override`].
//!
//! # Store failures
//!
//! The in-memory store cannot fail. An explicitly configured store that fails (Redis down)
//! fails the call with [`Error::Transport`] (retryable), naming the store: pacing locally
//! instead would let every process send the whole allowance at once.

mod family;
mod header;
mod limit;
mod limits;
mod memory;
mod registry;
mod scope;
mod sliding_log;
mod stats;
mod store;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::future::{Either, select};
use tokio::time::Instant;

pub use limit::{MAX_WINDOWS, RateLimit, Window};
pub use limits::{DEFAULT_SAFETY_MARGIN, RateLimits};
pub use memory::InMemoryBudgetStore;
pub use scope::{BudgetKey, BudgetScope};
pub use stats::FamilyStats;
pub use store::{BudgetStore, Reservation, WindowRule};

use crate::error::{Error, Result};
use family::FamilyEntry;

/// The longest reset honoured: a bogus header cannot block a family for days.
const MAX_RESET: Duration = Duration::from_secs(3600);

/// The block of a family without windows rate limited with no reset (Feishu's shortest
/// window is a second).
const DEFAULT_RESET: Duration = Duration::from_secs(1);

/// The rate-limit budget a client spends before each request: [`RateLimits`] applied over a
/// [`BudgetStore`].
///
/// The request engine calls [`Budget::acquire`] right before sending, and reports rate-limit
/// replies and advertised limits. It is public so that calls made outside the SDK (with
/// [`Client::tenant_access_token`](crate::Client::tenant_access_token) and another HTTP
/// library) can spend the same budget.
///
/// # Example
/// ```
/// use feishu_core::budget::Budget;
/// use feishu_core::{BudgetScope, RateLimit, RateLimits};
/// # async fn sample() -> feishu_core::Result<()> {
/// let scope = BudgetScope::new("https://open.feishu.cn", "cli_a1b2c3", None);
/// let budget = Budget::shared(&scope, RateLimits::documented());
/// let waited = budget
///     .acquire(&scope, "contact.users.get", RateLimit::per_minute(1000).and_per_second(50))
///     .await?;
/// // ... send the request now ...
/// # let _ = waited; Ok(()) }
/// ```
pub struct Budget {
    store: Arc<dyn BudgetStore>,
    limits: RateLimits,
    families: Mutex<HashMap<Arc<str>, Vec<Arc<FamilyEntry>>>>,
}

/// The windows of one request, as the store enforces them.
#[derive(Clone, Copy, Default)]
struct Rules {
    items: [WindowRule; MAX_WINDOWS],
    len: usize,
}

impl Rules {
    fn as_slice(&self) -> &[WindowRule] {
        &self.items[..self.len]
    }
}

impl Budget {
    /// A budget over `store` (shared by everyone who uses the same store).
    pub fn new(store: Arc<dyn BudgetStore>, limits: RateLimits) -> Self {
        Budget {
            store,
            limits,
            families: Mutex::new(HashMap::new()),
        }
    }

    /// A budget over the in-memory store that every client of `scope` in this process shares
    /// ([`InMemoryBudgetStore::shared`]).
    pub fn shared(scope: &BudgetScope, limits: RateLimits) -> Self {
        Self::new(InMemoryBudgetStore::shared(scope), limits)
    }

    /// The configuration.
    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    /// Waits until `family` may send one request; returns how long it waited.
    ///
    /// `documented` is the family's documented limit, which the [`RateLimits`] may override.
    /// Call it right before sending: the budget guarantees departures, Feishu counts
    /// arrivals. The slot is spent when this returns, and also when the future is dropped
    /// while it waits (a cancelled request keeps its reservation: safe, never more than the
    /// allowance). Fails only when an explicitly configured store fails.
    pub async fn acquire(
        &self,
        scope: &BudgetScope,
        family: &str,
        documented: RateLimit,
    ) -> Result<Duration> {
        let entry = self.entry(scope, family);
        entry.shared.remember(documented);
        let started = Instant::now();
        // A local block: a rate-limit reply for a family this budget had not paced.
        let mut waited = entry.shared.wait_unblocked().await;
        waited |= self
            .reserve_and_wait(family, documented, &entry)
            .await
            .map_err(|e| store_failure(family, e))?;
        let waited = if waited {
            started.elapsed()
        } else {
            Duration::ZERO
        };
        entry.counters.record_request(waited);
        Ok(waited)
    }

    /// A reply for `family` carried `x-ogw-ratelimit-limit: <value>`: the budget follows the
    /// server's figure for the window it belongs to (an override is never raised). Unreadable
    /// values are ignored.
    pub fn observe_limit_header(&self, scope: &BudgetScope, family: &str, value: &str) {
        let Some(advertised) = header::parse(value) else {
            tracing::debug!(
                family,
                value,
                "ignoring an unreadable x-ogw-ratelimit-limit"
            );
            return;
        };
        let entry = self.entry(scope, family);
        let documented = entry.shared.documented().unwrap_or(RateLimit::UNLIMITED);
        let limit = self.limits.effective(family, documented);
        let windows: Vec<Window> = limit.windows().collect();
        let Some(length) = header::window_for(&advertised, &windows) else {
            tracing::debug!(
                family,
                value,
                "x-ogw-ratelimit-limit names no window of this family"
            );
            return;
        };
        if entry.shared.advertise(length, advertised.allowance) {
            tracing::debug!(
                family,
                allowance = advertised.allowance,
                window_ms = length.as_millis() as u64,
                "following the limit Feishu advertises"
            );
        }
    }

    /// A reply for `family` said "rate limited", resetting after `reset` (`None`: unknown,
    /// taken as the family's shortest window). The family is blocked until then, its windows
    /// count as full for the rest of the server's window, and requests already waiting are
    /// rescheduled onto the window's rate instead of each sleeping the reset. The next
    /// [`Budget::acquire`] waits accordingly.
    pub async fn on_rate_limited(
        &self,
        scope: &BudgetScope,
        family: &str,
        reset: Option<Duration>,
    ) -> Result<()> {
        let entry = self.entry(scope, family);
        entry.counters.record_rate_limited();
        let documented = entry.shared.documented().unwrap_or(RateLimit::UNLIMITED);
        let rules = self.rules(family, documented, &entry);
        let shortest = rules.as_slice().first().map(|r| r.length);
        let reset = reset.or(shortest).unwrap_or(DEFAULT_RESET).min(MAX_RESET);
        let blocked = if rules.len == 0 {
            entry.shared.block_locally(reset);
            Ok(())
        } else {
            self.store
                .block(&entry.key, rules.as_slice(), reset)
                .await
                .map_err(|e| store_failure(family, e))
        };
        entry.shared.rescheduled.notify_waiters();
        tracing::debug!(
            family,
            reset_ms = reset.as_millis() as u64,
            "rate limited; family blocked"
        );
        blocked
    }

    /// Counters per endpoint family since this budget was built.
    pub fn stats(&self) -> BTreeMap<String, FamilyStats> {
        let families = lock(&self.families);
        families
            .iter()
            .map(|(family, entries)| {
                let mut stats = FamilyStats::default();
                for entry in entries {
                    stats.add(entry.counters.snapshot());
                }
                (family.to_string(), stats)
            })
            .collect()
    }

    fn entry(&self, scope: &BudgetScope, family: &str) -> Arc<FamilyEntry> {
        let mut families = lock(&self.families);
        if let Some(found) = families
            .get(family)
            .and_then(|entries| entries.iter().find(|e| e.key.scope() == scope))
        {
            return found.clone();
        }
        let entry = Arc::new(FamilyEntry::new(BudgetKey::new(scope.clone(), family)));
        families
            .entry(family.into())
            .or_default()
            .push(entry.clone());
        entry
    }

    /// The family's windows: the configured limit, with Feishu's figures where it advertised
    /// some, each window lengthened by the safety margin.
    fn rules(&self, family: &str, documented: RateLimit, entry: &FamilyEntry) -> Rules {
        let overridden = self.limits.override_for(family);
        let limit = match overridden {
            Some(limit) => limit,
            None if self.limits.is_enabled() => documented,
            None => RateLimit::UNLIMITED,
        };
        let mut rules = Rules::default();
        for window in limit.windows() {
            let configured = window.allowance();
            let allowance = match entry.shared.advertised(window.length()) {
                Some(server) if overridden.is_some() => server.min(configured),
                Some(server) => server,
                None => configured,
            };
            let length = window.length();
            let span = length.saturating_add(margin(length, self.limits.safety_margin()));
            rules.items[rules.len] = WindowRule::new(length, span, allowance);
            rules.len += 1;
        }
        rules
    }

    /// Reserves a departure and sleeps until it, reserving again if a rate-limit reply
    /// rescheduled the family meanwhile. Says whether it slept.
    ///
    /// The windows are read again before every reservation: the reply that rescheduled the
    /// family may have brought a lower `x-ogw-ratelimit-limit`, and a waiter reserving at the
    /// allowance it started with would find room in a log the requests retrying at the new
    /// figure have already pruned to that figure, and leave at once when the block ends.
    async fn reserve_and_wait(
        &self,
        family: &str,
        documented: RateLimit,
        entry: &FamilyEntry,
    ) -> Result<bool> {
        let mut slept = false;
        loop {
            let rules = self.rules(family, documented, entry);
            if rules.len == 0 {
                return Ok(slept);
            }
            let reservation = self.store.reserve(&entry.key, rules.as_slice()).await?;
            if reservation.delay.is_zero() {
                return Ok(slept);
            }
            slept = true;
            let departure = Instant::now() + reservation.delay;
            if self
                .sleep_until_departure(entry, departure, reservation.epoch)
                .await?
            {
                return Ok(true);
            }
            tracing::trace!(
                family = entry.key.family(),
                "rescheduled by a rate-limit reply"
            );
        }
    }

    /// Sleeps until `departure`, waking early when a rate-limit reply in this process
    /// reschedules the family. Says whether the reservation still stands.
    async fn sleep_until_departure(
        &self,
        entry: &FamilyEntry,
        departure: Instant,
        epoch: u64,
    ) -> Result<bool> {
        let mut sleep = pin!(tokio::time::sleep_until(departure));
        loop {
            let mut notified = pin!(entry.shared.rescheduled.notified());
            notified.as_mut().enable();
            match select(sleep.as_mut(), notified).await {
                Either::Left(_) => return self.store.is_current(&entry.key, epoch).await,
                Either::Right(_) => {
                    if !self.store.is_current(&entry.key, epoch).await? {
                        return Ok(false);
                    }
                }
            }
        }
    }
}

impl fmt::Debug for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Budget")
            .field("store", &self.store)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// `fraction` of `length`, to the nanosecond.
fn margin(length: Duration, fraction: f64) -> Duration {
    // Float-to-int `as` saturates; the fraction is within 0..=1.
    Duration::from_nanos((length.as_nanos() as f64 * fraction).round() as u64)
}

/// A store failure, named as such, for the family whose call it fails.
fn store_failure(family: &str, error: Error) -> Error {
    match error {
        Error::Transport(t) => {
            Error::store_failure(family, format!("rate-limit budget store: {}", t.message()))
        }
        other => other,
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests;
