//! `feishu-sync`: replicate a tenant from the command line (see `feishu-sync --help`).
//!
//! `cargo run --release -p feishu-examples --bin feishu-sync -- demo` syncs a seeded fake
//! tenant with no credentials at all.

#[tokio::main]
async fn main() {
    let code = match feishu_examples::cli::parse_args(std::env::args_os().skip(1)) {
        Ok(args) => match feishu_examples::cli::run(args).await {
            Ok(code) => code,
            Err(cause) => {
                eprintln!("error: {cause}");
                1
            }
        },
        Err(cause) => {
            eprintln!("error: {cause}\n\n{}", feishu_examples::cli::USAGE);
            2
        }
    };
    std::process::exit(code);
}
