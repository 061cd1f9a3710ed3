//! The workloads. Each one prepares its data (untimed), then runs under a [`Meter`].

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use feishu_approval::{Approval, InstanceOutcome};
use feishu_attendance::{Attendance, EmployeeType};
use feishu_bitable::Bitable;
use feishu_contact::Contact;
use feishu_core::{Client, Endpoint, ListRequest, RateLimit, Request, TimeRange};
use feishu_sync::{LogLevel, Message, ReadOptions, Source, SourceConfig, StreamStatus};
use feishu_testkit::ContactDataset;
use feishu_testkit::approval::{APPROVAL_CODE_LEAVE, APPROVAL_CODE_PURCHASE, ApprovalDataset};
use futures::{StreamExt, TryStreamExt, stream};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::measure::CpuSample;
use super::{Env, Limits, Workload};

/// 2025-02-01T00:00:00+08:00 in Unix ms: the fixed "now" of the generated data.
pub const NOW_MS: i64 = 1_738_339_200_000;
const DAY_MS: i64 = 86_400_000;

/// What a workload did, before the figures are attached.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Items the workload produced (records, instances, users, flows, calls).
    pub items: u64,
    /// How many items there should have been, when the fake tenant knows.
    pub expected: Option<u64>,
    /// Wall and CPU time of the timed part.
    pub measured: Measured,
    /// HTTP requests sent (the client's counter, or the baseline's own).
    pub requests: u64,
    /// Requests per endpoint family.
    pub requests_by_endpoint: BTreeMap<String, u64>,
    /// Replies the client saw as rate limited.
    pub rate_limited: u64,
    /// Token fetches the client made.
    pub token_fetches: u64,
    /// Calls that ended in an error (the client's counter) plus workload-level failures.
    pub failed: u64,
    /// Free-form remarks (checks, sizes).
    pub notes: Vec<String>,
    /// The workload's own rate-limit floor, when the largest family's is not it (W7: the key
    /// scan, then the writes of one table one at a time).
    pub floor: Option<f64>,
    /// `watch`: the median time from an event to its record's commit, ms.
    pub latency_p50_ms: Option<f64>,
    /// `watch`: the 99th percentile of that time, ms.
    pub latency_p99_ms: Option<f64>,
    /// `watch`: changes that never reached the sink.
    pub lost: Option<u64>,
}

/// Wall and CPU time between [`Meter::start`] and [`Meter::stop`].
#[derive(Debug, Default, Clone, Copy)]
pub struct Measured {
    /// Wall seconds.
    pub wall: f64,
    /// CPU seconds of the whole process.
    pub cpu: f64,
    /// CPU seconds of the in-process fake tenant's thread.
    pub fake_cpu: f64,
}

/// A running measurement.
#[derive(Debug)]
pub struct Meter {
    started: Instant,
    cpu: CpuSample,
}

impl Meter {
    /// Starts measuring; an error when `/proc` cannot be read.
    pub fn start() -> Res<Self> {
        Ok(Meter {
            cpu: CpuSample::now()?,
            started: Instant::now(),
        })
    }

    /// Stops measuring; an error when `/proc` cannot be read.
    pub fn stop(self) -> Res<Measured> {
        let wall = self.started.elapsed().as_secs_f64();
        let cpu = CpuSample::now()?;
        Ok(Measured {
            wall,
            cpu: cpu.process - self.cpu.process,
            fake_cpu: cpu.fake - self.cpu.fake,
        })
    }
}

type Res<T> = Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Runs one workload.
pub async fn run(env: &Env, workload: Workload) -> Res<Outcome> {
    match workload {
        Workload::Baseline => baseline(env, env.opts.records).await,
        Workload::W1 => bitable_scan(env, env.opts.records).await,
        Workload::W1Big => bitable_scan(env, env.opts.big_records).await,
        Workload::W2 => approval_sync(env).await,
        Workload::W3 => contact_walk(env).await,
        Workload::W4 => attendance_flows(env).await,
        Workload::W5 => token_storm(env).await,
        Workload::W6 => full_sync(env).await,
        Workload::W7 => super::upsert::upsert(env, 0.0).await,
        Workload::W7Baseline => super::upsert::baseline(env).await,
        Workload::W7Resets => super::upsert::upsert(env, env.opts.reset_share).await,
        Workload::Watch => super::watch::watch(env).await,
    }
}

/// Copies the client's counters into `out`.
pub(super) fn with_stats(mut out: Outcome, client: &Client) -> Outcome {
    let stats = client.stats();
    out.requests = stats.requests;
    out.requests_by_endpoint = stats
        .families
        .into_iter()
        .map(|(family, f)| (family, f.requests))
        .collect();
    out.rate_limited = stats.rate_limited;
    out.token_fetches = stats.token_fetches;
    out.failed += stats.failed_calls;
    out
}

/// The Bitable table to scan: a fresh "All types" table of `records` on the fake, or the
/// `--app-token` / `--table-id` of a real tenant.
fn bitable_table(env: &Env, records: u64) -> Res<(String, String)> {
    match &env.tenant {
        Some(tenant) => {
            let app = tenant.bitable().app_token();
            let table = tenant.bitable().add_table("Bench", records);
            Ok((app, table))
        }
        None => match (&env.opts.app_token, &env.opts.table_id) {
            (Some(a), Some(t)) => Ok((a.clone(), t.clone())),
            _ => Err("W1 and the baseline need --app-token and --table-id with --base-url".into()),
        },
    }
}

/// W1: every record of a table, pages of 500, through feishu-bitable.
async fn bitable_scan(env: &Env, records: u64) -> Res<Outcome> {
    let (app, table) = bitable_table(env, records)?;
    let client = env.client()?;
    let bitable = Bitable::new(client.clone());
    let meter = Meter::start()?;
    let mut stream = bitable
        .list_records(&app, &table)
        .page_size(500)
        .automatic_fields(true)
        .into_stream();
    let mut items = 0u64;
    let mut cells = 0u64;
    while let Some(record) = stream.next().await {
        let record = record.map_err(err)?;
        items += 1;
        cells += record.fields.len() as u64;
    }
    let measured = meter.stop()?;
    let out = Outcome {
        items,
        expected: env.tenant.as_ref().map(|_| records),
        measured,
        notes: vec![format!("{cells} cells")],
        ..Outcome::default()
    };
    Ok(with_stats(out, &client))
}

/// The baseline: the same pages as W1, by hand with reqwest + serde_json, no SDK.
async fn baseline(env: &Env, records: u64) -> Res<Outcome> {
    let (app, table) = bitable_table(env, records)?;
    let http = reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(err)?;
    let base = env.base_url.trim_end_matches('/').to_string();
    // Documented limit 20/s: pace one request per 50 ms so the server's limit never answers 429.
    let pace = match env.opts.limits {
        Limits::Documented => Duration::from_millis(50),
        Limits::Off => Duration::ZERO,
    };
    let meter = Meter::start()?;
    let auth: Value = http
        .post(format!(
            "{base}/open-apis/auth/v3/tenant_access_token/internal"
        ))
        .json(&json!({ "app_id": env.app_id, "app_secret": env.app_secret.expose_secret() }))
        .send()
        .await
        .map_err(err)?
        .json()
        .await
        .map_err(err)?;
    let token = auth["tenant_access_token"]
        .as_str()
        .ok_or_else(|| format!("no token in {auth}"))?
        .to_string();
    let url = format!("{base}/open-apis/bitable/v1/apps/{app}/tables/{table}/records");
    let mut requests = 1u64;
    let mut rate_limited = 0u64;
    let mut items = 0u64;
    let mut cells = 0u64;
    let mut page_token: Option<String> = None;
    let mut last_sent: Option<Instant> = None;
    loop {
        if let Some(at) = last_sent {
            let due = at + pace;
            if due > Instant::now() {
                tokio::time::sleep_until(due.into()).await;
            }
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
        requests += 1;
        let body = req.send().await.map_err(err)?.bytes().await.map_err(err)?;
        let v: Value = serde_json::from_slice(&body).map_err(err)?;
        if v["code"] == 99991400 {
            rate_limited += 1;
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        if v["code"] != 0 {
            return Err(format!("baseline: {v}"));
        }
        let data = &v["data"];
        for item in data["items"].as_array().into_iter().flatten() {
            items += 1;
            cells += item["fields"].as_object().map_or(0, |f| f.len() as u64);
        }
        match data["page_token"].as_str().filter(|t| !t.is_empty()) {
            Some(t) if data["has_more"] == true => page_token = Some(t.to_string()),
            _ => break,
        }
    }
    let measured = meter.stop()?;
    let mut by = BTreeMap::new();
    by.insert("bitable.records.list".to_string(), requests - 1);
    Ok(Outcome {
        items,
        expected: env.tenant.as_ref().map(|_| records),
        measured,
        requests,
        requests_by_endpoint: by,
        rate_limited,
        token_fetches: 1,
        notes: vec![format!("{cells} cells")],
        ..Outcome::default()
    })
}

/// W2: list + detail + form flattening of a month of approval instances.
async fn approval_sync(env: &Env) -> Res<Outcome> {
    let o = &env.opts;
    let (codes, now) = match &env.tenant {
        Some(tenant) => {
            let leave = o.approval_instances / 5;
            tenant.approval().set_dataset(
                ApprovalDataset::default()
                    .now_ms(NOW_MS)
                    .span_hours(o.approval_days * 24)
                    .instances(o.approval_instances - leave, leave),
            );
            (
                vec![
                    APPROVAL_CODE_PURCHASE.to_string(),
                    APPROVAL_CODE_LEAVE.to_string(),
                ],
                NOW_MS,
            )
        }
        None if !o.approval_codes.is_empty() => (o.approval_codes.clone(), crate::wall_ms()),
        None => return Err("W2 needs --approval-code with --base-url".into()),
    };
    let from = now - o.approval_days * DAY_MS;
    let expected = env.tenant.as_ref().map(|t| {
        codes
            .iter()
            .map(|c| t.approval().instance_count(c, from, now - 1) as u64)
            .sum()
    });
    let client = env.client()?;
    let api = Approval::new(client.clone());
    let meter = Meter::start()?;
    let window = TimeRange::from_unix_ms(from, now).map_err(err)?;
    let listing = {
        let api = api.clone();
        stream::iter(codes)
            .map(move |code| api.list_instance_codes(code, window).into_stream())
            .flatten()
    };
    let mut details = api
        .batch_get_instances(listing)
        .concurrency(o.concurrency)
        .into_stream();
    let (mut items, mut form_rows, mut other_rows) = (0u64, 0u64, 0u64);
    while let Some(outcome) = details.next().await {
        let detail = outcome
            .and_then(InstanceOutcome::into_result)
            .map_err(err)?;
        items += 1;
        form_rows += detail.form_rows().len() as u64;
        other_rows += (detail.task_rows().len() + detail.timeline_rows().len()) as u64;
    }
    let measured = meter.stop()?;
    let out = Outcome {
        items,
        expected,
        measured,
        notes: vec![format!(
            "{form_rows} form rows, {other_rows} task+timeline rows, {} days",
            o.approval_days
        )],
        ..Outcome::default()
    };
    Ok(with_stats(out, &client))
}

/// W3: every user of the directory through the Contact walk.
async fn contact_walk(env: &Env) -> Res<Outcome> {
    let expected = env.tenant.as_ref().map(|t| {
        t.contact().set_dataset(ContactDataset {
            users: env.opts.users,
            ..ContactDataset::default()
        });
        t.contact().user_ids("open_id").len() as u64
    });
    let client = env.client()?;
    let meter = Meter::start()?;
    let mut users = Contact::new(client.clone())
        .walk_directory()
        .concurrency(env.opts.concurrency)
        .into_stream();
    let mut items = 0u64;
    while let Some(user) = users.next().await {
        user.map_err(err)?;
        items += 1;
    }
    let measured = meter.stop()?;
    let report = users.report();
    let out = Outcome {
        items,
        expected,
        measured,
        notes: vec![format!(
            "{} departments, {} duplicates skipped",
            report.departments_walked, report.duplicates_skipped
        )],
        ..Outcome::default()
    };
    Ok(with_stats(out, &client))
}

/// W4: punch flows of every user over `attendance_days`.
async fn attendance_flows(env: &Env) -> Res<Outcome> {
    let o = &env.opts;
    let from_s = NOW_MS / 1000 - o.attendance_days * 86_400;
    let to_s = NOW_MS / 1000;
    let at = |s: i64| time::OffsetDateTime::from_unix_timestamp(s).map_err(err);
    let (from, to) = (at(from_s)?, at(to_s)?);
    let ids = env.tenant.as_ref().map(|t| {
        t.contact().set_dataset(ContactDataset {
            users: o.attendance_users,
            ..ContactDataset::default()
        });
        t.contact().user_ids("user_id")
    });
    let expected = match (&env.tenant, &ids) {
        (Some(t), Some(ids)) => {
            Some(t.attendance().flow_count("employee_id", ids, from_s, to_s) as u64)
        }
        _ => None,
    };
    let client = env.client()?;
    let meter = Meter::start()?;
    let range = feishu_core::TimeRange::new(from, to).map_err(err)?;
    let mut query = Attendance::new(client.clone())
        .list_user_flows(EmployeeType::EmployeeId, range)
        .concurrency(o.concurrency);
    if let Some(ids) = ids {
        query = query.user_ids(ids);
    }
    let items = query
        .into_stream()
        .try_fold(0u64, |n, _| async move { Ok(n + 1) })
        .await
        .map_err(err)?;
    let measured = meter.stop()?;
    let out = Outcome {
        items,
        expected,
        measured,
        notes: vec![format!(
            "{} users, {} days",
            o.attendance_users, o.attendance_days
        )],
        ..Outcome::default()
    };
    Ok(with_stats(out, &client))
}

/// W5: `storm` concurrent calls on a cold client; exactly one token fetch is expected.
async fn token_storm(env: &Env) -> Res<Outcome> {
    let n = env.opts.storm;
    let client = env.client()?;
    let before = env.tenant.as_ref().map(|t| t.token_requests());
    let meter = Meter::start()?;
    let calls = (0..n).map(|_| {
        let client = client.clone();
        let in_process = env.tenant.is_some();
        async move {
            // The fake's `whoami` costs nothing to serve; a real tenant gets a one-item
            // contact scopes page under the client's limits.
            const WHOAMI: Endpoint = Endpoint::get("testkit.whoami", "testkit/v1/whoami");
            // https://open.feishu.cn/document/server-docs/contact-v3/scope/list
            const SCOPES: Endpoint = Endpoint::get("contact.scopes", "contact/v3/scopes")
                .limit(RateLimit::per_minute(1000).and_per_second(50));
            let req = if in_process {
                Request::new(WHOAMI, &[])
            } else {
                Request::new(SCOPES, &[]).map(|r| r.query("page_size", "1"))
            };
            client.send::<Value>(req?).await
        }
    });
    let results = futures::future::join_all(calls).await;
    let measured = meter.stop()?;
    let failures = results.iter().filter(|r| r.is_err()).count() as u64;
    let mut notes = vec![format!("{n} concurrent calls")];
    if let (Some(t), Some(before)) = (&env.tenant, before) {
        notes.push(format!(
            "fake saw {} token requests",
            t.token_requests() - before
        ));
    }
    if let Some(e) = results.iter().find_map(|r| r.as_ref().err()) {
        notes.push(format!("first error: {e}"));
    }
    let out = Outcome {
        items: n as u64 - failures,
        expected: Some(n as u64),
        measured,
        failed: failures,
        notes,
        ..Outcome::default()
    };
    let mut out = with_stats(out, &client);
    // A failed call is counted by the client too; count it once.
    out.failed = out.failed.max(failures);
    Ok(out)
}

fn rfc3339(ms: i64) -> Res<String> {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(err)?
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(err)
}

/// W6: a full first sync of every module through feishu-sync.
async fn full_sync(env: &Env) -> Res<Outcome> {
    let o = &env.opts;
    let now = if env.tenant.is_some() {
        NOW_MS
    } else {
        crate::wall_ms()
    };
    let start = rfc3339(now - o.sync_days * DAY_MS)?;
    let mut config = json!({
        "domain": env.base_url,
        "credentials": {
            "auth_type": "self_built",
            "app_id": env.app_id,
            "app_secret": env.app_secret.expose_secret(),
        },
        "contact": { "user_id_type": "open_id" },
        "attendance": { "employee_type": "employee_id", "start_date": start },
    });
    let mut approval_codes = o.approval_codes.clone();
    let mut table = o.app_token.clone().zip(o.table_id.clone());
    if let Some(t) = &env.tenant {
        let leave = o.sync_approval_instances / 3;
        t.approval().set_dataset(
            ApprovalDataset::default()
                .now_ms(now)
                .span_hours(o.sync_days * 24)
                .instances(o.sync_approval_instances - leave, leave),
        );
        approval_codes = vec![
            APPROVAL_CODE_PURCHASE.to_string(),
            APPROVAL_CODE_LEAVE.to_string(),
        ];
        t.contact().set_dataset(ContactDataset {
            users: o.sync_users,
            ..ContactDataset::default()
        });
        table = Some((
            t.bitable().app_token(),
            t.bitable().add_table("Bench sync", o.sync_records),
        ));
    }
    if !approval_codes.is_empty() {
        config["approval"] = json!({
            "approval_codes": approval_codes,
            "lookback_days": o.sync_days,
            "start_date": start,
        });
    }
    if let Some((app, table)) = table {
        config["bitable"] = json!({ "app_token": app, "table_id": table });
    }
    let config = SourceConfig::from_json_str(&config.to_string()).map_err(err)?;
    let client = env.client()?;
    let source = Source::with_client(config, client.clone()).map_err(err)?;
    let meter = Meter::start()?;
    let mut messages = source
        .read(
            ReadOptions::default()
                .now_ms(now)
                .concurrency(o.concurrency),
        )
        .map_err(err)?;
    let mut per_stream: BTreeMap<String, u64> = BTreeMap::new();
    let mut items = 0u64;
    let mut failed = 0u64;
    let mut notes = Vec::new();
    while let Some(message) = messages.next().await {
        match message.map_err(err)? {
            Message::Record(r) => {
                items += 1;
                *per_stream.entry(r.stream).or_default() += 1;
            }
            Message::Status {
                stream,
                status: StreamStatus::Incomplete(error),
            } => {
                failed += 1;
                notes.push(format!("{stream} INCOMPLETE: {error}"));
            }
            Message::Log {
                level: LogLevel::Error,
                message,
            } => notes.push(format!("error: {message}")),
            _ => {}
        }
    }
    let measured = meter.stop()?;
    notes.insert(
        0,
        per_stream
            .iter()
            .map(|(s, n)| format!("{s}={n}"))
            .collect::<Vec<_>>()
            .join(" "),
    );
    let out = Outcome {
        items,
        measured,
        failed,
        notes,
        ..Outcome::default()
    };
    Ok(with_stats(out, &client))
}
