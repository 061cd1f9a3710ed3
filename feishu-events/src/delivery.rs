//! Acknowledging an event after it was processed, not when it arrived.
//!
//! Feishu delivers each event until the app acknowledges it (an HTTP 200 for a webhook, an
//! acknowledgement frame on the long connection), retrying an unacknowledged one after 15 s,
//! 5 min, 1 h and 6 h
//! ([event overview](https://open.feishu.cn/document/ukTMukTMukTM/uUTNz4SN1MjL1UzM)). An
//! application that acknowledges on arrival loses the events it had not finished when it
//! stopped. One that acknowledges after it stored an event's effect loses none: a
//! [`Delivery`] carries the event and its [`Ack`], which the application completes once the
//! event's effect is durable ([`Ack::done`]) or drops to have the event delivered again.
//!
//! [`LongConnection::connect_acked`](crate::LongConnection::connect_acked) and
//! [`WebhookHandler::handle_and_deliver`](crate::WebhookHandler::handle_and_deliver) produce
//! deliveries; [`Ack::new`] makes one for events from anywhere else (a queue, a test).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::channel::oneshot;

use crate::envelope::Event;

/// An event and the acknowledgement it is owed.
///
/// # Example
/// ```no_run
/// use feishu_events::LongConnection;
/// use futures::StreamExt;
///
/// # async fn store(_: &feishu_events::Event) {}
/// # async fn sample() -> Result<(), feishu_events::Error> {
/// let mut deliveries = LongConnection::builder("cli_a1b2c3", "app-secret").build()?.connect_acked();
/// while let Some(delivery) = deliveries.next().await {
///     let delivery = delivery?;
///     store(&delivery.event).await; // e.g. committed to a database
///     delivery.ack.done(); // only now does Feishu hear that the event arrived
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Delivery {
    /// The event.
    pub event: Event,
    /// Its acknowledgement: [`Ack::done`] once the event was processed.
    pub ack: Ack,
}

impl Delivery {
    /// An event with its acknowledgement.
    pub fn new(event: Event, ack: Ack) -> Self {
        Delivery { event, ack }
    }
}

/// The acknowledgement of one delivered event. [`done`](Ack::done) tells Feishu the event
/// was processed; dropping it (or [`fail`](Ack::fail)) tells Feishu it was not, and Feishu
/// delivers it again.
#[must_use = "an Ack dropped without `done` makes Feishu deliver the event again"]
pub struct Ack {
    tx: Option<oneshot::Sender<bool>>,
}

impl fmt::Debug for Ack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ack").finish_non_exhaustive()
    }
}

impl Ack {
    /// An acknowledgement and the receipt that resolves when it is given: `true` for
    /// [`done`](Ack::done), `false` when it failed or was dropped.
    ///
    /// # Example
    /// ```
    /// use feishu_events::Ack;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (ack, receipt) = Ack::new();
    /// ack.done();
    /// assert!(receipt.await);
    /// let (ack, receipt) = Ack::new();
    /// drop(ack);
    /// assert!(!receipt.await);
    /// # }
    /// ```
    pub fn new() -> (Ack, AckReceipt) {
        let (tx, rx) = oneshot::channel();
        (Ack { tx: Some(tx) }, AckReceipt { rx })
    }

    /// An acknowledgement nobody waits for (the event was acknowledged on arrival).
    pub(crate) fn detached() -> Ack {
        Ack { tx: None }
    }

    /// The event was processed: acknowledge it.
    pub fn done(mut self) {
        self.settle(true);
    }

    /// The event was not processed: Feishu is to deliver it again (the same as dropping).
    pub fn fail(mut self) {
        self.settle(false);
    }

    fn settle(&mut self, done: bool) {
        if let Some(tx) = self.tx.take() {
            // The receiver is gone when the transport closed; nothing is left to tell.
            let _ = tx.send(done);
        }
    }
}

impl Drop for Ack {
    fn drop(&mut self) {
        self.settle(false);
    }
}

/// Resolves when an [`Ack`] is given: `true` when done, `false` when it failed or was dropped.
#[derive(Debug)]
#[must_use = "a receipt does nothing unless awaited"]
pub struct AckReceipt {
    rx: oneshot::Receiver<bool>,
}

impl Future for AckReceipt {
    type Output = bool;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        Pin::new(&mut self.rx).poll(cx).map(|r| r.unwrap_or(false))
    }
}
