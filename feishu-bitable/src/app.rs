//! A Base's metadata: `GET /open-apis/bitable/v1/apps/:app_token`.

use feishu_core::Endpoint;
use feishu_core::internal::de::{bool_or_false, opt_i64, opt_string, string_or_empty};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::codes::{BITABLE_CODES, BITABLE_LIMIT};
use crate::ids::{AppToken, id_or_empty};

/// <https://open.feishu.cn/document/server-docs/docs/bitable-v1/app/get>
// oapi-sdk-go service/bitable/v1/api.go (App.Get): GET /open-apis/bitable/v1/apps/:app_token.
pub(crate) const GET_APP: Endpoint =
    Endpoint::get("bitable.apps.get", "bitable/v1/apps/{app_token}")
        .limit(BITABLE_LIMIT)
        .codes(BITABLE_CODES);

/// One Base (`data.app` of
/// [get app](https://open.feishu.cn/document/server-docs/docs/bitable-v1/app/get)): what a
/// reader checks before reading its tables (advanced permissions, time zone).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct App {
    /// The Base's token (the id every other call takes).
    #[serde(deserialize_with = "id_or_empty")]
    pub app_token: AppToken,
    /// Display name.
    #[serde(deserialize_with = "string_or_empty")]
    pub name: String,
    /// Bumped on structural edits (tables, fields, views).
    #[serde(deserialize_with = "opt_i64")]
    pub revision: Option<i64>,
    /// Whether advanced permissions are on: reads may then return fewer rows, or `1254302`.
    #[serde(deserialize_with = "bool_or_false")]
    pub is_advanced: bool,
    /// The Base's time zone (e.g. `Asia/Shanghai`); date filters are normalised to midnight in it.
    #[serde(deserialize_with = "opt_string")]
    pub time_zone: Option<String>,
    /// `1` = formula field type not settable, `2` = settable.
    #[serde(deserialize_with = "opt_i64")]
    pub formula_type: Option<i64>,
    /// Advanced-permission version (`v1` / `v2`).
    #[serde(deserialize_with = "opt_string")]
    pub advance_version: Option<String>,
    /// Keys this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of the get-app reply.
#[derive(Deserialize)]
pub(crate) struct AppData {
    pub(crate) app: App,
}
