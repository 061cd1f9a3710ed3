//! How `GET /open-apis/approval/v4/instances` reads its window and orders its codes: the two
//! things its documentation leaves open
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/list>
//! says only "instances created in the interval", sorted by nothing in particular).

use crate::paging::fingerprint;
use crate::rng::mix;

/// Whether an instance created exactly at `end_time` is in the listing window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WindowEnd {
    /// `[start_time, end_time]`: an instance created at `end_time` is listed (the default).
    #[default]
    Inclusive,
    /// `[start_time, end_time)`: an instance created at `end_time` is not listed.
    Exclusive,
}

/// The listing rules of one tenant; they survive dataset changes.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ListingRules {
    /// How `end_time` is read.
    pub(super) end: WindowEnd,
    /// Codes inside a window come in an order drawn from this seed instead of creation order.
    pub(super) shuffle_seed: Option<u64>,
}

impl ListingRules {
    /// Whether an instance created at `created` is in `[from, to]` / `[from, to)`.
    pub(super) fn contains(&self, from: i64, to: i64, created: i64) -> bool {
        match self.end {
            WindowEnd::Inclusive => (from..=to).contains(&created),
            WindowEnd::Exclusive => (from..to).contains(&created),
        }
    }

    /// Puts the codes of one window in listing order: creation order unless shuffled. The
    /// order depends only on the seed and the codes, so every page of a window agrees.
    pub(super) fn order(&self, codes: &mut [String]) {
        if let Some(seed) = self.shuffle_seed {
            codes.sort_by_cached_key(|code| mix(seed ^ fingerprint(&[code])));
        }
    }
}
