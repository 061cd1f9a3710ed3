//! The tenant's people as the services other than Contact see them.
//!
//! Contact owns the organisation; Attendance needs to know who the users are (to accept their
//! ids and generate their punches) without reaching into Contact. Contact publishes a
//! [`Directory`] whenever its dataset changes; Attendance reads the latest one per request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::lock::lock;

/// One person of the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Person {
    /// The tenant-level user id (Attendance's `employee_id`).
    pub(crate) user_id: String,
    /// The HR employee number (Attendance's `employee_no`).
    pub(crate) employee_no: String,
    /// Display name.
    pub(crate) name: String,
    /// When the person took over ids a departed person held (Unix s); `None` for the
    /// original staff.
    pub(crate) joined_at: Option<i64>,
    /// When the person left (Unix s); `None` while employed.
    pub(crate) departed_at: Option<i64>,
}

/// Every person of the tenant, departed ones included, in a stable order: a person's index
/// seeds their generated data. Ids can be reused: a newly hired person may take over the
/// `user_id` and `employee_no` of a departed one, so an id names its holders in hiring order.
#[derive(Debug, Default)]
pub(crate) struct Directory {
    people: Vec<Person>,
    by_user_id: HashMap<String, Vec<usize>>,
    by_employee_no: HashMap<String, Vec<usize>>,
}

impl Directory {
    /// A directory of `people`, indexed by both ids.
    pub(crate) fn new(people: Vec<Person>) -> Directory {
        let mut by_user_id: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_employee_no: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in people.iter().enumerate() {
            by_user_id.entry(p.user_id.clone()).or_default().push(i);
            by_employee_no
                .entry(p.employee_no.clone())
                .or_default()
                .push(i);
        }
        Directory {
            people,
            by_user_id,
            by_employee_no,
        }
    }

    /// The people who held this `user_id`, in hiring order (empty when nobody did).
    pub(crate) fn by_user_id(&self, id: &str) -> &[usize] {
        self.by_user_id.get(id).map_or(&[], Vec::as_slice)
    }

    /// The people who held this `employee_no`, in hiring order.
    pub(crate) fn by_employee_no(&self, no: &str) -> &[usize] {
        self.by_employee_no.get(no).map_or(&[], Vec::as_slice)
    }

    /// The person at `index`.
    pub(crate) fn person(&self, index: usize) -> Option<&Person> {
        self.people.get(index)
    }
}

/// The latest published [`Directory`], shared by its publisher and its readers.
#[derive(Debug, Clone, Default)]
pub(crate) struct DirectoryHandle(Arc<Mutex<Arc<Directory>>>);

impl DirectoryHandle {
    /// Replaces the directory readers see from now on.
    pub(crate) fn publish(&self, directory: Directory) {
        *lock(&self.0) = Arc::new(directory);
    }

    /// The directory as it is now (cheap: a reference count).
    pub(crate) fn current(&self) -> Arc<Directory> {
        Arc::clone(&lock(&self.0))
    }
}
