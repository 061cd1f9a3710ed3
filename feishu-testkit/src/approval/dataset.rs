//! How the approval dataset is generated.

use super::catalog::{DAY_MS, DEFAULT_APPROVAL_SEED, HOUR_MS};

/// How the approval dataset is generated. Start from [`ApprovalDataset::default`] (a few
/// hundred instances over three days) or [`ApprovalDataset::dense`] (more than 100
/// instances per 10-hour slice) and adjust with the setters.
///
/// # Example
/// ```
/// use feishu_testkit::approval::ApprovalDataset;
/// let spec = ApprovalDataset::default().now_ms(1_735_689_600_000).span_hours(24).instances(500, 20);
/// assert_eq!(spec.purchase_instances, 500);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApprovalDataset {
    /// Seed of every generated value (codes, users, statuses, forms, times).
    pub seed: u64,
    /// The dataset's "now" in Unix ms; `None` = wall clock when the dataset is built.
    /// Instances are created within `[now - span, now)`.
    pub now_ms: Option<i64>,
    /// How far back instances reach, in ms. Default 3 days.
    pub span_ms: i64,
    /// Number of [`APPROVAL_CODE_PURCHASE`](crate::approval::APPROVAL_CODE_PURCHASE) instances. Default 240.
    pub purchase_instances: usize,
    /// Number of [`APPROVAL_CODE_LEAVE`](crate::approval::APPROVAL_CODE_LEAVE) instances. Default 120.
    pub leave_instances: usize,
    /// Whether list windows over 10 hours are refused (1390001). Default `true`.
    pub enforce_window: bool,
}

impl Default for ApprovalDataset {
    fn default() -> Self {
        ApprovalDataset {
            seed: DEFAULT_APPROVAL_SEED,
            now_ms: None,
            span_ms: 3 * DAY_MS,
            purchase_instances: 240,
            leave_instances: 120,
            enforce_window: true,
        }
    }
}

impl ApprovalDataset {
    /// 600 purchase instances over 24 hours (about 250 per 10-hour slice, so listing pages
    /// inside a slice) and 40 leave instances, ending at `now_ms`.
    pub fn dense(now_ms: i64) -> Self {
        ApprovalDataset::default()
            .now_ms(now_ms)
            .span_hours(24)
            .instances(600, 40)
    }

    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Fixes the dataset's "now" (Unix ms).
    pub fn now_ms(mut self, now_ms: i64) -> Self {
        self.now_ms = Some(now_ms);
        self
    }

    /// Sets how many hours back instances reach.
    pub fn span_hours(mut self, hours: i64) -> Self {
        self.span_ms = hours.max(0) * HOUR_MS;
        self
    }

    /// Sets the instance counts of the purchase and leave approvals.
    pub fn instances(mut self, purchase: usize, leave: usize) -> Self {
        self.purchase_instances = purchase;
        self.leave_instances = leave;
        self
    }

    /// Whether list windows over 10 hours are refused.
    pub fn enforce_window(mut self, enforce: bool) -> Self {
        self.enforce_window = enforce;
        self
    }
}
