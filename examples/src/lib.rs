//! Shared code of the example programs: the seeded demo tenant, record sinks (JSON lines and
//! SQLite) and the `feishu-sync` command line.
//!
//! Not published; the binaries in `src/bin` are the entry points.

pub mod airbyte;
pub mod bench;
pub mod cli;
pub mod demo;
pub mod sink;
