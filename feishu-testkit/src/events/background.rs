//! The events side's own thread: the long-connection websocket server and the poster of
//! emitted events to the webhook URL. It runs a current-thread runtime of its own, so it
//! works whatever runtime (or none) the test uses, and stops when the tenant is dropped.

use std::sync::{Arc, Weak};

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::long_connection;
use super::shared::{Shared, ThreadHandles};
use super::webhook::{self, PostOptions};
use crate::auth::AuthConfig;
use crate::lock::lock;

/// Starts the events side of the apps of `config`: its state and the thread serving it.
///
/// # Panics
/// When no loopback port or thread can be had (the test machine is broken).
pub(crate) fn start(config: &AuthConfig) -> Arc<Shared> {
    Arc::new_cyclic(|weak| Shared::new(config, spawn(weak.clone())))
}

/// Starts the thread: the websocket listener and the webhook poster. They hold the state
/// weakly (it holds the thread's stop handle) and end when it is gone.
fn spawn(shared: Weak<Shared>) -> ThreadHandles {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .expect("feishu-testkit: cannot bind a loopback port for the long connection");
    let ws_addr = listener
        .local_addr()
        .expect("feishu-testkit: a bound listener has an address");
    let (stop, stop_rx) = oneshot::channel::<()>();
    let (webhook_tx, webhook_rx) = mpsc::unbounded_channel();
    std::thread::Builder::new()
        .name("feishu-testkit-events".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                tokio::spawn(long_connection::accept_loop(listener, shared.clone()));
                tokio::spawn(post_loop(webhook_rx, shared));
                let _ = stop_rx.await;
            });
        })
        .expect("feishu-testkit: cannot start the events thread");
    ThreadHandles {
        ws_addr,
        webhook_tx,
        _stop: stop,
    }
}

/// Posts emitted events to the webhook URL in order, retrying non-200 answers.
async fn post_loop(mut rx: mpsc::UnboundedReceiver<Value>, shared: Weak<Shared>) {
    while let Some(envelope) = rx.recv().await {
        let Some(strong) = shared.upgrade() else {
            return;
        };
        let (url, options, delays) = {
            let knobs = lock(&strong.knobs);
            let options = PostOptions {
                encrypt_key: knobs.encrypt_key.clone(),
                timestamp: None,
            };
            (
                knobs.webhook_url.clone(),
                options,
                knobs.webhook_retry_delays.clone(),
            )
        };
        let http = strong.http.clone();
        drop(strong);
        let Some(url) = url else { continue };
        let mut delays = delays.into_iter();
        loop {
            let delivery = webhook::post(&http, &url, &envelope, &options).await;
            let ok = delivery.status == 200;
            if let Some(strong) = shared.upgrade() {
                lock(&strong.knobs).deliveries.push(delivery);
            }
            match delays.next() {
                Some(delay) if !ok => tokio::time::sleep(delay).await,
                _ => break,
            }
        }
    }
}
