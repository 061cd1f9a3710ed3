//! Where budgets keep their state, so several processes can share one (e.g. in Redis).

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use super::scope::BudgetKey;
use crate::error::Result;

/// One window as a store enforces it.
///
/// The log of departures of a key is kept per window `length`; a departure occupies its slot
/// for `span` (the length plus the safety margin), and at most `allowance` departures may fall
/// within any interval of `span`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct WindowRule {
    /// The window's nominal length: names its log.
    pub length: Duration,
    /// How long a departure counts against the window: `length` plus the safety margin.
    pub span: Duration,
    /// Departures allowed within any interval of `span`.
    pub allowance: u32,
}

impl WindowRule {
    /// A rule for a window of `length`, counting each departure for `span` (at least
    /// `length`), allowing `allowance` (at least 1).
    pub fn new(length: Duration, span: Duration, allowance: u32) -> Self {
        WindowRule {
            length,
            span: span.max(length),
            allowance: allowance.max(1),
        }
    }
}

/// A reserved departure: how long from now it is, and the key's reschedule epoch when it was
/// made (see [`BudgetStore::is_current`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reservation {
    /// How long from now the reserved departure is (zero: now).
    pub delay: Duration,
    /// The key's epoch when the reservation was made.
    pub epoch: u64,
}

impl Reservation {
    /// A reservation departing `delay` from now, made at `epoch`.
    pub fn new(delay: Duration, epoch: u64) -> Self {
        Reservation { delay, epoch }
    }
}

/// Storage for rate-limit budgets, so several processes can share an app's allowance (e.g. in
/// Redis), the way a [`TokenStore`](crate::TokenStore) shares its tokens.
///
/// A store keeps, per [`BudgetKey`] and window, a *reservation-ahead sliding-window log*: the
/// times of the last `allowance` departures, past or reserved. A caller arriving at `now` is
/// given the earliest time `t ≥ now` such that every window's `allowance`-th most recent
/// departure lies at least `span` before `t`, and `t` is logged at once; the caller sleeps
/// until `t` and sends. Consequently no interval of `span` ever holds more than `allowance`
/// departures, however Feishu aligns its fixed windows. Each operation must be atomic per key
/// (a lock in memory, a script in Redis).
///
/// The default is [`InMemoryBudgetStore`](crate::InMemoryBudgetStore), shared by every client
/// of a scope in the process. Errors fail the call that needed the budget (see
/// [`Budget`](crate::budget::Budget)); they must never panic.
#[async_trait]
pub trait BudgetStore: Send + Sync + fmt::Debug + 'static {
    /// Reserves one departure for `key` at the earliest time `≥ now` that no block forbids and
    /// every rule in `windows` allows, logs it in every window, and says how long from now it
    /// is. The slot is spent whether or not the caller uses it.
    async fn reserve(&self, key: &BudgetKey, windows: &[WindowRule]) -> Result<Reservation>;

    /// Whether reservations of `key` made at `epoch` still stand: `false` once
    /// [`BudgetStore::block`] ran for `key` after them (their departures were dropped, and
    /// their holders must reserve again).
    async fn is_current(&self, key: &BudgetKey, epoch: u64) -> Result<bool>;

    /// Feishu said "rate limited" for `key`, resetting in `reset`: no departure of `key` before
    /// `now + reset`; every window of `windows` counts as full until then (its remaining
    /// allowance for the server's current window is gone); departures reserved after `now`
    /// are dropped and the epoch advances, so their holders are rescheduled instead of sending
    /// into the block.
    async fn block(&self, key: &BudgetKey, windows: &[WindowRule], reset: Duration) -> Result<()>;
}
