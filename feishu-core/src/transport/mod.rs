//! The transport: one call to an endpoint with a given token (or none), retried within the
//! [`RetryPolicy`]. It knows nothing of credentials: a rejected token is handed back to the
//! caller ([`Attempted::TokenRejected`]), which decides whether a new token helps.

mod attempt;
mod classify;

use std::time::{Duration, Instant};

use secrecy::SecretString;
use serde::de::DeserializeOwned;
use url::Url;

use crate::budget::{Budget, BudgetScope};
use crate::endpoint::Endpoint;
use crate::error::{ApiError, Error, Result};
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
    pub(crate) budget: Budget,
    /// Whose budget the calls spend: Feishu counts per API x app x tenant.
    pub(crate) scope: BudgetScope,
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
        call: &mut CallBudget,
    ) -> Result<Attempted<T>> {
        let url = req.url(&self.base)?;
        let endpoint = req.endpoint();
        loop {
            call.attempt += 1;
            tracing::Span::current().record("attempt", call.attempt);
            let waited = self
                .budget
                .acquire(&self.scope, endpoint.name(), endpoint.rate_limit())
                .await?;
            self.telemetry.record_request(endpoint.name(), waited);
            let (failure, reset) = match self.attempt(req, &url, token).await {
                Ok(v) => return Ok(Attempted::Value(v)),
                Err(parts) => parts,
            };
            match failure {
                Failure::Fatal(e) => return Err(e),
                Failure::TokenRejected(api) => return Ok(Attempted::TokenRejected(api)),
                Failure::RateLimited(e) => {
                    self.telemetry.record_rate_limited(endpoint.name());
                    // The budget holds the family until the reset and reschedules every
                    // waiter onto the window's rate; the next acquire does the waiting.
                    let wait = self.retry.rate_limit_wait(reset, call.attempt);
                    self.give_up_or_count(endpoint, call, &e, wait, true)?;
                    self.budget
                        .on_rate_limited(&self.scope, endpoint.name(), Some(wait))
                        .await?;
                }
                Failure::Retry(e) => {
                    let wait = self.retry.backoff(call.attempt);
                    self.give_up_or_count(endpoint, call, &e, wait, false)?;
                    tokio::time::sleep(wait).await;
                }
            }
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
        if let Some(limit) = &reply.limit {
            self.budget
                .observe_limit_header(&self.scope, req.endpoint().name(), limit);
        }
        let span = tracing::Span::current();
        span.record("status", reply.status);
        if let Some(id) = &reply.log_id {
            span.record("log_id", id.as_str());
        }
        self.classify(req.endpoint(), &reply)
            .map_err(|f| (f, reply.reset))
    }

    /// Returns `error` when the attempt or time budget cannot cover another attempt after
    /// `wait`; otherwise counts and reports the retry.
    fn give_up_or_count(
        &self,
        endpoint: &Endpoint,
        call: &CallBudget,
        error: &Error,
        wait: Duration,
        rate_limited: bool,
    ) -> Result<()> {
        if call.attempt >= self.retry.max_attempts()
            || call.started.elapsed().saturating_add(wait) > self.retry.max_elapsed()
        {
            return Err(error.clone());
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
                attempt: call.attempt,
                wait,
                reason: error.to_string(),
            }
        });
        tracing::debug!(wait_ms = wait.as_millis() as u64, rate_limited, error = %error, "retrying");
        Ok(())
    }
}
