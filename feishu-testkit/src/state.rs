//! The one shared state of a fake tenant: configuration, issued tokens, journal, fault knobs
//! and rate-limit buckets. Every handler receives `&State`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::auth::AuthState;
use crate::faults::FaultState;
use crate::journal::Journal;
use crate::rate_limit::RateLimits;

/// Immutable configuration chosen by the builder.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) app_id: String,
    pub(crate) app_secret: String,
    pub(crate) store_app_id: String,
    pub(crate) store_app_secret: String,
    pub(crate) tenant_key: String,
    pub(crate) token_expire: Duration,
    pub(crate) reissue_threshold: Duration,
    pub(crate) verification_token: String,
}

/// Everything a request handler may read or change.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) auth: Mutex<AuthState>,
    pub(crate) journal: Mutex<Journal>,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) limits: Mutex<RateLimits>,
    pub(crate) contact: Mutex<crate::contact::ContactData>,
    pub(crate) attendance: Mutex<crate::attendance::AttendanceData>,
    pub(crate) approval: Mutex<crate::approval::ApprovalData>,
    pub(crate) bitable: Mutex<crate::bitable::BitableData>,
    pub(crate) events: crate::events::EventsState,
    log_ids: AtomicU64,
    /// Virtual clock offset in nanoseconds, added to `Instant::now()` for token lifetimes.
    clock_offset_nanos: AtomicU64,
}

impl State {
    pub(crate) fn new(
        config: Config,
        auth: AuthState,
        journal: Journal,
        faults: FaultState,
    ) -> State {
        State {
            config,
            auth: Mutex::new(auth),
            journal: Mutex::new(journal),
            faults: Mutex::new(faults),
            limits: Mutex::new(RateLimits::default()),
            contact: Mutex::new(crate::contact::ContactData::default()),
            attendance: Mutex::new(crate::attendance::AttendanceData::default()),
            approval: Mutex::new(crate::approval::ApprovalData::default()),
            bitable: Mutex::new(crate::bitable::BitableData::default()),
            events: crate::events::EventsState::default(),
            log_ids: AtomicU64::new(0),
            clock_offset_nanos: AtomicU64::new(0),
        }
    }

    /// The tenant's notion of "now" for token lifetimes (real time plus `advance_clock`).
    pub(crate) fn now(&self) -> Instant {
        let now = Instant::now();
        let offset = Duration::from_nanos(self.clock_offset_nanos.load(Ordering::Relaxed));
        // An absurd offset pins the clock far in the future instead of panicking.
        now.checked_add(offset)
            .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
            .unwrap_or(now)
    }

    /// Moves the virtual token clock forward (saturating: it never wraps back).
    pub(crate) fn advance_clock(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        let _ = self
            .clock_offset_nanos
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |cur| {
                Some(cur.saturating_add(nanos))
            });
    }

    /// A fresh, unique log id (`testkit-000001`, `testkit-000002`, ...).
    pub(crate) fn next_log_id(&self) -> String {
        let n = self.log_ids.fetch_add(1, Ordering::Relaxed) + 1;
        format!("testkit-{n:06}")
    }
}

/// Locks a mutex, recovering the data if a previous holder panicked (a panicking test must not
/// poison the tenant for the other tests sharing it).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
