//! `feishu-sync`: replicate a tenant from the command line (see `feishu-sync --help`).
//!
//! `cargo run --release -p feishu-examples --bin feishu-sync -- demo` syncs a seeded fake
//! tenant with no credentials at all.

#[tokio::main]
async fn main() {
    // Errors end with one line: the cause.
    let one_line = |cause: &str| cause.split_whitespace().collect::<Vec<_>>().join(" ");
    let code = match feishu_examples::cli::parse_args(std::env::args_os().skip(1)) {
        // Test-only crash points (unset in any real use; see feishu_examples::sink::CRASH_ENV).
        Ok(args) => match feishu_examples::sink::CrashPlan::from_env()
            .map(|crash| feishu_examples::cli::Args { crash, ..args })
        {
            Err(cause) => {
                eprintln!("error: {cause}");
                2
            }
            Ok(args) => match feishu_examples::cli::run(args).await {
                Ok(code) => code,
                Err(cause) => {
                    eprintln!("error: {}", one_line(&cause));
                    1
                }
            },
        },
        Err(cause) => {
            eprintln!("error: {} (see `feishu-sync --help`)", one_line(&cause));
            2
        }
    };
    std::process::exit(code);
}
