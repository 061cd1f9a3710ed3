//! Cell values on the way in: the shape each field type accepts on the record write endpoints,
//! checked with the documented error codes, and turned into the cells the read endpoints
//! render. Sources: the create-record page
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/create>:
//! writable types, the example body, the error table) and the record data structure page
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/bitable-record-data-structure-overview>:
//! per-cell limits).

use serde_json::{Value, json};

use super::data::BitableData;
use super::fields::FieldDef;
use super::handlers::fail;
use super::people::{IdType, USERS, user_id};
use super::records::Cell;
use crate::reply::Reply;

/// 400 "Field types do not match": a value of the wrong shape for a type without a
/// conversion code of its own, or a value for a read-only field (which code Feishu uses for
/// the latter is not documented).
pub(super) const FIELD_TYPE_MISMATCH: i64 = 1254015;
const TEXT_CONV_FAIL: i64 = 1254060;
const NUMBER_CONV_FAIL: i64 = 1254061;
const SINGLE_SELECT_CONV_FAIL: i64 = 1254062;
const MULTI_SELECT_CONV_FAIL: i64 = 1254063;
const DATETIME_CONV_FAIL: i64 = 1254064;
const CHECKBOX_CONV_FAIL: i64 = 1254065;
const USER_CONV_FAIL: i64 = 1254066;
const LINK_CONV_FAIL: i64 = 1254067;
const URL_CONV_FAIL: i64 = 1254068;
const ATTACH_CONV_FAIL: i64 = 1254069;
const PHONE_CONV_FAIL: i64 = 1254072;
/// 400: a two-way link value must be a string array.
pub(super) const DUPLEX_LINK_CONV_FAIL: i64 = 1254074;
const ATTACH_EXCEED_LIMIT: i64 = 1254106;
const TOO_LARGE_CELL: i64 = 1254130;
const ATTACH_NOT_UPLOADED: i64 = 1254303;

/// Documented per-cell limits (record data structure page).
const MAX_TEXT_CHARS: usize = 100_000;
const MAX_PHONE_CHARS: usize = 64;
const MAX_PERSONS: usize = 1_000;
const MAX_ATTACHMENTS: usize = 100;
const MAX_LINKS: usize = 500;
const MAX_CHATS: usize = 10;
const MAX_OPTIONS_PER_CELL: usize = 1_000;

/// What a value is checked against.
pub(super) struct WriteContext<'a> {
    pub(super) data: &'a BitableData,
    pub(super) app: &'a str,
    /// `user_id_type` of the request: the type of person ids in it.
    pub(super) ids: IdType,
}

/// The cell `value` gives `field`: `None` clears it (`null`, an empty value, an unticked
/// box), an `Err` is the documented refusal.
pub(super) fn cell_of_value(
    ctx: &WriteContext<'_>,
    field: &FieldDef,
    value: &Value,
) -> Result<Option<Cell>, Reply> {
    let name = &*field.name;
    let bad = |code: i64, what: &str| fail(code, &format!("field {name:?}: {what}"));
    if !field.is_writable() {
        return Err(fail(
            FIELD_TYPE_MISMATCH,
            &format!(
                "Field types do not match: field {name:?} (type {}) is read-only",
                field.field_type
            ),
        ));
    }
    if value.is_null() {
        return Ok(None);
    }
    if let Some(reply) = too_large(field, value) {
        return Err(reply);
    }
    let cell = match field.field_type {
        1 => text(field, value).map_err(|w| bad(TEXT_CONV_FAIL, w))?,
        2 => match value.as_f64().filter(|n| n.is_finite()) {
            Some(n) => Some(Cell::Number(n)),
            None => return Err(bad(NUMBER_CONV_FAIL, "a number is expected")),
        },
        3 => match value.as_str() {
            Some("") => None,
            Some(option) => Some(Cell::Plain(json!(option))),
            None => return Err(bad(SINGLE_SELECT_CONV_FAIL, "an option name is expected")),
        },
        4 => {
            let names = strings(value).filter(|n| n.len() <= MAX_OPTIONS_PER_CELL);
            match names {
                Some(n) if n.is_empty() => None,
                Some(n) => Some(Cell::Plain(json!(n))),
                None => {
                    return Err(bad(
                        MULTI_SELECT_CONV_FAIL,
                        "an array of option names is expected",
                    ));
                }
            }
        }
        5 => match value.as_i64().or_else(|| {
            value
                .as_f64()
                .filter(|f| f.fract() == 0.0)
                .map(|f| f as i64)
        }) {
            Some(ms) => Some(Cell::Plain(json!(ms))),
            None => {
                return Err(bad(
                    DATETIME_CONV_FAIL,
                    "a Unix timestamp in milliseconds is expected",
                ));
            }
        },
        7 => match value.as_bool() {
            Some(true) => Some(Cell::Plain(json!(true))),
            Some(false) => None,
            None => return Err(bad(CHECKBOX_CONV_FAIL, "true or false is expected")),
        },
        11 => persons(ctx, field, value).map_err(|w| bad(USER_CONV_FAIL, &w))?,
        13 => match value.as_str() {
            Some(p) if p.chars().count() <= MAX_PHONE_CHARS && is_phone(p) => {
                (!p.is_empty()).then(|| Cell::Plain(json!(p)))
            }
            _ => {
                return Err(bad(
                    PHONE_CONV_FAIL,
                    "a string matching (\\+)?\\d* of at most 64 characters is expected",
                ));
            }
        },
        15 => Some(url(value).ok_or_else(|| {
            bad(
                URL_CONV_FAIL,
                "{\"text\", \"link\"} with a string link is expected",
            )
        })?),
        17 => attachments(ctx, value, &bad)?,
        18 | 21 => links(ctx, field, value, &bad)?,
        22 => Some(
            location(value)
                .ok_or_else(|| bad(FIELD_TYPE_MISMATCH, "\"longitude,latitude\" is expected"))?,
        ),
        23 => chats(value).ok_or_else(|| {
            bad(
                FIELD_TYPE_MISMATCH,
                "at most 10 {\"id\": \"oc_…\"} objects are expected",
            )
        })?,
        other => {
            return Err(bad(
                FIELD_TYPE_MISMATCH,
                &format!("type {other} cannot be written"),
            ));
        }
    };
    Ok(cell)
}

fn text(field: &FieldDef, value: &Value) -> Result<Option<Cell>, &'static str> {
    let Some(text) = value.as_str() else {
        return Err("a string is expected");
    };
    if text.is_empty() {
        return Ok(None);
    }
    Ok(Some(if &*field.ui_type == "Email" {
        Cell::Text(vec![
            json!({ "type": "url", "text": text, "link": format!("mailto:{text}") }),
        ])
    } else {
        Cell::PlainText(text.to_string())
    }))
}

/// A text value too large for a cell, which Feishu refuses with 1254130 rather than a
/// conversion error.
fn too_large(field: &FieldDef, value: &Value) -> Option<Reply> {
    let text = value.as_str().filter(|_| field.field_type == 1)?;
    (text.chars().count() > MAX_TEXT_CHARS).then(|| {
        fail(
            TOO_LARGE_CELL,
            &format!(
                "TooLargeCell: field {:?} holds more than 100,000 characters",
                &*field.name
            ),
        )
    })
}

fn strings(value: &Value) -> Option<Vec<&str>> {
    value.as_array()?.iter().map(Value::as_str).collect()
}

fn is_phone(p: &str) -> bool {
    let digits = p.strip_prefix('+').unwrap_or(p);
    digits.chars().all(|c| c.is_ascii_digit())
}

fn persons(
    ctx: &WriteContext<'_>,
    field: &FieldDef,
    value: &Value,
) -> Result<Option<Cell>, String> {
    let items = value
        .as_array()
        .ok_or("an array of {\"id\": …} objects is expected")?;
    if items.len() > MAX_PERSONS {
        return Err("at most 1,000 persons".into());
    }
    if field.property["multiple"] == json!(false) && items.len() > 1 {
        return Err("the field holds one person".into());
    }
    let mut people = Vec::with_capacity(items.len());
    for item in items {
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .ok_or("each person is {\"id\": …}")?;
        let n = (0..USERS.len())
            .find(|n| user_id(*n, ctx.ids) == id)
            .ok_or_else(|| format!("{id:?} is not a user id of the requested user_id_type"))?;
        people.push(n);
    }
    Ok((!people.is_empty()).then_some(Cell::Persons(people)))
}

fn url(value: &Value) -> Option<Cell> {
    let o = value.as_object()?;
    let link = o.get("link")?.as_str()?;
    let text = match o.get("text") {
        None | Some(Value::Null) => link,
        Some(t) => t.as_str()?,
    };
    Some(Cell::Plain(json!({ "text": text, "link": link })))
}

fn attachments(
    ctx: &WriteContext<'_>,
    value: &Value,
    bad: &dyn Fn(i64, &str) -> Reply,
) -> Result<Option<Cell>, Reply> {
    let shape = || {
        bad(
            ATTACH_CONV_FAIL,
            "an array of {\"file_token\": …} objects is expected",
        )
    };
    let items = value.as_array().ok_or_else(shape)?;
    if items.len() > MAX_ATTACHMENTS {
        return Err(bad(ATTACH_EXCEED_LIMIT, "at most 100 attachments"));
    }
    let mut files = Vec::with_capacity(items.len());
    for item in items {
        let token = item
            .get("file_token")
            .and_then(Value::as_str)
            .ok_or_else(shape)?;
        let Some((_, name)) = ctx
            .data
            .attachments
            .get(token)
            .filter(|(app, _)| app == ctx.app)
        else {
            return Err(bad(
                ATTACH_NOT_UPLOADED,
                &format!("AttachPermNotAllow: {token:?} was not uploaded to this Base"),
            ));
        };
        files.push(json!({
            "file_token": token, "name": name, "type": "application/octet-stream", "size": 1024,
            "url": format!("https://open.feishu.cn/open-apis/drive/v1/medias/{token}/download"),
            "tmp_url": format!("https://open.feishu.cn/open-apis/drive/v1/medias/batch_get_tmp_download_url?file_tokens={token}"),
        }));
    }
    Ok((!files.is_empty()).then_some(Cell::Plain(Value::Array(files))))
}

fn links(
    ctx: &WriteContext<'_>,
    field: &FieldDef,
    value: &Value,
    bad: &dyn Fn(i64, &str) -> Reply,
) -> Result<Option<Cell>, Reply> {
    let code = if field.field_type == 21 {
        DUPLEX_LINK_CONV_FAIL
    } else {
        LINK_CONV_FAIL
    };
    let ids =
        strings(value).ok_or_else(|| bad(code, "a string array of record ids is expected"))?;
    if ids.len() > MAX_LINKS {
        return Err(bad(LINK_CONV_FAIL, "at most 500 linked records"));
    }
    let target = field.property["table_id"].as_str().unwrap_or_default();
    let table = ctx
        .data
        .table(ctx.app, target)
        .ok_or_else(|| bad(LINK_CONV_FAIL, "the linked table does not exist"))?;
    for id in &ids {
        if table
            .store
            .find(ctx.data.seed, table.no, table.records, id)
            .is_none()
        {
            return Err(bad(
                LINK_CONV_FAIL,
                &format!("{id:?} is not a record of the linked table"),
            ));
        }
    }
    let ids: Vec<String> = ids.into_iter().map(str::to_string).collect();
    Ok((!ids.is_empty()).then(|| Cell::Link {
        table_id: target.to_string(),
        names: ids.clone(),
        ids,
    }))
}

fn location(value: &Value) -> Option<Cell> {
    let (lng, lat) = value.as_str()?.split_once(',')?;
    let (lng, lat): (f64, f64) = (lng.trim().parse().ok()?, lat.trim().parse().ok()?);
    if !(-180.0..=180.0).contains(&lng) || !(-90.0..=90.0).contains(&lat) {
        return None;
    }
    let place = format!("{lng},{lat}");
    Some(Cell::Plain(json!({
        "location": place, "pname": "", "cityname": "", "adname": "", "address": "",
        "name": format!("Pinned {place}"), "full_address": format!("Pinned {place}"),
    })))
}

fn chats(value: &Value) -> Option<Option<Cell>> {
    let items = value.as_array().filter(|a| a.len() <= MAX_CHATS)?;
    let chats: Option<Vec<Value>> = items
        .iter()
        .map(|item| {
            let id = item.get("id")?.as_str().filter(|id| id.starts_with("oc_"))?;
            Some(json!({ "id": id, "name": format!("Chat {id}"), "avatar_url": "https://example.com/chat.png" }))
        })
        .collect();
    let chats = chats?;
    Some((!chats.is_empty()).then_some(Cell::Plain(Value::Array(chats))))
}

/// Select option names in `value` (a single or multi select value) that `field` does not
/// offer yet: Feishu creates them (create-record page, value list of single and multi select).
pub(super) fn new_options<'a>(field: &FieldDef, value: &'a Value) -> Vec<&'a str> {
    if !matches!(field.field_type, 3 | 4) {
        return Vec::new();
    }
    let known = |name: &str| {
        field.property["options"]
            .as_array()
            .is_some_and(|o| o.iter().any(|opt| opt["name"] == name))
    };
    let names: Vec<&str> = match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<&str> = Vec::new();
    for name in names {
        if !name.is_empty() && !known(name) && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}
