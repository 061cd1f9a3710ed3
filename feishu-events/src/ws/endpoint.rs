//! The endpoint request that opens a long connection: `POST {domain}/callback/ws/endpoint`
//! with the app's credentials, answered with the websocket URL and the client config
//! (oapi-sdk-go `ws/client.go` `getConnURL`, `ws/model.go`; node-sdk `ws-client/index.ts`
//! `pullConnectConfig`).
//!
//! This calls reqwest directly rather than the core request engine: the endpoint sits
//! outside `/open-apis`, takes the app secret in its body instead of a bearer token, and
//! answers `{code, msg, data}` with its own codes.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use crate::error::Error;

/// Path of the endpoint request (oapi-sdk-go `ws/const.go` `GenEndpointUri`).
pub(crate) const ENDPOINT_PATH: &str = "callback/ws/endpoint";

/// Reply codes of the endpoint (oapi-sdk-go `ws/const.go`, node-sdk `ws-client/enum.ts`).
mod code {
    /// Success.
    pub(super) const OK: i64 = 0;
    /// System busy: try again (oapi-sdk-go retries it).
    pub(super) const SYSTEM_BUSY: i64 = 1;
    /// Internal error: try again.
    pub(super) const INTERNAL_ERROR: i64 = 1_000_040_343;
}

/// Handshake failure headers and codes (oapi-sdk-go `ws/const.go`, `ws/client.go` `parseErr`).
pub(crate) mod handshake {
    /// Status header of a refused websocket handshake.
    pub(crate) const STATUS: &str = "handshake-status";
    /// Message header of a refused handshake.
    pub(crate) const MSG: &str = "handshake-msg";
    /// Auth error code header of a refused handshake.
    pub(crate) const AUTH_ERR_CODE: &str = "handshake-autherrcode";
    /// Authentication failed.
    pub(crate) const AUTH_FAILED: i64 = 514;
    /// The app is forbidden from connecting.
    pub(crate) const FORBIDDEN: i64 = 403;
    /// Too many connections for this app (50 per app, per the docs).
    pub(crate) const EXCEED_CONN_LIMIT: i64 = 1_000_040_350;
}

/// Connection parameters the server hands out in `ClientConfig` (endpoint reply and pong
/// payloads), with the official SDKs' defaults (oapi-sdk-go `ws/client.go` `NewClient`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ServerParams {
    /// Reconnect attempts after a failure; `None` means forever.
    pub(crate) reconnect_count: Option<u32>,
    /// The longest wait between attempts.
    pub(crate) reconnect_interval: Duration,
    /// Upper bound of the random wait before the first reconnect.
    pub(crate) reconnect_nonce: Duration,
    /// Time between pings.
    pub(crate) ping_interval: Duration,
}

impl Default for ServerParams {
    fn default() -> Self {
        ServerParams {
            reconnect_count: None,
            reconnect_interval: Duration::from_secs(120),
            reconnect_nonce: Duration::from_secs(30),
            ping_interval: Duration::from_secs(120),
        }
    }
}

/// Longest interval accepted from the server (a day); larger values are capped so that no
/// timer arithmetic can overflow.
const MAX_SECS: u64 = 24 * 3600;

/// `ClientConfig` as sent (seconds; oapi-sdk-go `ws/model.go` `ClientConfig`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ClientConfig {
    #[serde(default)]
    reconnect_count: Option<i64>,
    #[serde(default)]
    reconnect_interval: Option<i64>,
    #[serde(default)]
    reconnect_nonce: Option<i64>,
    #[serde(default)]
    ping_interval: Option<i64>,
}

impl ServerParams {
    /// Applies a `ClientConfig`. Absent values keep the current ones; a zero or negative
    /// interval is ignored (it would make the client spin); a reconnect count of zero or
    /// less means "forever" (the server omits zero values, so zero cannot mean "never").
    pub(crate) fn apply(&mut self, config: &ClientConfig) {
        let secs = |v: Option<i64>| {
            v.filter(|s| *s > 0)
                .map(|s| Duration::from_secs(s.unsigned_abs().min(MAX_SECS)))
        };
        if let Some(count) = config.reconnect_count {
            self.reconnect_count = u32::try_from(count).ok().filter(|c| *c > 0);
        }
        if let Some(d) = secs(config.reconnect_interval) {
            self.reconnect_interval = d;
        }
        if let Some(v) = config.reconnect_nonce {
            self.reconnect_nonce = Duration::from_secs(v.max(0).unsigned_abs().min(MAX_SECS));
        }
        if let Some(d) = secs(config.ping_interval) {
            self.ping_interval = d;
        }
    }
}

/// The endpoint reply (`EndpointResp`).
#[derive(Deserialize)]
struct EndpointReply {
    #[serde(default)]
    code: i64,
    #[serde(default)]
    msg: String,
    #[serde(default)]
    data: Option<EndpointData>,
}

#[derive(Deserialize)]
struct EndpointData {
    #[serde(default, rename = "URL")]
    url: Option<String>,
    #[serde(default, rename = "ClientConfig")]
    client_config: Option<ClientConfig>,
}

/// A websocket URL to dial and what the server said about the connection.
#[derive(Debug)]
pub(crate) struct Endpoint {
    pub(crate) url: Url,
    /// The `service_id` query parameter, echoed in pings.
    pub(crate) service_id: i32,
    /// The `device_id` query parameter (the connection id), for logs.
    pub(crate) device_id: String,
}

/// An attempt that failed: retry or give up.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Worth another attempt later.
    Retry(String),
    /// Will not get better (wrong credentials, forbidden app, bad configuration).
    Fatal(Error),
}

/// Requests a connection URL and applies the client config it comes with.
pub(crate) async fn request(
    http: &reqwest::Client,
    base: &Url,
    app_id: &str,
    app_secret: &SecretString,
    params: &mut ServerParams,
) -> Result<Endpoint, Failure> {
    let url = base
        .join(ENDPOINT_PATH)
        .map_err(|e| Failure::Fatal(Error::Config(format!("endpoint URL: {e}"))))?;
    let body = serde_json::json!({ "AppID": app_id, "AppSecret": app_secret.expose_secret() });
    let response = http
        .post(url)
        .header("locale", "zh")
        .json(&body)
        .send()
        .await
        .map_err(|e| Failure::Retry(format!("endpoint request failed: {}", e.without_url())))?;
    let status = response.status();
    if !status.is_success() {
        return Err(Failure::Retry(format!("endpoint answered HTTP {status}")));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| Failure::Retry(format!("endpoint reply unreadable: {}", e.without_url())))?;
    let reply: EndpointReply = serde_json::from_slice(&bytes)
        .map_err(|e| Failure::Retry(format!("endpoint reply is not JSON: {e}")))?;
    match reply.code {
        code::OK => {}
        code::SYSTEM_BUSY | code::INTERNAL_ERROR => {
            return Err(Failure::Retry(format!(
                "endpoint busy: code {}: {}",
                reply.code, reply.msg
            )));
        }
        other => {
            return Err(Failure::Fatal(Error::Refused {
                code: other,
                msg: reply.msg,
            }));
        }
    }
    let data = reply
        .data
        .ok_or_else(|| Failure::Retry("endpoint reply has no data".into()))?;
    if let Some(config) = &data.client_config {
        params.apply(config);
    }
    let raw_url = data
        .url
        .filter(|u| !u.is_empty())
        .ok_or_else(|| Failure::Retry("endpoint reply has no URL".into()))?;
    parse_url(&raw_url)
}

/// Checks the websocket URL: `wss`, or plain `ws` to a loopback host only.
fn parse_url(raw: &str) -> Result<Endpoint, Failure> {
    let url =
        Url::parse(raw).map_err(|e| Failure::Retry(format!("endpoint URL is not a URL: {e}")))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "wss" => {}
        "ws" if loopback => {}
        other => {
            return Err(Failure::Fatal(Error::Config(format!(
                "refusing a {other}:// long-connection URL (only wss, or ws to loopback)"
            ))));
        }
    }
    let query = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let service_id = query("service_id")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let device_id = query("device_id").unwrap_or_default();
    Ok(Endpoint {
        url,
        service_id,
        device_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_config_applies_tolerantly() {
        let mut p = ServerParams::default();
        let config: ClientConfig = serde_json::from_str(
            r#"{"ReconnectCount":3,"ReconnectInterval":0,"ReconnectNonce":5,"PingInterval":30}"#,
        )
        .unwrap();
        p.apply(&config);
        assert_eq!(p.reconnect_count, Some(3));
        assert_eq!(p.reconnect_interval, Duration::from_secs(120));
        assert_eq!(p.reconnect_nonce, Duration::from_secs(5));
        assert_eq!(p.ping_interval, Duration::from_secs(30));
        p.apply(&serde_json::from_str(r#"{"ReconnectCount":-1}"#).unwrap());
        assert_eq!(p.reconnect_count, None);
    }

    #[test]
    fn only_wss_or_loopback_ws() {
        let ok = parse_url("wss://msg-frontier.feishu.cn/ws/v2?device_id=7&service_id=33").unwrap();
        assert_eq!((ok.service_id, ok.device_id.as_str()), (33, "7"));
        assert!(parse_url("ws://127.0.0.1:1/ws").is_ok());
        assert!(matches!(
            parse_url("ws://example.com/ws"),
            Err(Failure::Fatal(_))
        ));
        assert!(matches!(parse_url("not a url"), Err(Failure::Retry(_))));
    }
}
