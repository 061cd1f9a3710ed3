//! Recognising redelivered events by their id within a bounded window.
//!
//! Feishu delivers events at least once: an event whose acknowledgement was late or lost is
//! pushed again after 15 s, 5 min, 1 h and 6 h, and its pipeline may duplicate events even
//! when the acknowledgement arrived
//! ([event overview, "事件推送"](https://open.feishu.cn/document/ukTMukTMukTM/uUTNz4SN1MjL1UzM)).
//! The default window (12 h) outlasts that whole retry schedule.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Default number of event ids remembered.
pub const DEFAULT_CAPACITY: usize = 100_000;
/// Default time an event id is remembered: longer than Feishu's retry schedule
/// (15 s + 5 min + 1 h + 6 h).
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(12 * 3600);

/// Remembers the ids of recent events, bounded both in count and in time. Cheap to clone;
/// clones share the memory, so a webhook handler and a long connection can share one.
///
/// The memory is per process. Several replicas behind a load balancer each see only their
/// own deliveries; deduplicate downstream (e.g. an upsert by event id) in that setup.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use feishu_events::Deduplicator;
///
/// let seen = Deduplicator::new(1_000, Duration::from_secs(3600));
/// assert!(seen.first_sighting("ev_1"));
/// assert!(!seen.first_sighting("ev_1"));
/// seen.forget("ev_1"); // e.g. the event could not be handed over
/// assert!(seen.first_sighting("ev_1"));
/// ```
#[derive(Debug, Clone)]
pub struct Deduplicator {
    inner: Arc<Mutex<Window>>,
}

#[derive(Debug)]
struct Window {
    capacity: usize,
    ttl: Duration,
    seen: HashMap<String, Instant>,
    order: VecDeque<(Instant, String)>,
}

impl Default for Deduplicator {
    fn default() -> Self {
        Deduplicator::new(DEFAULT_CAPACITY, DEFAULT_WINDOW)
    }
}

impl Deduplicator {
    /// Remembers at most `capacity` ids (at least one), each for `window`.
    pub fn new(capacity: usize, window: Duration) -> Self {
        Deduplicator {
            inner: Arc::new(Mutex::new(Window {
                capacity: capacity.max(1),
                ttl: window,
                seen: HashMap::new(),
                order: VecDeque::new(),
            })),
        }
    }

    /// Records `event_id` and says whether it is new. An empty id is always new (nothing
    /// to recognise it by) and is not recorded.
    pub fn first_sighting(&self, event_id: &str) -> bool {
        if event_id.is_empty() {
            return true;
        }
        let now = Instant::now();
        let mut window = self.lock();
        window.expire(now);
        if window.seen.contains_key(event_id) {
            return false;
        }
        window.seen.insert(event_id.to_owned(), now);
        window.order.push_back((now, event_id.to_owned()));
        window.trim();
        true
    }

    /// Forgets `event_id`, so a later delivery of it counts as new (used when an event was
    /// refused after being recorded, e.g. the application could not take it in time).
    pub fn forget(&self, event_id: &str) {
        self.lock().seen.remove(event_id);
    }

    /// How many ids are remembered right now.
    pub fn len(&self) -> usize {
        let mut window = self.lock();
        window.expire(Instant::now());
        window.seen.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Window {
    /// Drops ids older than the window.
    fn expire(&mut self, now: Instant) {
        while let Some((at, _)) = self.order.front() {
            if now.saturating_duration_since(*at) < self.ttl {
                break;
            }
            self.pop_front();
        }
    }

    /// Drops the oldest ids beyond the capacity (and stale queue entries of forgotten ids).
    fn trim(&mut self) {
        while self.seen.len() > self.capacity || self.order.len() > 2 * self.capacity {
            if !self.pop_front() {
                break;
            }
        }
    }

    /// Removes the oldest queue entry, and its id if that entry is the id's current one.
    fn pop_front(&mut self) -> bool {
        let Some((at, id)) = self.order.pop_front() else {
            return false;
        };
        if self.seen.get(&id) == Some(&at) {
            self.seen.remove(&id);
        }
        true
    }
}
