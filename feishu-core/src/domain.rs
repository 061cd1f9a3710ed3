//! Which Open Platform host a client talks to.

use std::fmt;
use std::net::IpAddr;

use url::Url;

use crate::error::{Error, Result};

/// The Open Platform host of a tenant.
///
/// A Feishu app's tokens are meant for `open.feishu.cn`, a Lark app's for
/// `open.larksuite.com`; pick the one where the app was created.
///
/// # Example
/// ```
/// use feishu_core::Domain;
/// assert_eq!(Domain::Feishu.base_url().as_str(), "https://open.feishu.cn/");
/// let local = Domain::custom("http://127.0.0.1:8080").unwrap();
/// assert_eq!(local.base_url().port(), Some(8080));
/// assert!(Domain::custom("http://example.com").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Domain {
    /// Feishu (China): `https://open.feishu.cn`.
    Feishu,
    /// Lark (international): `https://open.larksuite.com`.
    Lark,
    /// Any other base URL, e.g. a proxy or a fake tenant on loopback.
    Custom(Url),
}

impl Domain {
    /// A custom base URL. `https` is accepted for any host; plain `http` only for loopback
    /// hosts (`127.0.0.0/8`, `::1`, `localhost`), so a token can never travel in clear text
    /// over a network. User info (`https://user:password@host`) is refused, and the error
    /// does not repeat it.
    pub fn custom(base_url: &str) -> Result<Self> {
        // Before anything that quotes the URL: a password must not reach an error message.
        if has_user_info(base_url) {
            return Err(user_info_error());
        }
        let url = Url::parse(base_url)
            .map_err(|e| Error::Config(format!("base URL {base_url:?} is not a URL: {e}")))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(user_info_error());
        }
        match url.scheme() {
            "https" => {}
            "http" => {
                if !is_loopback(&url) {
                    return Err(Error::Config(format!(
                        "base URL {base_url:?} uses plain http to a non-loopback host; \
                         use https (plain http is only allowed for 127.0.0.1, ::1 and localhost)"
                    )));
                }
            }
            other => {
                return Err(Error::Config(format!(
                    "base URL {base_url:?} has scheme {other:?}; expected https"
                )));
            }
        }
        if url.host().is_none() {
            return Err(Error::Config(format!("base URL {base_url:?} has no host")));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::Config(format!(
                "base URL {base_url:?} must not carry a query or fragment"
            )));
        }
        Ok(Domain::Custom(url))
    }

    /// Parses `"feishu"`, `"lark"` or a base URL (as the sync config spells it).
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "feishu" => Ok(Domain::Feishu),
            "lark" | "larksuite" => Ok(Domain::Lark),
            _ => Domain::custom(s.trim()),
        }
    }

    /// The base URL every `/open-apis/...` path is appended to.
    pub fn base_url(&self) -> Url {
        match self {
            Domain::Feishu => Url::parse("https://open.feishu.cn/").expect("static URL"),
            Domain::Lark => Url::parse("https://open.larksuite.com/").expect("static URL"),
            Domain::Custom(url) => url.clone(),
        }
    }
}

impl fmt::Debug for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Domain::Feishu => f.write_str("Feishu"),
            Domain::Lark => f.write_str("Lark"),
            Domain::Custom(url) => write!(f, "Custom({})", url.as_str()),
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base_url().as_str())
    }
}

/// Whether the text has an `@` before its path, as user info would (`http://u:p@host`,
/// also in forms the URL parser would repair, like `http:/u:p@host`, or would refuse).
fn has_user_info(text: &str) -> bool {
    let after_scheme = text.find(':').map_or(text, |i| &text[i + 1..]);
    let authority = after_scheme.trim_start_matches(['/', '\\']);
    let end = authority
        .find(['/', '\\', '?', '#'])
        .unwrap_or(authority.len());
    authority[..end].contains('@')
}

fn user_info_error() -> Error {
    Error::Config(
        "base URL must not carry user info (a name or password before `@`); \
         credentials go in Credentials"
            .to_string(),
    )
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_is_refused_without_being_repeated() {
        for url in [
            "https://user:pa55word@example.com",
            "http://user:pa55word@127.0.0.1:8080",
            "http://user:pa55word@example.com",
            "http:/user:pa55word@example.com",
            "http://pa55word@exa mple.com",
            "https://user:pa55word@[::1",
            "ftp://pa55word@example.com",
        ] {
            let err = Domain::custom(url).unwrap_err().to_string();
            assert!(!err.contains("pa55word"), "{url}: {err}");
            assert!(err.contains("user info"), "{url}: {err}");
        }
        // An `@` in the path is not user info.
        assert!(Domain::custom("https://example.com/@proxy").is_ok());
        assert!(Domain::parse(" LARK ").is_ok());
    }
}
