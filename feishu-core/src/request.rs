//! One call to an [`Endpoint`]: its path arguments, query and body, checked before anything is
//! sent.
//!
//! Module crates build a [`Request`] for each call and hand it to
//! [`Client::send`](crate::Client::send). It is public so that callers can reach endpoints the
//! SDK does not wrap yet, with the same token handling, retries and rate limiting.

use std::borrow::Cow;
use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use url::Url;

use crate::endpoint::Endpoint;
use crate::error::{Error, Result};

/// Characters left as they are in a path segment: RFC 3986 unreserved ones.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// One call: an [`Endpoint`] with its path arguments filled in, query parameters and an
/// optional JSON body.
///
/// Every bad argument is reported here, as [`Error::InvalidArgument`] naming it, before any
/// request is sent: a path argument that is empty, `.` or `..` (URL normalisation would change
/// the path), a wrong number of path arguments, a body that does not serialise.
///
/// # Example
/// ```
/// use feishu_core::{Endpoint, Request};
/// const GET_USER: Endpoint = Endpoint::get("contact.users.get", "contact/v3/users/{user_id}");
/// let req = Request::new(GET_USER, &["ou_1/../x"])?.query("user_id_type", "open_id");
/// assert_eq!(req.path(), "open-apis/contact/v3/users/ou_1%2F..%2Fx");
/// assert!(Request::new(GET_USER, &[".."]).is_err());
/// # Ok::<(), feishu_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Request {
    endpoint: Endpoint,
    path: String,
    query: Vec<(Cow<'static, str>, String)>,
    body: Option<Vec<u8>>,
}

impl fmt::Debug for Request {
    // The body is left out: it may hold a secret (the auth endpoints) or a tenant's data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("endpoint", &self.endpoint.name())
            .field("method", &self.endpoint.method())
            .field("path", &self.path)
            .field("query", &self.query)
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

impl Request {
    /// A call to `endpoint` with its path parameters, in the template's order.
    pub fn new(endpoint: Endpoint, args: &[&str]) -> Result<Self> {
        if args.len() != endpoint.params().count() {
            return Err(arity(&endpoint, args.len()));
        }
        let mut path = String::from("open-apis");
        let mut args = args.iter();
        for part in endpoint.path().split('/').filter(|p| !p.is_empty()) {
            path.push('/');
            let param = part.strip_prefix('{').and_then(|p| p.strip_suffix('}'));
            match (param, param.and_then(|_| args.next())) {
                (Some(param), Some(value)) => {
                    check_segment(param, value)?;
                    path.extend(utf8_percent_encode(value, SEGMENT));
                }
                _ => path.push_str(part),
            }
        }
        Ok(Request {
            endpoint,
            path,
            query: Vec::new(),
            body: None,
        })
    }

    /// Adds a query parameter. Repeating a key sends it repeatedly (`?a=1&a=2`), as Feishu's
    /// array parameters expect.
    pub fn query(mut self, key: impl Into<Cow<'static, str>>, value: impl ToString) -> Self {
        self.query.push((key.into(), value.to_string()));
        self
    }

    /// Adds a query parameter when `value` is `Some`.
    pub fn query_opt(
        self,
        key: impl Into<Cow<'static, str>>,
        value: Option<impl ToString>,
    ) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    /// Adds the key once per value.
    pub fn query_each<I>(mut self, key: &'static str, values: I) -> Self
    where
        I: IntoIterator,
        I::Item: ToString,
    {
        for v in values {
            self.query.push((Cow::Borrowed(key), v.to_string()));
        }
        self
    }

    /// Sets the JSON body, serialised once here.
    pub fn json(mut self, body: &impl Serialize) -> Result<Self> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::invalid_argument("body", format!("the request body does not serialise: {e}"))
        })?;
        self.body = Some(bytes);
        Ok(self)
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The encoded path, `open-apis/...`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query parameters, in order.
    pub fn query_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query.iter().map(|(k, v)| (k.as_ref(), v.as_str()))
    }

    pub(crate) fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// The full URL on `base`.
    pub(crate) fn url(&self, base: &Url) -> Result<Url> {
        let mut s = String::with_capacity(base.as_str().len() + self.path.len() + 1);
        s.push_str(base.as_str().trim_end_matches('/'));
        s.push('/');
        s.push_str(&self.path);
        let mut url = Url::parse(&s)
            .map_err(|e| Error::invalid_argument("path", format!("cannot build the URL: {e}")))?;
        if !self.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &self.query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }
}

fn check_segment(param: &'static str, value: &str) -> Result<()> {
    if value.is_empty() || value == "." || value == ".." {
        return Err(Error::invalid_argument(
            param,
            format!("{value:?} cannot be sent as a path segment (empty, \".\" or \"..\")"),
        ));
    }
    Ok(())
}

fn arity(endpoint: &Endpoint, given: usize) -> Error {
    Error::invalid_argument(
        "path",
        format!(
            "{} takes {} path argument(s) ({}), {given} given",
            endpoint.name(),
            endpoint.params().count(),
            endpoint.params().collect::<Vec<_>>().join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const EP: Endpoint = Endpoint::get("t.two", "x/v1/{a}/y/{b}");

    #[test]
    fn fills_parameters_in_order_each_as_one_segment() {
        let r = Request::new(EP, &["a b", "ü/%"]).unwrap();
        assert_eq!(r.path(), "open-apis/x/v1/a%20b/y/%C3%BC%2F%25");
        let url = r.url(&Url::parse("http://127.0.0.1:1/").unwrap()).unwrap();
        assert_eq!(url.path(), "/open-apis/x/v1/a%20b/y/%C3%BC%2F%25");
    }

    #[test]
    fn bad_arguments_name_the_parameter() {
        for bad in ["", ".", ".."] {
            let err = Request::new(EP, &["ok", bad]).unwrap_err();
            match &err {
                Error::InvalidArgument(a) => assert_eq!(a.argument(), "b"),
                other => panic!("{other:?}"),
            }
        }
        assert!(Request::new(EP, &["only-one"]).is_err());
        assert!(Request::new(EP, &["a", "b", "c"]).is_err());
    }
}
