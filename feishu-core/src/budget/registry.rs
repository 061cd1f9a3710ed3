//! A process-wide map from a key to shared state that lives as long as someone holds it.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, Weak};

/// Entries below this count are never swept.
const MIN_SWEEP: usize = 64;

/// Hands out one `Arc<V>` per key for as long as any holder keeps it; dead entries are swept
/// once the map doubled since the last sweep, so memory follows the live holders.
pub(crate) struct WeakRegistry<K, V> {
    inner: Mutex<Entries<K, V>>,
}

struct Entries<K, V> {
    map: HashMap<K, Weak<V>>,
    sweep_at: usize,
}

impl<K, V> Default for WeakRegistry<K, V> {
    fn default() -> Self {
        WeakRegistry {
            inner: Mutex::new(Entries {
                map: HashMap::new(),
                sweep_at: MIN_SWEEP,
            }),
        }
    }
}

impl<K: Hash + Eq + Clone, V> WeakRegistry<K, V> {
    /// The live value of `key`, or a new one from `make`.
    pub(crate) fn get_or_insert_with(&self, key: &K, make: impl FnOnce() -> V) -> Arc<V> {
        let mut entries = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(live) = entries.map.get(key).and_then(Weak::upgrade) {
            return live;
        }
        if entries.map.len() >= entries.sweep_at {
            entries.map.retain(|_, w| w.strong_count() > 0);
            entries.sweep_at = (entries.map.len() * 2).max(MIN_SWEEP);
        }
        let value = Arc::new(make());
        entries.map.insert(key.clone(), Arc::downgrade(&value));
        value
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_while_held_and_forgets_when_dropped() {
        let registry: WeakRegistry<u32, String> = WeakRegistry::default();
        let a = registry.get_or_insert_with(&1, || "a".into());
        let again = registry.get_or_insert_with(&1, || "other".into());
        assert!(Arc::ptr_eq(&a, &again));
        drop((a, again));
        let fresh = registry.get_or_insert_with(&1, || "new".into());
        assert_eq!(*fresh, "new");
    }

    #[test]
    fn dead_entries_are_swept() {
        let registry: WeakRegistry<u32, u32> = WeakRegistry::default();
        for i in 0..10_000 {
            drop(registry.get_or_insert_with(&i, || i));
        }
        assert!(registry.len() <= 2 * MIN_SWEEP, "{}", registry.len());
    }
}
