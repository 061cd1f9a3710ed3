//! The `watch` workload: `Source::watch` into the SQLite sink while the fake tenant emits
//! `--watch-rate` change events a second for `--watch-seconds`, with `--watch-disconnects`
//! forced disconnects of the long connection; measures each change from the tenant emitting
//! its event to its record being committed.
//!
//! Every change names a new object, so its record's first commit after the event is its
//! arrival: 70 % Bitable records added (the knob stores the record, then the tenant emits
//! `record_added`), 15 % approval instances created (`approval_instance`), 15 % users
//! renamed (`contact.user.updated_v3`, the name marking the change). The mix keeps each
//! endpoint family within its documented sustained budget: one batch get reads up to 100
//! records, while every user and instance costs a call of its own (Contact and Approval
//! details: 1,000 a minute).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use feishu_sync::{
    APPROVAL_INSTANCES, BITABLE_RECORDS, CONTACT_USERS, Message, Source, SourceConfig,
    StreamStatus, WatchOptions,
};
use feishu_testkit::approval::{APPROVAL_CODE_LEAVE, APPROVAL_CODE_PURCHASE, ApprovalDataset};
use feishu_testkit::{ContactDataset, FakeTenant};
use futures::StreamExt;
use secrecy::ExposeSecret;
use serde_json::{Map, Value, json};
use tokio::sync::{mpsc, oneshot};

use super::super::env::Env;
use super::{Meter, Outcome, Res, with_stats};
use crate::sink::{Sink, SinkOptions, SqliteSink};

/// How long the workload waits for the last changes after the last event.
const DRAIN: Duration = Duration::from_secs(30);
const DAY_MS: i64 = 86_400_000;

/// What the driver did: each change's key and when its event was emitted.
struct Emitted {
    key: String,
    at: Instant,
}

/// Latencies and losses of a run.
#[derive(Debug, Default)]
struct WatchFigures {
    /// Emit → commit, per change that arrived, in ms, sorted.
    latencies_ms: Vec<f64>,
    /// The same per kind of change (`R` records, `A` instances, `U` users).
    by_kind: HashMap<char, Vec<f64>>,
    /// Changes that never reached the sink.
    lost: u64,
}

impl WatchFigures {
    /// The `q` quantile (0..=1) of the latencies, in ms.
    fn quantile(&self, q: f64) -> Option<f64> {
        quantile(&self.latencies_ms, q)
    }

    /// Notes the latency of the change `key`.
    fn arrived(&mut self, key: &str, latency: Duration) {
        let ms = latency.as_secs_f64() * 1e3;
        self.latencies_ms.push(ms);
        let kind = key.chars().next().unwrap_or('?');
        self.by_kind.entry(kind).or_default().push(ms);
    }

    /// `records p50 X / p99 Y ms, ...` per kind.
    fn per_kind(&mut self) -> String {
        let mut parts = Vec::new();
        for (kind, name) in [('R', "records"), ('A', "instances"), ('U', "users")] {
            if let Some(list) = self.by_kind.get_mut(&kind) {
                list.sort_by(f64::total_cmp);
                parts.push(format!(
                    "{name} ({}) p50 {} / p99 {} ms",
                    list.len(),
                    fmt_ms(quantile(list, 0.5)),
                    fmt_ms(quantile(list, 0.99))
                ));
            }
        }
        parts.join(", ")
    }
}

/// The `q` quantile (0..=1) of sorted `list`.
fn quantile(list: &[f64], q: f64) -> Option<f64> {
    if list.is_empty() {
        return None;
    }
    let at = ((list.len() - 1) as f64 * q).round() as usize;
    list.get(at).copied()
}

/// Runs the workload.
pub(super) async fn watch(env: &Env) -> Res<Outcome> {
    let Some(tenant) = env.tenant.clone() else {
        return Err(
            "the watch workload drives the fake tenant's events: drop --base-url and --fake-process"
                .into(),
        );
    };
    let o = &env.opts;
    let now = crate::wall_ms();
    let changes = (o.watch_rate * o.watch_seconds).max(1.0) as usize;
    let table = prepare(&tenant, now, changes);
    let config = config(env, &tenant, &table, now)?;
    let client = env.client()?;
    let source = Source::with_client(config, client.clone()).map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("feishu-bench-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let db = dir.join("replica.db");
    let _ = std::fs::remove_file(&db);
    let mut sink = SqliteSink::open(&db, &source.catalog(), &SinkOptions::default())?;
    let mut messages = source
        .watch(WatchOptions::default())
        .map_err(|e| e.to_string())?;

    // The first read, untimed.
    let first = Instant::now();
    let mut complete = 0;
    while complete < 3 {
        let message = messages
            .next()
            .await
            .ok_or("the watch ended during its first read")?
            .map_err(|e| e.to_string())?;
        sink.write(&message)?;
        match message {
            Message::Status {
                status: StreamStatus::Complete,
                ..
            } => complete += 1,
            Message::Status {
                stream,
                status: StreamStatus::Incomplete(f),
            } => return Err(format!("{stream} incomplete in the first read: {f}")),
            _ => {}
        }
    }
    let first_read = first.elapsed();

    let meter = Meter::start()?;
    let (emitted_tx, mut emitted_rx) = mpsc::unbounded_channel::<Emitted>();
    let (done_tx, mut done_rx) = oneshot::channel::<()>();
    let driver = tokio::spawn(drive(
        tenant.clone(),
        table.clone(),
        changes,
        o.watch_rate,
        o.watch_disconnects,
        emitted_tx,
        done_tx,
    ));
    let mut waiting: HashMap<String, Instant> = HashMap::new();
    // Commits seen before the driver reported the emission (it emits first, then reports).
    let mut early: HashMap<String, Instant> = HashMap::new();
    let mut figures = WatchFigures::default();
    let mut uncommitted: Vec<String> = Vec::new();
    let mut deadline: Option<tokio::time::Instant> = None;
    loop {
        while let Ok(e) = emitted_rx.try_recv() {
            arrived(e, &mut waiting, &mut figures, &mut early);
        }
        if deadline.is_some() && waiting.is_empty() {
            break;
        }
        let until = deadline.unwrap_or_else(|| tokio::time::Instant::now() + DRAIN * 10);
        let message = tokio::select! {
            message = messages.next() => message,
            _ = &mut done_rx, if deadline.is_none() => {
                deadline = Some(tokio::time::Instant::now() + DRAIN);
                continue;
            }
            () = tokio::time::sleep_until(until) => break,
        };
        let message = message
            .ok_or("the watch ended")?
            .map_err(|e| e.to_string())?;
        sink.write(&message)?;
        match message {
            Message::Record(r) => uncommitted.extend(change_key(&r.stream, &r.data)),
            Message::State(_) => {
                let committed = Instant::now();
                while let Ok(e) = emitted_rx.try_recv() {
                    arrived(e, &mut waiting, &mut figures, &mut early);
                }
                for key in uncommitted.drain(..) {
                    match waiting.remove(&key) {
                        Some(at) => figures.arrived(&key, committed.duration_since(at)),
                        None => {
                            early.insert(key, committed);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let measured = meter.stop()?;
    driver.await.map_err(|e| e.to_string())??;
    drop(messages);
    sink.finish()?;
    let _ = std::fs::remove_dir_all(&dir);
    figures.lost = (changes as u64).saturating_sub(figures.latencies_ms.len() as u64);
    figures.latencies_ms.sort_by(f64::total_cmp);
    let events = tenant.events();
    let notes = vec![
        format!(
            "{changes} changes at {}/s, {} forced disconnects ({} connections), first read {:.1} s",
            o.watch_rate,
            o.watch_disconnects,
            events.connections(),
            first_read.as_secs_f64()
        ),
        format!(
            "emit -> SQLite commit: p50 {} ms, p99 {} ms, max {} ms; {} lost",
            fmt_ms(figures.quantile(0.5)),
            fmt_ms(figures.quantile(0.99)),
            fmt_ms(figures.latencies_ms.last().copied()),
            figures.lost
        ),
        format!("per kind: {}", figures.per_kind()),
    ];
    let outcome = Outcome {
        items: figures.latencies_ms.len() as u64,
        measured,
        notes,
        latency_p50_ms: figures.quantile(0.5),
        latency_p99_ms: figures.quantile(0.99),
        lost: Some(figures.lost),
        ..Outcome::default()
    };
    Ok(with_stats(outcome, &client))
}

/// Notes an emission: settled at once when its record was committed before the driver
/// reported it, else waiting for its commit.
fn arrived(
    e: Emitted,
    waiting: &mut HashMap<String, Instant>,
    figures: &mut WatchFigures,
    early: &mut HashMap<String, Instant>,
) {
    match early.remove(&e.key) {
        Some(committed) => figures.arrived(&e.key, committed.saturating_duration_since(e.at)),
        None => {
            waiting.insert(e.key, e.at);
        }
    }
}

fn fmt_ms(ms: Option<f64>) -> String {
    ms.map_or_else(|| "-".into(), |v| format!("{v:.0}"))
}

/// The key a committed record settles: a new record, a new instance, or a renamed user.
fn change_key(stream: &str, data: &Value) -> Option<String> {
    let text = |f: &str| data.get(f).and_then(Value::as_str);
    match stream {
        BITABLE_RECORDS => text("record_id").map(|id| format!("R:{id}")),
        APPROVAL_INSTANCES => text("instance_code").map(|c| format!("A:{c}")),
        CONTACT_USERS => {
            let name = text("name")?;
            name.starts_with("Bench ")
                .then(|| format!("U:{}:{name}", text("id").unwrap_or_default()))
        }
        _ => None,
    }
}

/// Sizes the tenant for `changes` changes: users to rename, a table to add records to, a
/// small approval dataset; returns the table.
fn prepare(tenant: &FakeTenant, now: i64, changes: usize) -> String {
    tenant.contact().set_dataset(ContactDataset {
        users: (changes * 3 / 20).max(1) + 200,
        ..ContactDataset::default()
    });
    tenant.approval().set_dataset(
        ApprovalDataset::default()
            .now_ms(now)
            .span_hours(24)
            .instances(40, 20),
    );
    tenant.bitable().add_table("Bench watch", 1000)
}

fn config(env: &Env, tenant: &FakeTenant, table: &str, now: i64) -> Res<SourceConfig> {
    let start = time::OffsetDateTime::from_unix_timestamp((now - DAY_MS) / 1000)
        .map_err(|e| e.to_string())?
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| e.to_string())?;
    let config = json!({
        "domain": env.base_url,
        "credentials": {
            "auth_type": "self_built",
            "app_id": env.app_id,
            "app_secret": env.app_secret.expose_secret(),
        },
        "approval": {
            "approval_codes": [APPROVAL_CODE_PURCHASE, APPROVAL_CODE_LEAVE],
            "start_date": start,
            "lookback_days": 1,
        },
        "bitable": { "app_token": tenant.bitable().app_token(), "table_id": table },
        "contact": { "user_id_type": "open_id" },
    });
    SourceConfig::from_json_str(&config.to_string()).map_err(|e| e.to_string())
}

/// Emits `changes` changes at `rate` a second (70 % records, 15 % instances, 15 % users),
/// with `disconnects` forced disconnects spread over the run; reports each emission.
async fn drive(
    tenant: FakeTenant,
    table: String,
    changes: usize,
    rate: f64,
    disconnects: usize,
    emitted: mpsc::UnboundedSender<Emitted>,
    done: oneshot::Sender<()>,
) -> Res<()> {
    let events = tenant.events();
    let app = tenant.bitable().app_token();
    let users = tenant.contact().user_ids("user_id");
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(0.1)));
    let every = changes / (disconnects + 1);
    for n in 0..changes {
        tick.tick().await;
        if disconnects > 0 && n > 0 && n % every.max(1) == 0 && n / every.max(1) <= disconnects {
            events.drop_connections();
        }
        let key = match n % 20 {
            0..=13 => {
                let mut row = Map::new();
                row.insert("Name".into(), json!(format!("Bench {n}")));
                let ids = tenant.bitable().insert_records(&app, &table, vec![row])?;
                let id = ids.first().ok_or("no record stored")?.clone();
                let actions = [(id.as_str(), "record_added", json!({}))];
                events.emit(
                    events
                        .target()
                        .bitable_record_changed(&app, &table, n as i64, &actions),
                );
                format!("R:{id}")
            }
            14..=16 => {
                let created = crate::wall_ms() - 60_000;
                let code = if n % 2 == 0 {
                    APPROVAL_CODE_PURCHASE
                } else {
                    APPROVAL_CODE_LEAVE
                };
                let instance = tenant.approval().add_instance(code, created, "PENDING");
                format!("A:{instance}")
            }
            _ => {
                let user = &users[(n / 20 * 3 + n % 20 - 17) % users.len()];
                let name = format!("Bench {n}");
                tenant.contact().rename_user(user, &name);
                let open_id = tenant.contact().id_of(user, "open_id").unwrap_or_default();
                format!("U:{open_id}:{name}")
            }
        };
        let _ = emitted.send(Emitted {
            key,
            at: Instant::now(),
        });
    }
    let _ = done.send(());
    Ok(())
}
