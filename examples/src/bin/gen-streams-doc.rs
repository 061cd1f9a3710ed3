//! Writes `docs/streams.md`, the streams reference, from the catalog
//! (`feishu_examples::streams_doc::render`). `--check` only compares and exits 1 when the
//! file is stale.
//!
//! ```text
//! cargo run -p feishu-examples --bin gen-streams-doc [-- --check]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/streams.md");
    let rendered = feishu_examples::streams_doc::render();
    let check = std::env::args().skip(1).any(|a| a == "--check");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if check {
        if current == rendered {
            println!("{} is up to date", path.display());
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "{} is stale: run `cargo run -p feishu-examples --bin gen-streams-doc`",
            path.display()
        );
        return ExitCode::FAILURE;
    }
    if current == rendered {
        println!("{} is up to date", path.display());
        return ExitCode::SUCCESS;
    }
    match std::fs::write(&path, rendered) {
        Ok(()) => {
            println!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write {}: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}
