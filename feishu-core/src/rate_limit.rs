//! TRANSITIONAL: the limiter interface the request engine in `client.rs` still calls, now a
//! thin layer over [`Budget`](crate::budget::Budget). Delete this file once the transport
//! calls `Budget::acquire`, `Budget::observe_limit_header` and `Budget::on_rate_limited`
//! itself with the client's `BudgetScope` (which also brings sharing between clients, Redis
//! stores and the rescheduling of waiters after a 429, none of which this layer does).

use std::sync::Arc;

use crate::budget::{Budget, BudgetScope, InMemoryBudgetStore};
pub(crate) use crate::budget::{RateLimit, RateLimits};

/// One client's budget, as the pre-budget engine expects it: per client, in memory.
pub(crate) struct LimiterRegistry {
    budget: Budget,
    scope: BudgetScope,
}

impl Default for LimiterRegistry {
    fn default() -> Self {
        LimiterRegistry {
            // `limit` arrives already resolved through the client's `RateLimits`.
            budget: Budget::new(
                Arc::new(InMemoryBudgetStore::new()),
                RateLimits::documented(),
            ),
            scope: BudgetScope::new("transitional:client", "", None),
        }
    }
}

impl LimiterRegistry {
    /// Waits until `endpoint` may send one more request under `limit`.
    pub(crate) async fn acquire(&self, endpoint: &str, limit: RateLimit, _unused: f64) {
        if let Err(e) = self.budget.acquire(&self.scope, endpoint, limit).await {
            // The in-memory store cannot fail; kept for the signature's sake.
            tracing::warn!(endpoint, error = %e, "rate-limit budget failed");
        }
    }
}

impl RateLimits {
    /// TRANSITIONAL: the burst fraction of the former GCRA limiter; the budget sends whole
    /// windows, so this is unused.
    pub(crate) fn burst_fraction(&self) -> f64 {
        1.0
    }
}
