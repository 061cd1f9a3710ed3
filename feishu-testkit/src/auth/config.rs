//! The apps and tenant the fake knows, fixed when it starts.

use std::time::Duration;

/// Immutable auth configuration chosen by the builder.
#[derive(Debug, Clone)]
pub(crate) struct AuthConfig {
    pub(crate) app_id: String,
    pub(crate) app_secret: String,
    pub(crate) store_app_id: String,
    pub(crate) store_app_secret: String,
    pub(crate) tenant_key: String,
    pub(crate) token_expire: Duration,
    pub(crate) reissue_threshold: Duration,
    pub(crate) verification_token: String,
}
