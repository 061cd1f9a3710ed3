//! Locking that survives a panicking test.

use std::sync::{Mutex, MutexGuard};

/// Locks a mutex, recovering the data if a previous holder panicked (a panicking test must not
/// poison the tenant for the other tests sharing it).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
