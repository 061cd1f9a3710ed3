//! `POST /open-apis/contact/v3/users/batch_get_id`: user ids by email and mobile, 50 of each
//! per call.

use std::collections::HashMap;
use std::marker::PhantomData;

use feishu_core::internal::de::{object_vec, opt_object, opt_string};
use feishu_core::{Client, Endpoint, Error, Request, Result, UserIdType};
use futures::{StreamExt, TryStreamExt, stream};
use serde::Deserialize;
use serde_json::json;

use super::contact_point::ContactPoint;
use crate::codes::contact;
use crate::id::UserIdentifier;
use crate::user::model::UserStatus;

/// <https://open.feishu.cn/document/server-docs/contact-v3/user/batch_get_id>: 1000 per
/// minute and 50 per second; scope `contact:user.id:readonly`. A lookup: retried like a read.
pub(crate) const BATCH_GET_ID: Endpoint = contact(Endpoint::post_read(
    "contact.users.batch_get_id",
    "contact/v3/users/batch_get_id",
));

/// Most emails, and most mobile numbers, one `batch_get_id` call takes (each list: "at most
/// 50").
pub const MAX_LOOKUPS_PER_LIST: usize = 50;

/// What a lookup found for one email or mobile number.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UserIdLookup<I> {
    /// The email or mobile number asked for.
    pub query: ContactPoint,
    /// The user's id, `None` when not found: no such user, a resigned user (unless
    /// `include_resigned`), a user outside the app's contact range, or an enterprise email.
    pub user_id: Option<I>,
    /// The user's status flags (needs `contact:user.employee:readonly` or a broad contact
    /// scope).
    pub status: Option<UserStatus>,
}

impl<I> UserIdLookup<I> {
    /// Whether a user was found.
    pub fn is_found(&self) -> bool {
        self.user_id.is_some()
    }
}

/// One answer: the id (of the call's type) and the status.
pub(crate) type Found = (Option<String>, Option<UserStatus>);

#[derive(Deserialize, Clone)]
struct Entry {
    #[serde(default, deserialize_with = "opt_string")]
    user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    email: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    mobile: Option<String>,
    #[serde(default, deserialize_with = "opt_object")]
    status: Option<UserStatus>,
}

impl Entry {
    fn key(&self) -> Option<(bool, String)> {
        match (&self.email, &self.mobile) {
            (Some(e), _) if !e.is_empty() => Some(ContactPoint::email(e.as_str()).key()),
            (_, Some(m)) if !m.is_empty() => Some(ContactPoint::mobile(m.as_str()).key()),
            _ => None,
        }
    }

    fn found(self) -> Found {
        (self.user_id.filter(|id| !id.is_empty()), self.status)
    }
}

#[derive(Deserialize)]
struct LookupData {
    #[serde(default, deserialize_with = "object_vec")]
    user_list: Vec<Entry>,
}

/// Looks user ids up by email and mobile, [`MAX_LOOKUPS_PER_LIST`] of each per call; built by
/// [`Contact::batch_get_user_ids`](crate::Contact::batch_get_user_ids), whose type parameter
/// picks the id type of the answers.
///
/// The answer has one [`UserIdLookup`] per input, in input order (a repeated input is asked
/// once). Feishu answers each email and each number on its own; answers are matched to the
/// inputs by their `email` / `mobile` echo (ignoring case and formatting, see
/// [`ContactPoint`]), or by position when Feishu leaves the echo out.
///
/// # Example
/// ```no_run
/// use feishu_contact::{Contact, ContactPoint};
/// use feishu_core::UserId;
/// # async fn sample(contact: Contact) -> feishu_core::Result<()> {
/// let found = contact
///     .batch_get_user_ids::<UserId>([
///         ContactPoint::email("zhangsan@example.com"),
///         ContactPoint::mobile("+8613011111111"),
///     ])
///     .include_resigned(true)
///     .send()
///     .await?;
/// for lookup in &found {
///     match &lookup.user_id {
///         Some(id) => println!("{} -> {id}", lookup.query),
///         None => println!("{} not found", lookup.query),
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until sent"]
pub struct BatchGetUserIds<I> {
    client: Client,
    points: Vec<ContactPoint>,
    include_resigned: bool,
    concurrency: usize,
    id: PhantomData<fn() -> I>,
}

impl<I: UserIdentifier + From<String>> BatchGetUserIds<I> {
    pub(crate) fn new(client: Client, points: Vec<ContactPoint>) -> Self {
        BatchGetUserIds {
            client,
            points,
            include_resigned: false,
            concurrency: 4,
            id: PhantomData,
        }
    }

    /// `true`: resigned users are found too. Feishu's default `false`.
    pub fn include_resigned(mut self, include: bool) -> Self {
        self.include_resigned = include;
        self
    }

    /// How many calls run at once (at least 1). Default 4.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Looks everything up. An empty email or number fails before any request.
    pub async fn send(&self) -> Result<Vec<UserIdLookup<I>>> {
        let found = lookup(
            &self.client,
            &self.points,
            I::ID_TYPE,
            self.include_resigned,
            self.concurrency,
        )
        .await?;
        Ok(self
            .points
            .iter()
            .map(|p| answer(p, found.get(p).cloned()))
            .collect())
    }
}

/// The lookup of `point` from what was found for it (`None`: not asked, or not answered).
pub(crate) fn answer<I: From<String>>(
    point: &ContactPoint,
    found: Option<Found>,
) -> UserIdLookup<I> {
    let (user_id, status) = found.unwrap_or_default();
    UserIdLookup {
        query: point.clone(),
        user_id: user_id.map(I::from),
        status,
    }
}

/// What Feishu answers for each distinct point, in calls of at most 50 emails and 50 numbers.
pub(crate) async fn lookup(
    client: &Client,
    points: &[ContactPoint],
    user_id_type: UserIdType,
    include_resigned: bool,
    concurrency: usize,
) -> Result<HashMap<ContactPoint, Found>> {
    if let Some(blank) = points.iter().find(|p| p.is_blank()) {
        let name = match blank {
            ContactPoint::Email(_) => "emails",
            _ => "mobiles",
        };
        return Err(Error::invalid_argument(
            name,
            "an empty value cannot be looked up",
        ));
    }
    let mut emails: Vec<&ContactPoint> = Vec::new();
    let mut mobiles: Vec<&ContactPoint> = Vec::new();
    for p in points {
        let list = if matches!(p, ContactPoint::Email(_)) {
            &mut emails
        } else {
            &mut mobiles
        };
        if !list.contains(&p) {
            list.push(p);
        }
    }
    let calls = emails
        .len()
        .max(mobiles.len())
        .div_ceil(MAX_LOOKUPS_PER_LIST);
    let chunk = |list: &[&ContactPoint], i: usize| -> Vec<ContactPoint> {
        list.iter()
            .skip(i * MAX_LOOKUPS_PER_LIST)
            .take(MAX_LOOKUPS_PER_LIST)
            .map(|p| (*p).clone())
            .collect()
    };
    let batches: Vec<(Vec<ContactPoint>, Vec<ContactPoint>)> = (0..calls)
        .map(|i| (chunk(&emails, i), chunk(&mobiles, i)))
        .collect();
    let client = client.clone();
    stream::iter(batches)
        .map(move |(e, m)| call(client.clone(), e, m, user_id_type, include_resigned))
        .buffered(concurrency.max(1))
        .try_fold(HashMap::new(), |mut all, part| async move {
            all.extend(part);
            Ok(all)
        })
        .await
}

/// One call.
async fn call(
    client: Client,
    emails: Vec<ContactPoint>,
    mobiles: Vec<ContactPoint>,
    user_id_type: UserIdType,
    include_resigned: bool,
) -> Result<Vec<(ContactPoint, Found)>> {
    let mut body = json!({ "include_resigned": include_resigned });
    if !emails.is_empty() {
        body["emails"] = emails.iter().map(ContactPoint::wire).collect();
    }
    if !mobiles.is_empty() {
        body["mobiles"] = mobiles.iter().map(ContactPoint::wire).collect();
    }
    let request = Request::new(BATCH_GET_ID, &[])?
        .query("user_id_type", user_id_type)
        .json(&body)?;
    let data: LookupData = client.send(request).await?;
    // Feishu answers emails first, then numbers (one entry per input).
    let asked: Vec<ContactPoint> = emails.into_iter().chain(mobiles).collect();
    let answers = match_answers(&asked, data.user_list);
    Ok(asked
        .into_iter()
        .zip(answers)
        .map(|(p, a)| (p, a.unwrap_or_default()))
        .collect())
}

/// Each asked point's entry: by its echoed email or number, else (for entries without an
/// echo, when Feishu answered exactly one entry per input) by position.
fn match_answers(asked: &[ContactPoint], entries: Vec<Entry>) -> Vec<Option<Found>> {
    let mut out: Vec<Option<Found>> = vec![None; asked.len()];
    let positional = entries.len() == asked.len();
    let keys: Vec<(bool, String)> = asked.iter().map(ContactPoint::key).collect();
    for (j, entry) in entries.into_iter().enumerate() {
        let slot = match entry.key() {
            Some(key) => keys.iter().position(|k| *k == key),
            None if positional => Some(j),
            None => None,
        };
        if let Some(i) = slot.filter(|&i| out[i].is_none()) {
            out[i] = Some(entry.found());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(user_id: Option<&str>, email: Option<&str>, mobile: Option<&str>) -> Entry {
        Entry {
            user_id: user_id.map(str::to_string),
            email: email.map(str::to_string),
            mobile: mobile.map(str::to_string),
            status: None,
        }
    }

    #[test]
    fn answers_match_by_echo_then_by_position() {
        let asked = [
            ContactPoint::email("A@x.com"),
            ContactPoint::email("b@x.com"),
            ContactPoint::mobile("13011111111"),
        ];
        // Out of order, the number echoed with +86, one email not found (no user_id).
        let entries = vec![
            entry(Some("ou_3"), None, Some("+8613011111111")),
            entry(None, Some("b@x.com"), None),
            entry(Some("ou_1"), Some("a@x.com"), None),
        ];
        let ids: Vec<Option<String>> = match_answers(&asked, entries)
            .into_iter()
            .map(|f| f.and_then(|f| f.0))
            .collect();
        assert_eq!(ids, [Some("ou_1".into()), None, Some("ou_3".into())]);
        // Without echoes, one entry per input: by position.
        let entries = vec![
            entry(Some("ou_1"), None, None),
            entry(None, None, None),
            entry(Some("ou_3"), None, None),
        ];
        let ids: Vec<Option<String>> = match_answers(&asked, entries)
            .into_iter()
            .map(|f| f.and_then(|f| f.0))
            .collect();
        assert_eq!(ids, [Some("ou_1".into()), None, Some("ou_3".into())]);
        // Fewer entries and no echo: nothing can be matched, nothing is guessed.
        let ids = match_answers(&asked, vec![entry(Some("ou_9"), None, None)]);
        assert!(ids.iter().all(Option::is_none));
    }
}
