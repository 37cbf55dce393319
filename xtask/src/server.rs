//! A `sessions-api` started for a task, on a free port, stopped when dropped.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Result, root, target_dir};

/// Names another release build for `cargo xtask bench` to measure instead of the tree's (an earlier
/// commit's, say), so that two builds are compared by the same client on the same machine.
pub const BENCH_API_VARIABLE: &str = "SESSIONS_BENCH_API";

/// The binary of a cargo profile folder: `release` for measurements (or the build that
/// [`BENCH_API_VARIABLE`] names), `debug` where the test build already made one.
pub fn api_binary(profile: &str) -> PathBuf {
    match std::env::var_os(BENCH_API_VARIABLE) {
        Some(other) if profile == "release" && !other.is_empty() => PathBuf::from(other),
        _ => target_dir().join(profile).join("sessions-api"),
    }
}

/// A new API token with `scopes` in `database`, made with `sessions-api token create` as an operator
/// would (which also creates and migrates the database).
pub fn create_token(
    profile: &str,
    database: impl AsRef<std::ffi::OsStr>,
    name: &str,
    scopes: &str,
) -> Result<String> {
    let output = Command::new(api_binary(profile))
        .current_dir(root())
        .args([
            "token",
            "create",
            name,
            "--scopes",
            scopes,
            "--database-url",
        ])
        .arg(database)
        .stderr(Stdio::inherit())
        .output()?;
    if !output.status.success() {
        return Err(format!("`sessions-api token create` failed ({})", output.status).into());
    }
    Ok(String::from_utf8(output.stdout)?.trim().to_owned())
}

pub struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    /// Starts `sessions-api serve` on a free port with `database`, logging into `log`, and waits until
    /// `/healthz` answers.
    pub fn start(
        profile: &str,
        database: impl AsRef<std::ffi::OsStr>,
        extra_args: &[&str],
        log: &Path,
    ) -> Result<Server> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let binary = api_binary(profile);
        let child = Command::new(&binary)
            .current_dir(root())
            .args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--database-url",
            ])
            .arg(database)
            .args(extra_args)
            // The first admin of a throwaway database: with a password given, the server writes no
            // `initial-admin-password` file (beside a PostgreSQL database that would be the working
            // folder, the repository).
            .env("SESSIONS_ADMIN_PASSWORD", "xtask throwaway admin password")
            .stdin(Stdio::null())
            .stdout(File::create(log)?)
            .stderr(File::create(log.with_extension("stderr"))?)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", binary.display()))?;
        let mut server = Server {
            child,
            port,
            log: log.to_owned(),
        };
        server.wait_until_healthy(Duration::from_secs(300))?;
        Ok(server)
    }

    fn wait_until_healthy(&mut self, timeout: Duration) -> Result {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if let Some(status) = self.child.try_wait()? {
                return Err(format!("the server exited ({status}):\n{}", self.log_tail()).into());
            }
            if ureq::get(self.url("/healthz")).call().is_ok() {
                eprintln!(
                    "server up on {} after {:.1} s",
                    self.url("/"),
                    started.elapsed().as_secs_f64()
                );
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!("the server did not answer /healthz within {timeout:?}").into())
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The end of the server's output, to explain a failure.
    pub fn log_tail(&self) -> String {
        let mut text = String::new();
        for path in [self.log.clone(), self.log.with_extension("stderr")] {
            let content = std::fs::read_to_string(&path).unwrap_or_default();
            let lines: Vec<&str> = content.lines().collect();
            text += &lines[lines.len().saturating_sub(20)..].join("\n");
            text.push('\n');
        }
        text
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
