//! Comments on an instance: create and list
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance-comment/create>,
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance-comment/list>).

use std::future::Future;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use feishu_core::internal::PageFetch;
use feishu_core::internal::de::{
    bool_or_false, object_vec, opt_string, string_or_empty, vec_or_empty,
};
use feishu_core::{Client, Endpoint, Error, Page, RateLimit, Request, Result};

use crate::codes::APPROVAL_CODES;
use crate::ids::{CommentId, InstanceCode};
use crate::user::ApprovalUser;

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance-comment/create>:
/// 1000 per minute and 50 per second; no request id (not retried once sent).
pub(crate) const CREATE_COMMENT: Endpoint = Endpoint::post(
    "approval.comments.create",
    "approval/v4/instances/{instance_id}/comments",
)
.limit(RateLimit::per_minute(1000).and_per_second(50))
.codes(APPROVAL_CODES);

/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance-comment/list>:
/// 1000 per minute and 50 per second.
pub(crate) const LIST_COMMENTS: Endpoint = Endpoint::get(
    "approval.comments.list",
    "approval/v4/instances/{instance_id}/comments",
)
.limit(RateLimit::per_minute(1000).and_per_second(50))
.codes(APPROVAL_CODES);

/// Largest `page_size` of the comment listing (its parameter table: "maximum 1000").
pub const MAX_COMMENT_PAGE_SIZE: u32 = 1000;

/// A comment (or a reply) as the comment listing returns it. Approval decisions' own
/// comments are not comments here: they are in the instance's timeline.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct InstanceComment {
    /// Comment id.
    #[serde(deserialize_with = "crate::ids::id_or_empty")]
    pub id: CommentId,
    /// The content, a JSON string (`{"text": ..., "files": [...]}`); see
    /// [`InstanceComment::text`].
    #[serde(deserialize_with = "string_or_empty")]
    pub content: String,
    /// Creation time.
    #[serde(with = "crate::timestamp")]
    pub create_time: Option<OffsetDateTime>,
    /// Last update.
    #[serde(with = "crate::timestamp")]
    pub update_time: Option<OffsetDateTime>,
    /// Whether the comment was deleted (`is_delete` 1).
    #[serde(rename = "is_delete", deserialize_with = "bool_or_false")]
    pub deleted: bool,
    /// Replies (a reply has none of its own).
    #[serde(deserialize_with = "object_vec")]
    pub replies: Vec<InstanceComment>,
    /// The users mentioned.
    #[serde(deserialize_with = "object_vec")]
    pub at_info_list: Vec<AtInfo>,
    /// The author (of the listing's `user_id_type`).
    #[serde(deserialize_with = "string_or_empty")]
    pub commentator: String,
    /// Feishu's `extra`: a JSON string given when the comment was made.
    #[serde(rename = "extra", deserialize_with = "string_or_empty")]
    pub extra_json: String,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl InstanceComment {
    /// The text of [`content`](Self::content), `None` when the content is not the documented
    /// JSON object.
    ///
    /// # Example
    /// ```
    /// use feishu_approval::InstanceComment;
    /// let c: InstanceComment = serde_json::from_str(
    ///     r#"{"id":"7081","content":"{\"text\":\"looks good\"}","is_delete":0}"#,
    /// ).unwrap();
    /// assert_eq!(c.text().as_deref(), Some("looks good"));
    /// assert!(!c.deleted);
    /// ```
    pub fn text(&self) -> Option<String> {
        let content: Value = serde_json::from_str(&self.content).ok()?;
        content.get("text")?.as_str().map(str::to_string)
    }
}

/// A user mentioned in a comment.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct AtInfo {
    /// The user (of the call's `user_id_type`).
    #[serde(deserialize_with = "string_or_empty")]
    pub user_id: String,
    /// The name shown.
    #[serde(deserialize_with = "string_or_empty")]
    pub name: String,
    /// Where the mention starts in the text, from 0 (Feishu sends a string).
    #[serde(deserialize_with = "string_or_empty")]
    pub offset: String,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Deserialize)]
struct CreatedComment {
    comment_id: CommentId,
}

/// Adds a comment to an instance; from [`crate::Approval::create_comment`].
///
/// Not idempotent (Feishu gives new comments no request id): the SDK does not repeat a call
/// that may have reached Feishu. After a timeout the error's
/// [`write_may_have_applied`](Error::write_may_have_applied) is `true`: list the comments
/// ([`crate::Approval::list_comments`]) before adding it again.
///
/// # Example
/// ```no_run
/// use feishu_approval::Approval;
/// use feishu_core::UserId;
/// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
/// let author = UserId::from("f7cb567e");
/// let id = approval
///     .create_comment("81D31358-93AF-92D6-7425-01A5D67C4E71", author, "@Zhang Min please check the quote")
///     .mention(UserId::from("579fd9c4"), "Zhang Min", 0)
///     .send()
///     .await?;
/// println!("comment {id}");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct CreateComment {
    client: Client,
    instance: InstanceCode,
    author: ApprovalUser,
    text: String,
    mentions: Vec<(ApprovalUser, String, usize)>,
    reply_to: Option<CommentId>,
    disable_bot: Option<bool>,
}

impl CreateComment {
    pub(crate) fn new(
        client: Client,
        instance: InstanceCode,
        author: ApprovalUser,
        text: String,
    ) -> Self {
        CreateComment {
            client,
            instance,
            author,
            text,
            mentions: Vec::new(),
            reply_to: None,
            disable_bot: None,
        }
    }

    /// Mentions `user` (named by the same kind of id as the author) over the text at
    /// character `offset`: the text should already contain `@name` there.
    pub fn mention(
        mut self,
        user: impl Into<ApprovalUser>,
        name: impl Into<String>,
        offset: usize,
    ) -> Self {
        self.mentions.push((user.into(), name.into(), offset));
        self
    }

    /// Makes the comment a reply to `comment`.
    pub fn reply_to(mut self, comment: impl Into<CommentId>) -> Self {
        self.reply_to = Some(comment.into());
        self
    }

    /// `true`: only record the comment, without the approval bot's notification.
    pub fn disable_bot(mut self, disable: bool) -> Self {
        self.disable_bot = Some(disable);
        self
    }

    fn body(&self) -> Result<Value> {
        let mut at_info = Vec::new();
        for (user, name, offset) in &self.mentions {
            user.check("at_info_list")?;
            if user.id_type() != self.author.id_type() {
                return Err(Error::invalid_argument(
                    "at_info_list",
                    "mentioned users must be named by the same kind of id as the author",
                ));
            }
            at_info.push(
                json!({ "user_id": user.as_str(), "name": name, "offset": offset.to_string() }),
            );
        }
        let mut body = Map::new();
        body.insert(
            "content".into(),
            json!(json!({ "text": self.text }).to_string()),
        );
        if !at_info.is_empty() {
            body.insert("at_info_list".into(), Value::Array(at_info));
        }
        if let Some(parent) = &self.reply_to {
            body.insert("parent_comment_id".into(), json!(parent));
        }
        if let Some(disable) = self.disable_bot {
            body.insert("disable_bot".into(), json!(disable));
        }
        Ok(Value::Object(body))
    }

    /// Adds the comment and returns its id.
    pub async fn send(&self) -> Result<CommentId> {
        self.author.check("user_id")?;
        let request = Request::new(CREATE_COMMENT, &[self.instance.as_str()])?
            .query("user_id_type", self.author.id_type())
            .query("user_id", self.author.as_str())
            .json(&self.body()?)?;
        let created: CreatedComment = self.client.send(request).await?;
        Ok(created.comment_id)
    }
}

/// Lists an instance's comments with their replies; from [`crate::Approval::list_comments`].
///
/// The page reply documents only `comments`; paging (`has_more`, `page_token`) is read when
/// Feishu sends it, and the listing ends when no next token comes back.
///
/// # Example
/// ```no_run
/// use feishu_approval::{Approval, ListRequest};
/// use feishu_core::UserId;
/// use futures::TryStreamExt;
/// # async fn sample(approval: Approval) -> feishu_core::Result<()> {
/// let comments: Vec<_> = approval
///     .list_comments("81D31358-93AF-92D6-7425-01A5D67C4E71", UserId::from("f7cb567e"))
///     .into_stream()
///     .try_collect()
///     .await?;
/// for c in comments.iter().filter(|c| !c.deleted) {
///     println!("{}: {}", c.commentator, c.text().unwrap_or_default());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent or streamed"]
pub struct ListComments {
    client: Client,
    instance: InstanceCode,
    viewer: ApprovalUser,
    page_size: Option<u32>,
    page_token: Option<String>,
}

#[derive(Deserialize)]
struct CommentsPage {
    #[serde(default, deserialize_with = "vec_or_empty")]
    comments: Vec<InstanceComment>,
    #[serde(default)]
    has_more: Option<Value>,
    #[serde(default, deserialize_with = "opt_string")]
    page_token: Option<String>,
}

impl ListComments {
    pub(crate) fn new(client: Client, instance: InstanceCode, viewer: ApprovalUser) -> Self {
        ListComments {
            client,
            instance,
            viewer,
            page_size: None,
            page_token: None,
        }
    }

    /// Page size, 1..=[`MAX_COMMENT_PAGE_SIZE`]. Checked before any request.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Starts at this page token.
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }

    fn request(&self, token: Option<String>) -> Result<Request> {
        feishu_core::internal::check_page_size(self.page_size, MAX_COMMENT_PAGE_SIZE)?;
        self.viewer.check("user_id")?;
        Ok(Request::new(LIST_COMMENTS, &[self.instance.as_str()])?
            .query("user_id_type", self.viewer.id_type())
            .query("user_id", self.viewer.as_str())
            .query_opt("page_size", self.page_size)
            .query_opt("page_token", token))
    }
}

impl PageFetch for ListComments {
    type Item = InstanceComment;

    fn start_token(&self) -> Option<String> {
        self.page_token.clone()
    }

    fn fetch_page(
        &self,
        page_token: Option<String>,
    ) -> impl Future<Output = Result<Page<InstanceComment>>> + Send + use<> {
        let client = self.client.clone();
        let request = self.request(page_token);
        async move {
            let page: CommentsPage = client.send(request?).await?;
            let token = page.page_token.filter(|t| !t.is_empty());
            // Undocumented paging: `has_more` when sent, else "a token means more".
            let has_more = match &page.has_more {
                Some(Value::Bool(b)) => *b,
                _ => token.is_some(),
            };
            Ok(Page::new(page.comments, has_more, token))
        }
    }
}
