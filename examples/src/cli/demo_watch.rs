//! `feishu-sync demo --watch`: the demo tenant watched into `--out` while it changes an
//! approval instance and a user every few seconds; each change is shown when its record
//! reaches the sink.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use feishu_sync::{APPROVAL_INSTANCES, CONTACT_USERS, Source, WatchOptions};
use feishu_testkit::FakeTenant;
use feishu_testkit::approval::APPROVAL_CODE_PURCHASE;
use serde_json::Value;
use tokio::sync::oneshot;

use super::watch::{Progress, WatchSummary, counts, watch_into};
use super::{Args, print_out};

/// Time between two rounds of changes.
const ROUND: Duration = Duration::from_secs(3);
/// How long the demo waits for the last changes after its last round.
const GRACE: Duration = Duration::from_secs(20);

/// One change the demo made, and when its record reached the sink.
struct Change {
    what: String,
    stream: &'static str,
    key_field: &'static str,
    key: String,
    /// The record's field and value that show the change.
    field: &'static str,
    value: String,
    made: Instant,
    reached: Option<Duration>,
}

impl Change {
    fn shows_in(&self, stream: &str, data: &Value) -> bool {
        stream == self.stream
            && data[self.key_field] == self.key.as_str()
            && data[self.field] == self.value.as_str()
    }
}

type Changes = Arc<Mutex<Vec<Change>>>;

/// Runs the demo watch for `--rounds` rounds (default 3).
pub(super) async fn run(args: &Args) -> Result<i32, String> {
    if args.base_url.is_some() {
        return Err("demo --watch drives its own in-process tenant: drop --base-url".into());
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("feishu-demo-out"));
    let demo = crate::demo::start(crate::wall_ms()).await;
    let tenant = demo.tenant.clone();
    // Events are in use from now on: the knobs' changes emit them.
    let _ = tenant.events();
    eprintln!(
        "demo: a fake tenant is serving all four modules at {}, its events over the long \
         connection",
        tenant.base_url()
    );
    let source = Source::new(demo.config.clone()).map_err(|e| e.to_string())?;
    let watch_args = Args {
        command: "watch".into(),
        out: Some(out.clone()),
        quiet: args.quiet,
        full_refresh: true,
        ..Args::default()
    };
    let rounds = args.rounds.unwrap_or(3).max(1);
    let changes: Changes = Arc::default();
    let (first_done, first_done_rx) = oneshot::channel::<()>();
    let mut first_done = Some(first_done);
    let (all_reached, all_reached_rx) = oneshot::channel::<()>();
    let mut all_reached = Some(all_reached);
    let expected = rounds * 2;
    let stop = async move {
        let cap = ROUND * u32::try_from(rounds).unwrap_or(u32::MAX) + GRACE;
        tokio::select! {
            _ = all_reached_rx => {}
            () = tokio::time::sleep(cap) => eprintln!("demo: not every change arrived in time"),
        }
    };
    let watching = watch_into(
        &source,
        &watch_args,
        WatchOptions::default(),
        stop,
        |progress| match progress {
            Progress::FirstReadDone => {
                println!("demo: first read done; the tenant now changes every {ROUND:?}");
                if let Some(tx) = first_done.take() {
                    let _ = tx.send(());
                }
            }
            Progress::Committed(records) => {
                let mut changes = changes.lock().unwrap_or_else(PoisonError::into_inner);
                for change in changes.iter_mut().filter(|c| c.reached.is_none()) {
                    if records.iter().any(|r| change.shows_in(&r.stream, &r.data)) {
                        let after = change.made.elapsed();
                        change.reached = Some(after);
                        println!(
                            "  {} -> {} committed after {} ms",
                            change.what,
                            change.stream,
                            after.as_millis()
                        );
                    }
                }
                let done = changes.len() >= expected && changes.iter().all(|c| c.reached.is_some());
                if done && let Some(tx) = all_reached.take() {
                    let _ = tx.send(());
                }
            }
        },
    );
    let driver = drive(tenant, rounds, changes.clone(), first_done_rx);
    let (summary, ()) = tokio::join!(watching, driver);
    let summary = summary?;
    let changes = changes.lock().unwrap_or_else(PoisonError::into_inner);
    print_out(&table(&changes, &summary))?;
    print_out(&format!(
        "\nrecords are in {}/<stream>.jsonl, the state in {}/state.json",
        out.display(),
        out.display()
    ))?;
    if changes.iter().any(|c| c.reached.is_none()) {
        return Err("some changes did not reach the sink".into());
    }
    Ok(0)
}

/// Once the first read is done, every [`ROUND`] for `rounds` rounds: a pending purchase
/// instance is approved and a user renamed.
async fn drive(
    tenant: FakeTenant,
    rounds: usize,
    changes: Changes,
    first_done: oneshot::Receiver<()>,
) {
    if first_done.await.is_err() {
        return;
    }
    let approval = tenant.approval();
    let pending: Vec<String> = approval
        .all_instance_codes(APPROVAL_CODE_PURCHASE)
        .into_iter()
        .filter(|c| {
            approval
                .instance(c)
                .is_some_and(|i| i["status"] == "PENDING")
        })
        .rev()
        .take(rounds)
        .collect();
    let users: Vec<String> = tenant
        .contact()
        .visible_user_ids("user_id")
        .into_iter()
        .take(rounds)
        .collect();
    for round in 0..rounds {
        tokio::time::sleep(ROUND).await;
        let mut made = Vec::new();
        if let Some(instance) = pending.get(round) {
            tenant.approval().set_instance_status(instance, "APPROVED");
            made.push(Change {
                what: format!("approval instance {instance} approved"),
                stream: APPROVAL_INSTANCES,
                key_field: "instance_code",
                key: instance.clone(),
                field: "status",
                value: "APPROVED".into(),
                made: Instant::now(),
                reached: None,
            });
        }
        if let Some(user) = users.get(round) {
            let name = format!("Renamed In Round {}", round + 1);
            tenant.contact().rename_user(user, &name);
            let open_id = tenant.contact().id_of(user, "open_id").unwrap_or_default();
            made.push(Change {
                what: format!("user {open_id} renamed"),
                stream: CONTACT_USERS,
                key_field: "id",
                key: open_id,
                field: "name",
                value: name,
                made: Instant::now(),
                reached: None,
            });
        }
        changes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(made);
    }
}

/// Each change with the time it took to reach the sink, then the watch's totals.
fn table(changes: &[Change], summary: &WatchSummary) -> String {
    let mut out = format!("\n{:<72} {:>12}\n", "change", "to the sink");
    for change in changes {
        let reached = change.reached.map_or_else(
            || "NOT REACHED".to_string(),
            |d| format!("{} ms", d.as_millis()),
        );
        out.push_str(&format!("{:<72} {reached:>12}\n", change.what));
    }
    let total: u64 = summary.records.values().sum();
    out.push_str(&format!(
        "\n{total} record(s) committed in {} commit(s): {}",
        summary.commits,
        counts(&summary.records)
    ));
    out
}
