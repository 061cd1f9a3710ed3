//! One writer per output: an exclusive lock on a file next to it, holding the writer's pid.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// An exclusive lock on an output (a directory or a database), released when dropped or when
/// the process dies (the operating system drops it with the file descriptor).
///
/// The lock file is left in place: removing it would let a third process lock a new file
/// while a second still holds the old one.
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
    path: PathBuf,
}

impl OutputLock {
    /// Locks `lock_path` (creating it) on behalf of `output`; if another process holds it,
    /// the error names that process's pid.
    pub fn acquire(lock_path: &Path, output: &Path) -> Result<OutputLock, String> {
        let cannot = |e: std::io::Error| format!("cannot lock {}: {e}", lock_path.display());
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(lock_path)
            .map_err(cannot)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let holder = match file.read_to_string(&mut text) {
                    Ok(_) => text
                        .trim()
                        .parse::<u32>()
                        .map_or_else(|_| "unknown".to_string(), |pid| pid.to_string()),
                    Err(_) => "unknown".to_string(),
                };
                return Err(format!(
                    "{} is in use by another feishu-sync process (pid {holder}); wait for it \
                     to finish or stop it",
                    output.display()
                ));
            }
            Err(TryLockError::Error(e)) => return Err(cannot(e)),
        }
        file.set_len(0)
            .and_then(|_| file.rewind())
            .and_then(|_| writeln!(file, "{}", std::process::id()))
            .and_then(|_| file.sync_data())
            .map_err(cannot)?;
        Ok(OutputLock {
            _file: file,
            path: lock_path.to_path_buf(),
        })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_fails_naming_the_holder_until_the_first_is_dropped() {
        let dir = std::env::temp_dir().join(format!("feishu-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x.lock");
        let first = OutputLock::acquire(&path, &dir).unwrap();
        let err = OutputLock::acquire(&path, &dir).unwrap_err();
        assert!(
            err.contains(&format!("pid {}", std::process::id())) && err.contains("in use"),
            "{err}"
        );
        assert_eq!(first.path(), path);
        drop(first);
        OutputLock::acquire(&path, &dir).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
