//! One writer per table: Feishu refuses concurrent writes to one table (1254291 "Write
//! conflict"; the record write pages say "the same table does not support concurrent calls to
//! write APIs", e.g.
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/create>),
//! so every write of this crate first takes its table's lane: a FIFO async lock per (base URL,
//! app_token, table_id), shared by every handle and client in the process. Writes to one table
//! run one after another, in the order they asked; writes to different tables run side by
//! side.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use feishu_core::Client;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::ids::{AppToken, TableId};

type Key = (String, String, String);

fn lanes() -> &'static Mutex<HashMap<Key, Weak<AsyncMutex<()>>>> {
    static LANES: OnceLock<Mutex<HashMap<Key, Weak<AsyncMutex<()>>>>> = OnceLock::new();
    LANES.get_or_init(Mutex::default)
}

/// Held while a write to one table is under way (its retries included).
#[derive(Debug)]
pub(crate) struct TableLane {
    _guard: OwnedMutexGuard<()>,
}

/// Waits for `table`'s turn (FIFO among waiters).
pub(crate) async fn acquire(client: &Client, app: &AppToken, table: &TableId) -> TableLane {
    let lane = lane(client, app, table);
    TableLane {
        _guard: lane.lock_owned().await,
    }
}

fn lane(client: &Client, app: &AppToken, table: &TableId) -> Arc<AsyncMutex<()>> {
    let key = (
        client.domain().base_url().to_string(),
        app.as_str().to_string(),
        table.as_str().to_string(),
    );
    let mut map = lanes()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(lane) = map.get(&key).and_then(Weak::upgrade) {
        return lane;
    }
    // Forget the lanes nobody holds any more, so the map stays as small as the tables in use.
    if map.len() >= 64 {
        map.retain(|_, lane| lane.strong_count() > 0);
    }
    let lane = Arc::new(AsyncMutex::new(()));
    map.insert(key, Arc::downgrade(&lane));
    lane
}

#[cfg(test)]
mod tests {
    use futures::FutureExt;

    use super::*;

    fn client(url: &str) -> Client {
        Client::builder()
            .base_url(url)
            .credentials(feishu_core::Credentials::self_built("cli_x", "secret"))
            .build()
            .unwrap()
    }

    #[test]
    fn one_table_waits_other_tables_do_not() {
        let (a, b) = (client("http://127.0.0.1:9"), client("http://127.0.0.1:9"));
        let app = AppToken::from("bascnA");
        let (t1, t2) = (TableId::from("tbl1"), TableId::from("tbl2"));
        let held = acquire(&a, &app, &t1).now_or_never().expect("free");
        // Another client of the same tenant: the same table waits, another table does not.
        assert!(acquire(&b, &app, &t1).now_or_never().is_none());
        assert!(acquire(&b, &app, &t2).now_or_never().is_some());
        // Another host's table of the same name is another table.
        let other = client("http://127.0.0.1:10");
        assert!(acquire(&other, &app, &t1).now_or_never().is_some());
        drop(held);
        assert!(acquire(&b, &app, &t1).now_or_never().is_some());
    }
}
