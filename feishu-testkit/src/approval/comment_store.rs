//! A comment as the fake tenant keeps it: users by cast index, rendered per `user_id_type`
//! in the shape of
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance-comment/list>.

use serde_json::{Value, json};

use super::people::Cast;

/// A comment or a reply, as the fake keeps it (users by cast index, rendered per
/// `user_id_type`).
#[derive(Debug, Clone)]
pub(crate) struct StoredComment {
    pub(super) id: String,
    pub(super) content: String,
    pub(super) create_time: i64,
    pub(super) update_time: i64,
    /// The author, a cast index.
    pub(super) author: usize,
    /// Mentions: cast index, name, offset.
    pub(super) at_info: Vec<(usize, String, String)>,
    pub(super) extra: String,
    pub(super) replies: Vec<StoredComment>,
}

impl StoredComment {
    /// The comment as the listing shows it, users named by `id_type`.
    pub(super) fn render(&self, cast: &Cast, id_type: &str) -> Value {
        let at: Vec<Value> = self
            .at_info
            .iter()
            .map(|(u, name, offset)| json!({ "user_id": cast.user_key(*u, id_type), "name": name, "offset": offset }))
            .collect();
        let replies: Vec<Value> = self
            .replies
            .iter()
            .map(|r| r.render(cast, id_type))
            .collect();
        json!({
            "id": self.id, "content": self.content,
            "create_time": self.create_time.to_string(), "update_time": self.update_time.to_string(),
            "is_delete": 0, "replies": replies, "at_info_list": at,
            "commentator": cast.user_key(self.author, id_type), "extra": self.extra,
        })
    }

    /// The text of the content (for ground truth).
    pub(super) fn text(&self) -> String {
        serde_json::from_str::<Value>(&self.content)
            .ok()
            .and_then(|c| c["text"].as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// This comment and its replies, flattened.
    pub(super) fn all(&self) -> impl Iterator<Item = &StoredComment> {
        std::iter::once(self).chain(self.replies.iter())
    }
}
