//! An endpoint is data: its name, method, path template, documented limit, the codes that
//! matter for it, and whether it may be retried. Module crates declare one `const` per
//! endpoint next to its model; the transport reads everything it needs from it.

use std::fmt;

use crate::budget::RateLimit;
use crate::codes::CodeTable;

/// HTTP method of an API call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a call may be repeated after it may have reached the server.
///
/// A read is always safe. A write is retried after a timeout or a reset connection only when
/// repeating it cannot apply it twice: Feishu documents it as idempotent (an update or delete
/// by id), or the request carries an idempotency token (Bitable's `client_token`, Approval's
/// `uuid`). Any call is retried when it certainly never left the client (connection refused)
/// or when Feishu answered "rate limited" (it was not processed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Idempotency {
    /// A read (including `POST` searches and queries): retried freely.
    Read,
    /// A write that Feishu applies at most once however often it is sent (update or delete
    /// by id).
    Idempotent,
    /// A write made idempotent by a token the request carries (`client_token`, `uuid`): the
    /// same token is reused on every retry of one logical call.
    WithToken,
    /// A write that may apply twice: never retried once it may have been sent.
    NotIdempotent,
}

impl Idempotency {
    /// Whether a call that may have reached the server can be sent again.
    pub fn is_retry_safe(self) -> bool {
        !matches!(self, Idempotency::NotIdempotent)
    }
}

/// How the reply is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReplyShape {
    /// `{code, msg, data}`: `data` is decoded (every business API).
    Envelope,
    /// `{code, msg, ...fields}` at the top level (the `auth/v3` endpoints).
    Flat,
}

/// One Open Platform endpoint, declared once as a `const`.
///
/// The path template is relative to `/open-apis/` and names its parameters in braces; a
/// [`Request`](crate::Request) fills them in order, each percent-encoded as one segment.
///
/// # Example
/// ```
/// use feishu_core::{Endpoint, RateLimit};
/// // https://open.feishu.cn/document/server-docs/contact-v3/user/get
/// const GET_USER: Endpoint = Endpoint::get("contact.users.get", "contact/v3/users/{user_id}")
///     .limit(RateLimit::per_minute(1000).and_per_second(50));
/// assert_eq!(GET_USER.params().collect::<Vec<_>>(), ["user_id"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoint {
    name: &'static str,
    method: Method,
    path: &'static str,
    limit: RateLimit,
    codes: CodeTable,
    idempotency: Idempotency,
    authenticated: bool,
    shape: ReplyShape,
}

impl Endpoint {
    const fn new(name: &'static str, method: Method, path: &'static str, i: Idempotency) -> Self {
        Endpoint {
            name,
            method,
            path,
            limit: RateLimit::UNLIMITED,
            codes: CodeTable::new(),
            idempotency: i,
            authenticated: true,
            shape: ReplyShape::Envelope,
        }
    }

    /// A `GET` read.
    pub const fn get(name: &'static str, path: &'static str) -> Self {
        Self::new(name, Method::Get, path, Idempotency::Read)
    }

    /// A `POST` that only reads (a search or a query): retried like a `GET`.
    pub const fn post_read(name: &'static str, path: &'static str) -> Self {
        Self::new(name, Method::Post, path, Idempotency::Read)
    }

    /// A `POST` write; not idempotent unless declared otherwise.
    pub const fn post(name: &'static str, path: &'static str) -> Self {
        Self::new(name, Method::Post, path, Idempotency::NotIdempotent)
    }

    /// A `PUT` write (Feishu's updates by id: idempotent).
    pub const fn put(name: &'static str, path: &'static str) -> Self {
        Self::new(name, Method::Put, path, Idempotency::Idempotent)
    }

    /// A `PATCH` write (idempotent: it sets fields to given values).
    pub const fn patch(name: &'static str, path: &'static str) -> Self {
        Self::new(name, Method::Patch, path, Idempotency::Idempotent)
    }

    /// A `DELETE` by id (idempotent).
    pub const fn delete(name: &'static str, path: &'static str) -> Self {
        Self::new(name, Method::Delete, path, Idempotency::Idempotent)
    }

    /// The documented rate limit (the client's [`RateLimits`](crate::RateLimits) may
    /// override it per family).
    pub const fn limit(mut self, limit: RateLimit) -> Self {
        self.limit = limit;
        self
    }

    /// The module's code table (throttle, transient, permission codes).
    pub const fn codes(mut self, codes: CodeTable) -> Self {
        self.codes = codes;
        self
    }

    /// Overrides the idempotency implied by the method.
    pub const fn idempotency(mut self, idempotency: Idempotency) -> Self {
        self.idempotency = idempotency;
        self
    }

    /// An endpoint called without a token, with a flat reply (the `auth/v3` endpoints).
    pub const fn unauthenticated_flat(mut self) -> Self {
        self.authenticated = false;
        self.shape = ReplyShape::Flat;
        self
    }

    /// The endpoint's name, also its rate-limit family (`bitable.records.search`).
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The HTTP method.
    pub const fn method(&self) -> Method {
        self.method
    }

    /// The path template below `/open-apis/`.
    pub const fn path(&self) -> &'static str {
        self.path
    }

    /// The documented limit.
    pub const fn rate_limit(&self) -> RateLimit {
        self.limit
    }

    /// The code table.
    pub const fn code_table(&self) -> &CodeTable {
        &self.codes
    }

    /// Whether the call may be repeated after it may have reached the server.
    pub const fn idempotency_kind(&self) -> Idempotency {
        self.idempotency
    }

    /// Whether the call carries a tenant token.
    pub const fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// How the reply is shaped.
    pub const fn reply_shape(&self) -> ReplyShape {
        self.shape
    }

    /// The names of the path parameters, in order.
    pub fn params(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .split('/')
            .filter_map(|part| part.strip_prefix('{').and_then(|p| p.strip_suffix('}')))
    }
}
