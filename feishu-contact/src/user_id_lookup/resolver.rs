//! A cache in front of `users/batch_get_id`: emails and mobile numbers to user ids, for
//! imports and enrichment that meet the same people again and again.

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use feishu_core::{Client, Result};

use super::contact_point::ContactPoint;
use super::request::{Found, MAX_LOOKUPS_PER_LIST, UserIdLookup, answer, lookup};
use crate::id::UserIdentifier;

/// Resolves emails and mobile numbers to user ids of type `I` ([`OpenId`](feishu_core::OpenId),
/// [`UnionId`](feishu_core::UnionId) or [`UserId`](feishu_core::UserId)), batching the misses
/// into `users/batch_get_id` calls of at most 50 emails and 50 numbers and caching every
/// answer, found or not, for the resolver's lifetime.
///
/// Answers keep the input order, one per input. Clones share the cache. Two concurrent
/// resolves that miss the same key may both ask Feishu (the answer is the same).
///
/// # Example
/// ```no_run
/// use feishu_contact::Contact;
/// use feishu_core::OpenId;
/// # async fn sample(contact: Contact) -> feishu_core::Result<()> {
/// let resolver = contact.user_id_resolver::<OpenId>().build();
/// let found = resolver.resolve_emails(["zhangsan@example.com", "lisi@example.com"]).await?;
/// for lookup in found {
///     println!("{} -> {:?}", lookup.query, lookup.user_id);
/// }
/// // Asked again: answered from memory.
/// let again = resolver.resolve_emails(["zhangsan@example.com"]).await?;
/// assert_eq!(resolver.lookup_calls(), 1);
/// # let _ = again; Ok(()) }
/// ```
pub struct UserIdResolver<I> {
    inner: Arc<Inner>,
    id: PhantomData<fn() -> I>,
}

struct Inner {
    client: Client,
    include_resigned: bool,
    known: Mutex<HashMap<ContactPoint, Found>>,
    calls: AtomicUsize,
}

impl<I> Clone for UserIdResolver<I> {
    fn clone(&self) -> Self {
        UserIdResolver {
            inner: Arc::clone(&self.inner),
            id: PhantomData,
        }
    }
}

impl<I> fmt::Debug for UserIdResolver<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserIdResolver")
            .field("include_resigned", &self.inner.include_resigned)
            .field("cached", &self.len())
            .finish_non_exhaustive()
    }
}

/// Configures a [`UserIdResolver`]; from
/// [`Contact::user_id_resolver`](crate::Contact::user_id_resolver).
#[derive(Debug, Clone)]
#[must_use = "call build() to get the resolver"]
pub struct UserIdResolverBuilder<I> {
    client: Client,
    include_resigned: bool,
    id: PhantomData<fn() -> I>,
}

impl<I: UserIdentifier + From<String>> UserIdResolverBuilder<I> {
    pub(crate) fn new(client: Client) -> Self {
        UserIdResolverBuilder {
            client,
            include_resigned: false,
            id: PhantomData,
        }
    }

    /// `true`: resigned users are found too. Feishu's default `false`.
    pub fn include_resigned(mut self, include: bool) -> Self {
        self.include_resigned = include;
        self
    }

    /// Builds the (empty) resolver.
    pub fn build(self) -> UserIdResolver<I> {
        UserIdResolver {
            inner: Arc::new(Inner {
                client: self.client,
                include_resigned: self.include_resigned,
                known: Mutex::new(HashMap::new()),
                calls: AtomicUsize::new(0),
            }),
            id: PhantomData,
        }
    }
}

impl<I: UserIdentifier + From<String>> UserIdResolver<I> {
    /// One [`UserIdLookup`] per point, in order; the misses are looked up in as few calls as
    /// the limit of 50 per list allows. An empty email or number fails before any request;
    /// a failed call fails the whole resolve (nothing of it is cached).
    pub async fn resolve<P>(&self, points: P) -> Result<Vec<UserIdLookup<I>>>
    where
        P: IntoIterator<Item = ContactPoint>,
    {
        let points: Vec<ContactPoint> = points.into_iter().collect();
        let misses: Vec<ContactPoint> = {
            let known = self.known();
            let mut misses: Vec<ContactPoint> = Vec::new();
            for p in &points {
                if !known.contains_key(p) && !misses.contains(p) {
                    misses.push(p.clone());
                }
            }
            misses
        };
        if !misses.is_empty() {
            let emails = misses
                .iter()
                .filter(|p| matches!(p, ContactPoint::Email(_)))
                .count();
            let calls = emails
                .max(misses.len() - emails)
                .div_ceil(MAX_LOOKUPS_PER_LIST);
            let found = lookup(
                &self.inner.client,
                &misses,
                I::ID_TYPE,
                self.inner.include_resigned,
                4,
            )
            .await?;
            self.inner.calls.fetch_add(calls, Ordering::Relaxed);
            let mut known = self.known();
            for p in misses {
                let answer = found.get(&p).cloned().unwrap_or_default();
                known.insert(p, answer);
            }
        }
        let known = self.known();
        Ok(points
            .iter()
            .map(|p| answer(p, known.get(p).cloned()))
            .collect())
    }

    /// [`resolve`](Self::resolve) for email addresses.
    pub async fn resolve_emails<E, S>(&self, emails: E) -> Result<Vec<UserIdLookup<I>>>
    where
        E: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.resolve(emails.into_iter().map(ContactPoint::email))
            .await
    }

    /// [`resolve`](Self::resolve) for mobile numbers.
    pub async fn resolve_mobiles<M, S>(&self, mobiles: M) -> Result<Vec<UserIdLookup<I>>>
    where
        M: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.resolve(mobiles.into_iter().map(ContactPoint::mobile))
            .await
    }
}

impl<I> UserIdResolver<I> {
    fn known(&self) -> MutexGuard<'_, HashMap<ContactPoint, Found>> {
        self.inner
            .known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Number of cached answers (found and not found).
    pub fn len(&self) -> usize {
        self.known().len()
    }

    /// Whether nothing is cached yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of `users/batch_get_id` calls this resolver has made.
    pub fn lookup_calls(&self) -> usize {
        self.inner.calls.load(Ordering::Relaxed)
    }
}
