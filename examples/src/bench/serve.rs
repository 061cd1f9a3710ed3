//! The fake tenant in a process of its own: `--serve` runs it with one workload's data, and
//! [`FakeProcess`] starts such a process for a client run (`--fake-process`), so that the
//! fake's CPU and memory are not counted as the client's.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::env::Env;
use super::options::{Options, Workload};
use super::prepare::{self, Prepared};

/// What a `--serve` process prints, as one JSON line.
#[derive(Debug, Serialize, Deserialize)]
struct Served {
    base_url: String,
    app_id: String,
    /// The fake tenant's own (test) secret: the client side needs it.
    app_secret: String,
    prepared: Prepared,
}

/// `--serve`: the fake tenant alone, with its workload's data, until the process is killed.
pub fn serve(opts: Options) -> Result<i32, String> {
    let workload = *opts.workloads.first().ok_or("--serve needs a workload")?;
    let env = Env::new(opts)?;
    let tenant = env
        .tenant
        .as_ref()
        .ok_or("--serve runs the fake tenant, not --base-url")?;
    let served = Served {
        base_url: env.base_url.clone(),
        app_id: env.app_id.clone(),
        app_secret: env.app_secret.expose_secret().to_string(),
        prepared: prepare::on_fake(tenant, &env.opts, workload),
    };
    println!(
        "{}",
        serde_json::to_string(&served).map_err(|e| e.to_string())?
    );
    loop {
        std::thread::park();
    }
}

/// A `--serve` process of this binary, killed when dropped.
pub struct FakeProcess {
    child: Child,
    base_url: String,
    app_id: String,
    app_secret: SecretString,
    prepared: String,
}

impl FakeProcess {
    /// Starts `exe --serve` with `args` (the run's sizes, latency and limits) for `workload`
    /// and waits until it has prepared the data.
    pub fn start(exe: &Path, args: &[OsString], workload: Workload) -> Result<Self, String> {
        let mut child = Command::new(exe)
            .args(args)
            .args(["--serve", "--workload", workload.name()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or("the fake's stdout is not piped")?;
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let served: Result<Served, String> = match read {
            Ok(0) => Err("the fake tenant process exited before serving".into()),
            Ok(_) => serde_json::from_str(&line).map_err(|e| format!("the fake's line: {e}")),
            Err(e) => Err(format!("reading the fake's line: {e}")),
        };
        let served = match served {
            Ok(s) => s,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        let prepared = serde_json::to_string(&served.prepared).map_err(|e| e.to_string())?;
        Ok(FakeProcess {
            child,
            base_url: served.base_url,
            app_id: served.app_id,
            app_secret: SecretString::from(served.app_secret),
            prepared,
        })
    }

    /// Points a client child at this fake: its URL, credentials and prepared data.
    pub fn apply(&self, command: &mut Command) {
        command
            .args(["--base-url", &self.base_url, "--prepared", &self.prepared])
            .env("FEISHU_APP_ID", &self.app_id)
            .env("FEISHU_APP_SECRET", self.app_secret.expose_secret());
    }
}

impl Drop for FakeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl std::fmt::Debug for FakeProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeProcess")
            .field("pid", &self.child.id())
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}
