//! The common case of a listing: Feishu's usual page, so the module crate only builds the
//! request for a page.

use std::future::Future;

use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Result;
use crate::page::{Page, PageFetch};
use crate::request::Request;

/// A listing whose `data` is Feishu's usual page (`{items, has_more, page_token, total}`): it
/// only builds the request for a page, and gets [`PageFetch`] (and so
/// [`ListRequest`](crate::ListRequest)) from it.
pub trait PageRequest: Send + Sync + 'static {
    /// What the listing yields, decoded from `items`.
    type Item: DeserializeOwned + Send + 'static;

    /// The client that sends the pages.
    fn client(&self) -> &Client;

    /// The token the listing starts at (`None`: the first page).
    fn start_token(&self) -> Option<String>;

    /// The request for the page at `page_token`; argument errors are returned here.
    fn page_request(&self, page_token: Option<String>) -> Result<Request>;
}

impl<T: PageRequest> PageFetch for T {
    type Item = T::Item;

    fn start_token(&self) -> Option<String> {
        PageRequest::start_token(self)
    }

    fn fetch_page(
        &self,
        page_token: Option<String>,
    ) -> impl Future<Output = Result<Page<Self::Item>>> + Send + use<T> {
        let client = self.client().clone();
        let request = self.page_request(page_token);
        async move { client.send_page(request?).await }
    }
}
