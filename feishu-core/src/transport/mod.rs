//! The transport: one call to an endpoint with a given token (or none), retried within the
//! [`RetryPolicy`]. It knows nothing of credentials: a rejected token is handed back to the
//! caller ([`Attempted::TokenRejected`]), which decides whether a new token helps.

mod attempt;
mod classify;

use std::time::{Duration, Instant};

use secrecy::SecretString;
use serde::de::DeserializeOwned;
use url::Url;

use crate::endpoint::Endpoint;
use crate::error::{ApiError, Error, Result};
use crate::rate_limit::{LimiterRegistry, RateLimits};
use crate::request::Request;
use crate::retry::RetryPolicy;
use crate::telemetry::{ClientEvent, Telemetry};

/// How one attempt ended, when it did not succeed.
pub(crate) enum Failure {
    /// The token was rejected: the caller may refresh it and call again.
    TokenRejected(Box<ApiError>),
    /// Feishu throttled the call: wait for the reset, then retry (it was not processed).
    RateLimited(Error),
    /// Transient: retry after a backoff if the budget allows.
    Retry(Error),
    /// Give up.
    Fatal(Error),
}

/// The result of [`Transport::call`] when it did not fail.
pub(crate) enum Attempted<T> {
    /// The decoded `data`.
    Value(T),
    /// Feishu rejected the token.
    TokenRejected(Box<ApiError>),
}

/// Attempts and time used by one logical call, across token refreshes.
pub(crate) struct CallBudget {
    attempt: u32,
    started: Instant,
}

impl CallBudget {
    pub(crate) fn start() -> Self {
        CallBudget {
            attempt: 0,
            started: Instant::now(),
        }
    }

    /// A token refresh does not use up the retry budget.
    pub(crate) fn refund_attempt(&mut self) {
        self.attempt = self.attempt.saturating_sub(1);
    }
}

/// The HTTP side of a client: connection pool, base URL, timeouts, retries, pacing, counters.
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) limits: RateLimits,
    pub(crate) pacer: LimiterRegistry,
    pub(crate) max_response_bytes: usize,
    pub(crate) telemetry: Telemetry,
}

impl Transport {
    /// One call without a token (the `auth/v3` endpoints).
    pub(crate) async fn send_unauthenticated<T: DeserializeOwned>(
        &self,
        req: &Request,
    ) -> Result<T> {
        match self.call(req, None, &mut CallBudget::start()).await? {
            Attempted::Value(v) => Ok(v),
            // Unreachable by construction (classify only reports rejection for authenticated
            // endpoints), but an error is a better answer than a panic.
            Attempted::TokenRejected(api) => Err(Error::Api(api)),
        }
    }

    /// Sends `req` with `token`, retrying transient failures and rate limits within the
    /// policy. Returns early when the token is rejected.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        req: &Request,
        token: Option<&SecretString>,
        budget: &mut CallBudget,
    ) -> Result<Attempted<T>> {
        let url = req.url(&self.base)?;
        let endpoint = req.endpoint();
        loop {
            budget.attempt += 1;
            tracing::Span::current().record("attempt", budget.attempt);
            let waited = self.pace(endpoint).await;
            self.telemetry.record_request(endpoint.name(), waited);
            let (failure, reset) = match self.attempt(req, &url, token).await {
                Ok(v) => return Ok(Attempted::Value(v)),
                Err(parts) => parts,
            };
            let (error, wait, rate_limited) = match failure {
                Failure::Fatal(e) => return Err(e),
                Failure::TokenRejected(api) => return Ok(Attempted::TokenRejected(api)),
                Failure::RateLimited(e) => {
                    self.telemetry.record_rate_limited(endpoint.name());
                    (e, self.retry.rate_limit_wait(reset, budget.attempt), true)
                }
                Failure::Retry(e) => (e, self.retry.backoff(budget.attempt), false),
            };
            self.wait_or_give_up(endpoint, budget, error, wait, rate_limited)
                .await?;
        }
    }

    /// One attempt: the round trip and the classification of its reply.
    async fn attempt<T: DeserializeOwned>(
        &self,
        req: &Request,
        url: &Url,
        token: Option<&SecretString>,
    ) -> std::result::Result<T, (Failure, Option<Duration>)> {
        let reply = self
            .round_trip(req, url, token)
            .await
            .map_err(|f| (f, None))?;
        let span = tracing::Span::current();
        span.record("status", reply.status);
        if let Some(id) = &reply.log_id {
            span.record("log_id", id.as_str());
        }
        self.classify(req.endpoint(), &reply)
            .map_err(|f| (f, reply.reset))
    }

    /// Sleeps `wait` before the next attempt, or returns `error` when the attempt or time
    /// budget is spent.
    async fn wait_or_give_up(
        &self,
        endpoint: &Endpoint,
        budget: &CallBudget,
        error: Error,
        wait: Duration,
        rate_limited: bool,
    ) -> Result<()> {
        if budget.attempt >= self.retry.max_attempts()
            || budget.started.elapsed().saturating_add(wait) > self.retry.max_elapsed()
        {
            return Err(error);
        }
        self.telemetry.record_retry();
        let name = endpoint.name().to_string();
        self.telemetry.emit(&if rate_limited {
            ClientEvent::RateLimited {
                endpoint: name,
                wait,
            }
        } else {
            ClientEvent::Retrying {
                endpoint: name,
                attempt: budget.attempt,
                wait,
                reason: error.to_string(),
            }
        });
        tracing::debug!(wait_ms = wait.as_millis() as u64, rate_limited, error = %error, "retrying");
        tokio::time::sleep(wait).await;
        Ok(())
    }

    /// Waits for the endpoint family's budget; returns how long it waited.
    async fn pace(&self, endpoint: &Endpoint) -> Duration {
        let limit = self
            .limits
            .effective(endpoint.name(), endpoint.rate_limit());
        if limit.is_unlimited() {
            return Duration::ZERO;
        }
        let started = Instant::now();
        self.pacer
            .acquire(endpoint.name(), limit, self.limits.burst_fraction())
            .await;
        started.elapsed()
    }
}
