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
}

/// Every person of the tenant, in a stable order: a person's index seeds their generated data.
#[derive(Debug, Default)]
pub(crate) struct Directory {
    people: Vec<Person>,
    by_user_id: HashMap<String, usize>,
    by_employee_no: HashMap<String, usize>,
}

impl Directory {
    /// A directory of `people`, indexed by both ids.
    pub(crate) fn new(people: Vec<Person>) -> Directory {
        let by_user_id = people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.user_id.clone(), i))
            .collect();
        let by_employee_no = people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.employee_no.clone(), i))
            .collect();
        Directory {
            people,
            by_user_id,
            by_employee_no,
        }
    }

    /// The index of the person with this `user_id`.
    pub(crate) fn by_user_id(&self, id: &str) -> Option<usize> {
        self.by_user_id.get(id).copied()
    }

    /// The index of the person with this `employee_no`.
    pub(crate) fn by_employee_no(&self, no: &str) -> Option<usize> {
        self.by_employee_no.get(no).copied()
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
