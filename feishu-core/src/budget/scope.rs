//! Whose budget: Feishu counts limits per API × app × tenant.

use std::fmt::{self, Write as _};
use std::sync::Arc;

/// Whose budget a request spends: Feishu counts limits per API × app × tenant
/// (<https://open.feishu.cn/document/ukTMukTMukTM/uUzN04SN3QjL1cDN>).
///
/// The base URL is part of the scope, so two fake tenants on different ports (or Feishu and
/// Lark) never share a budget. Every client in the process with the same scope shares one.
///
/// # Example
/// ```
/// use feishu_core::BudgetScope;
/// let a = BudgetScope::new("https://open.feishu.cn/", "cli_a1b2c3", None);
/// let b = BudgetScope::new("https://open.feishu.cn", "cli_a1b2c3", Some(""));
/// assert_eq!(a, b); // a trailing slash and an empty tenant key change nothing
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BudgetScope {
    base_url: Arc<str>,
    app_id: Arc<str>,
    tenant_key: Option<Arc<str>>,
}

impl BudgetScope {
    /// The scope of `app_id` in `tenant_key` (store apps; `None` for a self-built app's own
    /// tenant) on the Open Platform at `base_url`.
    pub fn new(base_url: &str, app_id: &str, tenant_key: Option<&str>) -> Self {
        BudgetScope {
            base_url: base_url.trim_end_matches('/').into(),
            app_id: app_id.into(),
            tenant_key: tenant_key.filter(|t| !t.is_empty()).map(Into::into),
        }
    }

    /// The Open Platform's base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The app id.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The tenant key, for a store app's tenant.
    pub fn tenant_key(&self) -> Option<&str> {
        self.tenant_key.as_deref()
    }
}

impl fmt::Debug for BudgetScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BudgetScope")
            .field("base_url", &self.base_url)
            .field("app_id", &self.app_id)
            .field("tenant_key", &self.tenant_key)
            .finish()
    }
}

/// One budget: a [`BudgetScope`] and an endpoint family (`approval.instances.get`). What a
/// [`BudgetStore`](crate::BudgetStore) keeps its state under.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BudgetKey {
    scope: BudgetScope,
    family: Arc<str>,
}

impl BudgetKey {
    /// The budget of `family` in `scope`.
    pub fn new(scope: BudgetScope, family: &str) -> Self {
        BudgetKey {
            scope,
            family: family.into(),
        }
    }

    /// Whose budget.
    pub fn scope(&self) -> &BudgetScope {
        &self.scope
    }

    /// The endpoint family.
    pub fn family(&self) -> &str {
        &self.family
    }

    /// A string naming this budget in an external store, unique per key:
    /// `feishu:budget:<app_id>:<tenant_key>:<family>:<base_url>`, each part with `%`, `:`,
    /// `{` and `}` percent-encoded (so the string contains no Redis hash-tag braces), e.g.
    /// `feishu:budget:cli_a1:tenant_x:contact.users.get:https%3A//open.feishu.cn`.
    pub fn to_store_key(&self) -> String {
        let mut out = String::from("feishu:budget:");
        let parts = [
            self.scope.app_id(),
            self.scope.tenant_key().unwrap_or(""),
            self.family(),
            self.scope.base_url(),
        ];
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                out.push(':');
            }
            push_escaped(&mut out, part);
        }
        out
    }
}

fn push_escaped(out: &mut String, part: &str) {
    for c in part.chars() {
        match c {
            '%' | ':' | '{' | '}' => {
                let _ = write!(out, "%{:02X}", c as u32);
            }
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_keys_are_unique_and_brace_free() {
        let key = |base: &str, app: &str, tenant: Option<&str>, family: &str| {
            BudgetKey::new(BudgetScope::new(base, app, tenant), family).to_store_key()
        };
        assert_eq!(
            key(
                "https://open.feishu.cn/",
                "cli_a1",
                Some("t_x"),
                "contact.users.get"
            ),
            "feishu:budget:cli_a1:t_x:contact.users.get:https%3A//open.feishu.cn"
        );
        // Separators inside a part cannot forge another key.
        assert_ne!(key("h", "a:b", None, "f"), key("h", "a", Some("b"), "f"));
        assert_ne!(key("h:1", "a", None, "f"), key("h", "a", None, "f:h%3A1"));
        let odd = key("http://{x}", "{a}%", None, "f");
        assert!(!odd.contains('{') && !odd.contains('}'), "{odd}");
    }

    #[test]
    fn scopes_normalise_slash_and_empty_tenant() {
        let a = BudgetScope::new("http://127.0.0.1:1/", "cli", Some(""));
        assert_eq!(a.base_url(), "http://127.0.0.1:1");
        assert_eq!(a.tenant_key(), None);
        assert_ne!(a, BudgetScope::new("http://127.0.0.1:2", "cli", None));
    }
}
