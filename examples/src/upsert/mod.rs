//! `bitable_upsert`: upserts a CSV file into a Bitable table by a key column.
//!
//! ```text
//! bitable_upsert [--base-url URL] --app-token APP --table-id TBL --key FIELD FILE.csv
//! ```
//!
//! The CSV header names the fields; each line is one row, its cells typed by the table's field
//! types ([`cells`]). Credentials come from `FEISHU_APP_ID` / `FEISHU_APP_SECRET`; without
//! them the upsert runs against the in-process fake tenant of `feishu-testkit`, into a fresh
//! table whose fields come from the header (the given ids are then not used). Progress goes
//! to stderr; the last line of stdout is `{"created":N,"updated":N,"failed":N}`, and the exit
//! status is non-zero when a row failed (1) or the run could not start (2).

pub mod args;
pub mod cells;

use std::io::Write;
use std::time::Duration;

use feishu_bitable::{Bitable, Fields, TableSchema, UpsertError, UpsertOutcome};
use feishu_core::{Client, Credentials};
use feishu_testkit::FakeTenant;
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub use self::args::{Args, parse_args};
use self::cells::{Csv, read_csv, row_fields};

/// The counts printed as the last line of stdout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Rows that created a record.
    pub created: usize,
    /// Rows that updated a record.
    pub updated: usize,
    /// Rows not written (including rows whose cells could not be typed).
    pub failed: usize,
}

impl Counts {
    /// The summary line, keys in this order.
    pub fn json_line(&self) -> String {
        format!(
            "{{\"created\":{},\"updated\":{},\"failed\":{}}}",
            self.created, self.updated, self.failed
        )
    }
}

/// Where the rows go.
struct Target {
    bitable: Bitable,
    app_token: String,
    table_id: String,
    /// Keeps the fake tenant alive when there are no credentials.
    _tenant: Option<FakeTenant>,
}

/// Runs the command; `Err` when it could not start (bad file, unknown fields, no access).
pub async fn run(args: &Args, quiet: bool) -> Result<Counts, String> {
    let csv = read_csv(&args.file)?;
    if !csv.header.iter().any(|h| h == &args.key) {
        return Err(format!("the CSV header has no column {:?}", args.key));
    }
    let target = target(args, &csv).await?;
    let schema = target
        .bitable
        .get_schema(&target.app_token, &target.table_id)
        .await
        .map_err(|e| format!("reading the table's fields: {e}"))?;
    let unknown: Vec<&String> = csv
        .header
        .iter()
        .filter(|h| schema.field(h).is_none())
        .collect();
    if !unknown.is_empty() {
        return Err(format!("the table has no field named {unknown:?}"));
    }
    Ok(upsert(&target, &schema, &csv, &args.key, quiet).await)
}

async fn upsert(
    target: &Target,
    schema: &TableSchema,
    csv: &Csv,
    key: &str,
    quiet: bool,
) -> Counts {
    let mut counts = Counts::default();
    // Rows whose cells cannot be typed fail here; the others go to the upsert, which reports
    // by its own index: `lines` maps it back to the CSV line.
    let mut rows: Vec<Fields> = Vec::with_capacity(csv.rows.len());
    let mut lines: Vec<usize> = Vec::with_capacity(csv.rows.len());
    for (line, record) in &csv.rows {
        match row_fields(schema, &csv.header, record) {
            Ok(fields) => {
                rows.push(fields);
                lines.push(*line);
            }
            Err(why) => {
                counts.failed += 1;
                eprintln!("line {line}: {why}");
            }
        }
    }
    let bar = progress(csv.rows.len() as u64, quiet);
    bar.inc(counts.failed as u64);
    let mut outcomes = target
        .bitable
        .upsert_records(&target.app_token, &target.table_id, key, rows)
        .into_stream();
    while let Some(outcome) = outcomes.next().await {
        match outcome {
            UpsertOutcome::Created { .. } => counts.created += 1,
            UpsertOutcome::Updated { .. } => counts.updated += 1,
            UpsertOutcome::Failed { row, reason } => {
                counts.failed += 1;
                let why = match &reason {
                    // The upsert names rows by index; say which CSV lines they are.
                    UpsertError::DuplicateKey { key, rows } => {
                        let on: Vec<String> = rows.iter().map(|r| lines[*r].to_string()).collect();
                        format!(
                            "key {key:?} is on lines {}: none of them was written",
                            on.join(", ")
                        )
                    }
                    other => other.to_string(),
                };
                bar.suspend(|| eprintln!("line {}: {why}", lines[row]));
            }
            _ => {}
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    counts
}

fn progress(len: u64, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(len),
        if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows {per_sec} eta {eta}")
            .expect("valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn credentials() -> Option<(String, String)> {
    let var = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
    Some((var("FEISHU_APP_ID")?, var("FEISHU_APP_SECRET")?))
}

async fn target(args: &Args, csv: &Csv) -> Result<Target, String> {
    if let Some((id, secret)) = credentials() {
        let mut builder = Client::builder().credentials(Credentials::self_built(id, secret));
        if let Some(url) = &args.base_url {
            builder = builder.base_url(url);
        }
        let client = builder.build().map_err(|e| e.to_string())?;
        return Ok(Target {
            bitable: Bitable::new(client),
            app_token: args.app_token.clone(),
            table_id: args.table_id.clone(),
            _tenant: None,
        });
    }
    if args.base_url.is_some() {
        return Err("--base-url needs FEISHU_APP_ID and FEISHU_APP_SECRET".into());
    }
    eprintln!(
        "FEISHU_APP_ID / FEISHU_APP_SECRET not set: upserting into a new table of the \
         in-process fake tenant (--app-token and --table-id are not used)"
    );
    let tenant = FakeTenant::start().await;
    let fields: Vec<(&str, i64)> = csv
        .header
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), cells::guess_type(csv, i)))
        .collect();
    let table_id = tenant.bitable().add_empty_table("Upserted", &fields);
    let client = Client::builder()
        .base_url(&tenant.base_url())
        .credentials(Credentials::self_built(
            tenant.app_id(),
            tenant.app_secret(),
        ))
        .build()
        .map_err(|e| e.to_string())?;
    Ok(Target {
        bitable: Bitable::new(client),
        app_token: tenant.bitable().app_token(),
        table_id,
        _tenant: Some(tenant),
    })
}

/// The whole program: parses `args`, runs, prints the summary line; returns the exit code.
pub async fn main_with(args: Vec<std::ffi::OsString>) -> i32 {
    let args = match parse_args(args) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{}", args::USAGE);
            return 0;
        }
        Err(e) => {
            eprintln!("bitable_upsert: {e}\n\n{}", args::USAGE);
            println!("{}", Counts::default().json_line());
            return 2;
        }
    };
    let quiet = args.quiet;
    let (counts, code) = match run(&args, quiet).await {
        Ok(counts) => (counts, i32::from(counts.failed > 0)),
        Err(e) => {
            eprintln!("bitable_upsert: {e}");
            (Counts::default(), 2)
        }
    };
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{}", counts.json_line());
    let _ = stdout.flush();
    code
}
