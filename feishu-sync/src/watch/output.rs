//! The stream a watch returns. It settles each event's acknowledgement when the consumer
//! asks for the message after the state covering the event's re-read: by then the
//! consumer has handled (e.g. committed) that state.

use std::pin::Pin;
use std::task::{Context, Poll};

use feishu_events::Ack;
use futures::Stream;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::error::Result;
use crate::message::Message;
use crate::read::Output;

/// The messages of [`Source::watch`](crate::Source::watch): records, states and log lines,
/// until it is dropped (or its event feed ends).
///
/// An event is acknowledged to Feishu when the consumer asks for the message that follows
/// the state covering the event's re-read, that is once the consumer has handled that
/// state. Dropping the stream stops the watch; the events whose state was not handled are
/// answered as failed, and Feishu delivers them again.
#[derive(Debug)]
pub struct Watch {
    rx: mpsc::Receiver<Output>,
    /// Settled when the consumer asks for the next message.
    handled: Vec<Ack>,
    task: AbortHandle,
}

impl Watch {
    pub(super) fn new(rx: mpsc::Receiver<Output>, task: AbortHandle) -> Self {
        Watch {
            rx,
            handled: Vec::new(),
            task,
        }
    }
}

impl Stream for Watch {
    type Item = Result<Message>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // Asking for the next message means the consumer is done with the last one.
        for ack in self.handled.drain(..) {
            ack.done();
        }
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(output)) => {
                self.handled = output.acks;
                Poll::Ready(Some(output.item))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.task.abort();
    }
}
