//! Stable, unique keys of the widgets of one form ([`crate::Widget::path`]).

use std::collections::{HashMap, HashSet};

/// Unique widget paths over a whole form: `prefix.id` (or `prefix._<i>` without an id),
/// with `~n` appended when that path was already given out (repeated ids, or ids that
/// happen to look like another widget's path).
pub(crate) struct Keys {
    used: HashSet<String>,
    /// Last `~n` suffix handed out per base path, so many repeats of one id stay linear
    /// (every smaller suffix is already taken, and `used` only grows).
    suffix: HashMap<String, usize>,
}

impl Keys {
    pub(crate) fn new() -> Self {
        Keys {
            used: HashSet::new(),
            suffix: HashMap::new(),
        }
    }

    pub(crate) fn path(&mut self, prefix: &str, id: &str, position: usize) -> String {
        let base = if id.is_empty() {
            join(prefix, &format!("_{position}"))
        } else {
            join(prefix, id)
        };
        if self.used.insert(base.clone()) {
            return base;
        }
        let n = self.suffix.entry(base.clone()).or_insert(0);
        loop {
            *n += 1;
            let candidate = format!("{base}~{n}");
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}
