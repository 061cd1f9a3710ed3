//! Feishu error codes the engine acts on (feishu-api.md §2.7, §3.4, §9).

use serde::{Deserialize, Deserializer};

/// Rate limit, signalled with HTTP 429 (or 400 on legacy APIs).
pub const RATE_LIMITED: i64 = 99991400;
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

/// Codes after which the cached token is evicted and the call retried once.
pub(crate) fn is_token_invalid(code: i64) -> bool {
    matches!(
        code,
        TENANT_TOKEN_INVALID | APP_TOKEN_INVALID | TENANT_TOKEN_ILLEGAL | TOKEN_MALFORMED
    )
}

/// Transient codes of §3.4. `endpoint` disambiguates 40003 (internal error only on Contact v3).
pub(crate) fn is_retryable_code(code: i64, endpoint: &str) -> bool {
    match code {
        RATE_LIMITED => true,
        1500 | 1663 | 1668 | 2200 | 5000 | 10101 | 45500 | 55001 | 65001 | 105001 => true,
        40003 => endpoint.starts_with("contact."),
        1395001 => true,
        1225000 | 1226500 | 1227500 => true,
        1254290 | 1254291 | 1254607 | 1254036 | 1255040 | 90235 => true,
        1255001..=1255005 => true,
        1000004 | 1000005 => true,
        _ => false,
    }
}

/// Codes that must never be retried even when they come with a 5xx status.
pub(crate) fn is_never_retry(code: i64) -> bool {
    is_permission_code(code) || matches!(code, 1390001..=1390003 | 1254040..=1254045)
}

/// Permission and data-range codes (§9).
pub(crate) fn is_permission_code(code: i64) -> bool {
    matches!(
        code,
        SCOPE_MISSING
            | 99991679
            | 99991676
            | 99991673
            | 99991401
            | 1390009
            | 60009
            | 1254302
            | 1254303
            | 91403
            | 1220005
            | 1220004
            | 40004
            | 41050
            | 40014
    )
}

/// A short operator hint for well-known codes.
pub(crate) fn hint(code: i64) -> Option<&'static str> {
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
        40004 => "the department is outside the app's contact range",
        41050 => "the user is outside the app's contact range",
        40014 => "the app has no authority over the parent department",
        1390009 | 60009 => "the app lacks permission on this approval definition",
        1254302 | 91403 => "the app has no access to this Base: add it as a collaborator",
        1220005 | 1220004 => "the users are outside the app's attendance data scope",
        _ => return None,
    })
}

/// Accepts a string, number, bool or null as an optional string.
pub(crate) fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}
