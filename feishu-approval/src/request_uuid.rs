//! Fresh idempotency keys for instance creation, in the format Feishu suggests
//! (`XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX`, a random version-4 UUID in upper case).
//!
//! The key only has to be unique, not secret: it is drawn from the thread's `fastrand`
//! generator mixed with the standard library's randomly keyed hasher (seeded from the
//! operating system), so two processes started at the same instant still differ.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

/// A new random UUID, upper case.
pub(crate) fn new_uuid() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let keyed = RandomState::new();
    let hi = fastrand::u64(..) ^ keyed.hash_one(n);
    let lo = fastrand::u64(..) ^ keyed.hash_one(!n);
    // Version 4 (random) and the RFC 4122 variant.
    let hi = (hi & !0xF000) | 0x4000;
    let lo = (lo & !(0b11 << 62)) | (0b10 << 62);
    format!(
        "{:08X}-{:04X}-{:04X}-{:04X}-{:012X}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn uuids_are_well_formed_and_distinct() {
        let all: HashSet<String> = (0..1000).map(|_| new_uuid()).collect();
        assert_eq!(all.len(), 1000);
        for u in &all {
            assert_eq!(u.len(), 36, "{u}");
            let parts: Vec<&str> = u.split('-').collect();
            assert_eq!(
                parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12]
            );
            assert!(parts[2].starts_with('4'), "{u}");
            assert!(matches!(&parts[3][..1], "8" | "9" | "A" | "B"), "{u}");
            assert!(
                u.chars()
                    .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
            );
        }
    }
}
