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

/// Consumes `messages` into a replica published on every commit.
fn consume(mut messages: Watch) -> watch::Receiver<Replica> {
    let (tx, rx) = watch::channel(Replica::default());
    tokio::spawn(async move {
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
    rx
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

async fn started(streams: &[&str]) -> (Tenant, watch::Receiver<Replica>) {
    let t = tenant(20, 10, 1).await;
    let _ = t.tenant.events();
    let source = source(&t);
    let rx = consume(source.watch(watch_options(streams)).unwrap());
    let mut rx2 = rx.clone();
    let n = streams.len();
    until(&mut rx2, |r| r.completed >= n).await;
    (t, rx)
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
    let (t, mut rx) = started(&streams).await;
    let bitable = Bitable::new(source(&t).client().clone());
    let (app, table) = (t.tenant.bitable().app_token(), t.tenant.bitable().table_id());
    assert!(t.tenant.bitable().is_subscribed(&app, "bitable"), "the watch subscribed the Base");
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
        .update_record(&app, &table, edited.as_str(), Fields::new().set("Amount", 4242.5))
        .send()
        .await
        .unwrap();
    bitable
        .delete_record(&app, &table, removed.as_str())
        .send()
        .await
        .unwrap();
    let record_key = |id: &str| format!("{app}|{table}|{id}");
    let (added, edited, removed) = (record_key(&added), record_key(&edited), record_key(&removed));
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
            && r.tables[BITABLE_RECORDS][&removed].get("_deleted").is_some()
    })
    .await;
    let gone = &replica.tables[BITABLE_RECORDS][&removed];
    assert!(gone["fields"].is_null() && gone["_deleted_at"].is_i64());
    let tombstone = &replica.tables[CONTACT_USERS][&leaver];
    assert_eq!(tombstone["_deleted"], true);
    assert!(tombstone["_deleted_at"].as_i64().unwrap() > 0);
    assert!(tombstone["user"].is_null() && tombstone["name"].is_null());
    let events = replica.state.unwrap().events.unwrap();
    assert!(events.applied >= 7, "{events:?}");
    assert!(events.last_event_id.is_some() && events.reconciled_ms.is_some());

    // Every event was acknowledged once its re-read was committed.
    assert!(
        t.tenant
            .events()
            .wait_all_acknowledged(Duration::from_secs(10))
            .await
    );
    // The replica equals a fresh read (tombstones aside).
    assert_equals_a_fresh_read(&t, &rx.borrow().clone(), &streams).await;
}
