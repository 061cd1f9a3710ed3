//! A description of one Open Platform call, independent of the HTTP library.
//!
//! Module crates build an [`ApiRequest`] and hand it to [`Client::send`](crate::Client::send).
//! It is public so that callers can reach endpoints the SDK does not wrap yet, with the same
//! token handling, retries and rate limiting.

use std::borrow::Cow;
use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use url::Url;

use crate::error::{Error, Result};
use crate::rate_limit::RateLimit;

/// Characters left as they are in a path segment: RFC 3986 unreserved ones.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// HTTP method of an API call. Feishu's read APIs use only these two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST` (searches and queries that take filters in a JSON body).
    Post,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the reply is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReplyShape {
    /// `{code, msg, data}`: `data` is decoded.
    Envelope,
    /// `{code, msg, ...fields}` at the top level (the `auth/v3` endpoints).
    Flat,
}

/// One Open Platform call: method, path, query, body, and how the engine should treat it.
///
/// # Example
/// ```
/// use feishu_core::{ApiRequest, RateLimit};
/// let req = ApiRequest::get("contact.users.get", RateLimit::per_second(50))
///     .path("contact/v3/users")
///     .segment("ou_123")
///     .query("user_id_type", "open_id");
/// assert_eq!(req.endpoint(), "contact.users.get");
/// ```
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub(crate) method: Method,
    pub(crate) endpoint: Cow<'static, str>,
    pub(crate) segments: Vec<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Option<serde_json::Value>,
    pub(crate) rate_limit: RateLimit,
    pub(crate) idempotent: bool,
    pub(crate) authenticated: bool,
    pub(crate) shape: ReplyShape,
    pub(crate) invalid: Option<String>,
}

impl ApiRequest {
    /// A `GET` call. `endpoint` names the endpoint family (used for rate limiting, tracing
    /// and errors); `rate_limit` is Feishu's documented limit for it, which the client's
    /// [`RateLimits`](crate::RateLimits) may override.
    pub fn get(endpoint: impl Into<Cow<'static, str>>, rate_limit: RateLimit) -> Self {
        Self::new(Method::Get, endpoint.into(), rate_limit, true)
    }

    /// A `POST` call that only reads (a search or query): retried like a `GET`.
    pub fn post_read(endpoint: impl Into<Cow<'static, str>>, rate_limit: RateLimit) -> Self {
        Self::new(Method::Post, endpoint.into(), rate_limit, true)
    }

    /// A `POST` call with side effects: retried only when it certainly was not sent.
    pub fn post(endpoint: impl Into<Cow<'static, str>>, rate_limit: RateLimit) -> Self {
        Self::new(Method::Post, endpoint.into(), rate_limit, false)
    }

    fn new(method: Method, endpoint: Cow<'static, str>, rate_limit: RateLimit, idem: bool) -> Self {
        ApiRequest {
            method,
            endpoint,
            segments: vec!["open-apis".to_string()],
            query: Vec::new(),
            body: None,
            rate_limit,
            idempotent: idem,
            authenticated: true,
            shape: ReplyShape::Envelope,
            invalid: None,
        }
    }

    /// Appends fixed path segments, written with `/` between them
    /// (`"approval/v4/instances"`). Do not pass user input here: use [`ApiRequest::segment`].
    pub fn path(mut self, fixed: &str) -> Self {
        for part in fixed.split('/').filter(|p| !p.is_empty()) {
            self = self.segment(part);
        }
        self
    }

    /// Appends one path segment, percent-encoded on its own: `a/b` stays one segment.
    ///
    /// An empty segment, `.` or `..` cannot be sent as one segment (URL normalisation would
    /// change the path), so the call fails with [`Error::InvalidArgument`].
    pub fn segment(mut self, value: impl AsRef<str>) -> Self {
        let value = value.as_ref();
        if value.is_empty() || value == "." || value == ".." {
            self.invalid.get_or_insert_with(|| {
                format!(
                    "path segment {value:?} for {} is not a valid id (empty, \".\" or \"..\")",
                    self.endpoint
                )
            });
        }
        self.segments.push(value.to_string());
        self
    }

    /// Adds a query parameter. Repeating a key sends it repeatedly (`?a=1&a=2`), as
    /// Feishu's array parameters expect.
    pub fn query(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.query.push((key.into(), value.to_string()));
        self
    }

    /// Adds a query parameter when `value` is `Some`.
    pub fn query_opt(self, key: impl Into<String>, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    /// Sets or replaces a query parameter (used by paginators for `page_token`).
    pub fn set_query(mut self, key: &str, value: Option<impl ToString>) -> Self {
        self.query.retain(|(k, _)| k != key);
        if let Some(v) = value {
            self.query.push((key.to_string(), v.to_string()));
        }
        self
    }

    /// Sets the JSON body. A body that cannot be serialised makes the call fail with
    /// [`Error::InvalidArgument`].
    pub fn json(mut self, body: &impl Serialize) -> Self {
        match serde_json::to_value(body) {
            Ok(v) => self.body = Some(v),
            Err(e) => {
                self.invalid
                    .get_or_insert_with(|| format!("request body is not serialisable: {e}"));
            }
        }
        self
    }

    /// The endpoint family name.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The documented rate limit this request was built with.
    pub fn rate_limit(&self) -> RateLimit {
        self.rate_limit
    }

    pub(crate) fn unauthenticated_flat(mut self) -> Self {
        self.authenticated = false;
        self.shape = ReplyShape::Flat;
        self
    }

    /// Builds the full URL on `base`, each segment encoded on its own.
    pub(crate) fn url(&self, base: &Url) -> Result<Url> {
        if let Some(reason) = &self.invalid {
            return Err(Error::InvalidArgument(reason.clone()));
        }
        let mut s = base.as_str().trim_end_matches('/').to_string();
        for seg in &self.segments {
            s.push('/');
            s.extend(utf8_percent_encode(seg, SEGMENT));
        }
        let mut url =
            Url::parse(&s).map_err(|e| Error::InvalidArgument(format!("cannot build URL: {e}")))?;
        if !self.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &self.query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }
}
