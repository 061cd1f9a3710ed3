//! Benchmarks of the SDK: Bitable scans, approval and contact sync, attendance, a token
//! storm and a full tenant sync, with wall time, CPU time, peak RSS, requests and the
//! rate-limit floor. `feishu-bench --help` lists the knobs; `docs/benchmarks.md` has figures.
//!
//! ```text
//! cargo run --release -p feishu-examples --bin feishu-bench -- --workload all
//! ```

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    match feishu_examples::bench::main_with(args) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("feishu-bench: {e}");
            std::process::exit(2);
        }
    }
}
