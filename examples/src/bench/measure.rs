//! Process figures from `/proc` (Linux): CPU time of the process and of named threads, and
//! the peak resident set size.
//!
//! There is no `libc` crate in the workspace, so instead of `getrusage(RUSAGE_SELF)` this
//! reads `/proc/self/stat` (`utime` + `stime`, in clock ticks, including threads that have
//! exited) and `/proc/self/status` (`VmHWM`). On Linux a file or field that cannot be read is
//! an error (a 0 would pass for a measurement); off Linux every figure reads as 0.

use std::sync::OnceLock;

/// Clock ticks per second (`getconf CLK_TCK`, read once; 100 when it cannot be asked).
pub fn clock_ticks() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|t| *t > 0.0)
            .unwrap_or(100.0)
    })
}

/// `utime + stime` in seconds from the text of a `stat` file (fields 14 and 15; the command
/// name in parentheses may contain spaces, so fields are counted after the last `)`).
fn stat_cpu_seconds(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state): utime is field 14, stime field 15.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / clock_ticks())
}

fn read_proc(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

/// CPU seconds (user + system) of the whole process so far.
pub fn process_cpu_seconds() -> Result<f64, String> {
    if !cfg!(target_os = "linux") {
        return Ok(0.0);
    }
    stat_cpu_seconds(&read_proc("/proc/self/stat")?)
        .ok_or_else(|| "/proc/self/stat: no utime/stime fields".to_string())
}

/// CPU seconds (user + system) of the live threads whose name (`comm`) is `name`.
pub fn threads_cpu_seconds(name: &str) -> Result<f64, String> {
    if !cfg!(target_os = "linux") {
        return Ok(0.0);
    }
    let dir = std::fs::read_dir("/proc/self/task")
        .map_err(|e| format!("cannot read /proc/self/task: {e}"))?;
    let mut total = 0.0;
    for task in dir.flatten() {
        // A thread may exit between the listing and the reads: skip it.
        let Ok(comm) = std::fs::read_to_string(task.path().join("comm")) else {
            continue;
        };
        if comm.trim_end() != name {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        total += stat_cpu_seconds(&stat).ok_or_else(|| {
            format!(
                "{}: no utime/stime fields",
                task.path().join("stat").display()
            )
        })?;
    }
    Ok(total)
}

/// `VmHWM` in bytes from the text of a `status` file.
fn status_peak_rss(status: &str) -> Option<u64> {
    let v = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    let kib: u64 = v.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}

/// Peak resident set size of the process (`VmHWM`), in bytes.
pub fn peak_rss_bytes() -> Result<u64, String> {
    if !cfg!(target_os = "linux") {
        return Ok(0);
    }
    status_peak_rss(&read_proc("/proc/self/status")?)
        .ok_or_else(|| "/proc/self/status: no VmHWM field".to_string())
}

/// The 1-minute load average (`/proc/loadavg`): other processes on the machine inflate wall
/// times, not CPU times.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// A CPU-time reading: the process and the in-process fake tenant's threads.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuSample {
    /// Whole process.
    pub process: f64,
    /// Threads named [`FAKE_THREAD_NAME`].
    pub fake: f64,
}

/// Name of the thread(s) serving the in-process fake tenant.
pub const FAKE_THREAD_NAME: &str = "testkit";

impl CpuSample {
    /// Reads both figures now.
    pub fn now() -> Result<Self, String> {
        Ok(CpuSample {
            process: process_cpu_seconds()?,
            fake: threads_cpu_seconds(FAKE_THREAD_NAME)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_spaces_in_the_name() {
        let stat = "1234 (my (odd) name) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0";
        let secs = stat_cpu_seconds(stat).unwrap();
        assert!((secs - 300.0 / clock_ticks()).abs() < 1e-9);
        // Cut short: no figure rather than a wrong one.
        assert_eq!(stat_cpu_seconds("1234 (x) S 1 2 3"), None);
        assert_eq!(stat_cpu_seconds("no parenthesis"), None);
    }

    #[test]
    fn peak_rss_needs_its_field() {
        assert_eq!(
            status_peak_rss("Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t1 kB\n"),
            Some(2048 * 1024)
        );
        assert_eq!(status_peak_rss("Name:\tx\nVmRSS:\t1 kB\n"), None);
        assert_eq!(status_peak_rss("VmHWM:\tlots kB\n"), None);
    }

    #[test]
    fn reads_own_process() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_bytes().unwrap() > 0);
            assert!(process_cpu_seconds().unwrap() >= 0.0);
            assert!(threads_cpu_seconds("no-such-thread").unwrap() == 0.0);
        }
    }
}
