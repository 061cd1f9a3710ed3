//! Many instances fetched concurrently, in order, each one on its own.

use std::fmt;

use futures::stream::{BoxStream, Stream, StreamExt};

use feishu_core::internal::stop_after_error;
use feishu_core::{Client, Error, Result, UserIdType};

use crate::codes::concerns_one_instance;
use crate::detail::{InstanceDetail, InstanceParams};
use crate::ids::InstanceCode;

/// Default number of instance GETs in flight.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// What became of one instance of a batch.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum InstanceOutcome {
    /// The instance, read as far as it could be (see [`InstanceDetail::problems`]); boxed,
    /// as it is much larger than the other outcomes.
    Fetched(Box<InstanceDetail>),
    /// This instance could not be fetched for a reason of its own, and the batch went on:
    /// it was deleted after it was listed (code 1390003), the app may not read it (1390009),
    /// or its code is not a usable id.
    Unavailable {
        /// The code it was asked for by.
        code: InstanceCode,
        /// Why.
        error: Error,
    },
}

impl InstanceOutcome {
    /// The code of the instance.
    pub fn code(&self) -> &InstanceCode {
        match self {
            InstanceOutcome::Fetched(detail) => detail.code(),
            InstanceOutcome::Unavailable { code, .. } => code,
        }
    }

    /// The fetched instance, or the error that kept it away.
    pub fn into_result(self) -> Result<InstanceDetail> {
        match self {
            InstanceOutcome::Fetched(detail) => Ok(*detail),
            InstanceOutcome::Unavailable { error, .. } => Err(error),
        }
    }
}

/// Fetches the details of a stream of instance codes; from
/// [`crate::Approval::batch_get_instances`].
///
/// At most [`concurrency`](Self::concurrency) GETs are in flight; outcomes come out in input
/// order, one per code, paced by the client's rate limiter for `approval.instances.get`
/// (1000/min and 50/s). The codes are pulled lazily, so a listing feeding the batch and the
/// fetches overlap.
///
/// The stream separates two kinds of failure. An instance that cannot be fetched for a reason
/// of its own becomes an [`InstanceOutcome::Unavailable`] in its place and the batch goes on.
/// Anything that would fail every instance alike (authentication, a scope the app lacks,
/// exhausted rate-limit retries, an unusable reply), or an `Err` in the input, is yielded as
/// an `Err` and ends the stream.
///
/// # Example
/// ```no_run
/// use futures::TryStreamExt;
/// use feishu_approval::{Approval, InstanceOutcome, ListRequest};
/// use feishu_core::TimeRange;
/// # async fn sample(approval: Approval, created: TimeRange) -> feishu_core::Result<()> {
/// let codes = approval
///     .list_instance_codes("3B68E280-CF10-4198-B4CD-2E3BB97981D8", created)
///     .into_stream();
/// let mut outcomes = approval.batch_get_instances(codes).concurrency(16).into_stream();
/// while let Some(outcome) = outcomes.try_next().await? {
///     match outcome {
///         InstanceOutcome::Fetched(detail) => println!("{}", detail.code()),
///         InstanceOutcome::Unavailable { code, error } => eprintln!("{code}: {error}"),
///         _ => {}
///     }
/// }
/// # Ok(()) }
/// ```
#[must_use]
pub struct BatchGetInstances {
    client: Client,
    codes: BoxStream<'static, Result<InstanceCode>>,
    concurrency: usize,
    params: InstanceParams,
}

impl fmt::Debug for BatchGetInstances {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchGetInstances")
            .field("concurrency", &self.concurrency)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl BatchGetInstances {
    pub(crate) fn new<S, C>(client: Client, codes: S) -> Self
    where
        S: Stream<Item = Result<C>> + Send + 'static,
        C: Into<InstanceCode>,
    {
        BatchGetInstances {
            client,
            codes: codes.map(|code| code.map(Into::into)).boxed(),
            concurrency: DEFAULT_CONCURRENCY,
            params: InstanceParams::default(),
        }
    }

    /// GETs in flight (0 is treated as 1). Default [`DEFAULT_CONCURRENCY`].
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

    /// One outcome per code, in input order; ends after the first `Err`.
    pub fn into_stream(self) -> BoxStream<'static, Result<InstanceOutcome>> {
        let BatchGetInstances {
            client,
            codes,
            concurrency,
            params,
        } = self;
        let outcomes = codes
            .map(move |code| {
                let client = client.clone();
                let params = params.clone();
                async move { fetch_one(&client, &params, code?).await }
            })
            .buffered(concurrency);
        stop_after_error(outcomes).boxed()
    }
}

async fn fetch_one(
    client: &Client,
    params: &InstanceParams,
    code: InstanceCode,
) -> Result<InstanceOutcome> {
    match params.fetch(client, &code).await {
        Ok(detail) => Ok(InstanceOutcome::Fetched(Box::new(detail))),
        Err(error) if concerns_one_instance(&error) => {
            tracing::debug!(%code, %error, "instance unavailable; the batch goes on");
            Ok(InstanceOutcome::Unavailable { code, error })
        }
        Err(error) => Err(error),
    }
}
