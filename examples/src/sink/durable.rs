//! Durable file updates: a file is replaced through a temporary file of its own name (so two
//! writers, or a writer and the leftovers of a crashed one, never share it), synced, renamed,
//! and the directory synced so that the new name survives a power loss.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The directory `path` is in (`.` for a bare file name).
pub(crate) fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes the directory's entries (files created, renamed or removed in it) durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    // Windows cannot open a directory as a file; NTFS journals its metadata.
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// A temporary name next to `path` that no other writer uses: `.NAME.PID.N.tmp`.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// Whether `file_name` is a temporary file [`write_atomically`] made for `target`
/// (`.TARGET.PID.N.tmp`).
fn is_temp_of(file_name: &str, target: &str) -> bool {
    let numbers = file_name
        .strip_prefix('.')
        .and_then(|rest| rest.strip_prefix(target))
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(|rest| rest.strip_suffix(".tmp"));
    numbers.is_some_and(|n| {
        let parts: Vec<&str> = n.split('.').collect();
        parts.len() == 2
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Removes the temporary files of `targets` in `dir` that crashed writers left behind. Only
/// call it while holding the directory's lock: a live writer's temporary file would go too.
pub fn remove_stale_temps(dir: &Path, targets: &[&str]) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if targets.iter().any(|t| is_temp_of(&name, t)) {
            fs::remove_file(entry.path())
                .map_err(|e| format!("cannot remove {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Replaces `path` with `bytes` durably: a fresh temporary file is written and synced, renamed
/// over `path`, then the directory is synced. A crash leaves either the old or the new file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    write_atomically_with(path, bytes, || {})
}

/// [`write_atomically`], calling `before_rename` once the temporary file is synced.
pub(crate) fn write_atomically_with(
    path: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce(),
) -> Result<(), String> {
    let tmp = temp_path(path);
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        });
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(format!("cannot write {}: {e}", tmp.display()));
    }
    before_rename();
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(format!("cannot replace {}: {e}", path.display()));
    }
    sync_dir(parent_of(path)).map_err(|e| format!("cannot sync {}: {e}", parent_of(path).display()))
}

/// Removes `path` if it exists, and syncs its directory.
pub(crate) fn remove_durably(path: &Path) -> Result<(), String> {
    match fs::remove_file(path) {
        Ok(()) => sync_dir(parent_of(path))
            .map_err(|e| format!("cannot sync {}: {e}", parent_of(path).display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_are_unique_and_recognised() {
        let a = temp_path(Path::new("/x/state.json"));
        let b = temp_path(Path::new("/x/state.json"));
        assert_ne!(a, b);
        let name = a.file_name().unwrap().to_string_lossy().into_owned();
        assert!(is_temp_of(&name, "state.json"), "{name}");
        assert!(!is_temp_of(&name, "state"), "{name}");
        assert!(!is_temp_of("state.json", "state.json"));
        assert!(!is_temp_of(".state.json", "state.json"));
    }
}
