//! A user cache for enriching other streams: ids in, users out, misses batched.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use feishu_core::{Client, DepartmentIdType, Error, Result, UserIdType};
use tokio::sync::oneshot;

use crate::user::model::User;
use crate::user::request::{BATCH_MAX_IDS, BatchGetUsers};

type Waiter = oneshot::Sender<Result<Option<Arc<User>>>>;

/// Resolves user ids to users, for enriching records that carry only an id (approval
/// applicants, attendance flows, bitable user fields).
///
/// - Hits are answered from memory; found users **and** "not found" answers are cached for the
///   cache's lifetime.
/// - Misses are batched into `users/batch` calls of at most 50 ids: the first miss opens a
///   short batching window (default 5 ms); every id asked for during it joins the batch, and a
///   batch is sent at once when it reaches 50 ids.
/// - Concurrent lookups of the same id share one pending answer (one id is never asked for
///   twice at the same time).
/// - An unknown id, or one outside the app's contact range, resolves to `Ok(None)` ("not
///   found"); a failed call gives every waiting caller the error (not cached, so a later
///   lookup tries again). When Feishu returns users without an id of the cache's type (e.g.
///   no `user_id` because `contact:user.employee_id:readonly` is missing), the ids that
///   could not be matched get an [`Error::Config`] instead of a cached "not found".
/// - A caller may drop its lookup at any time; the batch goes on for the others. If a batch
///   task itself is cancelled (its runtime shut down), its waiters get an error and the ids
///   can be looked up again.
///
/// Clones share the cache. Lookups spawn the batch on the current Tokio runtime; outside
/// one they fail with [`Error::Config`].
///
/// # Example
/// ```no_run
/// # async fn sample(contact: feishu_contact::Contact) -> feishu_core::Result<()> {
/// use feishu_contact::UserIdType;
/// let cache = contact.user_cache().user_id_type(UserIdType::UserId).build();
/// match cache.get("a1b2c3d4").await? {
///     Some(user) => println!("{} works in {:?}", user.name, user.department_ids),
///     None => println!("no such user, or outside the app's contact range"),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct UserCache {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    user_id_type: UserIdType,
    department_id_type: DepartmentIdType,
    window: Duration,
    batch_calls: AtomicUsize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    known: HashMap<String, Option<Arc<User>>>,
    waiting: HashMap<String, Vec<Waiter>>,
    queue: Vec<String>,
    timer_armed: bool,
}

impl fmt::Debug for UserCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserCache")
            .field("user_id_type", &self.inner.user_id_type)
            .field("window", &self.inner.window)
            .field("cached", &self.len())
            .finish_non_exhaustive()
    }
}

/// Configures a [`UserCache`]; from [`Contact::user_cache`](crate::Contact::user_cache).
#[derive(Debug, Clone)]
#[must_use = "call build() to get the cache"]
pub struct UserCacheBuilder {
    client: Client,
    user_id_type: UserIdType,
    department_id_type: DepartmentIdType,
    window: Duration,
}

impl UserCacheBuilder {
    pub(crate) fn new(client: Client) -> Self {
        UserCacheBuilder {
            client,
            user_id_type: UserIdType::default(),
            department_id_type: DepartmentIdType::default(),
            window: Duration::from_millis(5),
        }
    }

    /// The id type of the ids looked up (and of the ids inside the cached users). Default
    /// `open_id`.
    pub fn user_id_type(mut self, t: UserIdType) -> Self {
        self.user_id_type = t;
        self
    }

    /// The id type of the cached users' `department_ids`. Default `open_department_id`.
    pub fn department_id_type(mut self, t: DepartmentIdType) -> Self {
        self.department_id_type = t;
        self
    }

    /// How long the first miss waits for more misses before the batch is sent. Default 5 ms.
    pub fn batch_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Builds the (empty) cache.
    pub fn build(self) -> UserCache {
        UserCache {
            inner: Arc::new(Inner {
                client: self.client,
                user_id_type: self.user_id_type,
                department_id_type: self.department_id_type,
                window: self.window,
                batch_calls: AtomicUsize::new(0),
                state: Mutex::new(State::default()),
            }),
        }
    }
}

impl UserCache {
    /// The user with this id: `Ok(Some(user))`, `Ok(None)` when Feishu does not know the id
    /// or it is outside the app's contact range (and for `""`), or the batch call's error.
    pub async fn get(&self, id: impl AsRef<str>) -> Result<Option<User>> {
        Ok(self.get_shared(id).await?.map(|u| (*u).clone()))
    }

    /// Like [`get`](Self::get), without copying the user.
    pub async fn get_shared(&self, id: impl AsRef<str>) -> Result<Option<Arc<User>>> {
        let id = id.as_ref();
        if id.is_empty() {
            return Ok(None);
        }
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::Config("UserCache lookups must run inside a Tokio runtime".into())
        })?;
        // Tasks are spawned after the lock is released: a runtime that is shutting down drops
        // a spawned task at once, and its guard takes the lock.
        let (rx, task) = {
            let mut st = self.inner.lock();
            if let Some(known) = st.known.get(id) {
                return Ok(known.clone());
            }
            let (tx, rx) = oneshot::channel();
            let mut task = None;
            match st.waiting.entry(id.to_string()) {
                Entry::Occupied(mut e) => e.get_mut().push(tx),
                Entry::Vacant(e) => {
                    e.insert(vec![tx]);
                    st.queue.push(id.to_string());
                    if st.queue.len() >= BATCH_MAX_IDS {
                        task = Some(Task::Batch(std::mem::take(&mut st.queue)));
                    } else if !st.timer_armed {
                        st.timer_armed = true;
                        task = Some(Task::Timer);
                    }
                }
            }
            (rx, task)
        };
        let inner = Arc::clone(&self.inner);
        match task {
            Some(Task::Batch(ids)) => drop(runtime.spawn(Inner::run_batch(inner, ids))),
            Some(Task::Timer) => drop(runtime.spawn(Inner::flush_after_window(inner))),
            None => {}
        }
        rx.await.unwrap_or_else(|_| {
            Err(Error::Config(
                "the user cache's batch task ended without an answer (runtime shutting down?)"
                    .into(),
            ))
        })
    }

    /// Several ids at once (each as [`get`](Self::get)), answers in the same order.
    pub async fn get_many<I, S>(&self, ids: I) -> Result<Vec<Option<User>>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let lookups: Vec<_> = ids
            .into_iter()
            .map(|id| {
                let cache = self.clone();
                let id = id.as_ref().to_string();
                async move { cache.get(&id).await }
            })
            .collect();
        futures::future::try_join_all(lookups).await
    }

    /// Adds a user fetched elsewhere (e.g. by a directory walk with the same id type), so
    /// that lookups of it need no call. Users without an id of the cache's type are ignored.
    pub fn insert(&self, user: User) {
        if let Some(id) = user.id(self.inner.user_id_type).map(str::to_string) {
            self.inner.lock().known.insert(id, Some(Arc::new(user)));
        }
    }

    /// Number of cached answers (found and not found).
    pub fn len(&self) -> usize {
        self.inner.lock().known.len()
    }

    /// Whether nothing is cached yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of `users/batch` calls this cache has made.
    pub fn batch_calls(&self) -> usize {
        self.inner.batch_calls.load(Ordering::Relaxed)
    }

    /// The id type of the ids looked up.
    pub fn user_id_type(&self) -> UserIdType {
        self.inner.user_id_type
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The window timer's task. The guard exists before the task is first polled, so even a
    /// task dropped unpolled releases its waiters.
    fn flush_after_window(self: Arc<Self>) -> impl Future<Output = ()> + Send + 'static {
        let guard = CancelGuard::timer(Arc::clone(&self));
        async move {
            tokio::time::sleep(self.window).await;
            guard.disarm();
            let ids = {
                let mut st = self.lock();
                st.timer_armed = false;
                std::mem::take(&mut st.queue)
            };
            let batches: Vec<Vec<String>> =
                ids.chunks(BATCH_MAX_IDS).map(<[String]>::to_vec).collect();
            for ids in batches {
                tokio::spawn(Inner::run_batch(Arc::clone(&self), ids));
            }
        }
    }

    /// One `users/batch` call answering the waiters of `ids` (guarded as
    /// [`flush_after_window`](Self::flush_after_window)).
    fn run_batch(self: Arc<Self>, ids: Vec<String>) -> impl Future<Output = ()> + Send + 'static {
        let guard = CancelGuard::batch(Arc::clone(&self), ids.clone());
        async move {
            if ids.is_empty() {
                guard.disarm();
                return;
            }
            self.batch_calls.fetch_add(1, Ordering::Relaxed);
            let result = BatchGetUsers::new(self.client.clone(), ids.clone(), self.user_id_type)
                .department_id_type(self.department_id_type)
                .send()
                .await;
            // No await point from here on: the answer below cannot be cancelled half-way.
            guard.disarm();
            let mut st = self.lock();
            match result {
                Ok(users) => {
                    let unmatched = users
                        .iter()
                        .filter(|u| u.id(self.user_id_type).is_none())
                        .count();
                    let mut found: HashMap<String, Arc<User>> = users
                        .into_iter()
                        .filter_map(|u| {
                            let id = u.id(self.user_id_type)?.to_string();
                            Some((id, Arc::new(u)))
                        })
                        .collect();
                    for id in ids {
                        let answer = found.remove(&id);
                        let waiters = st.waiting.remove(&id).unwrap_or_default();
                        if answer.is_none() && unmatched > 0 {
                            // Maybe one of the users without an id: not a "not found".
                            for tx in waiters {
                                let _ = tx.send(Err(self.unmatched_error(unmatched)));
                            }
                            continue;
                        }
                        st.known.insert(id.clone(), answer.clone());
                        for tx in waiters {
                            let _ = tx.send(Ok(answer.clone()));
                        }
                    }
                }
                Err(e) => {
                    for id in ids {
                        for tx in st.waiting.remove(&id).unwrap_or_default() {
                            let _ = tx.send(Err(e.clone()));
                        }
                    }
                }
            }
        }
    }
}

impl Inner {
    fn unmatched_error(&self, unmatched: usize) -> Error {
        Error::Config(format!(
            "users/batch returned {unmatched} user(s) without a {t}, so they cannot be matched \
             to the ids asked for; grant the field scope for {t} (for user_id: \
             contact:user.employee_id:readonly) or use another user id type",
            t = self.user_id_type
        ))
    }
}

/// What a lookup has to start.
enum Task {
    /// A full batch, sent now.
    Batch(Vec<String>),
    /// The batching window's timer.
    Timer,
}

/// Fails the waiters a spawned task is responsible for if the task is dropped before it
/// answers (its runtime shut down): their senders are dropped, which each lookup reports as
/// an error, and the ids can be looked up again instead of waiting forever.
struct CancelGuard {
    inner: Option<Arc<Inner>>,
    ids: Vec<String>,
    timer: bool,
}

impl CancelGuard {
    fn batch(inner: Arc<Inner>, ids: Vec<String>) -> Self {
        CancelGuard {
            inner: Some(inner),
            ids,
            timer: false,
        }
    }

    /// For the window timer: also the queued ids, and the "timer armed" flag.
    fn timer(inner: Arc<Inner>) -> Self {
        CancelGuard {
            inner: Some(inner),
            ids: Vec::new(),
            timer: true,
        }
    }

    fn disarm(mut self) {
        self.inner = None;
    }
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        let mut st = inner.lock();
        if self.timer {
            st.timer_armed = false;
            let queued = std::mem::take(&mut st.queue);
            self.ids.extend(queued);
        }
        for id in &self.ids {
            st.waiting.remove(id);
        }
    }
}
