//! Upserts a CSV file into a Bitable table by a key column (see `feishu_examples::upsert`).
//!
//! ```text
//! cargo run --release -p feishu-examples --bin bitable_upsert -- \
//!     [--base-url URL] --app-token APP --table-id TBL --key FIELD FILE.csv
//! ```

#[tokio::main]
async fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let code = feishu_examples::upsert::main_with(args).await;
    std::process::exit(code);
}
