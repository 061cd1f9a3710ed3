//! Base links: telling a `…/base/<app_token>` URL from a `…/wiki/<node_token>` one, and the
//! block token of a Base embedded in a document.

use url::Url;

use crate::ids::{AppToken, TableId, ViewId, WikiNodeToken};

/// Which token a Base link carries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BaseToken {
    /// `…/base/<app_token>`: usable as is.
    App(AppToken),
    /// `…/wiki/<node_token>`: resolve it with
    /// [`Bitable::resolve_wiki_node`](crate::Bitable::resolve_wiki_node) first.
    WikiNode(WikiNodeToken),
}

/// What a Base URL points at.
///
/// # Example
/// ```
/// use feishu_bitable::{BaseLink, BaseToken};
/// let link = BaseLink::parse("https://x.feishu.cn/base/bascnAbC?table=tblX&view=vewY").unwrap();
/// assert_eq!(link.token, BaseToken::App("bascnAbC".into()));
/// assert_eq!(link.table_id.unwrap(), "tblX");
/// let wiki = BaseLink::parse("https://x.feishu.cn/wiki/wikcnQ?table=tblX").unwrap();
/// assert_eq!(wiki.token, BaseToken::WikiNode("wikcnQ".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BaseLink {
    /// The app token or the wiki node token.
    pub token: BaseToken,
    /// `table=` of the URL.
    pub table_id: Option<TableId>,
    /// `view=` of the URL.
    pub view_id: Option<ViewId>,
}

impl BaseLink {
    /// Parses a `…/base/<app_token>` or `…/wiki/<node_token>` URL. `None` when the URL has
    /// neither.
    pub fn parse(url: &str) -> Option<BaseLink> {
        let url = Url::parse(url).ok()?;
        let segments: Vec<&str> = url.path_segments()?.collect();
        let at = segments.iter().position(|s| *s == "base" || *s == "wiki")?;
        let token = *segments.get(at + 1).filter(|t| !t.is_empty())?;
        let token = if segments[at] == "base" {
            BaseToken::App(AppToken::from(token))
        } else {
            BaseToken::WikiNode(WikiNodeToken::from(token))
        };
        let query = |key: &str| {
            url.query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
                .filter(|v| !v.is_empty())
        };
        Some(BaseLink {
            token,
            table_id: query("table").map(TableId::from),
            view_id: query("view").map(ViewId::from),
        })
    }
}

/// Splits the block token of a Base embedded in a document (`<app_token>_<table_id>`).
///
/// # Example
/// ```
/// let (app, table) = feishu_bitable::split_block_token("bascnAbC_tblXyz").unwrap();
/// assert_eq!((app.as_str(), table.as_str()), ("bascnAbC", "tblXyz"));
/// ```
pub fn split_block_token(block_token: &str) -> Option<(AppToken, TableId)> {
    let (app, table) = block_token.split_once('_')?;
    (!app.is_empty() && !table.is_empty()).then(|| (AppToken::from(app), TableId::from(table)))
}
