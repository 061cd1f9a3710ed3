//! CPU spent by the rate-limit budget per 1,000 paced requests (target: at most 0.05 s).
//!
//! Runs the budget alone (no HTTP) on a current-thread runtime in real time, with limits
//! high enough that a run takes seconds but low enough that nearly every request waits:
//! concurrent tasks acquire, sleep until their departure and acquire again. CPU time is the
//! runtime thread's, to the nanosecond (`/proc/thread-self/schedstat`; everything runs on
//! that thread), else the process's (`/proc/self/stat`, in clock ticks). Linux only. Exits
//! with 1 when a scenario misses the target.
//!
//! ```text
//! cargo run --release -p feishu-examples --bin budget-bench -- --calls 20000 --tasks 2000
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use feishu_core::budget::Budget;
use feishu_core::{BudgetScope, RateLimit, RateLimits};
use feishu_examples::bench::measure::process_cpu_seconds;

/// CPU seconds per 1,000 paced acquisitions the budget may spend.
const TARGET: f64 = 0.05;

struct Options {
    calls: usize,
    tasks: usize,
}

struct Scenario {
    name: &'static str,
    limit: RateLimit,
    /// A rate-limit reply (50 ms reset) after every this many acquisitions.
    rate_limited_every: Option<usize>,
}

fn main() {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("budget-bench: {e}\nusage: budget-bench [--calls N] [--tasks N]");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread runtime");
    let ms = Duration::from_millis;
    let scenarios = [
        Scenario {
            name: "unpaced (bookkeeping only)",
            limit: RateLimit::per_second(1_000_000_000),
            rate_limited_every: None,
        },
        Scenario {
            name: "paced, one window (500 per 100 ms)",
            limit: RateLimit::per(ms(100), 500),
            rate_limited_every: None,
        },
        Scenario {
            name: "paced, two windows (500 per 100 ms & 4000/s)",
            limit: RateLimit::per(ms(100), 500).and_per_second(4000),
            rate_limited_every: None,
        },
        Scenario {
            name: "paced, a 429 every 2000 requests",
            limit: RateLimit::per(ms(100), 500),
            rate_limited_every: Some(2000),
        },
    ];
    println!(
        "{} acquisitions per scenario from {} tasks, current-thread runtime, real time",
        options.calls, options.tasks
    );
    let mut missed = false;
    for (i, scenario) in scenarios.iter().enumerate() {
        let (wall, cpu) = runtime.block_on(run(i, scenario, &options));
        let per_1000 = cpu / options.calls as f64 * 1000.0;
        let verdict = if per_1000 <= TARGET { "ok" } else { "MISSED" };
        missed |= per_1000 > TARGET;
        println!(
            "{:<46} wall {:>6.2} s  cpu {:>6.3} s  cpu per 1,000 {:>7.4} s  [{verdict}, target ≤ {TARGET}]",
            scenario.name,
            wall.as_secs_f64(),
            cpu,
            per_1000
        );
    }
    std::process::exit(i32::from(missed));
}

/// Wall time and CPU seconds of one scenario.
async fn run(index: usize, scenario: &Scenario, options: &Options) -> (Duration, f64) {
    let scope = BudgetScope::new(&format!("http://budget-bench/{index}"), "cli_bench", None);
    let budget = Arc::new(Budget::shared(&scope, RateLimits::documented()));
    let per_task = options.calls.div_ceil(options.tasks.max(1));
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let tasks: Vec<_> = (0..options.tasks.max(1))
        .map(|t| {
            let (budget, scope) = (budget.clone(), scope.clone());
            let (limit, every) = (scenario.limit, scenario.rate_limited_every);
            tokio::spawn(async move {
                for call in 0..per_task {
                    budget
                        .acquire(&scope, "bench", limit)
                        .await
                        .expect("in-memory");
                    let n = t * per_task + call;
                    if every.is_some_and(|e| n % e == e - 1) {
                        let reset = Some(Duration::from_millis(50));
                        budget
                            .on_rate_limited(&scope, "bench", reset)
                            .await
                            .expect("in-memory");
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("bench task");
    }
    let wall = started.elapsed();
    let cpu = cpu_seconds() - cpu_before;
    (wall, cpu)
}

/// CPU seconds of this thread (nanosecond resolution), else of the process.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map(|ns| ns as f64 / 1e9)
        .unwrap_or_else(|| process_cpu_seconds().unwrap_or(0.0))
}

fn parse_args() -> Result<Options, lexopt::Error> {
    use lexopt::prelude::*;
    let mut options = Options {
        calls: 20_000,
        tasks: 2_000,
    };
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        match arg {
            Long("calls") => options.calls = parser.value()?.parse()?,
            Long("tasks") => options.tasks = parser.value()?.parse()?,
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(options)
}
