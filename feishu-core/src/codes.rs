//! Feishu error codes: the platform-wide ones the engine acts on, and [`CodeTable`], the
//! per-API table each module crate declares next to its endpoints.
//!
//! Sources: the common error-code list of the open platform
//! (<https://open.feishu.cn/document/server-docs/api-call-guide/generic-error-code>), the
//! frequency-control guide
//! (<https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control>) and the
//! token docs (<https://open.feishu.cn/document/server-docs/authentication-management/access-token/tenant_access_token_internal>).

/// Rate limit, signalled with HTTP 429 (or 400 on legacy APIs). Common error-code list.
pub const RATE_LIMITED: i64 = 99991400;
/// "Method rate limited": a per-API limit of older services. Common error-code list.
pub const METHOD_RATE_LIMITED: i64 = 1000004;
/// "App rate limited": a per-app limit of older services. Common error-code list.
pub const APP_RATE_LIMITED: i64 = 1000005;
/// Tenant access token invalid / expired / revoked.
pub const TENANT_TOKEN_INVALID: i64 = 99991663;
/// App access token invalid.
pub const APP_TOKEN_INVALID: i64 = 99991664;
/// Tenant access token illegal.
pub const TENANT_TOKEN_ILLEGAL: i64 = 99991665;
/// Token format wrong.
pub const TOKEN_MALFORMED: i64 = 99991671;
/// No `Authorization` header.
pub const TOKEN_MISSING: i64 = 99991661;
/// App lacks a required scope.
pub const SCOPE_MISSING: i64 = 99991672;
/// Store app: app_ticket missing or invalid.
pub const APP_TICKET_INVALID: i64 = 10012;

/// The codes of one API family that the transport acts on. Each module crate declares one
/// next to its endpoints, so that, say, Bitable's throttle code lives with Bitable.
///
/// Platform-wide codes ([`RATE_LIMITED`], the token codes, the common internal errors) apply
/// to every endpoint and need not be listed.
///
/// # Example
/// ```
/// use feishu_core::CodeTable;
/// const BITABLE: CodeTable = CodeTable::new()
///     .throttled(&[1254290])
///     .transient(&[1254607])
///     .permission(&[(1254302, "add the app to the Base as a collaborator")]);
/// assert!(BITABLE.is_throttled(1254290));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodeTable {
    throttled: &'static [i64],
    transient: &'static [i64],
    permission: &'static [(i64, &'static str)],
    never_retry: &'static [i64],
    not_applied: &'static [i64],
    hints: &'static [(i64, &'static str)],
}

impl Default for CodeTable {
    fn default() -> Self {
        Self::new()
    }
}

impl CodeTable {
    /// A table with no codes of its own.
    pub const fn new() -> Self {
        CodeTable {
            throttled: &[],
            transient: &[],
            permission: &[],
            never_retry: &[],
            not_applied: &[],
            hints: &[],
        }
    }

    /// Codes meaning "too many requests": the call waits for the reset and is retried, and
    /// the family's budget is lowered for the rest of the window.
    pub const fn throttled(mut self, codes: &'static [i64]) -> Self {
        self.throttled = codes;
        self
    }

    /// Transient codes: retried with backoff (reads and idempotent writes only; see
    /// [`not_applied`](Self::not_applied) for codes that are safe for any write).
    pub const fn transient(mut self, codes: &'static [i64]) -> Self {
        self.transient = codes;
        self
    }

    /// Permission and data-range codes, each with what to grant.
    pub const fn permission(mut self, codes: &'static [(i64, &'static str)]) -> Self {
        self.permission = codes;
        self
    }

    /// Codes never retried, even when they come with an HTTP 5xx status.
    pub const fn never_retry(mut self, codes: &'static [i64]) -> Self {
        self.never_retry = codes;
        self
    }

    /// Codes with which Feishu refuses a write *before* applying it (a write conflict on a
    /// table, "busy, try later"): retried with backoff like transient codes, and, unlike
    /// them, also for writes that are not idempotent, since nothing was applied. Only list a
    /// code here when its documentation says the request was rejected, not half done.
    pub const fn not_applied(mut self, codes: &'static [i64]) -> Self {
        self.not_applied = codes;
        self
    }

    /// One-line hints for other well-known codes.
    pub const fn hints(mut self, hints: &'static [(i64, &'static str)]) -> Self {
        self.hints = hints;
        self
    }

    /// Whether `code` means "throttled" for this family or on the whole platform.
    pub fn is_throttled(&self, code: i64) -> bool {
        matches!(code, RATE_LIMITED | METHOD_RATE_LIMITED | APP_RATE_LIMITED)
            || self.throttled.contains(&code)
    }

    /// Whether `code` is worth retrying.
    pub fn is_transient(&self, code: i64) -> bool {
        self.is_throttled(code)
            || is_common_transient(code)
            || self.transient.contains(&code)
            || self.not_applied.contains(&code)
    }

    /// Whether `code` says the write was refused before it was applied (see
    /// [`not_applied`](Self::not_applied)): safe to repeat whatever the endpoint's
    /// idempotency. Throttle codes are too (a throttled call was not processed).
    pub fn is_not_applied(&self, code: i64) -> bool {
        self.is_throttled(code) || self.not_applied.contains(&code)
    }

    /// Whether `code` is a permission or data-range problem.
    pub fn is_permission(&self, code: i64) -> bool {
        is_common_permission(code) || self.permission.iter().any(|(c, _)| *c == code)
    }

    /// Whether `code` must not be retried whatever the HTTP status.
    pub fn is_never_retry(&self, code: i64) -> bool {
        self.is_permission(code) || self.never_retry.contains(&code)
    }

    /// A one-line hint of what to do about `code`, when one is known.
    pub fn hint(&self, code: i64) -> Option<&'static str> {
        self.permission
            .iter()
            .chain(self.hints)
            .find(|(c, _)| *c == code)
            .map(|(_, h)| *h)
            .or_else(|| common_hint(code))
    }
}

/// Codes after which the cached token is evicted and the call retried once.
pub(crate) fn is_token_invalid(code: i64) -> bool {
    matches!(
        code,
        TENANT_TOKEN_INVALID | APP_TOKEN_INVALID | TENANT_TOKEN_ILLEGAL | TOKEN_MALFORMED
    )
}

/// The common "internal error, retry" codes of the error-code list.
fn is_common_transient(code: i64) -> bool {
    matches!(
        code,
        1500 | 1663 | 1668 | 2200 | 5000 | 10101 | 45500 | 55001 | 65001 | 105001
    )
}

/// Platform-wide permission codes (scope missing, app not usable, IP allow-list).
fn is_common_permission(code: i64) -> bool {
    matches!(
        code,
        SCOPE_MISSING | 99991679 | 99991676 | 99991673 | 99991401
    )
}

fn common_hint(code: i64) -> Option<&'static str> {
    Some(match code {
        SCOPE_MISSING => {
            "the app lacks an API scope: grant it in the developer console and publish a new version"
        }
        99991662 => "the app is disabled",
        99991673 => "the app is not installed or not usable in this tenant",
        99991401 => "the caller's IP is not in the app's IP allow-list",
        99991403 => "the tenant's monthly API quota is exhausted",
        10003 => "check app_id and app_secret, and that the app is released",
        10014 => "the app is unauthorized or disabled",
        10015 => "the app_secret is wrong",
        APP_TICKET_INVALID => {
            "the store app has no valid app_ticket yet: hand the app_ticket event to the client"
        }
        METHOD_RATE_LIMITED | APP_RATE_LIMITED | RATE_LIMITED => {
            "Feishu throttled the call; the client waits and retries"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: CodeTable = CodeTable::new()
        .throttled(&[1254290])
        .transient(&[1254607])
        .permission(&[(1254302, "add the app to the Base")])
        .never_retry(&[1254040])
        .not_applied(&[1254291]);

    #[test]
    fn not_applied_codes_are_transient_and_safe_to_repeat() {
        assert!(TABLE.is_not_applied(1254291) && TABLE.is_transient(1254291));
        assert!(
            TABLE.is_not_applied(1254290),
            "a throttled call was not processed"
        );
        assert!(
            !TABLE.is_not_applied(1254607),
            "transient is not the same as not applied"
        );
        assert!(!CodeTable::new().is_not_applied(1254291));
    }

    #[test]
    fn module_codes_apply_only_through_their_table() {
        assert!(TABLE.is_throttled(1254290));
        assert!(!CodeTable::new().is_throttled(1254290));
        for code in [RATE_LIMITED, METHOD_RATE_LIMITED, APP_RATE_LIMITED] {
            assert!(CodeTable::new().is_throttled(code), "{code}");
            assert!(CodeTable::new().is_transient(code), "{code}");
        }
        assert!(TABLE.is_transient(1254607) && !CodeTable::new().is_transient(1254607));
        assert!(TABLE.is_permission(1254302) && TABLE.is_never_retry(1254302));
        assert!(TABLE.is_never_retry(1254040));
        assert_eq!(TABLE.hint(1254302), Some("add the app to the Base"));
        assert!(TABLE.hint(SCOPE_MISSING).is_some());
    }
}
