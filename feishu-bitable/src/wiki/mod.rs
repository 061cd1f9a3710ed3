//! Finding a Base's app_token: from a Base URL ([`BaseLink`]), from a wiki node
//! ([`WikiNode`]), or from the block token of a Base embedded in a document
//! ([`split_block_token`]).

mod link;
mod node;

pub use link::{BaseLink, BaseToken, split_block_token};
pub(crate) use node::{GET_NODE, NodeData};
pub use node::{WikiNode, WikiObjType};
