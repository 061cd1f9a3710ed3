//! Fetching many instances concurrently, in order.

use futures::stream::{Stream, StreamExt};

use feishu_core::{Client, Result, UserIdType};

use crate::detail::{InstanceDetail, InstanceParams};

/// Default number of instance GETs in flight.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Fetches instance details for a stream of codes; from [`crate::Approval::fetch_instances`].
///
/// At most `concurrency` requests are in flight; results come out in input order
/// (`buffered`); the client's rate limiter for `approval.instances.get` (1000/min & 50/s)
/// paces them. Each code is fetched once. A failed code (or an `Err` in the input) yields an
/// `Err` in its place and the stream goes on, so a caller can skip e.g. instances deleted
/// since they were listed (code 1390003) or stop with `try_collect`.
#[derive(Debug, Clone)]
#[must_use]
pub struct FetchInstances {
    client: Client,
    concurrency: usize,
    params: InstanceParams,
}

impl FetchInstances {
    pub(crate) fn new(client: Client) -> Self {
        FetchInstances {
            client,
            concurrency: DEFAULT_CONCURRENCY,
            params: InstanceParams::default(),
        }
    }

    /// Requests in flight (0 is treated as 1). Default [`DEFAULT_CONCURRENCY`].
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// `locale` of every GET.
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.params.locale = Some(locale.into());
        self
    }

    /// `user_id_type` of every GET.
    pub fn user_id_type(mut self, user_id_type: UserIdType) -> Self {
        self.params.user_id_type = Some(user_id_type);
        self
    }

    /// The details of `codes`, in the same order.
    pub fn stream<S>(self, codes: S) -> impl Stream<Item = Result<InstanceDetail>> + Send + 'static
    where
        S: Stream<Item = Result<String>> + Send + 'static,
    {
        let FetchInstances {
            client,
            concurrency,
            params,
        } = self;
        codes
            .map(move |code| {
                let client = client.clone();
                let request = code.and_then(|c| params.request(&c));
                async move { client.send::<InstanceDetail>(request?).await }
            })
            .buffered(concurrency)
    }
}
