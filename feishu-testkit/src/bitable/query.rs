//! Records: `GET .../records` (query parameters, formula filter) and
//! `POST .../records/search` (JSON body), filtered, sorted and paged over generated records.

use std::cmp::Ordering;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::data::BitableData;
use super::fields::FieldDef;
use super::filter::{Pred, Scalar, any_of, cell_of, compare, matches, scalar, search_filter};
use super::formula::formula_filter;
use super::handlers::{
    FIELD_NAME_NOT_FOUND, INVALID_FIELD_NAMES, INVALID_FILTER, INVALID_SORT, check_table,
    check_view, fail, id_type, paged,
};
use super::records::{RenderOptions, generate, render_record};
use super::shape::RecordShape;
use super::store::Slot;
use crate::lock::lock;
use crate::reply::Reply;
use crate::request::RequestView;

/// Record options parsed from the query (list) or body (search).
struct Query {
    view: Option<String>,
    field_names: Option<Vec<String>>,
    filter: Option<Pred>,
    sort: Vec<(String, bool)>,
    automatic: bool,
}

fn string_list(v: &Value) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|i| i.as_str().map(str::to_string))
        .collect()
}

fn list_query(req: &RequestView, names: &[&str]) -> Result<Query, Reply> {
    let field_names = match req.query_first("field_names").filter(|v| !v.is_empty()) {
        None => None,
        Some(text) => Some(
            serde_json::from_str::<Value>(text)
                .ok()
                .as_ref()
                .and_then(string_list)
                .ok_or_else(|| {
                    fail(
                        INVALID_FIELD_NAMES,
                        "InvalidFieldNames: field_names must be a JSON array of strings",
                    )
                })?,
        ),
    };
    let sort = match req.query_first("sort").filter(|v| !v.is_empty()) {
        None => Vec::new(),
        Some(text) => {
            let items = serde_json::from_str::<Value>(text)
                .ok()
                .as_ref()
                .and_then(string_list)
                .ok_or_else(|| {
                    fail(
                        INVALID_SORT,
                        "InvalidSort: sort must be a JSON array of \"Field ASC|DESC\"",
                    )
                })?;
            let mut sort = Vec::new();
            for item in items {
                let (name, desc) = match item.rsplit_once(' ') {
                    Some((name, "DESC")) => (name.to_string(), true),
                    Some((name, "ASC")) => (name.to_string(), false),
                    _ => (item.clone(), false),
                };
                sort.push((name, desc));
            }
            sort
        }
    };
    let filter = match req.query_first("filter").filter(|v| !v.is_empty()) {
        None => None,
        Some(text) => Some(
            formula_filter(text, names)
                .map_err(|e| fail(INVALID_FILTER, &format!("InvalidFilter: {e}")))?,
        ),
    };
    Ok(Query {
        view: req.query_first("view_id").map(str::to_string),
        field_names,
        filter,
        sort,
        automatic: req.query_flag("automatic_fields"),
    })
}

fn search_query(req: &RequestView, defs: &[FieldDef]) -> Result<Query, Reply> {
    let body = match (&req.json, req.body.is_empty()) {
        (Some(body), _) => body.clone(),
        (None, true) => json!({}),
        (None, false) => return Err(fail(1254000, "WrongRequestJson: the body is not JSON")),
    };
    let field_names = match body.get("field_names").filter(|v| !v.is_null()) {
        None => None,
        Some(v) => Some(string_list(v).filter(|l| l.len() <= 200).ok_or_else(|| {
            fail(
                INVALID_FIELD_NAMES,
                "InvalidFieldNames: field_names must be ≤ 200 strings",
            )
        })?),
    };
    let mut sort = Vec::new();
    if let Some(v) = body.get("sort").filter(|v| !v.is_null()) {
        let items = v
            .as_array()
            .filter(|a| a.len() <= 100)
            .ok_or_else(|| fail(INVALID_SORT, "InvalidSort: sort must be ≤ 100 objects"))?;
        for item in items {
            let name = item
                .get("field_name")
                .and_then(Value::as_str)
                .ok_or_else(|| fail(INVALID_SORT, "InvalidSort: sort item without field_name"))?;
            sort.push((
                name.to_string(),
                item.get("desc").and_then(Value::as_bool).unwrap_or(false),
            ));
        }
    }
    let filter = search_filter(body.get("filter").unwrap_or(&Value::Null), defs)
        .map_err(|e| fail(INVALID_FILTER, &format!("InvalidFilter: {e}")))?;
    Ok(Query {
        view: body
            .get("view_id")
            .and_then(Value::as_str)
            .map(str::to_string),
        field_names,
        filter,
        sort,
        automatic: body
            .get("automatic_fields")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

/// Lists (`search == false`) or searches the records of a table.
pub(super) fn records(
    data: &Mutex<BitableData>,
    req: &RequestView,
    app: &str,
    table_id: &str,
    search: bool,
) -> Reply {
    let data = lock(data);
    let table = match check_table(&data, app, table_id) {
        Ok(t) => t,
        Err(reply) => return reply,
    };
    let defs = data.fields_of(table);
    let names: Vec<&str> = defs.iter().map(|d| &*d.name).collect();
    let query = if search {
        search_query(req, &defs)
    } else {
        list_query(req, &names)
    };
    let query = match query {
        Ok(q) => q,
        Err(reply) => return reply,
    };
    let ids = match id_type(req) {
        Ok(ids) => ids,
        Err(reply) => return reply,
    };
    if let Some(bad) = query
        .field_names
        .iter()
        .flatten()
        .find(|n| !names.contains(&n.as_str()))
    {
        return fail(FIELD_NAME_NOT_FOUND, &format!("FieldNameNotFound: {bad}"));
    }
    if let Some((bad, _)) = query
        .sort
        .iter()
        .find(|(n, _)| !names.contains(&n.as_str()))
    {
        return fail(FIELD_NAME_NOT_FOUND, &format!("FieldNameNotFound: {bad}"));
    }
    let view = match check_view(table, query.view.as_deref()) {
        Ok(v) => v,
        Err(reply) => return reply,
    };
    // Feishu ignores the view when a filter or sort is given.
    let view_filter = view
        .filter(|v| v.only_done && query.filter.is_none() && query.sort.is_empty())
        .map(|_| Pred::Op {
            field: "Done".into(),
            op: "is".into(),
            values: vec!["true".into()],
        });
    let predicate = query.filter.clone().or(view_filter);
    let shape = if search || req.query_flag("text_field_as_array") {
        RecordShape::Structured
    } else {
        data.unflagged_list_shape
    };
    let options = RenderOptions {
        shape,
        record_url: search,
        ids,
        field_names: query.field_names.as_deref(),
        automatic: query.automatic,
    };

    let store = &table.store;
    let render = |slot| match store.get(table.records, slot, |i| generate(&data, table, i)) {
        Some(g) => render_record(app, table, &g, &options),
        None => Value::Null,
    };
    if predicate.is_none() && query.sort.is_empty() {
        // The common case: page straight over listing positions, building only this page.
        let len = store.len(table.records);
        return paged(req, len, 20, 500, |pos| {
            store
                .slot_at(table.records, pos)
                .map_or(Value::Null, &render)
        });
    }
    let fast = predicate.as_ref().and_then(any_of);
    let mut matching: Vec<(usize, Slot, Vec<Option<Scalar>>)> = Vec::new();
    for (n, slot) in store.slots(table.records).enumerate() {
        let Some(g) = store.get(table.records, slot, |i| generate(&data, table, i)) else {
            continue;
        };
        if predicate
            .as_ref()
            .is_none_or(|p| matches(p, fast.as_ref(), &g))
        {
            let keys = query
                .sort
                .iter()
                .map(|(n, _)| cell_of(&g, n).and_then(scalar))
                .collect();
            matching.push((n, slot, keys));
        }
    }
    matching.sort_by(|(ia, _, ka), (ib, _, kb)| {
        for (k, (_, desc)) in query.sort.iter().enumerate() {
            let o = compare(ka[k].as_ref(), kb[k].as_ref());
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        ia.cmp(ib)
    });
    paged(req, matching.len() as u64, 20, 500, |k| {
        render(matching[k as usize].1)
    })
}
