//! Shared code of the example programs: the seeded demo tenant, record sinks (JSON lines and
//! SQLite), the `feishu-sync` command line, the streams reference and the `bitable_upsert` CSV
//! upsert.
//!
//! Not published; the binaries in `src/bin` are the entry points.

pub mod airbyte;
pub mod bench;
pub mod cli;
pub mod demo;
pub mod sink;
pub mod streams_doc;
pub mod upsert;

/// The wall clock in Unix milliseconds (0 if the clock is before 1970).
pub fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
