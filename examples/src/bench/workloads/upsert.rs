//! W7: upsert 100,000 rows into one table (half of their keys already there), through
//! `Bitable::upsert_records`, and the same work with bare reqwest + serde_json (the CPU
//! floor). `w7-resets` runs W7 with a share of replies lost after the server applied the
//! request, and counts duplicate rows.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use feishu_bitable::{Bitable, FieldType, Fields, ListRequest, NewField, NewTable, UpsertOutcome};
use feishu_core::{Client, Credentials, RateLimit, RateLimits, RetryPolicy};
use futures::{StreamExt, TryStreamExt};
use secrecy::ExposeSecret;
use serde_json::{Map, Value, json};

use super::super::env::Env;
use super::super::floor::window_floor;
use super::super::options::Limits;
use super::super::prepare::Prepared;
use super::{Meter, Outcome, Res, bare_token, err, with_stats};

/// Documented limits: search records 20/s, record writes 50/s (feishu-bitable/src/codes.rs).
const SEARCH_PER_SECOND: u32 = 20;
const WRITES_PER_SECOND: u32 = 50;
const KEY: &str = "Key";

/// The cells of input row `i` (keys `k0`, `k1`, ...).
fn cells(i: u64, round: u64) -> (String, f64, String) {
    (
        format!("k{i}"),
        (i * 7 + round) as f64 / 4.0,
        format!("row {i}, round {round}"),
    )
}

fn fields(i: u64, round: u64) -> Fields {
    let (key, amount, note) = cells(i, round);
    Fields::new()
        .set(KEY, key)
        .set("Amount", amount)
        .set("Note", note)
}

/// A fresh table with `existing` records (keys `k0..k{existing}`), made through the API so
/// the workload runs on any tenant; returns (app token, table id).
async fn prepare(data: &Prepared, bitable: &Bitable, existing: u64) -> Res<(String, String)> {
    let app = data.app_token.clone().ok_or("W7 needs a Base")?;
    let name = format!("bench-upsert-{}", crate::wall_ms());
    let table = NewTable::new(name)
        .field(NewField::new(KEY, FieldType::Text))
        .field(NewField::new("Amount", FieldType::Number))
        .field(NewField::new("Note", FieldType::Text));
    let table_id = bitable
        .create_table(&app, &table)
        .await
        .map_err(err)?
        .table_id;
    let ids: Vec<u64> = (0..existing).collect();
    for chunk in ids.chunks(1000) {
        let rows = chunk.iter().map(|i| fields(*i, 0));
        bitable
            .batch_create_records(&app, &table_id, rows)
            .send()
            .await
            .map_err(err)?;
    }
    Ok((app, table_id.to_string()))
}

/// Keys of every record of the table (read after the timed part), and how many records.
async fn census(bitable: &Bitable, app: &str, table: &str) -> Res<(HashSet<String>, u64)> {
    let mut keys = HashSet::new();
    let mut n = 0u64;
    let mut records = bitable
        .search_records(app, table)
        .field_names([KEY])
        .page_size(500)
        .into_stream();
    while let Some(record) = records.try_next().await.map_err(err)? {
        n += 1;
        if let Some(key) = record.text(KEY) {
            keys.insert(key);
        }
    }
    Ok((keys, n))
}

/// The key scan's floor and the writes' floor, window and sustained: the writes start once
/// the scan ended, and one table takes one write at a time.
fn floors(by: &BTreeMap<String, u64>) -> [(f64, f64); 2] {
    let reads = by.get("bitable.records.search").copied().unwrap_or(0);
    let writes: u64 = by
        .iter()
        .filter(|(f, _)| {
            matches!(
                f.as_str(),
                "bitable.records.batch_create" | "bitable.records.batch_update"
            )
        })
        .map(|(_, n)| n)
        .sum();
    let floor = |per_second: u32, n: u64| {
        let window = window_floor(&RateLimit::per_second(per_second), n).as_secs_f64();
        (window, n as f64 / f64::from(per_second))
    };
    [
        floor(SEARCH_PER_SECOND, reads),
        floor(WRITES_PER_SECOND, writes),
    ]
}

fn finish(mut out: Outcome, rows: u64, keys: &HashSet<String>, records: u64) -> Outcome {
    let [(read, read_sustained), (write, write_sustained)] = floors(&out.requests_by_endpoint);
    out.floors = Some((read + write, read_sustained + write_sustained));
    out.notes.push(format!(
        "window floor = key scan {read:.1} s (search at 20/s) + writes {write:.1} s (one writer, 50/s)"
    ));
    let duplicates = records.saturating_sub(keys.len() as u64);
    out.notes.push(format!(
        "{records} records after the run, {} distinct keys, {duplicates} duplicates",
        keys.len()
    ));
    if duplicates > 0 || keys.len() as u64 != rows {
        out.failed += duplicates.max(1);
        out.notes
            .push("MISMATCH: duplicates or missing rows".into());
    }
    out
}

/// The client of a W7 run: the run's limits, and (for `w7-resets`) a short timeout.
fn client(env: &Env, timeout: Option<Duration>) -> Res<Client> {
    let mut builder = Client::builder()
        .base_url(&env.base_url)
        .credentials(Credentials::self_built(
            &env.app_id,
            env.app_secret.expose_secret(),
        ))
        .rate_limits(match env.opts.limits {
            Limits::Documented => RateLimits::documented(),
            Limits::Off => RateLimits::disabled(),
        });
    if let Some(t) = timeout {
        builder = builder.timeout(t).retry_policy(
            RetryPolicy::default()
                .with_max_attempts(10)
                .with_initial_backoff(Duration::from_millis(50)),
        );
    }
    builder.build().map_err(err)
}

/// W7 (and `w7-resets` with `reset_share > 0`): the upsert through the SDK.
pub(super) async fn upsert(env: &Env, data: &Prepared, reset_share: f64) -> Res<Outcome> {
    let (rows, existing) = (env.opts.upsert_rows, env.opts.upsert_rows / 2);
    let timeout = (reset_share > 0.0).then_some(Duration::from_millis(1500));
    let setup = Bitable::new(client(env, None)?);
    let (app, table) = prepare(data, &setup, existing).await?;
    if reset_share > 0.0 {
        let tenant = env
            .tenant
            .as_ref()
            .ok_or("w7-resets needs the in-process fake")?;
        tenant
            .bitable()
            .set_lost_reply_share(reset_share, Duration::from_millis(2500));
    }
    let input: Vec<Fields> = (0..rows).map(|i| fields(i, 1)).collect();
    let client = client(env, timeout)?;
    let bitable = Bitable::new(client.clone());
    let meter = Meter::start()?;
    let outcomes = bitable
        .upsert_records(&app, &table, KEY, input)
        .into_stream();
    let Counted {
        created,
        updated,
        failed,
        first_failure,
    } = count(outcomes).await;
    let measured = meter.stop()?;
    if let Some(t) = &env.tenant {
        t.bitable().set_lost_reply_share(0.0, Duration::ZERO);
    }
    let (keys, records) = census(&setup, &app, &table).await?;
    let mut notes = vec![format!(
        "{created} created, {updated} updated, {failed} failed, {existing} rows existed"
    )];
    notes.extend(first_failure.map(|f| format!("first failure: {f}")));
    if let Some(t) = &env.tenant {
        let stats = t.bitable().write_stats();
        notes.push(format!(
            "fake: {} writes applied, {} conflicts, {} client_token replays",
            stats.writes_applied, stats.write_conflicts, stats.token_replays
        ));
    }
    let out = Outcome {
        items: created + updated,
        measured,
        failed,
        notes,
        ..Outcome::default()
    };
    let out = with_stats(out, &client);
    Ok(finish(out, rows, &keys, records))
}

/// What an upsert's outcomes add up to.
struct Counted {
    created: u64,
    updated: u64,
    failed: u64,
    first_failure: Option<String>,
}

async fn count(mut outcomes: futures::stream::BoxStream<'static, UpsertOutcome>) -> Counted {
    let mut c = Counted {
        created: 0,
        updated: 0,
        failed: 0,
        first_failure: None,
    };
    while let Some(outcome) = outcomes.next().await {
        match outcome {
            UpsertOutcome::Created { .. } => c.created += 1,
            UpsertOutcome::Updated { .. } => c.updated += 1,
            UpsertOutcome::Failed { reason, .. } => {
                c.failed += 1;
                c.first_failure.get_or_insert_with(|| reason.to_string());
            }
            _ => {}
        }
    }
    c
}

/// Paces requests of one family at `per_second` (documented limits) or not at all.
struct Pace {
    every: Duration,
    last: Option<Instant>,
}

impl Pace {
    fn new(env: &Env, per_second: u32) -> Pace {
        let every = match env.opts.limits {
            Limits::Documented => Duration::from_secs_f64(1.0 / f64::from(per_second)),
            Limits::Off => Duration::ZERO,
        };
        Pace { every, last: None }
    }

    async fn wait(&mut self) {
        if let Some(at) = self.last {
            let due = at + self.every;
            if due > Instant::now() {
                tokio::time::sleep_until(due.into()).await;
            }
        }
        self.last = Some(Instant::now());
    }
}

/// `w7-baseline`: the same scan and the same batches, by hand with reqwest + serde_json.
pub(super) async fn baseline(env: &Env, data: &Prepared) -> Res<Outcome> {
    let (rows, existing) = (env.opts.upsert_rows, env.opts.upsert_rows / 2);
    let setup = Bitable::new(client(env, None)?);
    let (app, table) = prepare(data, &setup, existing).await?;
    let input: Vec<Map<String, Value>> = (0..rows)
        .map(|i| {
            let (key, amount, note) = cells(i, 1);
            let v = json!({ KEY: key, "Amount": amount, "Note": note });
            v.as_object().cloned().unwrap_or_default()
        })
        .collect();
    let meter = Meter::start()?;
    let mut bare = Bare::connect(env).await?;
    let path = format!("/open-apis/bitable/v1/apps/{app}/tables/{table}/records");
    let ids = bare.scan(env, &path).await?;
    let (updates, creates) = classify(&input, &ids);
    let written = bare.write(env, &path, &updates, &creates).await?;
    let measured = meter.stop()?;
    let (keys, records) = census(&setup, &app, &table).await?;
    let out = Outcome {
        items: written,
        measured,
        requests: bare.requests,
        requests_by_endpoint: bare.by_family,
        rate_limited: bare.rate_limited,
        token_fetches: 1,
        notes: vec![format!(
            "{} updates, {} creates",
            updates.len(),
            creates.len()
        )],
        ..Outcome::default()
    };
    Ok(finish(out, rows, &keys, records))
}

/// The batch rows: updates of the keys found, creates of the others.
fn classify(
    input: &[Map<String, Value>],
    ids: &HashMap<String, String>,
) -> (Vec<Value>, Vec<Value>) {
    let (mut updates, mut creates) = (Vec::new(), Vec::new());
    for row in input {
        let key = row[KEY].as_str().unwrap_or_default();
        match ids.get(key) {
            Some(id) => updates.push(json!({ "record_id": id, "fields": row })),
            None => creates.push(json!({ "fields": row })),
        }
    }
    (updates, creates)
}

/// The bare loop's HTTP side: token, requests, retries of 429 and write conflicts.
struct Bare {
    http: reqwest::Client,
    base: String,
    token: String,
    requests: u64,
    rate_limited: u64,
    by_family: BTreeMap<String, u64>,
}

impl Bare {
    async fn connect(env: &Env) -> Res<Bare> {
        let http = reqwest::Client::builder()
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(err)?;
        let base = env.base_url.trim_end_matches('/').to_string();
        let token = bare_token(&http, env).await?;
        Ok(Bare {
            http,
            base,
            token,
            requests: 1,
            rate_limited: 0,
            by_family: BTreeMap::new(),
        })
    }

    async fn post(
        &mut self,
        family: &str,
        path: &str,
        query: &[(&str, &str)],
        body: &Value,
    ) -> Res<Value> {
        *self.by_family.entry(family.to_string()).or_default() += 1;
        loop {
            self.requests += 1;
            let bytes = self
                .http
                .post(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .query(query)
                .json(body)
                .send()
                .await
                .map_err(err)?
                .bytes()
                .await
                .map_err(err)?;
            let v: Value = serde_json::from_slice(&bytes).map_err(err)?;
            match v["code"].as_i64() {
                Some(0) => return Ok(v),
                Some(99991400 | 1254290 | 1254291) => {
                    self.rate_limited += 1;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                _ => return Err(format!("bare upsert: {v}")),
            }
        }
    }

    /// Key → record id of every record (search, pages of 500, key column only).
    async fn scan(&mut self, env: &Env, path: &str) -> Res<HashMap<String, String>> {
        let mut ids = HashMap::new();
        let mut page_token: Option<String> = None;
        let mut pace = Pace::new(env, SEARCH_PER_SECOND);
        let body = json!({ "field_names": [KEY] });
        loop {
            pace.wait().await;
            let mut query = vec![("page_size", "500")];
            if let Some(t) = &page_token {
                query.push(("page_token", t.as_str()));
            }
            let v = self
                .post(
                    "bitable.records.search",
                    &format!("{path}/search"),
                    &query,
                    &body,
                )
                .await?;
            let data = &v["data"];
            for item in data["items"].as_array().into_iter().flatten() {
                let key = item["fields"][KEY][0]["text"].as_str().unwrap_or_default();
                let id = item["record_id"].as_str().unwrap_or_default();
                ids.insert(key.to_string(), id.to_string());
            }
            match data["page_token"].as_str().filter(|t| !t.is_empty()) {
                Some(t) if data["has_more"] == true => page_token = Some(t.to_string()),
                _ => return Ok(ids),
            }
        }
    }

    /// Updates, then creates, 1,000 a call, one call at a time; the records written.
    async fn write(
        &mut self,
        env: &Env,
        path: &str,
        updates: &[Value],
        creates: &[Value],
    ) -> Res<u64> {
        let mut pace = Pace::new(env, WRITES_PER_SECOND);
        let mut written = 0u64;
        for batch in updates.chunks(1000) {
            pace.wait().await;
            let body = json!({ "records": batch });
            let v = self
                .post(
                    "bitable.records.batch_update",
                    &format!("{path}/batch_update"),
                    &[],
                    &body,
                )
                .await?;
            written += v["data"]["records"].as_array().map_or(0, Vec::len) as u64;
        }
        for (n, batch) in creates.chunks(1000).enumerate() {
            pace.wait().await;
            let token = format!("00000000-0000-4000-8000-{n:012x}");
            let body = json!({ "records": batch });
            let query = [("client_token", token.as_str())];
            let v = self
                .post(
                    "bitable.records.batch_create",
                    &format!("{path}/batch_create"),
                    &query,
                    &body,
                )
                .await?;
            written += v["data"]["records"].as_array().map_or(0, Vec::len) as u64;
        }
        Ok(written)
    }
}
