//! The state of one endpoint family's budget: what every client of its scope in the process
//! shares, and what one [`Budget`](super::Budget) counts for itself.

use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::limit::{MAX_WINDOWS, RateLimit};
use super::registry::WeakRegistry;
use super::scope::BudgetKey;
use super::stats::FamilyCounters;

/// Shared family state, one per key in the process while any budget uses it.
static SHARED: LazyLock<WeakRegistry<BudgetKey, SharedFamily>> =
    LazyLock::new(WeakRegistry::default);

/// What every client of a scope in this process knows about one family.
#[derive(Debug, Default)]
pub(crate) struct SharedFamily {
    /// Allowances Feishu advertised, per window length.
    advertised: Mutex<Vec<(Duration, u32)>>,
    /// Wakes this process's waiters when a rate-limit reply reschedules the family.
    pub(crate) rescheduled: Notify,
    /// Until when a family without windows is blocked by a rate-limit reply.
    blocked_until: Mutex<Option<Instant>>,
    /// The documented limit the last request carried (rate-limit replies do not carry it).
    documented: Mutex<Option<RateLimit>>,
}

impl SharedFamily {
    pub(crate) fn for_key(key: &BudgetKey) -> Arc<SharedFamily> {
        SHARED.get_or_insert_with(key, SharedFamily::default)
    }

    /// The allowance Feishu advertised for the window of `length`, if any.
    pub(crate) fn advertised(&self, length: Duration) -> Option<u32> {
        lock(&self.advertised)
            .iter()
            .find(|(l, _)| *l == length)
            .map(|(_, n)| *n)
    }

    /// Records Feishu's figure for the window of `length`; says whether it changed.
    pub(crate) fn advertise(&self, length: Duration, allowance: u32) -> bool {
        let mut figures = lock(&self.advertised);
        let full = figures.len() >= MAX_WINDOWS;
        match figures.iter_mut().find(|(l, _)| *l == length) {
            Some((_, n)) if *n == allowance => false,
            Some((_, n)) => {
                *n = allowance;
                true
            }
            None if full => false,
            None => {
                figures.push((length, allowance));
                true
            }
        }
    }

    pub(crate) fn remember(&self, documented: RateLimit) {
        *lock(&self.documented) = Some(documented);
    }

    pub(crate) fn documented(&self) -> Option<RateLimit> {
        *lock(&self.documented)
    }

    /// Blocks a family without windows for `reset` from now.
    pub(crate) fn block_locally(&self, reset: Duration) {
        let until = Instant::now() + reset;
        let mut blocked = lock(&self.blocked_until);
        *blocked = Some(blocked.map_or(until, |b| b.max(until)));
    }

    /// Waits out a local block, if any; says whether it waited.
    pub(crate) async fn wait_unblocked(&self) -> bool {
        let mut waited = false;
        loop {
            let until = *lock(&self.blocked_until);
            match until {
                // A block extended during the sleep is waited out too.
                Some(until) if until > Instant::now() => {
                    tokio::time::sleep_until(until).await;
                    waited = true;
                }
                _ => return waited,
            }
        }
    }
}

/// One budget's view of a family in one scope.
#[derive(Debug)]
pub(crate) struct FamilyEntry {
    pub(crate) key: BudgetKey,
    pub(crate) shared: Arc<SharedFamily>,
    pub(crate) counters: FamilyCounters,
}

impl FamilyEntry {
    pub(crate) fn new(key: BudgetKey) -> Self {
        FamilyEntry {
            shared: SharedFamily::for_key(&key),
            key,
            counters: FamilyCounters::default(),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
