//! The store app's `app_ticket` event
//! ([app_ticket](https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/application-v6/event/app_ticket-events);
//! oapi-sdk-go `event/dispatcher/appticket_handler.go`).
//!
//! Feishu pushes a fresh ticket to every store app about once an hour (v1 envelope); the app
//! needs the latest one to obtain an `app_access_token`.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// A store app's `app_ticket`. `Debug` never shows the ticket.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct AppTicket {
    /// The app the ticket is for.
    #[serde(default)]
    pub app_id: String,
    /// The ticket.
    pub app_ticket: SecretString,
}

impl AppTicket {
    /// Hands the ticket to a store-app client, which uses it for its next
    /// `app_access_token` (replacing [`Client::set_app_ticket`](feishu_core::Client::set_app_ticket)
    /// by hand).
    ///
    /// The event came through a verified channel (signature, verification token, or the
    /// authenticated long connection), so it is the app's own ticket.
    ///
    /// # Example
    /// ```no_run
    /// use feishu_events::{Event, EventKind};
    /// # fn sample(client: &feishu_core::Client, event: Event) {
    /// if let EventKind::AppTicket(ticket) = &event.kind {
    ///     ticket.hand_to(client);
    /// }
    /// # }
    /// ```
    pub fn hand_to(&self, client: &feishu_core::Client) {
        client.set_app_ticket(self.app_ticket.expose_secret());
    }
}
