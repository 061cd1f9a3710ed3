//! Tables and fields through the API: create and delete a table
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table/create>,
//! `…/app-table/delete`), create, update and delete a field
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-field/create>,
//! `…/update`, `…/delete`; property rules in the field guide, `…/app-table-field/guide`).

use std::sync::Mutex;

use serde_json::{Value, json};

use super::data::BitableData;
use super::fields::Kind;
use super::fields::{FieldDef, Name, field_json, new_field_id};
use super::gate::{admit, commit};
use super::handlers::{check_app, fail};
use crate::lock::lock;
use crate::reply::Reply;
use crate::request::RequestView;
use crate::rng::mix;

const WRONG_REQUEST_BODY: i64 = 1254001;
const WRONG_FIELD_ID: i64 = 1254009;
const NOT_SUPPORTED_FIELD: i64 = 1254012;
const TABLE_NAME_DUPLICATED: i64 = 1254013;
const FIELD_NAME_DUPLICATED: i64 = 1254014;
const EMPTY_OPTION_NAME: i64 = 1254026;
const EMPTY_FIELD_NAME: i64 = 1254028;
const LAST_TABLE: i64 = 1254034;
const FIELD_NOT_FOUND: i64 = 1254044;
const PRIMARY_FIELD: i64 = 1254046;
const LINK_PROPERTY: i64 = 1254089;
const DUPLEX_LINK_PROPERTY: i64 = 1254092;
const TABLE_LIMIT: i64 = 1254100;
const FIELD_LIMIT: i64 = 1254105;

/// Tables + dashboards per Base, fields per table (Bitable overview, "limits").
const MAX_TABLES: usize = 100;
const MAX_FIELDS: usize = 300;

/// Field types a field may be created with (`type` of the create-field page: not 19 lookup,
/// 24 flow or 3001 button).
const CREATABLE: [i64; 20] = [
    1, 2, 3, 4, 5, 7, 11, 13, 15, 17, 18, 20, 21, 22, 23, 1001, 1002, 1003, 1004, 1005,
];
/// Types the first (primary) field of a new table may have (create-table page).
const PRIMARY_TYPES: [i64; 7] = [1, 2, 5, 13, 15, 20, 22];

fn bad_body(what: &str) -> Reply {
    fail(WRONG_REQUEST_BODY, &format!("WrongRequestBody: {what}"))
}

/// The UI type a field of `field_type` gets by default.
pub(super) fn default_ui_type(field_type: i64) -> &'static str {
    match field_type {
        1 => "Text",
        2 => "Number",
        3 => "SingleSelect",
        4 => "MultiSelect",
        5 => "DateTime",
        7 => "Checkbox",
        11 => "User",
        13 => "Phone",
        15 => "Url",
        17 => "Attachment",
        18 => "SingleLink",
        20 => "Formula",
        21 => "DuplexLink",
        22 => "Location",
        23 => "GroupChat",
        1001 => "CreatedTime",
        1002 => "ModifiedTime",
        1003 => "CreatedUser",
        1004 => "ModifiedUser",
        1005 => "AutoNumber",
        _ => "Text",
    }
}

/// A field from a create/update body (or a create-table `fields` entry), checked.
fn field_from_body(
    data: &BitableData,
    app: &str,
    body: &Value,
    id: String,
) -> Result<FieldDef, Reply> {
    let name = match body.get("field_name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim(),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(fail(EMPTY_FIELD_NAME, "EmptyFieldName"));
        }
        Some(_) => return Err(bad_body("`field_name` must be a string")),
    };
    let field_type = body
        .get("type")
        .and_then(Value::as_i64)
        .ok_or_else(|| bad_body("`type` must be a field type number"))?;
    if !CREATABLE.contains(&field_type) {
        return Err(fail(
            NOT_SUPPORTED_FIELD,
            &format!("NotSupportFieldOrView: type {field_type} cannot be created"),
        ));
    }
    let mut property = body.get("property").cloned().unwrap_or(Value::Null);
    check_property(data, app, field_type, &mut property)?;
    let ui_type = body
        .get("ui_type")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .unwrap_or(default_ui_type(field_type));
    let description = body
        .get("description")
        .and_then(|d| d.get("text"))
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(FieldDef {
        id,
        name: Name::shared(name),
        field_type,
        ui_type: Name::shared(ui_type),
        property,
        description,
        origin: None,
    })
}

/// Checks the settings the testkit relies on: option names, link targets. Option ids are
/// assigned here (they cannot be given on create).
fn check_property(
    data: &BitableData,
    app: &str,
    field_type: i64,
    property: &mut Value,
) -> Result<(), Reply> {
    match field_type {
        3 | 4 => {
            let options = property.get_mut("options").and_then(Value::as_array_mut);
            for (i, option) in options.into_iter().flatten().enumerate() {
                let named = option
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| !n.is_empty());
                if !named {
                    return Err(fail(EMPTY_OPTION_NAME, "EmptyOptionName"));
                }
                if option.get("id").is_none_or(Value::is_null) {
                    option["id"] = json!(format!("opt{:07x}", mix(i as u64) & 0xFFF_FFFF));
                }
            }
        }
        18 | 21 => {
            let code = if field_type == 18 {
                LINK_PROPERTY
            } else {
                DUPLEX_LINK_PROPERTY
            };
            let target = property.get("table_id").and_then(Value::as_str);
            if target.is_none_or(|t| data.table(app, t).is_none()) {
                return Err(fail(
                    code,
                    "LinkFieldPropertyError: `property.table_id` must name a table of this Base",
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// `POST /open-apis/bitable/v1/apps/:app_token/tables`.
pub(super) fn create_table(data: &Mutex<BitableData>, req: &RequestView, app: &str) -> Reply {
    let mut guard = lock(data);
    let data = &mut *guard;
    let spec = match table_spec(data, req, app) {
        Ok(spec) => spec,
        Err(reply) => return reply,
    };
    let mut table = data.new_table(&spec.name, Kind::Custom, 0);
    let defs = match table_fields(data, app, table.no, spec.fields) {
        Ok(defs) => defs,
        Err(reply) => return reply,
    };
    if let Some(view) = &spec.view_name {
        table.views[0].name = view.clone();
    }
    table.field_serial = defs.len() as u64;
    let mut reply = json!({ "table_id": table.table_id });
    if spec.view_name.is_some() || !spec.fields.is_empty() {
        reply["default_view_id"] = json!(table.views[0].view_id);
    }
    if !spec.fields.is_empty() {
        reply["field_id_list"] = json!(defs.iter().map(|d| d.id.clone()).collect::<Vec<_>>());
    }
    table.fields = Some(defs);
    if let Some(found) = data.apps.iter_mut().find(|a| a.token == app) {
        found.tables.push(table);
    }
    Reply::ok(reply)
}

/// A create-table body, checked against the Base.
struct TableSpec<'a> {
    name: String,
    view_name: Option<String>,
    fields: &'a [Value],
}

fn table_spec<'a>(
    data: &BitableData,
    req: &'a RequestView,
    app: &str,
) -> Result<TableSpec<'a>, Reply> {
    let found = check_app(data, app)?;
    let spec = req
        .json
        .as_ref()
        .and_then(|b| b.get("table"))
        .ok_or_else(|| bad_body("`table` is required"))?;
    let name = spec
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or_default();
    let invalid = |c: char| "/\\?*:[]".contains(c);
    if name.is_empty() || name.chars().count() > 100 || name.contains(invalid) {
        return Err(bad_body(
            "`table.name` must be 1-100 characters without / \\ ? * : [ ]",
        ));
    }
    if found.tables.iter().any(|t| t.name == name) {
        return Err(fail(TABLE_NAME_DUPLICATED, "TableNameDuplicated"));
    }
    if found.tables.len() >= MAX_TABLES {
        return Err(fail(TABLE_LIMIT, "TableExceedLimit"));
    }
    let view_name = spec.get("default_view_name").and_then(Value::as_str);
    let fields = spec.get("fields").and_then(Value::as_array);
    if view_name.is_some() && fields.is_none() {
        return Err(bad_body("`fields` is required with `default_view_name`"));
    }
    let fields: &[Value] = fields.map_or(&[], Vec::as_slice);
    if fields.len() > MAX_FIELDS {
        return Err(fail(FIELD_LIMIT, "ColumnExceedLimit"));
    }
    Ok(TableSpec {
        name: name.to_string(),
        view_name: view_name.map(|v| v.trim().to_string()),
        fields,
    })
}

/// The fields of a new table (one text field when none are given).
fn table_fields(
    data: &BitableData,
    app: &str,
    table_no: u64,
    specs: &[Value],
) -> Result<Vec<FieldDef>, Reply> {
    let mut defs: Vec<FieldDef> = Vec::with_capacity(specs.len().max(1));
    for (i, spec) in specs.iter().enumerate() {
        let def = field_from_body(data, app, spec, new_field_id(table_no, i as u64))?;
        if defs.iter().any(|d| d.name == def.name) {
            return Err(fail(FIELD_NAME_DUPLICATED, "FieldNameDuplicated"));
        }
        if i == 0 && !PRIMARY_TYPES.contains(&def.field_type) {
            return Err(fail(
                NOT_SUPPORTED_FIELD,
                "NotSupportFieldOrView: the first field's type cannot be the primary field",
            ));
        }
        defs.push(def);
    }
    if defs.is_empty() {
        defs.push(FieldDef {
            id: new_field_id(table_no, 0),
            name: Name::Static("Text"),
            field_type: 1,
            ui_type: Name::Static("Text"),
            property: Value::Null,
            description: None,
            origin: None,
        });
    }
    Ok(defs)
}

/// `DELETE /open-apis/bitable/v1/apps/:app_token/tables/:table_id`.
pub(super) fn delete_table(
    data: &Mutex<BitableData>,
    req: &RequestView,
    app: &str,
    table: &str,
) -> Reply {
    let mut guard = lock(data);
    let data = &mut *guard;
    if let Err(reply) = admit(data, req, app, table, "tables.delete") {
        return reply;
    }
    let Some(found) = data.apps.iter_mut().find(|a| a.token == app) else {
        return fail(1254040, "BaseTokenNotFound");
    };
    if found.tables.len() == 1 {
        return fail(LAST_TABLE, "The last table cannot be deleted.");
    }
    found.tables.retain(|t| t.table_id != table);
    let duration = data.write_duration;
    data.stats.writes_applied += 1;
    Reply::ok(json!({})).delayed(duration)
}

/// What a field write does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FieldOp {
    Create,
    Update,
    Delete,
}

/// `POST …/fields`, `PUT …/fields/:field_id`, `DELETE …/fields/:field_id`.
pub(super) fn write_field(
    data: &Mutex<BitableData>,
    req: &RequestView,
    app: &str,
    table: &str,
    field_id: Option<&str>,
    op: FieldOp,
) -> Reply {
    let mut guard = lock(data);
    let data = &mut *guard;
    let name = match op {
        FieldOp::Create => "fields.create",
        FieldOp::Update => "fields.update",
        FieldOp::Delete => "fields.delete",
    };
    let admitted = match admit(data, req, app, table, name) {
        Ok(a) => a,
        Err(reply) => return reply,
    };
    let Some(t) = data.table(app, table) else {
        return fail(1254041, "TableIdNotFound");
    };
    let mut defs = data.fields_of(t).into_owned();
    let (table_no, serial) = (t.no, t.field_serial);
    let position = match field_id {
        None => None,
        Some(id) if !id.starts_with("fld") => {
            return fail(WRONG_FIELD_ID, &format!("WrongFieldId: {id:?}"));
        }
        Some(id) => match defs.iter().position(|d| d.id == id) {
            Some(i) => Some(i),
            None => return fail(FIELD_NOT_FOUND, &format!("FieldIdNotFound: {id}")),
        },
    };
    let outcome = match (op, position) {
        (FieldOp::Create, _) => {
            create_field(data, app, &admitted.body, &mut defs, table_no, serial)
        }
        (FieldOp::Update, Some(i)) => update_field(data, app, &admitted.body, &mut defs, i),
        (FieldOp::Delete, Some(i)) => delete_field(&mut defs, i),
        _ => Err(fail(FIELD_NOT_FOUND, "FieldIdNotFound")),
    };
    let (reply, rename) = match outcome {
        Ok(done) => done,
        Err(reply) => return reply,
    };
    let Some(t) = data.table_mut(app, table) else {
        return fail(1254041, "TableIdNotFound");
    };
    if op == FieldOp::Create {
        t.field_serial += 1;
    }
    t.fields = Some(defs);
    if let Some((old, new)) = rename {
        t.store.for_each_stored(|record| match &new {
            Some(new) => {
                for (name, _) in record.cells.iter_mut().filter(|(n, _)| *n == old) {
                    *name = new.clone();
                }
            }
            None => record.cells.retain(|(n, _)| *n != old),
        });
    }
    commit(data, app, table, admitted, reply)
}

/// The reply, and the cells to rename (`Some(new)`) or drop (`None`) in stored records.
type FieldOutcome = Result<(Value, Option<(Name, Option<Name>)>), Reply>;

fn create_field(
    data: &BitableData,
    app: &str,
    body: &Value,
    defs: &mut Vec<FieldDef>,
    table_no: u64,
    serial: u64,
) -> FieldOutcome {
    if defs.len() >= MAX_FIELDS {
        return Err(fail(FIELD_LIMIT, "ColumnExceedLimit"));
    }
    let def = field_from_body(data, app, body, new_field_id(table_no, serial))?;
    if defs.iter().any(|d| d.name == def.name) {
        return Err(fail(FIELD_NAME_DUPLICATED, "FieldNameDuplicated"));
    }
    let reply = json!({ "field": field_json(defs.len(), &def, false) });
    defs.push(def);
    Ok((reply, None))
}

/// Replaces a field's settings (the update page: the whole field is given again).
fn update_field(
    data: &BitableData,
    app: &str,
    body: &Value,
    defs: &mut [FieldDef],
    i: usize,
) -> FieldOutcome {
    let mut def = field_from_body(data, app, body, defs[i].id.clone())?;
    if defs
        .iter()
        .enumerate()
        .any(|(j, d)| j != i && d.name == def.name)
    {
        return Err(fail(FIELD_NAME_DUPLICATED, "FieldNameDuplicated"));
    }
    def.origin = defs[i].origin;
    let rename = (defs[i].name != def.name).then(|| (defs[i].name.clone(), Some(def.name.clone())));
    let reply = json!({ "field": field_json(i, &def, false) });
    defs[i] = def;
    Ok((reply, rename))
}

fn delete_field(defs: &mut Vec<FieldDef>, i: usize) -> FieldOutcome {
    if i == 0 {
        return Err(fail(PRIMARY_FIELD, "The Primary Field cannot be deleted."));
    }
    let def = defs.remove(i);
    let reply = json!({ "field_id": def.id, "deleted": true });
    Ok((reply, Some((def.name, None))))
}
