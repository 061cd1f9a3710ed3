//! Bitable: W1 (a full scan), its SDK-less baseline, and W8 (a Base of many tables read side
//! by side).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use feishu_bitable::Bitable;
use feishu_core::ListRequest;
use futures::{StreamExt, TryStreamExt, stream};
use serde_json::Value;

use super::{Env, Meter, Outcome, Prepared, Res, bare_token, err, with_stats};
use crate::bench::options::Limits;

/// The Base and first table of the prepared data.
fn table(data: &Prepared) -> Res<(String, String)> {
    match (&data.app_token, data.table_ids.first()) {
        (Some(app), Some(table)) => Ok((app.clone(), table.clone())),
        _ => Err("no Bitable table was prepared".into()),
    }
}

/// W1: every record of a table, pages of 500, through feishu-bitable.
pub(super) async fn scan(env: &Env, data: &Prepared) -> Res<Outcome> {
    let (app, table) = table(data)?;
    let client = env.client()?;
    let bitable = Bitable::new(client.clone());
    let meter = Meter::start()?;
    let mut stream = bitable
        .list_records(&app, &table)
        .page_size(500)
        .automatic_fields(true)
        .into_stream();
    let (mut items, mut cells) = (0u64, 0u64);
    while let Some(record) = stream.next().await {
        let record = record.map_err(err)?;
        items += 1;
        cells += record.fields.len() as u64;
    }
    let measured = meter.stop()?;
    let out = Outcome {
        items,
        measured,
        notes: vec![format!("{cells} cells")],
        ..Outcome::default()
    };
    Ok(with_stats(out, &client))
}

/// The baseline: the same pages as W1, by hand with reqwest + serde_json, no SDK.
pub(super) async fn baseline(env: &Env, data: &Prepared) -> Res<Outcome> {
    let (app, table) = table(data)?;
    let http = reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(err)?;
    let base = env.base_url.trim_end_matches('/');
    // Documented limit 20/s: one request per 50 ms keeps every fixed second at 20 or fewer.
    let pace = match env.opts.limits {
        Limits::Documented => Duration::from_millis(50),
        Limits::Off => Duration::ZERO,
    };
    let meter = Meter::start()?;
    let token = bare_token(&http, env).await?;
    let url = format!("{base}/open-apis/bitable/v1/apps/{app}/tables/{table}/records");
    let mut scan = BareScan::default();
    let mut page_token: Option<String> = None;
    let mut last_sent: Option<Instant> = None;
    loop {
        if let Some(due) = last_sent.map(|at| at + pace)
            && due > Instant::now()
        {
            tokio::time::sleep_until(due.into()).await;
        }
        last_sent = Some(Instant::now());
        let mut req = http.get(&url).bearer_auth(&token).query(&[
            ("page_size", "500"),
            ("automatic_fields", "true"),
            ("text_field_as_array", "true"),
        ]);
        if let Some(t) = &page_token {
            req = req.query(&[("page_token", t)]);
        }
        match scan.page(req).await? {
            Some(next) => page_token = next,
            None => continue,
        }
        if page_token.is_none() {
            break;
        }
    }
    let measured = meter.stop()?;
    let family = "bitable.records.list".to_string();
    Ok(Outcome {
        items: scan.items,
        measured,
        requests: scan.requests + 1,
        requests_by_endpoint: BTreeMap::from([(family.clone(), scan.requests)]),
        rate_limited_by_endpoint: BTreeMap::from([(family, scan.rate_limited)]),
        rate_limited: scan.rate_limited,
        token_fetches: 1,
        notes: vec![format!("{} cells", scan.cells)],
        ..Outcome::default()
    })
}

/// What the bare scan counted.
#[derive(Default)]
struct BareScan {
    requests: u64,
    rate_limited: u64,
    items: u64,
    cells: u64,
}

impl BareScan {
    /// Sends one page request; `None` when it was rate limited (after a pause), else the
    /// next page token (`Some(None)` at the end).
    async fn page(&mut self, req: reqwest::RequestBuilder) -> Res<Option<Option<String>>> {
        self.requests += 1;
        let body = req.send().await.map_err(err)?.bytes().await.map_err(err)?;
        let v: Value = serde_json::from_slice(&body).map_err(err)?;
        if v["code"] == 99991400 {
            self.rate_limited += 1;
            tokio::time::sleep(Duration::from_millis(200)).await;
            return Ok(None);
        }
        if v["code"] != 0 {
            return Err(format!("baseline: {v}"));
        }
        let data = &v["data"];
        for item in data["items"].as_array().into_iter().flatten() {
            self.items += 1;
            self.cells += item["fields"].as_object().map_or(0, |f| f.len() as u64);
        }
        Ok(Some(
            data["page_token"]
                .as_str()
                .filter(|t| !t.is_empty() && data["has_more"] == true)
                .map(str::to_string),
        ))
    }
}

/// W8: every table of a Base, listed with `list_tables` and read side by side (one listing
/// per table, all at once), through feishu-bitable.
pub(super) async fn base(env: &Env, data: &Prepared) -> Res<Outcome> {
    let app = data.app_token.clone().ok_or("W8 needs a Base")?;
    let client = env.client()?;
    let bitable = Bitable::new(client.clone());
    let page_size = env.opts.base_page_size;
    let meter = Meter::start()?;
    let tables: Vec<String> = bitable
        .list_tables(&app)
        .into_stream()
        .map_ok(|t| t.table_id.to_string())
        .try_collect()
        .await
        .map_err(err)?;
    let listings = tables.iter().map(|table| {
        bitable
            .list_records(&app, table)
            .page_size(page_size)
            .automatic_fields(true)
            .into_stream()
    });
    let mut records = stream::select_all(listings);
    let mut items = 0u64;
    while let Some(record) = records.next().await {
        record.map_err(err)?;
        items += 1;
    }
    let measured = meter.stop()?;
    let out = Outcome {
        items,
        measured,
        notes: vec![format!(
            "{} tables side by side, pages of {page_size}",
            tables.len()
        )],
        ..Outcome::default()
    };
    Ok(with_stats(out, &client))
}
