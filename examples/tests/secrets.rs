//! No byte of a secret reaches stdout or stderr: every `feishu-sync` command and every
//! `source-feishu` command run with a known secret, under malformed configs and under every
//! bad reply the fake tenant can give; config errors still name the field and the line.

mod support;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use feishu_testkit::{FakeTenant, Fault};
use serde_json::{Value, json};
use support::*;

/// The app secret (or token) every test here uses.
const CANARY: &str = "S3cr3t-canary-5d1e7a";
/// A secret written as a JSON / TOML number.
const NUMERIC_CANARY: &str = "918273645546";

/// Every command of both binaries on `config`, with `--out`/`--catalog` files in `dir`;
/// each result is labelled. With `extra` arguments, only `feishu-sync`'s commands (which
/// take them).
fn every_command(config: &Path, dir: &Path, extra: &[&str]) -> Vec<(String, Output)> {
    every_command_after(config, dir, extra, &|| {})
}

/// [`every_command`], calling `arm` before each command (to set up the server's faults).
fn every_command_after(
    config: &Path,
    dir: &Path,
    extra: &[&str],
    arm: &dyn Fn(),
) -> Vec<(String, Output)> {
    let catalog = dir.join("configured_catalog.json");
    std::fs::write(
        &catalog,
        serde_json::json!({"streams": [{
            "stream": {"name": "contact_users", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
            "sync_mode": "full_refresh",
            "destination_sync_mode": "overwrite"
        }]})
        .to_string(),
    )
    .unwrap();
    let config = config.display().to_string();
    let out = dir.join("out").display().to_string();
    let db = format!("sqlite:{}", dir.join("out.db").display());
    let catalog = catalog.display().to_string();
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("feishu-sync", vec!["check", "--config", &config]),
        ("feishu-sync", vec!["catalog", "--config", &config]),
        (
            "feishu-sync",
            vec!["read", "--quiet", "--config", &config, "--out", &out],
        ),
        (
            "feishu-sync",
            vec!["read", "--quiet", "--config", &config, "--sink", &db],
        ),
        ("source-feishu", vec!["spec"]),
        ("source-feishu", vec!["check", "--config", &config]),
        ("source-feishu", vec!["discover", "--config", &config]),
        (
            "source-feishu",
            vec!["read", "--config", &config, "--catalog", &catalog],
        ),
    ];
    runs.into_iter()
        .filter(|(bin, _)| extra.is_empty() || *bin == "feishu-sync")
        .map(|(bin, mut args)| {
            let mut cmd = if bin == "feishu-sync" {
                args.extend_from_slice(extra);
                feishu_sync()
            } else {
                source_feishu()
            };
            for var in [
                "FEISHU_APP_SECRET",
                "FEISHU_APP_TICKET",
                "FEISHU_APP_ACCESS_TOKEN",
                "FEISHU_TENANT_ACCESS_TOKEN",
            ] {
                cmd.env_remove(var);
            }
            // Verbose logs too: nothing secret at any level.
            cmd.env("RUST_LOG", "trace");
            arm();
            let output = cmd.args(&args).output().unwrap();
            (format!("{bin} {}", args.join(" ")), output)
        })
        .collect()
}

/// Panics if a secret appears in any byte the command printed.
fn assert_no_secret(label: &str, output: &Output) {
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        for secret in [CANARY, NUMERIC_CANARY, "canary"] {
            assert!(
                !text.contains(secret),
                "{label}: {stream} shows the secret:\n{text}"
            );
        }
        assert!(!text.contains("panicked"), "{label}: {stream}:\n{text}");
    }
}

/// A malformed config: file name, text, the field its error must name, and the line.
struct BadConfig {
    file: &'static str,
    text: String,
    field: &'static str,
    line: Option<usize>,
}

fn bad_configs() -> Vec<BadConfig> {
    let toml_table = |secret_line: &str| {
        format!(
            "domain = \"feishu\"\n[credentials]\nauth_type = \"self_built\"\napp_id = \"cli_1\"\n{secret_line}\n[contact]\n"
        )
    };
    let json_pretty = |secret_line: &str| {
        format!(
            "{{\n  \"domain\": \"feishu\",\n  \"credentials\": {{\n    \"auth_type\": \"self_built\",\n    \"app_id\": \"cli_1\",\n    {secret_line}\n  }},\n  \"contact\": {{}}\n}}\n"
        )
    };
    let with_domain = |domain: &str| {
        format!(
            "{{\"domain\": \"{domain}\", \"credentials\": {{\"auth_type\": \"self_built\", \"app_id\": \"cli_1\", \"app_secret\": \"x\"}}, \"contact\": {{}}}}"
        )
    };
    vec![
        BadConfig {
            file: "trailing.toml",
            text: toml_table(&format!("app_secret = \"{CANARY}\" extra")),
            field: "credentials.app_secret",
            line: Some(5),
        },
        BadConfig {
            file: "unterminated.toml",
            text: toml_table(&format!("app_secret = \"{CANARY}")),
            field: "credentials.app_secret",
            line: Some(5),
        },
        BadConfig {
            file: "unquoted.toml",
            text: toml_table(&format!("app_secret = {CANARY}")),
            field: "credentials.app_secret",
            line: Some(5),
        },
        BadConfig {
            file: "numeric.toml",
            text: toml_table(&format!("app_secret = {NUMERIC_CANARY}")),
            field: "credentials.app_secret",
            line: Some(5),
        },
        BadConfig {
            file: "array.toml",
            text: toml_table(&format!("app_secret = [\"{CANARY}\"]")),
            field: "credentials.app_secret",
            line: Some(5),
        },
        BadConfig {
            file: "bad-escape.toml",
            text: toml_table(&format!("app_secret = \"\\q{CANARY}\"")),
            field: "credentials.app_secret",
            line: Some(5),
        },
        BadConfig {
            file: "inline.toml",
            text: format!(
                "domain = \"feishu\"\ncredentials = {{ auth_type = \"self_built\", app_id = \"cli_1\", app_secret = \"{CANARY}\" extra }}\n[contact]\n"
            ),
            field: "credentials.app_secret",
            line: Some(2),
        },
        BadConfig {
            file: "inline-numeric.toml",
            text: format!(
                "domain = \"feishu\"\ncredentials = {{ auth_type = \"self_built\", app_id = \"cli_1\", app_secret = {NUMERIC_CANARY} }}\n[contact]\n"
            ),
            field: "credentials.app_secret",
            line: Some(2),
        },
        BadConfig {
            file: "ticket.toml",
            text: format!(
                "[credentials]\nauth_type = \"store_app\"\napp_id = \"cli_1\"\napp_secret = \"{CANARY}\"\ntenant_key = \"t\"\napp_ticket = \"{CANARY}\" \"x\"\n[contact]\n"
            ),
            field: "credentials.app_ticket",
            line: Some(6),
        },
        BadConfig {
            file: "token-in-auth-type.toml",
            text: format!("[credentials]\nauth_type = \"{CANARY}\"\n[contact]\n"),
            field: "credentials.auth_type",
            line: Some(2),
        },
        BadConfig {
            file: "numeric.json",
            text: json_pretty(&format!("\"app_secret\": {NUMERIC_CANARY}")),
            field: "credentials.app_secret",
            line: Some(6),
        },
        BadConfig {
            file: "trailing.json",
            text: json_pretty(&format!("\"app_secret\": \"{CANARY}\" x")),
            field: "credentials.app_secret",
            line: Some(6),
        },
        BadConfig {
            file: "object.json",
            text: json_pretty(&format!("\"app_secret\": {{\"value\": \"{CANARY}\"}}")),
            field: "credentials.app_secret",
            line: Some(6),
        },
        BadConfig {
            file: "one-line.json",
            text: format!(
                "{{\"credentials\": {{\"auth_type\": \"tenant_access_token\", \"tenant_access_token\": {NUMERIC_CANARY}}}, \"contact\": {{}}}}"
            ),
            field: "credentials.tenant_access_token",
            line: Some(1),
        },
        BadConfig {
            file: "userinfo-loopback.json",
            text: with_domain(&format!("http://user:{CANARY}@127.0.0.1:9")),
            field: "domain",
            line: None,
        },
        BadConfig {
            file: "userinfo-https.json",
            text: with_domain(&format!("https://{CANARY}@example.com")),
            field: "domain",
            line: None,
        },
        BadConfig {
            file: "userinfo-plain-http.json",
            text: with_domain(&format!("http://user:{CANARY}@example.com")),
            field: "domain",
            line: None,
        },
        BadConfig {
            file: "userinfo-unparsable.json",
            text: with_domain(&format!("http://user:{CANARY}@exa mple.com")),
            field: "domain",
            line: None,
        },
    ]
}

#[test]
fn config_errors_name_the_field_and_the_line_but_never_a_secret() {
    let dir = scratch_dir("secret-config");
    for bad in bad_configs() {
        let path = dir.join(bad.file);
        std::fs::write(&path, &bad.text).unwrap();
        for (label, output) in every_command(&path, &dir, &[]) {
            let label = format!("{}: {label}", bad.file);
            assert_no_secret(&label, &output);
            if label.contains("source-feishu spec") {
                continue;
            }
            if label.contains("source-feishu check") {
                // The answer is the status message; the exit status is 0.
                let stdout = String::from_utf8_lossy(&output.stdout);
                assert!(stdout.contains(r#""status":"FAILED""#), "{label}: {stdout}");
                continue;
            }
            assert!(!output.status.success(), "{label}");
        }
        let output = feishu_sync()
            .args(["check", "--config"])
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("{}:", bad.field)),
            "{}: the error does not name {}: {stderr}",
            bad.file,
            bad.field
        );
        if let Some(line) = bad.line {
            assert!(
                stderr.contains(&format!("line {line}")),
                "{}: the error does not name line {line}: {stderr}",
                bad.file
            );
        }
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    // The same through --base-url.
    let good = dir.join("good.json");
    std::fs::write(
        &good,
        r#"{"domain": "http://127.0.0.1:9", "credentials": {"auth_type": "self_built", "app_id": "cli_1", "app_secret": "x"}, "contact": {}}"#,
    )
    .unwrap();
    let base_url = format!("http://u:{CANARY}@127.0.0.1:9");
    for (label, output) in every_command(&good, &dir, &["--base-url", &base_url]) {
        assert_no_secret(&label, &output);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("user info"), "{label}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A server answering every request with `status`, `content_type` and `body`.
async fn replying(status: u16, content_type: &str, body: String) -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(
            wiremock::ResponseTemplate::new(status).set_body_raw(body.into_bytes(), content_type),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_in_error_bodies_are_masked_whatever_their_place() {
    let dir = scratch_dir("secret-bodies");
    let bodies = [
        // An escaped quote earlier in the body threw the text scan out of step.
        format!(r#"{{"code":99991663,"msg":"say \"hi","tenant_access_token":"{CANARY}"}}"#),
        // Arrays, nesting, numbers.
        format!(r#"{{"code":1,"data":{{"items":[{{"refresh_token":"{CANARY}"}}]}}}}"#),
        format!(r#"{{"code":1,"tokens":["{CANARY}"],"msg":"x"}}"#),
        format!(r#"[{{"app_secret":{NUMERIC_CANARY}}}]"#),
        format!(r#"{{"code":1,"encrypt_key":{{"v":"{CANARY}"}}}}"#),
        // Not JSON: cut off inside the value.
        format!(r#"{{"code":1,"msg":"a \"b","app_access_token":"{CANARY}"#),
    ];
    for (i, body) in bodies.iter().enumerate() {
        // Not a JSON content type: the client quotes an excerpt of the body in its error.
        let server = replying(400, "text/plain", body.clone()).await;
        let config = dir.join(format!("config-{i}.json"));
        std::fs::write(
            &config,
            serde_json::json!({
                "domain": server.uri(),
                "credentials": {"auth_type": "self_built", "app_id": "cli_1", "app_secret": "x"},
                "contact": {}
            })
            .to_string(),
        )
        .unwrap();
        for (label, output) in [
            (
                "feishu-sync check",
                feishu_sync()
                    .arg("check")
                    .arg("--config")
                    .arg(&config)
                    .output(),
            ),
            (
                "source-feishu check",
                source_feishu()
                    .arg("check")
                    .arg("--config")
                    .arg(&config)
                    .output(),
            ),
        ] {
            let output = output.unwrap();
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            // The reply was quoted (or there is nothing to check).
            assert!(printed.contains("http 400"), "{label} {i}: {printed}");
            assert_no_secret(&format!("{label}, body {i}"), &output);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_benchmark_environment_debug_shows_no_secret() {
    let env = feishu_examples::bench::Env::new(feishu_examples::bench::Options::default())
        .expect("the fake tenant starts");
    let secret = env
        .tenant
        .as_ref()
        .expect("the fake tenant")
        .app_secret()
        .to_string();
    let shown = format!("{env:?}");
    assert!(!shown.contains(&secret), "{shown}");
    assert!(shown.contains(&env.app_id), "{shown}");
}

/// How the server misbehaves in one scenario (set up again before each command).
type Arm = fn(&FakeTenant);

fn server_scenarios() -> Vec<(&'static str, Arm)> {
    vec![
        ("answers normally", |_| {}),
        ("answers 500 twice", |t| {
            t.fail_next(2, Fault::ServerError(500))
        }),
        // Not retried: the commands end with the error quoting the HTML page.
        ("answers 404 pages", |t| {
            t.fail_next(3, Fault::ServerError(404))
        }),
        ("answers garbage", |t| t.fail_next(2, Fault::Malformed)),
        ("rate-limits", |t| {
            t.set_rate_limit_reset(Duration::from_millis(50));
            t.fail_next(2, Fault::RateLimited);
        }),
        ("rejects the token twice", |t| {
            t.fail_next(2, Fault::TokenInvalid)
        }),
        ("rejects every token", |t| t.reject_all_tokens(true)),
        ("denies permissions", |t| {
            t.fail_next(1, Fault::Permission);
            t.forbid("/open-apis/contact/", "contact:contact.base:readonly");
        }),
        ("answers an error code", |t| {
            t.fail_next(
                3,
                Fault::Code {
                    status: 400,
                    code: 99992402,
                },
            )
        }),
    ]
}

/// A config reading every module of `tenant` with `credentials`, the secret in the file.
fn config_with(tenant: &FakeTenant, credentials: Value) -> Value {
    let mut config = config_json(tenant);
    config["credentials"] = credentials;
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_command_prints_the_secret_whatever_the_server_answers() {
    let dir = scratch_dir("secret-server");
    // The tenant's app secret is the canary; so are the pre-minted tokens the other modes
    // send (which the tenant then rejects).
    let mut runs: Vec<(String, FakeTenant, Value, Arm)> = Vec::new();
    for (name, arm) in server_scenarios() {
        let tenant = seeded(FakeTenant::builder().app_secret(CANARY).start().await, 6, 3);
        let credentials = json!({
            "auth_type": "self_built", "app_id": tenant.app_id(), "app_secret": CANARY,
        });
        let config = config_with(&tenant, credentials);
        runs.push((
            format!("self-built app, server {name}"),
            tenant,
            config,
            arm,
        ));
    }
    let wrong = seeded(FakeTenant::builder().start().await, 6, 3);
    for (mode, credentials) in [
        (
            "a wrong app secret",
            json!({"auth_type": "self_built", "app_id": wrong.app_id(), "app_secret": CANARY}),
        ),
        (
            "a tenant access token",
            json!({"auth_type": "tenant_access_token", "tenant_access_token": CANARY}),
        ),
        (
            "an app access token",
            json!({"auth_type": "app_access_token", "app_access_token": CANARY,
                   "tenant_key": wrong.tenant_key()}),
        ),
    ] {
        let config = config_with(&wrong, credentials);
        runs.push((mode.to_string(), wrong.clone(), config, |_| {}));
    }
    // Scenarios side by side: the commands mostly wait (retries, rate limits).
    std::thread::scope(|scope| {
        for (i, (name, tenant, config, arm)) in runs.iter().enumerate() {
            let dir = dir.join(format!("run-{i}"));
            scope.spawn(move || {
                std::fs::create_dir_all(&dir).unwrap();
                let path = write_config(&dir, config);
                let prepare = || {
                    tenant.clear_faults();
                    tenant.allow_all();
                    tenant.reject_all_tokens(false);
                    arm(tenant);
                };
                for (label, output) in every_command_after(&path, &dir, &[], &prepare) {
                    assert_no_secret(&format!("{name}: {label}"), &output);
                    if name.ends_with("answers normally") {
                        assert_success(&output, &label);
                    }
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
}
