//! The keys users are looked up by: an email address or a mobile number.

use std::fmt;

/// An email address or a mobile number to find a user by.
///
/// Compared the way the lookup matches answers: emails ignoring ASCII case and surrounding
/// space, mobile numbers ignoring spaces and dashes, a mainland number with or without `+86`.
/// Numbers outside mainland China need their `+<country code>`; enterprise (Feishu Mail)
/// addresses are not found, only the user's own email
/// (<https://open.feishu.cn/document/server-docs/contact-v3/user/batch_get_id>).
///
/// # Example
/// ```
/// use feishu_contact::ContactPoint;
/// assert_eq!(ContactPoint::email(" Zhang.San@Example.com"), ContactPoint::email("zhang.san@example.com"));
/// assert_eq!(ContactPoint::mobile("+86 130-1111-1111"), ContactPoint::mobile("13011111111"));
/// assert_ne!(ContactPoint::mobile("+1 415 555 0100"), ContactPoint::mobile("4155550100"));
/// ```
#[derive(Debug, Clone, Eq)]
#[non_exhaustive]
pub enum ContactPoint {
    /// An email address.
    Email(String),
    /// A mobile number.
    Mobile(String),
}

impl ContactPoint {
    /// An email address.
    pub fn email(address: impl Into<String>) -> Self {
        ContactPoint::Email(address.into())
    }

    /// A mobile number.
    pub fn mobile(number: impl Into<String>) -> Self {
        ContactPoint::Mobile(number.into())
    }

    /// The value as given.
    pub fn as_str(&self) -> &str {
        match self {
            ContactPoint::Email(s) | ContactPoint::Mobile(s) => s,
        }
    }

    /// The value as sent: trimmed.
    pub(crate) fn wire(&self) -> &str {
        self.as_str().trim()
    }

    /// The comparison key (see the type's docs).
    pub(crate) fn key(&self) -> (bool, String) {
        match self {
            ContactPoint::Email(s) => (true, s.trim().to_ascii_lowercase()),
            ContactPoint::Mobile(s) => (false, mobile_key(s)),
        }
    }

    /// Whether there is nothing to look up.
    pub(crate) fn is_blank(&self) -> bool {
        self.wire().is_empty()
    }
}

fn mobile_key(number: &str) -> String {
    let compact: String = number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    match compact.strip_prefix("+86") {
        Some(mainland) => mainland.to_string(),
        None => compact,
    }
}

impl PartialEq for ContactPoint {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl std::hash::Hash for ContactPoint {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl fmt::Display for ContactPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
