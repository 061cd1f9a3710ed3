//! `source-feishu`: feishu-sync as an Airbyte-protocol source connector.
//!
//! ```text
//! source-feishu spec
//! source-feishu check --config config.json
//! source-feishu discover --config config.json
//! source-feishu read --config config.json --catalog catalog.json [--state state.json]
//! ```
//!
//! Protocol messages go to stdout, one JSON object per line; diagnostics go to stderr. See
//! `docs/source-feishu.md` and `feishu_examples::airbyte`.

use std::io::BufWriter;

use feishu_examples::airbyte::{RunOptions, run};

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::WARN)
        .init();
    let stdout = BufWriter::with_capacity(64 * 1024, std::io::stdout());
    let code = run(std::env::args_os().skip(1), stdout, RunOptions::default()).await;
    std::process::exit(code);
}
