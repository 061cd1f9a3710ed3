//! `POST /open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/batch_get`: records by
//! id (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/batch_get>;
//! node-sdk `code-gen/projects/bitable.ts` `appTableRecord.batchGet`). Body `record_ids` (1 to
//! 100), `user_id_type`, `with_shared_url`, `automatic_fields`; the records found in the
//! structured shape of search, and `absent_record_ids` for the ids naming no (live) record.

use std::sync::Mutex;

use serde_json::{Value, json};

use super::data::BitableData;
use super::handlers::{check_table, fail};
use super::people::IdType;
use super::records::{RenderOptions, generate, render_record};
use super::shape::RecordShape;
use crate::lock::lock;
use crate::reply::Reply;
use crate::request::RequestView;

/// 1254001 WrongRequestBody (the Bitable error table); which code Feishu gives a batch get
/// over 100 ids is not documented.
const WRONG_REQUEST_BODY: i64 = 1254001;
/// The most ids one call takes.
const MAX_IDS: usize = 100;

/// Answers one batch get.
pub(super) fn batch_get(
    data: &Mutex<BitableData>,
    req: &RequestView,
    app: &str,
    table_id: &str,
) -> Reply {
    let data = lock(data);
    let table = match check_table(&data, app, table_id) {
        Ok(t) => t,
        Err(reply) => return reply,
    };
    let body = req.json.clone().unwrap_or(Value::Null);
    let requested: Option<Vec<String>> = body
        .get("record_ids")
        .and_then(Value::as_array)
        .filter(|ids| !ids.is_empty())
        .and_then(|ids| {
            ids.iter()
                .map(|id| id.as_str().map(str::to_owned))
                .collect()
        });
    let Some(requested) = requested else {
        return fail(
            WRONG_REQUEST_BODY,
            "WrongRequestBody: `record_ids` must be a non-empty array of record ids",
        );
    };
    if requested.len() > MAX_IDS {
        return fail(
            WRONG_REQUEST_BODY,
            &format!(
                "WrongRequestBody: at most {MAX_IDS} record_ids, {} given",
                requested.len()
            ),
        );
    }
    let ids = match body.get("user_id_type").and_then(Value::as_str) {
        None | Some("open_id") => IdType::Open,
        Some("union_id") => IdType::Union,
        Some("user_id") => IdType::User,
        Some(other) => {
            return Reply::param_error(
                "user_id_type",
                other,
                "must be open_id, union_id or user_id",
            );
        }
    };
    let flag = |name: &str| body.get(name).and_then(Value::as_bool).unwrap_or(false);
    let options = RenderOptions {
        shape: RecordShape::Structured,
        record_url: false,
        ids,
        field_names: None,
        automatic: flag("automatic_fields"),
    };
    let mut records = Vec::new();
    let mut absent = Vec::new();
    for id in requested {
        let found = table
            .store
            .find(data.seed, table.no, table.records, &id)
            .and_then(|slot| {
                table
                    .store
                    .get(table.records, slot, |i| generate(&data, table, i))
            });
        match found {
            Some(record) => {
                let mut rendered = render_record(app, table, &record, &options);
                if flag("with_shared_url") {
                    rendered["shared_url"] =
                        json!(format!("https://testkit.feishu.cn/record/{id}"));
                }
                records.push(rendered);
            }
            None => absent.push(id),
        }
    }
    Reply::ok(json!({
        "records": records,
        "forbidden_record_ids": [],
        "absent_record_ids": absent,
    }))
}
