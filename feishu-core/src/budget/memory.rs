//! The default budget store: sliding-window logs in this process's memory.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::registry::WeakRegistry;
use super::scope::{BudgetKey, BudgetScope};
use super::sliding_log::SlidingLog;
use super::store::{BudgetStore, Reservation, WindowRule};
use crate::error::Result;

/// How far before the store's creation its clock starts (see `InMemoryBudgetStore::now`).
const ORIGIN_OFFSET: Duration = Duration::from_secs(30 * 86_400);

/// Keys below this count are never swept.
const MIN_SWEEP: usize = 64;

/// The in-memory store of each scope, shared by every client of that scope in the process.
static BY_SCOPE: LazyLock<WeakRegistry<BudgetScope, InMemoryBudgetStore>> =
    LazyLock::new(WeakRegistry::default);

/// The default [`BudgetStore`]: a reservation-ahead sliding-window log per key and window, in
/// this process's memory.
///
/// An arriving caller gets its exact departure time under one lock: now if every window has
/// room, else the time the oldest of the window's last `allowance` departures leaves it. It
/// sleeps once until then: no polling, no retry loop per waiter. Memory per window is bounded
/// by its allowance (plus one entry per caller still waiting), and idle keys are swept.
///
/// Time is tokio's clock, so tests with a paused clock (`start_paused = true`) run instantly.
///
/// # Example
/// ```
/// use feishu_core::{BudgetScope, InMemoryBudgetStore};
/// let scope = BudgetScope::new("https://open.feishu.cn", "cli_a1b2c3", None);
/// // What every client of this app and tenant in the process uses by default:
/// let shared = InMemoryBudgetStore::shared(&scope);
/// assert!(std::sync::Arc::ptr_eq(&shared, &InMemoryBudgetStore::shared(&scope)));
/// ```
pub struct InMemoryBudgetStore {
    origin: Instant,
    state: Mutex<Keys>,
}

#[derive(Default)]
struct Keys {
    map: HashMap<BudgetKey, KeyState>,
    sweep_at: usize,
}

#[derive(Default)]
struct KeyState {
    epoch: u64,
    blocked_until: Duration,
    /// Per window length: the span it was last used with, and its log.
    logs: Vec<(Duration, Duration, SlidingLog)>,
}

impl KeyState {
    fn log(&mut self, rule: &WindowRule) -> &mut SlidingLog {
        let i = match self.logs.iter().position(|(l, _, _)| *l == rule.length) {
            Some(i) => i,
            None => {
                self.logs
                    .push((rule.length, rule.span, SlidingLog::default()));
                self.logs.len() - 1
            }
        };
        let (_, span, log) = &mut self.logs[i];
        *span = rule.span;
        log
    }

    /// Reserves the earliest departure at or after `now` that the block and every window
    /// allow, and logs it in every window.
    fn reserve(&mut self, now: Duration, windows: &[WindowRule]) -> Reservation {
        let mut at = now.max(self.blocked_until);
        for rule in windows {
            at = at.max(self.log(rule).earliest(now, rule));
        }
        for rule in windows {
            self.log(rule).push(at);
        }
        Reservation::new(at - now, self.epoch)
    }

    /// A rate-limit reply at `now`: no departure before `now + reset` (the allowance left in
    /// the server's window is gone), reservations after `now` dropped (the epoch moves on,
    /// their holders reserve again). Past departures stay: they still count after the reset.
    fn block(&mut self, now: Duration, windows: &[WindowRule], reset: Duration) {
        self.blocked_until = self.blocked_until.max(now.saturating_add(reset));
        self.epoch += 1;
        for rule in windows {
            self.log(rule).drop_reservations(now);
        }
    }

    fn is_idle(&self, now: Duration) -> bool {
        self.blocked_until <= now && self.logs.iter().all(|(_, span, l)| l.is_idle(now, *span))
    }
}

impl Default for InMemoryBudgetStore {
    fn default() -> Self {
        Self::new()
    }
}

impl InMemoryBudgetStore {
    /// An empty store of its own (shared with no one unless you share the `Arc`).
    pub fn new() -> Self {
        InMemoryBudgetStore {
            origin: Instant::now(),
            state: Mutex::new(Keys::default()),
        }
    }

    /// The store every client of `scope` in this process shares: the same `Arc` for as long as
    /// anyone holds it, so two clients with the same credentials share one allowance instead
    /// of each sending the whole of it.
    pub fn shared(scope: &BudgetScope) -> Arc<InMemoryBudgetStore> {
        BY_SCOPE.get_or_insert_with(scope, InMemoryBudgetStore::new)
    }

    /// Now, as an offset from an origin far enough in the past that `now − span` never
    /// saturates for the windows Feishu documents.
    fn now(&self) -> Duration {
        Instant::now()
            .saturating_duration_since(self.origin)
            .saturating_add(ORIGIN_OFFSET)
    }

    fn keys(&self) -> MutexGuard<'_, Keys> {
        // The state stays consistent at every await-free step: a poisoned lock is usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Keys {
    fn entry(&mut self, key: &BudgetKey, now: Duration) -> &mut KeyState {
        if !self.map.contains_key(key) {
            self.sweep(now);
        }
        self.map.entry(key.clone()).or_default()
    }

    /// Drops idle keys (nothing they logged can matter any more) once the map doubled since
    /// the last sweep: amortised O(1) per new key.
    fn sweep(&mut self, now: Duration) {
        if self.map.len() < self.sweep_at.max(MIN_SWEEP) {
            return;
        }
        self.map.retain(|_, state| !state.is_idle(now));
        self.sweep_at = self.map.len() * 2;
    }
}

impl fmt::Debug for InMemoryBudgetStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryBudgetStore")
            .field("keys", &self.keys().map.len())
            .finish()
    }
}

#[async_trait]
impl BudgetStore for InMemoryBudgetStore {
    async fn reserve(&self, key: &BudgetKey, windows: &[WindowRule]) -> Result<Reservation> {
        let now = self.now();
        let mut keys = self.keys();
        Ok(keys.entry(key, now).reserve(now, windows))
    }

    async fn is_current(&self, key: &BudgetKey, epoch: u64) -> Result<bool> {
        let keys = self.keys();
        Ok(keys.map.get(key).map_or(0, |s| s.epoch) == epoch)
    }

    async fn block(&self, key: &BudgetKey, windows: &[WindowRule], reset: Duration) -> Result<()> {
        let now = self.now();
        let mut keys = self.keys();
        keys.entry(key, now).block(now, windows, reset);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Event {
        /// `count` callers arrive `gap_ms` after the previous event.
        Arrive { gap_ms: u64, count: u8 },
        /// A rate-limit reply `gap_ms` after the previous event, resetting in `reset_ms`.
        Block { gap_ms: u64, reset_ms: u64 },
    }

    fn event(blocks: bool) -> impl Strategy<Value = Event> {
        let arrive =
            (0u64..400, 1u8..30).prop_map(|(gap_ms, count)| Event::Arrive { gap_ms, count });
        let block = (0u64..400, 0u64..2500)
            .prop_map(|(gap_ms, reset_ms)| Event::Block { gap_ms, reset_ms });
        let weight = if blocks { 1 } else { 0 };
        prop_oneof![8 => arrive, weight => block]
    }

    /// One or two windows of distinct lengths, with margins.
    fn rules() -> impl Strategy<Value = Vec<WindowRule>> {
        let window = (1u32..20, 10u64..1000, 0u64..100);
        (window, proptest::option::of((1u32..60, 2u64..6))).prop_map(
            |((allowance, length, margin), second)| {
                let ms = Duration::from_millis;
                let mut rules = vec![WindowRule::new(ms(length), ms(length + margin), allowance)];
                if let Some((a2, factor)) = second {
                    let l2 = length * factor;
                    rules.push(WindowRule::new(ms(l2), ms(l2 + margin), a2));
                }
                rules
            },
        )
    }

    struct Run {
        /// (arrival, departure) of every caller, in reservation order (no blocks).
        schedule: Vec<(Duration, Duration)>,
        departures: Vec<Duration>,
        blocks: Vec<(Duration, Duration)>,
    }

    /// Drives one key through `events`. Callers sleep until their departure; a block
    /// reschedules every caller still waiting (as the budget's wake-up does).
    fn simulate(rules: &[WindowRule], events: &[Event]) -> Run {
        let mut state = KeyState::default();
        let mut now = Duration::ZERO;
        let mut waiting: Vec<Duration> = Vec::new();
        let mut run = Run {
            schedule: Vec::new(),
            departures: Vec::new(),
            blocks: Vec::new(),
        };
        for event in events {
            let (Event::Arrive { gap_ms, .. } | Event::Block { gap_ms, .. }) = event;
            now += Duration::from_millis(*gap_ms);
            waiting.retain(|at| {
                let left = *at <= now;
                if left {
                    run.departures.push(*at);
                }
                !left
            });
            match event {
                Event::Arrive { count, .. } => {
                    for _ in 0..*count {
                        let at = now + state.reserve(now, rules).delay;
                        run.schedule.push((now, at));
                        waiting.push(at);
                    }
                }
                Event::Block { reset_ms, .. } => {
                    let reset = Duration::from_millis(*reset_ms);
                    state.block(now, rules, reset);
                    run.blocks.push((now, now + reset));
                    for at in &mut waiting {
                        *at = now + state.reserve(now, rules).delay;
                    }
                }
            }
        }
        run.departures.extend(waiting);
        run.departures.sort();
        run
    }

    /// The most departures in any half-open interval of `span`.
    fn busiest(departures: &[Duration], span: Duration) -> usize {
        (0..departures.len())
            .map(|i| {
                departures[i..]
                    .iter()
                    .take_while(|d| **d < departures[i] + span)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn no_interval_of_a_span_holds_more_than_the_allowance(
            rules in rules(),
            events in proptest::collection::vec(event(true), 1..40),
        ) {
            let run = simulate(&rules, &events);
            for rule in &rules {
                let most = busiest(&run.departures, rule.span);
                prop_assert!(most <= rule.allowance as usize, "{most} in {:?} under {rule:?}", rule.span);
            }
            for (from, until) in &run.blocks {
                prop_assert!(
                    !run.departures.iter().any(|d| from < d && d < until),
                    "a departure inside the block {from:?}..{until:?}"
                );
            }
        }

        #[test]
        fn without_rate_limit_replies_every_caller_leaves_as_early_as_allowed(
            rules in rules(),
            events in proptest::collection::vec(event(false), 1..40),
        ) {
            let run = simulate(&rules, &events);
            let departed: Vec<Duration> = run.schedule.iter().map(|(_, d)| *d).collect();
            for (i, (arrival, departure)) in run.schedule.iter().enumerate() {
                let mut earliest = *arrival;
                for rule in &rules {
                    if let Some(j) = i.checked_sub(rule.allowance as usize) {
                        earliest = earliest.max(departed[j] + rule.span);
                    }
                }
                prop_assert_eq!(*departure, earliest, "caller {}", i);
            }
        }
    }

    #[test]
    fn a_block_holds_everyone_until_the_reset_then_the_window_rate_resumes() {
        let ms = Duration::from_millis;
        let rule = [WindowRule::new(ms(1000), ms(1000), 3)];
        let mut state = KeyState::default();
        for _ in 0..3 {
            state.reserve(ms(0), &rule);
        }
        let pending = state.reserve(ms(0), &rule);
        assert_eq!((pending.delay, pending.epoch), (ms(1000), 0));
        state.block(ms(100), &rule, ms(5000));
        assert_eq!(state.epoch, 1);
        let got: Vec<_> = (0..4)
            .map(|_| ms(100) + state.reserve(ms(100), &rule).delay)
            .collect();
        // The reservation for 1 s was dropped; the departures at 0 left the window long
        // before the reset at 5.1 s.
        assert_eq!(got, [ms(5100), ms(5100), ms(5100), ms(6100)]);
    }

    #[test]
    fn idle_keys_are_swept() {
        let mut keys = Keys::default();
        let rule = [WindowRule::new(
            Duration::from_secs(1),
            Duration::from_secs(1),
            5,
        )];
        let scope = BudgetScope::new("http://127.0.0.1:1", "cli", None);
        for i in 0..1000u64 {
            let key = BudgetKey::new(scope.clone(), &format!("family.{i}"));
            let now = Duration::from_secs(10 * i);
            keys.entry(&key, now).reserve(now, &rule);
        }
        assert!(keys.map.len() <= 2 * MIN_SWEEP, "{}", keys.map.len());
    }
}
