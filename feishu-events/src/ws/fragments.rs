//! Reassembly of messages the server split over several data frames (headers `message_id`,
//! `sum`, `seq`; oapi-sdk-go `ws/client.go` `combine`, node-sdk `ws-client/data-cache.ts`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long an incomplete message is kept (the official SDKs keep 5 s and 10 s).
const PARTIAL_TTL: Duration = Duration::from_secs(10);
/// Most fragments one message may declare.
const MAX_FRAGMENTS: u32 = 1024;
/// Most bytes one reassembled message may have.
const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// Why a fragment was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FragmentError {
    /// `seq` is not below `sum`, or `sum` is absurd.
    BadIndex { sum: u32, seq: u32 },
    /// The message would exceed [`MAX_MESSAGE_BYTES`].
    TooLarge,
}

#[derive(Debug)]
struct Partial {
    parts: Vec<Option<Vec<u8>>>,
    bytes: usize,
    started: Instant,
}

/// Incomplete messages by message id.
#[derive(Debug, Default)]
pub(crate) struct Fragments {
    partial: HashMap<String, Partial>,
}

impl Fragments {
    /// Adds one fragment; returns the whole payload once every fragment arrived.
    pub(crate) fn push(
        &mut self,
        message_id: &str,
        sum: u32,
        seq: u32,
        payload: Vec<u8>,
    ) -> Result<Option<Vec<u8>>, FragmentError> {
        let sum = sum.max(1);
        if sum == 1 && seq == 0 {
            return Ok(Some(payload));
        }
        if seq >= sum || sum > MAX_FRAGMENTS {
            return Err(FragmentError::BadIndex { sum, seq });
        }
        let now = Instant::now();
        self.partial
            .retain(|_, p| now.saturating_duration_since(p.started) < PARTIAL_TTL);
        let entry = self
            .partial
            .entry(message_id.to_owned())
            .or_insert_with(|| Partial {
                parts: vec![None; sum as usize],
                bytes: 0,
                started: now,
            });
        if entry.parts.len() != sum as usize {
            *entry = Partial {
                parts: vec![None; sum as usize],
                bytes: 0,
                started: now,
            };
        }
        let slot = &mut entry.parts[seq as usize];
        let old = slot.as_ref().map_or(0, Vec::len);
        let bytes = entry.bytes - old + payload.len();
        if bytes > MAX_MESSAGE_BYTES {
            self.partial.remove(message_id);
            return Err(FragmentError::TooLarge);
        }
        *slot = Some(payload);
        entry.bytes = bytes;
        if entry.parts.iter().any(Option::is_none) {
            return Ok(None);
        }
        let Some(done) = self.partial.remove(message_id) else {
            return Ok(None);
        };
        let mut whole = Vec::with_capacity(done.bytes);
        for part in done.parts.into_iter().flatten() {
            whole.extend_from_slice(&part);
        }
        Ok(Some(whole))
    }

    /// Number of incomplete messages held.
    #[cfg(test)]
    pub(crate) fn pending(&self) -> usize {
        self.partial.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_message_passes_through() {
        let mut f = Fragments::default();
        assert_eq!(
            f.push("m", 1, 0, b"abc".to_vec()),
            Ok(Some(b"abc".to_vec()))
        );
        assert_eq!(f.push("m", 0, 0, b"x".to_vec()), Ok(Some(b"x".to_vec())));
    }

    #[test]
    fn fragments_combine_in_seq_order_whatever_the_arrival_order() {
        let mut f = Fragments::default();
        assert_eq!(f.push("m", 3, 2, b"c".to_vec()), Ok(None));
        assert_eq!(f.push("m", 3, 0, b"a".to_vec()), Ok(None));
        assert_eq!(f.push("m", 3, 0, b"a".to_vec()), Ok(None));
        assert_eq!(f.push("m", 3, 1, b"b".to_vec()), Ok(Some(b"abc".to_vec())));
        assert_eq!(f.pending(), 0);
    }

    #[test]
    fn bad_indexes_are_refused_not_panicking() {
        let mut f = Fragments::default();
        assert!(f.push("m", 2, 2, vec![]).is_err());
        assert!(f.push("m", u32::MAX, 1, vec![]).is_err());
        assert_eq!(f.push("m", 2, 0, b"a".to_vec()), Ok(None));
        // the sum changes mid-message: start over
        assert_eq!(f.push("m", 3, 0, b"a".to_vec()), Ok(None));
        assert_eq!(f.pending(), 1);
    }
}
