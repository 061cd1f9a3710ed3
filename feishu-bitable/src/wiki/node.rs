//! Wiki nodes: `GET /open-apis/wiki/v2/spaces/get_node`, how a `…/wiki/<token>` URL leads to
//! the Base it holds.

use feishu_core::internal::de::{bool_or_false, opt_i64, opt_string, string_or_empty};
use feishu_core::internal::wire_enum;
use feishu_core::{Endpoint, RateLimit};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::ids::{AppToken, WikiNodeToken, id_or_empty, opt_id};

/// <https://open.feishu.cn/document/server-docs/docs/wiki-v2/space-node/get_node>: 100 per
/// minute; scopes `wiki:wiki:readonly`, `wiki:node:read` or `wiki:wiki`.
// oapi-sdk-go service/wiki/v2/resource.go (space.GetNode).
pub(crate) const GET_NODE: Endpoint =
    Endpoint::get("wiki.spaces.get_node", "wiki/v2/spaces/get_node")
        .limit(RateLimit::per_minute(100));

wire_enum! {
    /// The kind of document behind a wiki node (`obj_type`).
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

/// A wiki node (`data.node` of
/// [get node](https://open.feishu.cn/document/server-docs/docs/wiki-v2/space-node/get_node)).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct WikiNode {
    /// Wiki space id.
    #[serde(deserialize_with = "string_or_empty")]
    pub space_id: String,
    /// The node's token (what a `…/wiki/<token>` URL shows).
    #[serde(deserialize_with = "id_or_empty")]
    pub node_token: WikiNodeToken,
    /// Token of the document behind the node: the app_token when `obj_type` is `bitable`
    /// (see [`WikiNode::app_token`]).
    #[serde(deserialize_with = "string_or_empty")]
    pub obj_token: String,
    /// Kind of document behind the node.
    pub obj_type: Option<WikiObjType>,
    /// Parent node (`None` for a top-level node).
    #[serde(deserialize_with = "opt_id")]
    pub parent_node_token: Option<WikiNodeToken>,
    /// `origin` or `shortcut`.
    #[serde(deserialize_with = "opt_string")]
    pub node_type: Option<String>,
    /// For a shortcut: the node it points to.
    #[serde(deserialize_with = "opt_id")]
    pub origin_node_token: Option<WikiNodeToken>,
    /// For a shortcut: the space of the node it points to.
    #[serde(deserialize_with = "opt_string")]
    pub origin_space_id: Option<String>,
    /// Whether the node has children.
    #[serde(deserialize_with = "bool_or_false")]
    pub has_child: bool,
    /// Title.
    #[serde(deserialize_with = "opt_string")]
    pub title: Option<String>,
    /// Document creation time in Unix **seconds** (sent as a string);
    /// [`WikiNode::obj_created_at`] gives the instant.
    #[serde(deserialize_with = "opt_i64")]
    pub obj_create_time: Option<i64>,
    /// Document last edit time in Unix **seconds**; [`WikiNode::obj_edited_at`] gives the
    /// instant.
    #[serde(deserialize_with = "opt_i64")]
    pub obj_edit_time: Option<i64>,
    /// Node creation time in Unix **seconds**; [`WikiNode::node_created_at`] gives the instant.
    #[serde(deserialize_with = "opt_i64")]
    pub node_create_time: Option<i64>,
    /// Document creator (a user id).
    #[serde(deserialize_with = "opt_string")]
    pub creator: Option<String>,
    /// Document owner (a user id).
    #[serde(deserialize_with = "opt_string")]
    pub owner: Option<String>,
    /// Node creator (a user id).
    #[serde(deserialize_with = "opt_string")]
    pub node_creator: Option<String>,
    /// Keys this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl WikiNode {
    /// The Base's app_token when the node holds a Base.
    pub fn app_token(&self) -> Option<AppToken> {
        (self.obj_type == Some(WikiObjType::Bitable) && !self.obj_token.is_empty())
            .then(|| AppToken::from(self.obj_token.as_str()))
    }

    /// When the document behind the node was created.
    pub fn obj_created_at(&self) -> Option<OffsetDateTime> {
        from_unix_secs(self.obj_create_time?)
    }

    /// When the document behind the node was last edited.
    pub fn obj_edited_at(&self) -> Option<OffsetDateTime> {
        from_unix_secs(self.obj_edit_time?)
    }

    /// When the node was created.
    pub fn node_created_at(&self) -> Option<OffsetDateTime> {
        from_unix_secs(self.node_create_time?)
    }
}

fn from_unix_secs(secs: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(secs).ok()
}

/// `data` of the get-node reply.
#[derive(Deserialize)]
pub(crate) struct NodeData {
    pub(crate) node: WikiNode,
}
