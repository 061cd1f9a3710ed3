//! `POST /open-apis/drive/v1/files/:file_token/subscribe?file_type=…`: subscribing to a file's
//! events, which for a Base makes `drive.file.bitable_record_changed_v1` arrive
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/drive-v1/file/subscribe>).
//! The testkit knows Bases only: any other file is "not found".

use std::sync::Mutex;

use serde_json::json;

use super::data::BitableData;
use crate::lock::lock;
use crate::reply::Reply;
use crate::request::RequestView;

const PARAM_ERROR: i64 = 1069602;
const FORBIDDEN: i64 = 1069603;
const NOT_FOUND: i64 = 1069604;

const FILE_TYPES: [&str; 7] = [
    "doc", "docx", "sheet", "bitable", "file", "folder", "slides",
];

pub(super) fn subscribe(data: &Mutex<BitableData>, req: &RequestView, file_token: &str) -> Reply {
    let Some(file_type) = req
        .query_first("file_type")
        .filter(|t| FILE_TYPES.contains(t))
    else {
        return Reply::err(
            400,
            PARAM_ERROR,
            "param error: file_type must be doc, docx, sheet, bitable, file, folder or slides",
        );
    };
    // `event_type` is only for folders and must be left out otherwise (subscribe page).
    if file_type != "folder" && req.query_first("event_type").is_some() {
        return Reply::err(
            400,
            PARAM_ERROR,
            "param error: event_type is only for folders",
        );
    }
    let mut data = lock(data);
    if file_type != "bitable" || data.app(file_token).is_none() {
        return Reply::err(400, NOT_FOUND, "document not found");
    }
    if data.denied.contains(file_token) {
        return Reply::err(
            403,
            FORBIDDEN,
            "forbidden: the app does not manage this file",
        );
    }
    let entry = (file_token.to_string(), file_type.to_string());
    if !data.subscriptions.contains(&entry) {
        data.subscriptions.push(entry);
    }
    Reply::ok(json!({}))
}
