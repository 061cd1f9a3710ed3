//! Handing webhook events to the application asynchronously: the HTTP request is answered
//! as soon as the event is in a bounded channel, and the application consumes the channel
//! as a `Stream` at its own pace.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::Stream;
use tokio::sync::mpsc;

use super::{WebhookHandler, WebhookResponse};
use crate::delivery::{Ack, Delivery};
use crate::envelope::Event;
use crate::error::Result;

/// Default number of events waiting for the application before new ones are refused.
pub const DEFAULT_CAPACITY: usize = 1024;
/// Default time a request waits for room in a full channel. Feishu allows 3 s for the
/// whole answer; past this the request is answered 503 and Feishu redelivers later.
pub const DEFAULT_HANDOFF_TIMEOUT: Duration = Duration::from_secs(1);
/// Default time a request of [`WebhookHandler::handle_and_deliver`] waits for the
/// application's [`Ack`], hand-off included: under Feishu's 3 s for the answer.
pub const DEFAULT_ACK_TIMEOUT: Duration = Duration::from_millis(2500);

/// Creates a channel of `capacity` events: the sending half for the HTTP handler, the
/// receiving half for the application.
pub fn event_channel(capacity: usize) -> (EventSender, WebhookEvents) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    (
        EventSender {
            tx,
            handoff_timeout: DEFAULT_HANDOFF_TIMEOUT,
        },
        WebhookEvents { rx },
    )
}

/// The sending half of [`event_channel`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct EventSender {
    tx: mpsc::Sender<Result<Event>>,
    handoff_timeout: Duration,
}

impl EventSender {
    /// How long a request waits for room when the application is behind
    /// ([`DEFAULT_HANDOFF_TIMEOUT`]). Keep it well under Feishu's 3 s.
    pub fn handoff_timeout(mut self, timeout: Duration) -> Self {
        self.handoff_timeout = timeout;
        self
    }

    /// Sends an item, waiting at most the hand-off timeout. Returns whether it was taken.
    async fn send(&self, item: Result<Event>) -> bool {
        matches!(
            tokio::time::timeout(self.handoff_timeout, self.tx.send(item)).await,
            Ok(Ok(()))
        )
    }
}

/// The application's end of [`event_channel`]: a `Stream` of new events, in the order
/// their requests were answered. An `Err` item is an acknowledged event of a known type that
/// did not decode ([`Error::Decode`](crate::Error::Decode), raw JSON inside); the stream goes
/// on after it. The stream ends when every [`EventSender`] is dropped.
#[derive(Debug)]
pub struct WebhookEvents {
    rx: mpsc::Receiver<Result<Event>>,
}

impl WebhookEvents {
    /// The next item, or `None` once every sender is gone.
    pub async fn recv(&mut self) -> Option<Result<Event>> {
        self.rx.recv().await
    }
}

impl Stream for WebhookEvents {
    type Item = Result<Event>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

impl WebhookHandler {
    /// Handles one request and forwards a new event (or an undecodable one) to `sender`,
    /// then returns the response to send. When the application cannot take the event in
    /// time, the answer is 503 and the event id is forgotten, so Feishu's redelivery is
    /// accepted later.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_events::{WebhookHandler, webhook::event_channel};
    /// use futures::StreamExt;
    ///
    /// # async fn sample(headers: http::HeaderMap, body: Vec<u8>) -> Result<(), feishu_events::Error> {
    /// let handler = WebhookHandler::builder().encrypt_key("encrypt-key").build()?;
    /// let (sender, mut events) = event_channel(1024);
    /// tokio::spawn(async move {
    ///     while let Some(event) = events.next().await {
    ///         println!("{event:?}");
    ///     }
    /// });
    /// // in the HTTP server's request handler:
    /// let response = handler.handle_and_forward(&headers, &body, &sender).await;
    /// # let _ = response; Ok(()) }
    /// ```
    pub async fn handle_and_forward(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
        sender: &EventSender,
    ) -> WebhookResponse {
        let super::WebhookOutcome { response, result } = self.handle(headers, body);
        let (item, forget) = match result {
            Ok(Some(event)) => {
                let event_id = event.event_id().to_owned();
                (Ok(event), Some(event_id))
            }
            Err(e @ crate::Error::Decode(_)) => (Err(e), None),
            Ok(None) | Err(_) => return response,
        };
        if sender.send(item).await {
            return response;
        }
        if let Some(event_id) = forget {
            self.dedup.forget(&event_id);
        }
        tracing::warn!("feishu event not taken by the application in time; answering 503");
        WebhookResponse::refusal(503, "the application is busy; deliver again later")
    }
}

/// Creates a channel of `capacity` deliveries (events with the acknowledgement the
/// application owes): the sending half for the HTTP handler
/// ([`WebhookHandler::handle_and_deliver`]), the receiving half for the application.
pub fn delivery_channel(capacity: usize) -> (DeliverySender, WebhookDeliveries) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    (
        DeliverySender {
            tx,
            ack_timeout: DEFAULT_ACK_TIMEOUT,
        },
        WebhookDeliveries { rx },
    )
}

/// The sending half of [`delivery_channel`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct DeliverySender {
    tx: mpsc::Sender<Result<Delivery>>,
    ack_timeout: Duration,
}

impl DeliverySender {
    /// How long a request waits for the application to take the event and acknowledge it
    /// ([`DEFAULT_ACK_TIMEOUT`]). Keep it under Feishu's 3 s.
    pub fn ack_timeout(mut self, timeout: Duration) -> Self {
        self.ack_timeout = timeout;
        self
    }
}

/// The application's end of [`delivery_channel`]: a `Stream` of deliveries. An `Err` item is
/// an acknowledged event of a known type that did not decode (raw JSON inside). The stream
/// ends when every [`DeliverySender`] is dropped.
#[derive(Debug)]
pub struct WebhookDeliveries {
    rx: mpsc::Receiver<Result<Delivery>>,
}

impl WebhookDeliveries {
    /// The next item, or `None` once every sender is gone.
    pub async fn recv(&mut self) -> Option<Result<Delivery>> {
        self.rx.recv().await
    }
}

impl Stream for WebhookDeliveries {
    type Item = Result<Delivery>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

impl WebhookHandler {
    /// Handles one request, hands a new event to the application with its [`Ack`], and
    /// answers Feishu once the application acknowledged it: 200 when it called
    /// [`Ack::done`], 500 when it failed or dropped the `Ack`, 503 when it did not answer
    /// within the sender's ack timeout. In the last two cases the event id is forgotten, so
    /// that Feishu's redelivery is processed again (processing must therefore be
    /// idempotent, which re-reading an object is). An undecodable event of a known type is
    /// forwarded as an `Err` item and acknowledged at once.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_events::{WebhookHandler, webhook::delivery_channel};
    /// use futures::StreamExt;
    ///
    /// # async fn store(_: &feishu_events::Event) {}
    /// # async fn sample(headers: http::HeaderMap, body: Vec<u8>) -> Result<(), feishu_events::Error> {
    /// let handler = WebhookHandler::builder().encrypt_key("encrypt-key").build()?;
    /// let (sender, mut deliveries) = delivery_channel(1024);
    /// tokio::spawn(async move {
    ///     while let Some(Ok(delivery)) = deliveries.next().await {
    ///         store(&delivery.event).await;
    ///         delivery.ack.done();
    ///     }
    /// });
    /// // in the HTTP server's request handler:
    /// let response = handler.handle_and_deliver(&headers, &body, &sender).await;
    /// # let _ = response; Ok(()) }
    /// ```
    pub async fn handle_and_deliver(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
        sender: &DeliverySender,
    ) -> WebhookResponse {
        let super::WebhookOutcome { response, result } = self.handle(headers, body);
        let event = match result {
            Ok(Some(event)) => event,
            Err(e @ crate::Error::Decode(_)) => {
                let sent = sender.tx.send_timeout(Err(e), sender.ack_timeout).await;
                return match sent {
                    Ok(()) => response,
                    Err(_) => busy(),
                };
            }
            Ok(None) | Err(_) => return response,
        };
        let event_id = event.event_id().to_owned();
        let (ack, receipt) = Ack::new();
        let settled = async {
            sender
                .tx
                .send(Ok(Delivery::new(event, ack)))
                .await
                .map_err(|_| ())?;
            Ok::<bool, ()>(receipt.await)
        };
        match tokio::time::timeout(sender.ack_timeout, settled).await {
            Ok(Ok(true)) => response,
            outcome => {
                self.dedup.forget(&event_id);
                match outcome {
                    Ok(Ok(false)) => {
                        tracing::warn!(event_id, "feishu event not processed; answering 500");
                        WebhookResponse::refusal(
                            500,
                            "the event was not processed; deliver it again",
                        )
                    }
                    _ => busy(),
                }
            }
        }
    }
}

/// 503: the application did not take or acknowledge the event in time.
fn busy() -> WebhookResponse {
    tracing::warn!("feishu event not acknowledged by the application in time; answering 503");
    WebhookResponse::refusal(503, "the application is busy; deliver again later")
}
