//! The client handle: the transport and the token provider composed, and the one rule that
//! needs both (a rejected token is refreshed and the call repeated).

use std::fmt;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::auth::TokenProvider;
use crate::credentials::AppTicketEvent;
use crate::domain::Domain;
use crate::error::{ApiError, AuthError, Error, Result};
use crate::page::Page;
use crate::request::Request;
use crate::telemetry::ClientStats;
use crate::transport::{Attempted, CallBudget, Transport};

/// Most token refreshes one call may trigger (each for a different rejected token).
const MAX_TOKEN_REFRESHES: usize = 3;

/// A Feishu / Lark Open Platform client.
///
/// # Example
/// ```no_run
/// use feishu_core::{Client, Credentials, Domain};
/// # async fn sample() -> feishu_core::Result<()> {
/// let client = Client::builder()
///     .domain(Domain::Feishu)
///     .credentials(Credentials::self_built("cli_a1b2c3", "app-secret"))
///     .build()?;
/// let token = client.tenant_access_token().await?;
/// # let _ = token; Ok(()) }
/// ```
///
/// # Configuration
/// [`ClientBuilder`](crate::ClientBuilder) sets the domain, credentials, timeouts (connect 10 s, per request 60 s by
/// default, token endpoints included), the [`RetryPolicy`](crate::RetryPolicy), the
/// client-side [`RateLimits`](crate::RateLimits), the user agent, a shared
/// [`TokenStore`](crate::TokenStore), or a caller-built HTTP client.
///
/// # Pooling and Cloning
/// `Client` is a handle around an `Arc`: clones share the connection pool, the token cache,
/// the rate limiters and the counters. Build one per app and tenant, clone it freely.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    domain: Domain,
    transport: Transport,
    tokens: TokenProvider,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("domain", &self.inner.domain)
            .field("credentials", self.inner.tokens.credentials())
            .field("timeout", &self.inner.transport.timeout)
            .field("retry", &self.inner.transport.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub(crate) fn from_parts(domain: Domain, transport: Transport, tokens: TokenProvider) -> Self {
        Client {
            inner: Arc::new(ClientInner {
                domain,
                transport,
                tokens,
            }),
        }
    }

    /// The domain this client talks to.
    pub fn domain(&self) -> &Domain {
        &self.inner.domain
    }

    /// The credentials' mode (`self_built`, `store_app`, ...).
    pub fn credentials_mode(&self) -> &'static str {
        self.inner.tokens.credentials().mode()
    }

    /// Sends one call and decodes its `data` into `T`.
    ///
    /// This is what every typed method of the module crates calls. It gets a tenant token
    /// (cached, single flight), waits for the endpoint family's rate-limit budget, sends,
    /// decodes the `{code, msg, data}` envelope (success is decided on `code`), refreshes a
    /// rejected token once, honours rate-limit replies and retries transient failures of calls
    /// that are safe to repeat, within the [`RetryPolicy`](crate::RetryPolicy).
    ///
    /// # Example
    /// ```no_run
    /// use feishu_core::{Client, Endpoint, RateLimit, Request};
    /// // https://open.feishu.cn/document/server-docs/contact-v3/scope/list
    /// const SCOPES: Endpoint = Endpoint::get("contact.scopes", "contact/v3/scopes")
    ///     .limit(RateLimit::per_minute(1000).and_per_second(50));
    /// # async fn sample(client: &Client) -> feishu_core::Result<()> {
    /// let data: serde_json::Value = client.send(Request::new(SCOPES, &[])?).await?;
    /// # let _ = data; Ok(()) }
    /// ```
    pub async fn send<T: DeserializeOwned>(&self, request: Request) -> Result<T> {
        let endpoint = request.endpoint();
        let span = tracing::debug_span!(
            "feishu.request",
            endpoint = endpoint.name(),
            method = %endpoint.method(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            code = tracing::field::Empty,
            log_id = tracing::field::Empty,
        );
        let result = self.run(&request).instrument(span).await;
        if let Err(e) = &result {
            self.inner.transport.telemetry.record_failure();
            tracing::debug!(endpoint = endpoint.name(), error = %e, "call failed");
        }
        result
    }

    /// Sends one call of a listing whose `data` is Feishu's usual page
    /// (`{items, has_more, page_token, total}`) and returns the [`Page`].
    pub async fn send_page<T: DeserializeOwned>(&self, request: Request) -> Result<Page<T>> {
        self.send::<crate::page::WirePage<T>>(request)
            .await
            .map(crate::page::WirePage::into_page)
    }

    async fn run<T: DeserializeOwned>(&self, request: &Request) -> Result<T> {
        let ClientInner {
            transport, tokens, ..
        } = &*self.inner;
        if !request.endpoint().is_authenticated() {
            return transport.send_unauthenticated(request).await;
        }
        let mut call = CallBudget::start();
        // Tokens rejected during this call. The same token rejected twice means refreshing
        // does not help ("stays rejected"); a new token rejected again (it was revoked under
        // us) earns another refresh, up to MAX_TOKEN_REFRESHES.
        let mut rejected: Vec<SecretString> = Vec::new();
        loop {
            let token = tokens.tenant_token(transport).await?;
            let api = match transport.call(request, Some(&token), &mut call).await? {
                Attempted::Value(v) => return Ok(v),
                Attempted::TokenRejected(api) => api,
            };
            let seen_before = rejected
                .iter()
                .any(|r| r.expose_secret() == token.expose_secret());
            let can_refresh = !seen_before
                && rejected.len() < MAX_TOKEN_REFRESHES
                && tokens.reject_tenant_token(&token, api.code()).await?;
            if !can_refresh {
                return Err(stays_rejected(request, &api, rejected.is_empty()));
            }
            tracing::debug!(code = api.code(), "token rejected; refreshing");
            rejected.push(token);
            call.refund_attempt();
        }
    }

    /// A currently valid tenant access token (for calling an API the SDK does not cover with
    /// another HTTP library). Prefer [`Client::send`], which also refreshes rejected tokens.
    pub async fn tenant_access_token(&self) -> Result<SecretString> {
        self.inner.tokens.tenant_token(&self.inner.transport).await
    }

    /// Hands the store app a new `app_ticket` (from the `app_ticket` event).
    pub fn set_app_ticket(&self, ticket: impl Into<String>) {
        self.inner
            .tokens
            .set_ticket(SecretString::from(ticket.into()));
    }

    /// Parses an `app_ticket` event body as Feishu pushes it to the app's event endpoint and
    /// hands its ticket to the client. The event's `app_id` must match the credentials'.
    ///
    /// # Example
    /// ```no_run
    /// # fn sample(client: &feishu_core::Client, body: &[u8]) -> feishu_core::Result<()> {
    /// // in the HTTP handler of the app's event subscription URL:
    /// client.handle_app_ticket_event(body)?;
    /// # Ok(()) }
    /// ```
    pub fn handle_app_ticket_event(&self, body: &[u8]) -> Result<()> {
        let event = AppTicketEvent::from_json(body)?;
        if let Some(app_id) = self.inner.tokens.credentials().app_id()
            && app_id != event.app_id()
        {
            return Err(Error::invalid_argument(
                "app_ticket event",
                format!(
                    "the event is for app {:?}, this client is for {app_id:?}",
                    event.app_id()
                ),
            ));
        }
        self.inner.tokens.set_ticket(event.ticket().clone());
        Ok(())
    }

    /// What this client (and its clones) did so far.
    pub fn stats(&self) -> ClientStats {
        self.inner.transport.telemetry.snapshot()
    }
}

fn stays_rejected(request: &Request, api: &ApiError, first: bool) -> Error {
    let why = if first {
        "Feishu rejected the token and these credentials cannot refresh it"
    } else {
        "Feishu rejected a freshly fetched token too"
    };
    Error::Auth(Box::new(
        AuthError::new(format!("{why} (calling {})", request.endpoint().name()))
            .with_code(api.code(), api.msg())
            .with_log_id(api.log_id().map(str::to_string)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credentials;
    use crate::endpoint::Endpoint;

    #[test]
    fn futures_are_send_and_client_is_shareable() {
        fn shareable<T: Send + Sync + Clone + 'static>() {}
        fn assert_send<T: Send>(_: &T) {}
        shareable::<Client>();
        let client = Client::builder()
            .credentials(Credentials::self_built("cli_x", "secret"))
            .build()
            .unwrap();
        const X: Endpoint = Endpoint::get("x", "x");
        let fut = client.send::<serde_json::Value>(Request::new(X, &[]).unwrap());
        assert_send(&fut);
    }
}
