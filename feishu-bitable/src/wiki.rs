//! Finding a Base's `app_token` (feishu-api.md §6.1): from a Base URL, from a wiki node
//! (`GET /open-apis/wiki/v2/spaces/get_node`), or from a block token embedded in a document.

use feishu_core::internal::de::{bool_or_false, opt_i64, string_or_empty};
use feishu_core::{Endpoint, RateLimit};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use feishu_core::internal::wire_enum;

/// <https://open.feishu.cn/document/server-docs/docs/wiki-v2/space-node/get_node>: 100 per
/// minute; scopes `wiki:wiki:readonly`, `wiki:node:read` or `wiki:wiki`.
pub(crate) const GET_NODE: Endpoint =
    Endpoint::get("wiki.spaces.get_node", "wiki/v2/spaces/get_node")
        .limit(RateLimit::per_minute(100));

wire_enum! {
    /// The kind of document behind a wiki node.
    pub enum WikiObjType {
        /// A Base: `obj_token` is its app_token.
        Bitable => "bitable",
        /// A document (new).
        Docx => "docx",
        /// A document (old).
        Doc => "doc",
        /// A spreadsheet.
        Sheet => "sheet",
        /// A mind map.
        Mindnote => "mindnote",
        /// A file.
        File => "file",
        /// Slides.
        Slides => "slides",
    }
}

/// A wiki node (`data.node` of `get_node`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct WikiNode {
    /// Wiki space id.
    #[serde(deserialize_with = "string_or_empty")]
    pub space_id: String,
    /// The node's token (what a `…/wiki/<token>` URL shows).
    #[serde(deserialize_with = "string_or_empty")]
    pub node_token: String,
    /// Token of the document behind the node: the app_token when `obj_type` is `bitable`.
    #[serde(deserialize_with = "string_or_empty")]
    pub obj_token: String,
    /// Kind of document behind the node.
    pub obj_type: Option<WikiObjType>,
    /// Parent node token (empty for top-level nodes).
    pub parent_node_token: Option<String>,
    /// `origin` or `shortcut`.
    pub node_type: Option<String>,
    /// For a shortcut: the node it points to.
    pub origin_node_token: Option<String>,
    /// For a shortcut: the space of the node it points to.
    pub origin_space_id: Option<String>,
    /// Whether the node has children.
    #[serde(deserialize_with = "bool_or_false")]
    pub has_child: bool,
    /// Title.
    pub title: Option<String>,
    /// Document creation time, Unix seconds (sent as a string).
    #[serde(deserialize_with = "opt_i64")]
    pub obj_create_time: Option<i64>,
    /// Document last edit time, Unix seconds.
    #[serde(deserialize_with = "opt_i64")]
    pub obj_edit_time: Option<i64>,
    /// Node creation time, Unix seconds.
    #[serde(deserialize_with = "opt_i64")]
    pub node_create_time: Option<i64>,
    /// Document creator.
    pub creator: Option<String>,
    /// Document owner.
    pub owner: Option<String>,
    /// Node creator.
    pub node_creator: Option<String>,
    /// Fields this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for WikiNode {
    fn default() -> Self {
        WikiNode {
            space_id: String::new(),
            node_token: String::new(),
            obj_token: String::new(),
            obj_type: None,
            parent_node_token: None,
            node_type: None,
            origin_node_token: None,
            origin_space_id: None,
            has_child: false,
            title: None,
            obj_create_time: None,
            obj_edit_time: None,
            node_create_time: None,
            creator: None,
            owner: None,
            node_creator: None,
            extra: Map::new(),
        }
    }
}

impl WikiNode {
    /// The app_token when the node is a Base.
    pub fn app_token(&self) -> Option<&str> {
        (self.obj_type == Some(WikiObjType::Bitable) && !self.obj_token.is_empty())
            .then_some(self.obj_token.as_str())
    }
}

#[derive(Deserialize)]
pub(crate) struct NodeData {
    pub(crate) node: WikiNode,
}

/// Which token a Base link carries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BaseToken {
    /// `…/base/<app_token>`: usable as is.
    App(String),
    /// `…/wiki/<node_token>`: resolve it with
    /// [`Bitable::resolve_wiki_node`](crate::Bitable::resolve_wiki_node) first.
    WikiNode(String),
}

/// What a Base URL points at.
///
/// # Example
/// ```
/// use feishu_bitable::{BaseLink, BaseToken};
/// let link = BaseLink::parse("https://x.feishu.cn/base/bascnAbC?table=tblX&view=vewY").unwrap();
/// assert_eq!(link.token, BaseToken::App("bascnAbC".into()));
/// assert_eq!(link.table_id.as_deref(), Some("tblX"));
/// let wiki = BaseLink::parse("https://x.feishu.cn/wiki/wikcnQ?table=tblX").unwrap();
/// assert_eq!(wiki.token, BaseToken::WikiNode("wikcnQ".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BaseLink {
    /// The app token or the wiki node token.
    pub token: BaseToken,
    /// `table=` of the URL.
    pub table_id: Option<String>,
    /// `view=` of the URL.
    pub view_id: Option<String>,
}

impl BaseLink {
    /// Parses a `…/base/<app_token>` or `…/wiki/<node_token>` URL. `None` when the URL has
    /// neither.
    pub fn parse(url: &str) -> Option<BaseLink> {
        let url = Url::parse(url).ok()?;
        let segments: Vec<&str> = url.path_segments()?.collect();
        let at = segments.iter().position(|s| *s == "base" || *s == "wiki")?;
        let token = segments.get(at + 1).filter(|t| !t.is_empty())?.to_string();
        let token = if segments[at] == "base" {
            BaseToken::App(token)
        } else {
            BaseToken::WikiNode(token)
        };
        let query = |key: &str| {
            url.query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
                .filter(|v| !v.is_empty())
        };
        Some(BaseLink {
            token,
            table_id: query("table"),
            view_id: query("view"),
        })
    }
}

/// Splits the block token of a Base embedded in a document (`<app_token>_<table_id>`).
///
/// # Example
/// ```
/// assert_eq!(
///     feishu_bitable::split_block_token("bascnAbC_tblXyz"),
///     Some(("bascnAbC", "tblXyz"))
/// );
/// ```
pub fn split_block_token(block_token: &str) -> Option<(&str, &str)> {
    let (app, table) = block_token.split_once('_')?;
    (!app.is_empty() && !table.is_empty()).then_some((app, table))
}
