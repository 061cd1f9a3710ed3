//! Approval: W2 (list + detail + form rows of a month of instances) and its SDK-less
//! baseline.

use std::collections::BTreeMap;

use feishu_approval::{Approval, InstanceOutcome};
use feishu_core::{ListRequest, TimeRange};
use futures::{StreamExt, TryStreamExt, stream};
use serde_json::Value;

use super::{Env, Meter, Outcome, Prepared, Res, bare_token, err, with_stats};
use crate::bench::prepare::DAY_MS;

/// The widest window one list call covers (the list page: at most 10 hours).
const SLICE_MS: i64 = 10 * 3_600_000;

/// W2: list + detail + form flattening of `approval_days` of instances of every definition.
pub(super) async fn sync(env: &Env, data: &Prepared) -> Res<Outcome> {
    let o = &env.opts;
    let from = data.now_ms - o.approval_days * DAY_MS;
    let client = env.client()?;
    let api = Approval::new(client.clone());
    let meter = Meter::start()?;
    let window = TimeRange::from_unix_ms(from, data.now_ms).map_err(err)?;
    let listing = {
        let api = api.clone();
        stream::iter(data.approval_codes.clone())
            .map(move |code| api.list_instance_codes(code, window).into_stream())
            .flatten()
    };
    let mut details = api
        .batch_get_instances(listing)
        .concurrency(o.concurrency)
        .into_stream();
    let (mut items, mut rows) = (0u64, Rows::default());
    while let Some(outcome) = details.next().await {
        let detail = outcome
            .and_then(InstanceOutcome::into_result)
            .map_err(err)?;
        items += 1;
        rows.form += detail.form_rows().len() as u64;
        rows.other += (detail.task_rows().len() + detail.timeline_rows().len()) as u64;
    }
    let measured = meter.stop()?;
    let out = Outcome {
        items,
        measured,
        notes: vec![rows.note(o.approval_days)],
        ..Outcome::default()
    };
    Ok(with_stats(out, &client))
}

/// Rows the details flatten into.
#[derive(Default)]
struct Rows {
    form: u64,
    other: u64,
}

impl Rows {
    fn note(&self, days: i64) -> String {
        format!(
            "{} form rows, {} task+timeline rows, {days} days",
            self.form, self.other
        )
    }
}

/// W2's calls without the SDK: the same 10-hour list slices (pages of 100), the same details
/// with the same concurrency, each decoded into a `serde_json::Value`, its form string
/// parsed and walked into rows, its tasks and timeline counted. No pacing: run it with
/// `--limits off`.
pub(super) async fn baseline(env: &Env, data: &Prepared) -> Res<Outcome> {
    let o = &env.opts;
    let http = reqwest::Client::new();
    let base = env.base_url.trim_end_matches('/').to_string();
    let meter = Meter::start()?;
    let token = bare_token(&http, env).await?;
    let bare = Bare { http, base, token };
    let from = data.now_ms - o.approval_days * DAY_MS;
    let mut codes = Vec::new();
    let mut list_calls = 0u64;
    for code in &data.approval_codes {
        let mut start = from;
        while start < data.now_ms {
            let end = (start + SLICE_MS).min(data.now_ms);
            list_calls += bare.list_slice(code, start, end, &mut codes).await?;
            start = end;
        }
    }
    let detail_calls = codes.len() as u64;
    let rows: Vec<Rows> = stream::iter(codes)
        .map(|code| bare.detail(code))
        .buffered(o.concurrency)
        .try_collect()
        .await?;
    let measured = meter.stop()?;
    let total = rows.iter().fold(Rows::default(), |a, r| Rows {
        form: a.form + r.form,
        other: a.other + r.other,
    });
    let by = BTreeMap::from([
        ("approval.instances.list".to_string(), list_calls),
        ("approval.instances.get".to_string(), detail_calls),
    ]);
    Ok(Outcome {
        items: rows.len() as u64,
        measured,
        requests: 1 + list_calls + detail_calls,
        requests_by_endpoint: by,
        token_fetches: 1,
        notes: vec![total.note(o.approval_days)],
        ..Outcome::default()
    })
}

/// A hand-written client: reqwest, a token, `serde_json::Value`.
struct Bare {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Bare {
    /// `GET path` with `query`, the reply's `data` (an error unless `code` is 0).
    async fn get(&self, path: &str, query: &[(&str, String)]) -> Res<Value> {
        let body = self
            .http
            .get(format!("{}/open-apis/{path}", self.base))
            .bearer_auth(&self.token)
            .query(query)
            .send()
            .await
            .map_err(err)?
            .bytes()
            .await
            .map_err(err)?;
        let mut v: Value = serde_json::from_slice(&body).map_err(err)?;
        if v["code"] != 0 {
            return Err(format!("baseline-w2: {path}: {v}"));
        }
        Ok(v["data"].take())
    }

    /// Every code of one slice, page by page; returns the calls made.
    async fn list_slice(
        &self,
        code: &str,
        start: i64,
        end: i64,
        out: &mut Vec<String>,
    ) -> Res<u64> {
        let mut calls = 0;
        let mut page_token: Option<String> = None;
        loop {
            let mut query = vec![
                ("approval_code", code.to_string()),
                ("start_time", start.to_string()),
                ("end_time", end.to_string()),
                ("page_size", "100".to_string()),
            ];
            query.extend(page_token.take().map(|t| ("page_token", t)));
            let data = self.get("approval/v4/instances", &query).await?;
            calls += 1;
            let list = data["instance_code_list"].as_array();
            out.extend(
                list.into_iter()
                    .flatten()
                    .filter_map(|c| c.as_str())
                    .map(str::to_string),
            );
            match data["page_token"].as_str() {
                Some(t) if data["has_more"] == true && !t.is_empty() => page_token = Some(t.into()),
                _ => return Ok(calls),
            }
        }
    }

    /// One instance's detail, flattened into rows.
    async fn detail(&self, code: String) -> Res<Rows> {
        let data = self
            .get(&format!("approval/v4/instances/{code}"), &[])
            .await?;
        let form: Value = match data["form"].as_str() {
            Some(text) => serde_json::from_str(text).map_err(err)?,
            None => Value::Null,
        };
        let mut form_rows = Vec::new();
        flatten_form(&code, &form, None, &mut form_rows);
        let indexed = |key: &str| -> Vec<(String, usize, Value)> {
            let items = data[key].as_array().into_iter().flatten();
            items
                .enumerate()
                .map(|(i, item)| (code.clone(), i, item.clone()))
                .collect()
        };
        let (tasks, timeline) = (indexed("task_list"), indexed("timeline"));
        // The rows are the work: keep the optimiser from dropping them unbuilt.
        std::hint::black_box((&form_rows, &tasks, &timeline));
        Ok(Rows {
            form: form_rows.len() as u64,
            other: (tasks.len() + timeline.len()) as u64,
        })
    }
}

/// One form row as the bare client builds it: what `feishu_approval::FormRow` holds.
#[allow(dead_code)] // built as the work, read by no one
struct BareFormRow {
    instance_code: String,
    path: String,
    widget_id: String,
    name: String,
    widget_type: String,
    value: Value,
    ext: Option<Value>,
    parent: Option<(String, String, usize)>,
}

/// Flattens a parsed form as `InstanceDetail::form_rows` does: one row per widget, and below
/// a `fieldList` (whose value is a list of widget lists) one per widget of each of its rows,
/// with paths `w2[0].w3`.
fn flatten_form(
    code: &str,
    widgets: &Value,
    parent: Option<(&str, &str, usize)>,
    out: &mut Vec<BareFormRow>,
) {
    for widget in widgets.as_array().into_iter().flatten() {
        let text = |key: &str| widget[key].as_str().unwrap_or_default().to_string();
        let id = text("id");
        let path = match parent {
            Some((_, parent_path, row)) => format!("{parent_path}[{row}].{id}"),
            None => id.clone(),
        };
        out.push(BareFormRow {
            instance_code: code.to_string(),
            path: path.clone(),
            widget_id: id.clone(),
            name: text("name"),
            widget_type: text("type"),
            value: widget["value"].clone(),
            ext: widget.get("ext").filter(|v| !v.is_null()).cloned(),
            parent: parent.map(|(p, pp, r)| (p.to_string(), pp.to_string(), r)),
        });
        if widget["type"] == "fieldList"
            && let Some(rows) = widget["value"].as_array()
        {
            for (r, row) in rows.iter().enumerate() {
                flatten_form(code, row, Some((&id, &path, r)), out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn forms_flatten_as_the_sdk_does() {
        let form = json!([
            {"id": "a", "name": "Item", "type": "input", "value": "x"},
            {"id": "b", "type": "fieldList", "value": [
                [{"id": "b1", "value": 1}, {"id": "b2", "value": 2}],
                [{"id": "b1", "value": 3}, {"id": "b2", "value": 4}]
            ]},
            {"id": "c", "type": "contact", "value": [["ou_1"]]}
        ]);
        let mut rows = Vec::new();
        flatten_form("INST-1", &form, None, &mut rows);
        let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            paths,
            ["a", "b", "b[0].b1", "b[0].b2", "b[1].b1", "b[1].b2", "c"]
        );
        assert_eq!(rows[3].parent, Some(("b".into(), "b".into(), 0)));
        let mut none = Vec::new();
        flatten_form("INST-1", &Value::Null, None, &mut none);
        assert!(none.is_empty());
    }
}
