//! `Source::watch` against the fake tenant over HTTP and its long-connection websocket: the
//! first read, then events re-read what they name; tombstones for deleted users; a replica
//! kept by the watch equals a fresh full read.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{Tenant, key_of, opts, read_all, source, tenant};
use feishu_bitable::{Bitable, Fields};
use feishu_sync::{
    APPROVAL_INSTANCES, BITABLE_RECORDS, CONTACT_USERS, Message, StreamStatus, SyncState, Watch,
    WatchOptions,
};
use futures::StreamExt;
use serde_json::Value;
use tokio::sync::watch;

/// What a consumer committed: records by stream and key, as a sink upserts them on each
/// state (records after the last state are not committed).
#[derive(Debug, Default, Clone)]
struct Replica {
    tables: BTreeMap<String, BTreeMap<String, Value>>,
    state: Option<SyncState>,
    /// Streams completed by the first read.
    completed: usize,
    /// Commits (states) so far.
    commits: usize,
}

impl Replica {
    /// The live records (tombstones left out) of `stream`.
    fn live(&self, stream: &str) -> BTreeMap<String, Value> {
        self.tables
            .get(stream)
            .map(|t| {
                t.iter()
                    .filter(|(_, v)| v.get("_deleted").is_none())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Consumes `messages` into a replica published on every commit, until the returned task is
/// aborted.
fn consume(mut messages: Watch) -> (watch::Receiver<Replica>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = watch::channel(Replica::default());
    let task = tokio::spawn(async move {
        let mut replica = Replica::default();
        let mut uncommitted: Vec<(String, String, Value)> = Vec::new();
        while let Some(message) = messages.next().await {
            match message.expect("the watch yields no error") {
                Message::Record(r) => {
                    uncommitted.push((r.stream.clone(), key_of(&r.stream, &r.data), r.data))
                }
                Message::State(state) => {
                    for (stream, key, data) in uncommitted.drain(..) {
                        replica.tables.entry(stream).or_default().insert(key, data);
                    }
                    replica.state = Some(state);
                    replica.commits += 1;
                    tx.send_replace(replica.clone());
                }
                Message::Status {
                    status: StreamStatus::Complete,
                    ..
                } => replica.completed += 1,
                Message::Status {
                    status: StreamStatus::Incomplete(f),
                    stream,
                } => panic!("{stream} incomplete: {f}"),
                _ => {}
            }
        }
    });
    (rx, task)
}

/// Waits until `ready` holds for the replica.
async fn until(rx: &mut watch::Receiver<Replica>, ready: impl Fn(&Replica) -> bool) -> Replica {
    tokio::time::timeout(Duration::from_secs(30), rx.wait_for(|r| ready(r)))
        .await
        .expect("the replica gets there in time")
        .expect("the watch runs")
        .clone()
}

fn watch_options(streams: &[&str]) -> WatchOptions {
    WatchOptions::new(opts().streams(streams.iter().copied()))
}

async fn started(
    streams: &[&str],
) -> (
    Tenant,
    watch::Receiver<Replica>,
    tokio::task::JoinHandle<()>,
) {
    let t = tenant(20, 10, 1).await;
    let _ = t.tenant.events();
    let source = source(&t);
    let (rx, task) = consume(source.watch(watch_options(streams)).unwrap());
    let mut rx2 = rx.clone();
    let n = streams.len();
    until(&mut rx2, |r| r.completed >= n).await;
    (t, rx, task)
}

/// The replica's live records of `streams` equal those of a fresh full read.
async fn assert_equals_a_fresh_read(t: &Tenant, replica: &Replica, streams: &[&str]) {
    let fresh = read_all(&source(t), opts().streams(streams.iter().copied())).await;
    for stream in streams {
        let fresh: BTreeMap<String, Value> = fresh
            .records(stream)
            .into_iter()
            .map(|r| (key_of(stream, r), r.clone()))
            .collect();
        let live = replica.live(stream);
        let differ: Vec<&String> = live
            .keys()
            .chain(fresh.keys())
            .filter(|k| live.get(*k) != fresh.get(*k))
            .take(3)
            .collect();
        assert!(
            differ.is_empty(),
            "{stream}: {} live vs {} fresh; first differences {differ:?}: {:?} vs {:?}",
            live.len(),
            fresh.len(),
            differ.first().and_then(|k| live.get(*k)),
            differ.first().and_then(|k| fresh.get(*k)),
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_bring_changes_and_deletions_into_the_replica() {
    let streams = [APPROVAL_INSTANCES, CONTACT_USERS, BITABLE_RECORDS];
    let (t, mut rx, _task) = started(&streams).await;
    let bitable = Bitable::new(source(&t).client().clone());
    let (app, table) = (
        t.tenant.bitable().app_token(),
        t.tenant.bitable().table_id(),
    );
    assert!(
        t.tenant.bitable().is_subscribed(&app, "bitable"),
        "the watch subscribed the Base"
    );
    let contact = t.tenant.contact();
    let approval = t.tenant.approval();
    let first = rx.borrow().clone();
    assert_eq!(
        first.live(CONTACT_USERS).len(),
        contact.user_ids("open_id").len()
    );
    let section = &first.state.as_ref().unwrap().approval;
    assert!(section.values().all(|s| s.cursor_ms.is_some()));

    // An approval changes status; a user joins, one is renamed, one leaves.
    let pending = first.live(APPROVAL_INSTANCES);
    let (code, _) = pending
        .iter()
        .find(|(_, v)| v["status"] == "PENDING")
        .expect("a pending instance");
    assert!(approval.set_instance_status(code, "APPROVED"));
    let joined = contact.add_user("D004", "New Hire");
    let renamed = contact.user_ids("user_id")[3].clone();
    contact.rename_user(&renamed, "Renamed Person");
    let leaver = contact.user_ids("user_id")[5].clone();
    contact.delete_user(&leaver, 1_800_000_000);
    // A record is added, one edited, one deleted, through the API.
    let added = bitable
        .create_record(&app, &table, Fields::new().set("Name", "Added by a test"))
        .send()
        .await
        .unwrap()
        .record_id
        .to_string();
    let ids = t.tenant.bitable().record_ids(&app, &table);
    let (edited, removed) = (ids[1].clone(), ids[2].clone());
    bitable
        .update_record(
            &app,
            &table,
            edited.as_str(),
            Fields::new().set("Amount", 4242.5),
        )
        .send()
        .await
        .unwrap();
    bitable
        .delete_record(&app, &table, removed.as_str())
        .send()
        .await
        .unwrap();
    let record_key = |id: &str| format!("{app}|{table}|{id}");
    let (added, edited, removed) = (
        record_key(&added),
        record_key(&edited),
        record_key(&removed),
    );
    let open = |user_id: &str| contact.id_of(user_id, "open_id").unwrap();
    let (joined, renamed, leaver) = (open(&joined), open(&renamed), open(&leaver));

    let replica = until(&mut rx, |r| {
        let users = r.tables.get(CONTACT_USERS);
        r.live(APPROVAL_INSTANCES)[code.as_str()]["status"] == "APPROVED"
            && r.live(CONTACT_USERS).contains_key(&joined)
            && users.is_some_and(|u| u[&leaver].get("_deleted").is_some())
            && r.live(CONTACT_USERS)[&renamed]["name"] == "Renamed Person"
            && r.live(BITABLE_RECORDS).contains_key(&added)
            && r.live(BITABLE_RECORDS)[&edited]["fields"]["Amount"] == 4242.5
            && r.tables[BITABLE_RECORDS][&removed]
                .get("_deleted")
                .is_some()
    })
    .await;
    let gone = &replica.tables[BITABLE_RECORDS][&removed];
    assert!(gone["fields"].is_null() && gone["_deleted_at"].is_i64());
    let tombstone = &replica.tables[CONTACT_USERS][&leaver];
    assert_eq!(tombstone["_deleted"], true);
    assert!(tombstone["_deleted_at"].as_i64().unwrap() > 0);
    assert!(tombstone["user"].is_null() && tombstone["name"].is_null());
    // Every event was acknowledged once its re-read was committed.
    assert!(
        t.tenant
            .events()
            .wait_all_acknowledged(Duration::from_secs(10))
            .await
    );
    let events = rx.borrow().state.clone().unwrap().events.unwrap();
    assert!(events.applied >= 7, "{events:?}");
    assert!(events.last_event_id.is_some() && events.reconciled_ms.is_some());
    // The replica equals a fresh read (tombstones aside).
    assert_equals_a_fresh_read(&t, &rx.borrow().clone(), &streams).await;
}

/// One random change of the tenant, through its knobs (approval, contact) or the Bitable
/// API (records).
struct Changer {
    rng: fastrand::Rng,
    bitable: Bitable,
    app: String,
    table: String,
    /// Instances the replica holds (created in the read's window).
    instances: Vec<String>,
    /// Current users' `user_id`s.
    users: Vec<String>,
    departments: Vec<String>,
    /// Live record ids.
    records: Vec<String>,
}

impl Changer {
    async fn change(&mut self, t: &Tenant, n: usize) {
        match self.rng.u8(0..9) {
            0 | 1 => {
                let code = &self.instances[self.rng.usize(0..self.instances.len())];
                let status = ["APPROVED", "REJECTED", "CANCELED", "PENDING"][self.rng.usize(0..4)];
                assert!(t.tenant.approval().set_instance_status(code, status));
            }
            2 => {
                let code = feishu_testkit::approval::APPROVAL_CODE_LEAVE;
                let created = common::NOW - self.rng.i64(1..common::DAY);
                let instance = t.tenant.approval().add_instance(code, created, "PENDING");
                self.instances.push(instance);
            }
            3 => {
                let department = &self.departments[self.rng.usize(0..self.departments.len())];
                let user = t
                    .tenant
                    .contact()
                    .add_user(department, &format!("Hire {n}"));
                self.users.push(user);
            }
            4 => {
                let user = &self.users[self.rng.usize(0..self.users.len())];
                t.tenant
                    .contact()
                    .rename_user(user, &format!("Renamed {n}"));
            }
            5 => {
                let user = self.users.swap_remove(self.rng.usize(0..self.users.len()));
                t.tenant.contact().delete_user(&user, 1_800_000_000);
            }
            6 => {
                let fields = Fields::new()
                    .set("Name", format!("Row {n}"))
                    .set("Amount", n as f64);
                let record = self.bitable.create_record(&self.app, &self.table, fields);
                let id = record.send().await.unwrap().record_id.to_string();
                self.records.push(id);
            }
            7 => {
                let id = &self.records[self.rng.usize(0..self.records.len())];
                let fields = Fields::new().set("Amount", n as f64 + 0.5);
                let update =
                    self.bitable
                        .update_record(&self.app, &self.table, id.as_str(), fields);
                update.send().await.unwrap();
            }
            _ => {
                let id = self
                    .records
                    .swap_remove(self.rng.usize(0..self.records.len()));
                let delete = self
                    .bitable
                    .delete_record(&self.app, &self.table, id.as_str());
                delete.send().await.unwrap();
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_replica_equals_a_fresh_read_after_a_thousand_changes_and_a_reconnect() {
    let streams = [APPROVAL_INSTANCES, CONTACT_USERS, BITABLE_RECORDS];
    let (t, rx, _task) = started(&streams).await;
    let events = t.tenant.events();
    t.tenant.bitable().set_write_duration(Duration::ZERO);
    let first = rx.borrow().clone();
    let (app, table) = (
        t.tenant.bitable().app_token(),
        t.tenant.bitable().table_id(),
    );
    let mut changer = Changer {
        rng: fastrand::Rng::with_seed(0x5EED_0001),
        bitable: Bitable::new(source(&t).client().clone()),
        records: t.tenant.bitable().record_ids(&app, &table),
        app,
        table,
        instances: first.live(APPROVAL_INSTANCES).keys().cloned().collect(),
        users: t.tenant.contact().user_ids("user_id"),
        departments: t.tenant.contact().department_ids("department_id"),
    };
    for n in 0..1000 {
        if n == 500 {
            // A network failure in the middle: events in flight are delivered again.
            events.drop_connections();
        }
        changer.change(&t, n).await;
    }
    assert!(events.wait_all_acknowledged(Duration::from_secs(60)).await);
    assert!(events.connections() >= 2, "the watch reconnected");
    let replica = rx.borrow().clone();
    let tombstones = |stream: &str| {
        replica.tables[stream]
            .values()
            .filter(|v| v.get("_deleted").is_some())
            .count()
    };
    assert!(tombstones(CONTACT_USERS) > 50, "users were deleted");
    assert!(tombstones(BITABLE_RECORDS) > 50, "records were deleted");
    let applied = replica
        .state
        .as_ref()
        .unwrap()
        .events
        .as_ref()
        .unwrap()
        .applied;
    assert!(applied >= 1000, "{applied} events applied");
    assert_equals_a_fresh_read(&t, &replica, &streams).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_resumed_from_its_state_catches_what_happened_while_it_was_down() {
    let streams = [CONTACT_USERS, BITABLE_RECORDS];
    let (t, rx, task) = started(&streams).await;
    let first = rx.borrow().clone();
    let state = first.state.clone().unwrap();
    // The first watch stops (its stream is dropped); the tenant changes meanwhile.
    task.abort();
    let _ = task.await;
    let contact = t.tenant.contact();
    let user = contact.user_ids("user_id")[9].clone();
    contact.rename_user(&user, "Changed While Down");
    let source = source(&t);
    let options = watch_options(&streams);
    let options = WatchOptions::new(options.read.state(state));
    let mut second = first.clone();
    let mut messages = source.watch(options).unwrap();
    let mut uncommitted = Vec::new();
    let open_id = contact.id_of(&user, "open_id").unwrap();
    while let Some(message) = messages.next().await {
        match message.unwrap() {
            Message::Record(r) => {
                uncommitted.push((r.stream.clone(), key_of(&r.stream, &r.data), r.data))
            }
            Message::State(s) => {
                for (stream, key, data) in uncommitted.drain(..) {
                    second.tables.entry(stream).or_default().insert(key, data);
                }
                second.state = Some(s);
                if second.live(CONTACT_USERS)[&open_id]["name"] == "Changed While Down" {
                    break;
                }
            }
            _ => {}
        }
    }
    assert_equals_a_fresh_read(&t, &second, &streams).await;
    let events = second.state.unwrap().events.unwrap();
    assert!(events.reconciled_ms.is_some());
}
