//! A real `redis-server` for the tests: its own process on a free loopback port, with a
//! temporary directory and no persistence, stopped when dropped.
//!
//! The binary is `redis-server` from the `PATH`, or `$REDIS_SERVER`. Install it with
//! `apt-get install -y redis-server` (`.ci/run` does when it is missing). Without it the
//! tests skip with a message on stderr, unless `FEISHU_REDIS_REQUIRED=1` (set by `.ci/run`)
//! makes that a failure. A binary that exists but does not start fails the tests.
#![allow(dead_code, unreachable_pub)]

use std::ffi::OsString;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub struct RedisServer {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl RedisServer {
    /// Starts a server, or returns `None` after saying why on stderr when there is no
    /// `redis-server` to start.
    pub fn start(test: &str) -> Option<RedisServer> {
        let binary =
            std::env::var_os("REDIS_SERVER").unwrap_or_else(|| OsString::from("redis-server"));
        match Command::new(&binary).arg("--version").output() {
            Ok(out) if out.status.success() => {}
            Ok(out) => panic!("{binary:?} --version failed: {out:?}"),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                let message = format!(
                    "SKIPPED {test}: no redis-server ({binary:?} not found). Install it \
                     (`apt-get install -y redis-server`, as .ci/run does) or set REDIS_SERVER \
                     to run the Redis tests."
                );
                if std::env::var_os("FEISHU_REDIS_REQUIRED").is_some_and(|v| v == "1") {
                    panic!("{message} FEISHU_REDIS_REQUIRED=1 forbids skipping.");
                }
                // Straight to stderr: the test harness captures eprintln! of passing tests.
                let _ = writeln!(std::io::stderr(), "{message}");
                return None;
            }
            Err(e) => panic!("cannot run {binary:?}: {e}"),
        }
        let mut last_error = String::new();
        for _ in 0..5 {
            match Self::try_start(&binary) {
                Ok(server) => return Some(server),
                Err(e) => last_error = e,
            }
        }
        panic!("redis-server did not start: {last_error}");
    }

    fn try_start(binary: &OsString) -> Result<RedisServer, String> {
        // Bind then drop a listener to find a free port; another process may take it first,
        // which the retry in `start` covers.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "feishu-redis-{}-{port}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let child = Command::new(binary)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(&dir)
            .args(["--daemonize", "no", "--loglevel", "warning"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        let mut server = RedisServer { child, dir, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("redis-server on port {port} exited: {status}"));
            }
            if ping(port) {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!("redis-server on port {port} did not answer PING"))
        // `server` is dropped here: the process is stopped, the directory removed.
    }

    /// `redis://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut reply = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
